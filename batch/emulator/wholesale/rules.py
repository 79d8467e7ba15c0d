"""Field rules of the wholesale request bodies (webex-api.md §2.2, §3.1, §8), shared by customers and subscribers.

Each rule raises ``ApiProblem(400, ...)`` naming the field, as the real API answers a bad request.
"""

from __future__ import annotations

from typing import Any

from batch.emulator.http import ApiProblem
from batch.emulator.vocab import time_zones
from schemas.vocab import ADDON_DEPENDENCIES, CALLING_PACKAGES, CUSTOMER_PACKAGES

ADDRESS_LINE_LIMIT = 50
CALLING_NAME_LIMIT = 80
PRECHECK_OK = {
    "message": "success",
    "info": {"infoCode": 100, "description": "Provisioning preCheck validation successful."},
}
#: Statuses in which the customer's org exists and can be worked on.
READY = frozenset({"provisioned", "provisioned_with_errors", "updating"})


def text(body: dict[str, Any], name: str, where: str = "", *, required: bool = False) -> str | None:
    """A string field (trimmed); 400 when required and blank or when not a string."""
    value = body.get(name)
    label = f"{where}{name}"
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiProblem(400, f"{label} is required")
        return None
    if not isinstance(value, str):
        raise ApiProblem(400, f"{label} must be a string")
    return value.strip()


def obj(body: dict[str, Any], name: str, where: str = "", *, required: bool = False) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiProblem(400, f"{where}{name} is required")
        return None
    if not isinstance(value, dict):
        raise ApiProblem(400, f"{where}{name} must be an object")
    return value


def check_address(address: dict[str, Any], where: str) -> dict[str, Any]:
    """Billing or location address: addressLine1, city, country required; country ISO2; lines ≤ 50 chars."""
    for name in ("addressLine1", "city", "country"):
        text(address, name, where, required=True)
    for name in ("addressLine2", "stateOrProvince", "zipOrPostalCode"):
        text(address, name, where)
    for name in ("addressLine1", "addressLine2"):
        line = address.get(name) or ""
        if len(line) > ADDRESS_LINE_LIMIT:
            raise ApiProblem(400, f"{where}{name} must be at most {ADDRESS_LINE_LIMIT} characters")
    country = address["country"].strip()
    if len(country) != 2 or not country.isalpha():
        raise ApiProblem(400, f"{where}country must be an ISO2 country code (size = 2), got {country!r}")
    return {k: v for k, v in address.items() if v is not None}


def check_email(value: str, label: str) -> str:
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise ApiProblem(400, f"{label} is not a valid email address: {value!r}")
    return value


def check_packages(value: Any, *, required: bool = True) -> list[str] | None:
    """Customer packages: known names (``WholesalePackagesCustomer``), no repeats, add-on dependencies met."""
    if value is None:
        if required:
            raise ApiProblem(400, "packages is required")
        return None
    if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
        raise ApiProblem(400, "packages must be a non-empty list of package names")
    unknown = [p for p in value if p not in CUSTOMER_PACKAGES]
    if unknown:
        raise ApiProblem(400, f"Invalid package(s) {', '.join(unknown)}; allowed: {', '.join(CUSTOMER_PACKAGES)}")
    if len(set(value)) != len(value):
        raise ApiProblem(400, "packages must not repeat a package")
    for addon, needs in ADDON_DEPENDENCIES.items():
        if addon in value and not needs.intersection(value):
            raise ApiProblem(400, f"{addon} is dependent on: {', '.join(sorted(needs))}")
    return list(value)


def check_calling(body: dict[str, Any], packages: list[str] | None, *, required: bool) -> dict[str, Any]:
    """provisioningParameters; ``calling.location`` is mandatory when a calling package is provisioned."""
    params = obj(body, "provisioningParameters") or {}
    calling = obj(params, "calling", "provisioningParameters.")
    if calling is None:
        if required and packages and CALLING_PACKAGES.intersection(packages):
            raise ApiProblem(400, "provisioningParameters.calling is mandatory when provisioning calling packages")
        return params
    where = "provisioningParameters.calling.location."
    location = obj(calling, "location", "provisioningParameters.calling.", required=True)
    assert location is not None
    name = text(location, "name", where, required=True) or ""
    zone = text(location, "timezone", where, required=True)
    text(location, "language", where, required=True)
    if len(name) > CALLING_NAME_LIMIT:
        raise ApiProblem(400, f"{where}name must be at most {CALLING_NAME_LIMIT} characters for a calling location")
    if zone not in time_zones():
        raise ApiProblem(400, f"{where}timezone {zone!r} is not a valid time zone (an IANA name like Europe/Helsinki)")
    check_address(obj(location, "address", where, required=True) or {}, where + "address.")
    return params


def check_customer_info(body: dict[str, Any], *, required: bool) -> dict[str, Any]:
    info = obj(body, "customerInfo", required=required)
    if info is None:
        return {}
    name = text(info, "name", "customerInfo.", required=True)
    if name and "%" in name:
        raise ApiProblem(400, 'customerInfo.name cannot include the "%" character')
    check_email(text(info, "primaryEmail", "customerInfo.", required=True) or "", "customerInfo.primaryEmail")
    text(info, "language", "customerInfo.")
    return info
