"""A fingerprint of a server object as a look-up read it (issue 20: saved plans).

Why here: ``plan --save`` records one for every object its look-ups read, and ``run --plan`` must compute the
very same one from the same listings before it touches the object; one function on both sides keeps them
comparable. The object's JSON, keys sorted, hashed: any field that changed on the server changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: The fingerprint of an object the look-up did not find (the plan would create it).
ABSENT = "absent"


def object_fingerprint(found: Mapping[str, Any] | None) -> str:
    if found is None:
        return ABSENT
    text = json.dumps(found, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
