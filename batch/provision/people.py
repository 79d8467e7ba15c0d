"""The safe people PUT (webex-api.md §10.7): roles added without losing anything the person has.

``PUT /people/{id}`` replaces the whole person and applies what the body holds, so a body without the
person's calling data removes their work number. Hence: GET with ``callingData=true``, PUT the whole
person back with ``callingData=true`` (the roles merged in), then GET again to verify that the roles are
there and the number, extension and location are what they were — a PUT that errors may still have
changed some values, so the verification also runs after a failed PUT before the error is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from batch.errors import ApiError
from batch.provision.context import Context
from batch.provision.fields.bodies import text

CALLING = {"callingData": "true"}
#: ``PUT /people/{personId}`` body fields (webex-people.json), minus ``nickName`` ("cannot be overwritten").
PUT_FIELDS = (
    "emails",
    "phoneNumbers",
    "extension",
    "locationId",
    "displayName",
    "firstName",
    "lastName",
    "avatar",
    "orgId",
    "roles",
    "licenses",
    "department",
    "manager",
    "managerId",
    "title",
    "addresses",
    "siteUrls",
    "loginEnabled",
)
#: What a roles PUT must leave as it was (webex-api.md §10.7: a PUT applies its body as given).
KEPT = ("phoneNumbers", "extension", "locationId", "licenses")


class PersonChanged(ApiError):
    """The PUT answered but the person does not read back as intended (roles missing or calling data lost)."""


def put_body(person: Mapping[str, Any], role_ids: Sequence[str], email: str) -> dict[str, Any]:
    """What GET returned that PUT accepts, with ``roles`` replaced: nothing the person had is dropped."""
    body = {key: person[key] for key in PUT_FIELDS if person.get(key) not in (None, "")}
    if "phoneNumbers" in body:  # a work_extension entry is what GET shows of the extension; PUT sets it by
        # ``extension`` and takes only the other types (webex-api.md §11.17)
        body["phoneNumbers"] = [n for n in body["phoneNumbers"] if not _is_work_extension(n)]
    body["roles"] = list(role_ids)
    if not body.get("displayName"):
        names = " ".join(text(person.get(k)) or "" for k in ("firstName", "lastName")).strip()
        body["displayName"] = names or email.split("@", 1)[0]
    return body


async def add_roles(
    ctx: Context, person_id: str, role_ids: Sequence[str], email: str, *, before: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Give the person ``role_ids`` too; returns the person as read back. ``before``: the person as a GET with
    ``callingData=true`` just returned it (saves that GET). Raises ``ApiError`` when the PUT fails or the
    read-back shows the roles missing or the calling data changed."""
    path = f"/people/{person_id}"
    if before is None:
        before = await ctx.client.get(path, CALLING)
    have = list(before.get("roles") or [])
    merged = have + [r for r in dict.fromkeys(role_ids) if r not in have]
    failure: ApiError | None = None
    try:
        await ctx.client.write("PUT", path, params=CALLING, json=put_body(before, merged, email))
    except ApiError as err:
        failure = err
    after = await ctx.client.get(path, CALLING)
    lost = changed(before, after, merged)
    if failure is not None and lost:
        raise failure
    if lost:
        raise PersonChanged(
            f"the roles of {email} were set, but Webex now shows {'; '.join(lost)}: check the user in Control Hub "
            "and restore what is missing (a people PUT may alter values even when it fails)"
        )
    return after


async def set_calling(
    ctx: Context, person_id: str, email: str, number: str | None, extension: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Give a calling user the row's number and extension through the same safe PUT (everything else the
    person has goes back as it was); returns the person as read before and back after (the journal's images,
    which ``rtm-batch undo`` restores). Raises ``PersonChanged`` when the read-back does not show them (Webex
    may refuse a value without an error)."""
    path = f"/people/{person_id}"
    before = await ctx.client.get(path, CALLING)
    body = put_body(before, list(before.get("roles") or []), email)
    if number:
        others = [n for n in body.get("phoneNumbers") or [] if not (isinstance(n, dict) and n.get("type") == "work")]
        body["phoneNumbers"] = [*others, {"type": "work", "value": number}]
    if extension:
        body["extension"] = extension
    await ctx.client.write("PUT", path, params=CALLING, json=body)
    after = await ctx.client.get(path, CALLING)
    works = {n.get("value") for n in after.get("phoneNumbers") or [] if isinstance(n, dict) and n.get("type") == "work"}
    missing = []
    if number and number not in works:
        missing.append(f"number {number}")
    if extension and after.get("extension") != extension:
        missing.append(f"extension {extension}")
    if missing:
        taken = " and ".join(missing)
        raise PersonChanged(f"Webex did not take the {taken} for {email}: check the user in Control Hub")
    return before, after


def calling_image(person: Mapping[str, Any]) -> dict[str, Any]:
    """A person's work numbers and extension as the journal keeps them (before and after a ``set_calling``)."""
    works = [
        n.get("value") for n in person.get("phoneNumbers") or [] if isinstance(n, dict) and n.get("type") == "work"
    ]
    return {"numbers": sorted(str(n) for n in works if n), "extension": text(person.get("extension")) or None}


def changed(before: Mapping[str, Any], after: Mapping[str, Any], roles: Sequence[str]) -> list[str]:
    """What the GET after the PUT shows wrong: a role not there, or a calling field or licence changed."""
    found = []
    if not set(roles) <= set(after.get("roles") or []):
        found.append("not all the roles added")
    for key in KEPT:
        if _comparable(before.get(key)) != _comparable(after.get(key)):
            found.append(f"{key} {_comparable(before.get(key)) or 'none'} → {_comparable(after.get(key)) or 'none'}")
    return found


def _is_work_extension(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("type") == "work_extension"


def _comparable(value: Any) -> Any:
    """Lists compared as sorted text (a number list is objects, a licence list strings); blanks as None."""
    if isinstance(value, list):
        items = [v.get("value", v) if isinstance(v, dict) else v for v in value]
        return ", ".join(sorted(str(v) for v in items)) or None
    return value or None
