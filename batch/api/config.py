"""``ClientConfig``: how to reach the API and how hard to push it, as one value object (not loose kwargs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

#: Throttling (429, 423) is not a failed attempt: a request may wait this long in total before it fails.
THROTTLE_BUDGET = 30 * 60.0


@dataclass(frozen=True)
class ClientConfig:
    """How to reach the API and how hard to push it; the token is kept out of ``repr``."""

    base_url: str
    token: str = field(repr=False)
    max_rate: float | None = None  # None: find the server's limit (batch.api.adaptive)
    concurrency: int = 16
    timeout: float = 30.0
    max_attempts: int = 6
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    #: Sent in every request's ``TrackingID: RTMBATCH_<run_id>_<n>`` (webex-api.md §10.11).
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    #: ``onBehalfOfSubPartnerOrgId`` on every ``/wholesale/`` call (§10.10).
    sub_partner_org_id: str | None = None
    throttle_budget: float = THROTTLE_BUDGET
