"""The safe people PUT (webex-api.md §10.7) against a live emulator: roles added, calling data kept."""

from __future__ import annotations

from typing import Any

import pytest

from batch.provision.context import ActionContext
from batch.provision.people import CALLING, add_roles, put_body
from batch.provision.users import subscriber
from tests.provision.conftest import run_with
from tests.provision.test_users import HQ_NUMBERS, customer, person, role_id, seeded, user_job  # noqa: F401

pytestmark = pytest.mark.anyio


async def test_roles_are_added_and_the_number_extension_and_location_stay(
    ctx: ActionContext, customer: dict[str, str], emulator_state: Any  # noqa: F811
) -> None:
    email = "soittaja@example.fi"
    made = await run_with(seeded(ctx, customer), subscriber, user_job(email, phone=HQ_NUMBERS[0], extension="1002"))
    before = person(emulator_state(), email)
    assert before["phone_numbers"] and before["extension"] == "1002"
    world = emulator_state()
    admin = role_id(world, "Read-only Administrator")
    after = await add_roles(ctx, made.ids["person_id"], [admin], email)
    assert admin in after["roles"]
    held = person(emulator_state(), email)
    kept = ("phone_numbers", "extension", "location_id", "licenses")
    assert {k: held[k] for k in kept} == {k: before[k] for k in kept} and held["roles"] == [admin]
    read = await ctx.client.get(f"/people/{made.ids['person_id']}", CALLING)
    assert put_body(read, [admin], email)["phoneNumbers"] == read["phoneNumbers"]  # the whole person goes back
