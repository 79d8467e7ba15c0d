"""``--state-file``: the emulator's objects kept in a JSON file, so a restarted emulator is the same Webex.

Why: the soak test restarts the server mid-run, as a real outage would, and the client must find what it
created before the restart (look-ups, not duplicates). The file is rewritten atomically after every write
request and on shutdown; the id generator's state goes along so new ids never collide with saved ones, and
a customer still provisioning keeps the time it has left.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from batch.emulator.records import Customer, Location, Number, Org, Person, Role, Subscriber, Trunk
from batch.emulator.state import EmulatorState


def save(state: EmulatorState, path: Path, now: float) -> None:
    """Write the state to ``path`` atomically (a temporary file beside it, then rename)."""
    data = state.snapshot()
    data["pending"] = {cid: max(0.0, at - now) for cid, at in state._pending.items()}
    version, internal, gauss = state._rng.getstate()
    data["rng"] = [version, list(internal), gauss]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(state: EmulatorState, path: Path, now: float) -> bool:
    """Fill ``state`` from ``path`` if it exists (False when there is nothing to load yet)."""
    if not path.is_file():
        return False
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    state.reset()
    state.roles = {r["id"]: Role(**r) for r in data["roles"]}
    state.renew_partner()
    for row in data["orgs"]:
        state.add_org(Org(**row))
    pending = data.get("pending", {})
    for row in data["customers"]:
        customer = Customer(**row)
        left = pending.get(customer.id)
        state.add_customer(customer, None if left is None else now + left)
    for row in data["locations"]:
        state.add_location(Location(**row))
    for row in data["numbers"]:
        state.add_number(Number(**row))
    for row in data["people"]:
        state.add_person(Person(**row))
    for row in data["subscribers"]:
        state.add_subscriber(Subscriber(**row))
    for row in data.get("trunks", []):  # absent from files saved before trunks existed
        state.add_trunk(Trunk(**row))
    version, internal, gauss = data["rng"]
    state._rng.setstate((version, tuple(internal), gauss))
    return True
