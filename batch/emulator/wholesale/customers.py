"""``/v1/wholesale/customers``: list, provision (async), get, update, remove and precheck.

Validation follows webex-api.md §2.2 and §8.1 and the request schemas of webex-wholesale.json; errors a
caller makes are 400s with a message naming the field, conflicts are 409s.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from batch.emulator.http import ApiProblem, EmulatorContext, json_body
from batch.emulator.records import EMAIL_TAKEN, EMAIL_TAKEN_MESSAGE, encode_id
from batch.emulator.state import Customer, EmulatorState, now_iso
from batch.emulator.wholesale.changes import check_customer_packages
from batch.emulator.wholesale.rules import (
    PRECHECK_OK,
    check_address,
    check_calling,
    check_customer_info,
    check_email,
    check_packages,
    obj,
    prechecked,
    text,
)
from batch.emulator.wholesale.scope import acting_for, visible

BASE = "/v1/wholesale/customers"
PARTNER_EXTERNAL_ID = "partner-own-organization"


# ---- representation -------------------------------------------------------------------------------


def customer_json(customer: Customer, *, license_info: bool = False) -> dict[str, Any]:
    """The ``Customer`` schema; ``orgId`` only once the org exists and provisioning is over."""
    out: dict[str, Any] = {
        "id": customer.id,
        "externalId": customer.external_id,
        "address": customer.address,
        "status": customer.status,
        "packages": customer.packages,
        "resourceDetails": {"packages": [_package_json(customer, p, license_info) for p in customer.packages]},
        "errors": customer.errors,
    }
    if customer.org_id and customer.status not in ("provisioning", "error"):
        out = {"id": customer.id, "orgId": customer.org_id, **{k: v for k, v in out.items() if k != "id"}}
    return out


def _package_json(customer: Customer, package: str, license_info: bool) -> dict[str, Any]:
    if customer.status == "error" or package in customer.failed_packages:
        status = "error"
    elif customer.status == "deleting":
        status = "deleting"
    elif package in customer.licenses and customer.status != "provisioning":
        status = "provisioned"
    else:
        status = "provisioning"
    out: dict[str, Any] = {
        "name": package,
        "status": status,
        "warnings": customer.package_warnings.get(package, []),
        "errors": [],
    }
    if license_info and package in customer.licenses:
        out["licenseIds"] = [customer.licenses[package]]
    return out


def partner_json(state: EmulatorState) -> dict[str, Any]:
    """The partner's own org as ``GET /wholesale/customers`` can list it (HELP ny0fr7x, webex-api.md §11.10)."""
    org = state.partner.org
    return {
        "id": encode_id("CUSTOMER", uuid.uuid5(uuid.NAMESPACE_URL, f"rtm-batch-emulator/partner-customer/{org.id}")),
        "orgId": org.id,
        "externalId": PARTNER_EXTERNAL_ID,
        "address": {"addressLine1": "Partner Street 1", "city": "Helsinki", "country": "FI"},
        "status": "provisioned",
        "packages": [],
        "resourceDetails": {"packages": []},
        "errors": [],
    }


# ---- routes ---------------------------------------------------------------------------------------


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    state = ctx.state

    def find(request: Request) -> Customer:
        customer = state.customers.get(request.path_params["customerId"])
        if customer is None or not visible(ctx, request, customer):  # another sub-partner's: not there (§11.10)
            raise ApiProblem(404, "Customer not found")
        return customer

    def accepted(request: Request, customer: Customer) -> JSONResponse:
        url = ctx.url(request, f"{BASE}/{customer.id}")
        return JSONResponse({"url": url}, status_code=202, headers={"Location": url})

    async def list_customers(request: Request) -> JSONResponse:
        query = request.query_params
        ext, org_id = query.get("externalId"), query.get("orgId")
        statuses = {s for raw in query.getlist("status") for s in raw.split(",") if s}
        if ext is not None:
            found = state.customer_by_external_id(ext)
            candidates = [found] if found else []
        else:
            candidates = list(state.customers.values())
        now = ctx.clock()
        items = [
            c
            for c in candidates
            if (org_id is None or c.org_id == org_id)
            and (not statuses or c.status in statuses)
            and state.listed(c.id, now)
            and visible(ctx, request, c)
        ]
        rows = [customer_json(c) for c in items]
        own = ctx.config.list_partner_org and ext is None and org_id in (None, state.partner.org.id)
        own = own and acting_for(request) is None
        if own and (not statuses or "provisioned" in statuses):  # the partner's own org listed too (§11.10)
            rows.insert(0, partner_json(state))
        chunk, _ = ctx.page(request, rows, start_param="offset", max_cap=100, link=False)  # no Link (§10.6)
        return JSONResponse({"items": chunk})

    async def provision(request: Request) -> JSONResponse:
        body = await json_body(request)
        provisioning_id = text(body, "provisioningId", required=True)
        packages = check_packages(body.get("packages"))
        external_id = text(body, "externalId", required=True)
        org_id = text(body, "orgId")
        if org_id is not None and state.org(org_id) is None:
            raise ApiProblem(400, f"orgId {org_id} is not an organization this partner manages")
        address = check_address(obj(body, "address", required=True) or {}, "address.")
        info = check_customer_info(body, required=org_id is None)
        params = check_calling(body, packages, required=True)
        assert provisioning_id and packages and external_id
        if state.customer_by_external_id(external_id) is not None:
            raise ApiProblem(409, f"A customer with externalId {external_id} already exists")
        now, stamp = ctx.clock(), now_iso()
        customer = Customer(
            id=state.new_id("CUSTOMER"),
            external_id=external_id,
            org_id=org_id,
            status="provisioning",
            packages=packages,
            customer_info=info,
            address=address,
            provisioning_id=provisioning_id,
            provisioning_parameters=params,
            errors=[],
            ready_at=None,
            outcome=ctx.config.customer_outcomes.get(external_id),
            created=stamp,
            last_status_change=stamp,
            sub_partner=acting_for(request),
        )
        if external_id in ctx.config.review_customers:  # compliance review first (§11.3)
            customer.status = "pending_rpl_review"
            customer.provisioning_after_review = ctx.after(ctx.config.provisioning_seconds) - now
            review = ctx.config.review_seconds
            state.add_customer(customer, ctx.after(review) if review > 0 else None)
        else:
            state.add_customer(customer, ctx.after(ctx.config.provisioning_seconds))
        if ctx.config.list_lag_seconds > 0:
            state.listed_from[customer.id] = now + ctx.config.list_lag_seconds
        return accepted(request, customer)

    async def get_customer(request: Request) -> JSONResponse:
        customer = find(request)
        license_info = request.query_params.get("includePackageLicenseInfo", "").lower() == "true"
        url = ctx.url(request, f"{BASE}/{customer.id}")
        return JSONResponse(customer_json(customer, license_info=license_info), headers={"Location": url})

    async def update(request: Request) -> JSONResponse:
        customer = find(request)
        body = await json_body(request)
        if customer.status in ("provisioning", "deleting"):
            raise ApiProblem(409, f"Customer cannot be updated while its status is {customer.status}")
        packages = check_packages(body.get("packages"))
        assert packages is not None
        external_id = text(body, "externalId")
        address = obj(body, "address")
        address = check_address(address, "address.") if address is not None else None
        has_calling = bool((customer.provisioning_parameters.get("calling") or {}).get("location"))
        params = check_calling(body, packages, required=not has_calling)
        check_customer_packages(state, customer, packages)
        if external_id and external_id != customer.external_id:
            if state.customer_by_external_id(external_id) is not None:
                raise ApiProblem(409, f"A customer with externalId {external_id} already exists")
            state.change_external_id(customer, external_id)
        if address is not None:
            customer.address = address
        if params:
            customer.provisioning_parameters = {**customer.provisioning_parameters, **params}
        customer.packages = packages
        customer.licenses = {p: lic for p, lic in customer.licenses.items() if p in packages}
        customer.status, customer.last_status_change = "updating", now_iso()
        state.schedule(customer, ctx.after(ctx.config.provisioning_seconds))
        return accepted(request, customer)

    async def remove(request: Request) -> Response:
        customer = find(request)
        if customer.status != "deleting":
            customer.status, customer.last_status_change = "deleting", now_iso()
            state.schedule(customer, ctx.after(ctx.config.provisioning_seconds))
        return Response(status_code=202)

    async def precheck(request: Request) -> JSONResponse:
        body = await json_body(request)
        check_address(obj(body, "address", required=True) or {}, "address.")
        packages = check_packages(body.get("packages"), required=False)
        info = obj(body, "customerInfo")
        if info is not None:
            name = text(info, "name", "customerInfo.")
            if name and "%" in name:
                raise ApiProblem(400, 'customerInfo.name cannot include the "%" character')
            email = check_email(
                text(info, "primaryEmail", "customerInfo.", required=True) or "", "customerInfo.primaryEmail"
            )
            if state.person_by_email(email) is not None:
                raise ApiProblem(409, EMAIL_TAKEN_MESSAGE, EMAIL_TAKEN)
        check_calling(body, packages, required=packages is not None)
        external_id = text(body, "externalId")
        if external_id and state.customer_by_external_id(external_id) is not None:
            raise ApiProblem(409, f"A customer with externalId {external_id} already exists")
        return JSONResponse(PRECHECK_OK)

    return [
        Route(BASE, list_customers, methods=["GET"]),
        Route(BASE, provision, methods=["POST"]),
        Route(f"{BASE}/validate", prechecked(ctx, precheck), methods=["POST"]),
        Route(BASE + "/{customerId}", get_customer, methods=["GET"]),
        Route(BASE + "/{customerId}", update, methods=["PUT"]),
        Route(BASE + "/{customerId}", remove, methods=["DELETE"]),
    ]
