"""The emulator's knobs as one value object (rate, faults, timing), shared by the CLI, tests and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Seeded outcomes a customer's provisioning can end in instead of ``provisioned`` (``calling_package_error``:
#: provisioned, but its calling package in ``status: error`` with warning 2560, webex-api.md §11.2).
CUSTOMER_OUTCOMES = frozenset({"provisioned_with_errors", "error", "calling_package_error"})


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator behaves; ``rate <= 0`` disables rate limiting, ``clock`` drives async provisioning."""

    token: str = "emulator-token"
    rate: float = 50.0
    burst: int = 50
    latency_ms: float = 0.0
    #: Seconds of emulator time a customer's provisioning (or a package change) takes: Webex's "around 5
    #: minutes" (GVE, webex-api.md §11.3) unless told otherwise. The demo, the tests and the benchmarks make it
    #: quick with ``speed`` (300 s at ``speed=150`` is 2 s of their clock) or a value of their own, never sleeps.
    provisioning_seconds: float = 300.0
    error_rate: float = 0.0
    lost_response_rate: float = 0.0
    seed: int = 0
    free_account_emails: frozenset[str] = frozenset()
    #: externalId → "provisioned_with_errors" | "error" (seeded failures of a customer's provisioning).
    customer_outcomes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    clock: Callable[[], float] = time.monotonic
    #: Keep every API request (method, path, query, body) for ``GET /_emulator/requests``: tests check what a
    #: client sent against the official request schemas. Off by default (a benchmark would hoard memory).
    record_requests: bool = False
    # ---- behaviours of the real API (webex-api.md §10); on by default where Webex always does it ----
    #: A new customer org answers 403 on org-scoped calls until ``GET /organizations/{orgId}`` (§10.1).
    managed_org_handshake: bool = True
    #: ``Retry-After`` of a 429 in seconds (None: the time until the bucket has a token, at least 1 s).
    retry_after: int | None = None
    #: ``Link: rel="next"`` URLs keep only the paging parameters, dropping the filters (§10.5).
    drop_next_filters: bool = False
    #: Location names (any case) that get an integrated PSTN connection (Cisco Calling Plan) when created.
    integrated_pstn_locations: frozenset[str] = frozenset()
    #: New customers, subscribers, locations and calling locations show up in lists and filters only this many
    #: seconds later.
    list_lag_seconds: float = 0.0
    #: API families the token may not use (``wholesale_customers``, ``wholesale_subscribers``, ``locations``,
    #: ``telephony_config``, ``telephony_pstn``, ``people``, ``roles``): their routes answer 403.
    denied_scopes: frozenset[str] = frozenset()
    # ---- behaviours of the real API (webex-api.md §11) ----
    #: ``GET /people/{id}?callingData=true`` lists a ``work_extension`` entry (routing prefix + extension) in
    #: ``phoneNumbers`` (§11.17). Webex always does, and so does the emulator unless told otherwise.
    work_extension_entries: bool = True
    #: Emulator seconds per second of ``clock`` for the asynchronous work Webex does (provisioning, review,
    #: jobs): ``provisioning_seconds=300, speed=150`` is Webex's "around 5 minutes" (§11.3) in 2 s of a run.
    speed: float = 1.0
    #: externalIds whose provisioning is held in ``pending_rpl_review`` (compliance review, §11.3) for
    #: ``review_seconds`` of emulator time first (0: until the test ends: a review has no bound).
    review_customers: frozenset[str] = frozenset()
    review_seconds: float = 0.0
    #: ``GET /people`` list items carry no ``licenses`` or ``roles``; only ``GET /people/{id}`` does (§11.1). Webex
    #: always does, and so does the emulator unless told otherwise.
    people_list_without_licenses: bool = True
    #: Raw ``Retry-After`` values the 429s cycle through (§11.8: ``""`` absent, ``"0"``, ``"rand(30),add(30)"``,
    #: ``"194"``); empty: the usual whole seconds.
    retry_after_values: tuple[str, ...] = ()
    #: Statuses the injected ``error_rate`` faults cycle through (§11.21: 423 Locked, 504 as well as 503).
    error_statuses: tuple[int, ...] = (503,)
    #: Enabling calling and ``PUT /locations`` refuse ``address2: ""`` (both SDKs send null, §11.11).
    refuse_empty_address2: bool = True
    #: What a location without calling answers on ``/telephony/config/locations/{id}``: 404, or 400 (§11.13).
    no_calling_status: int = 404
    #: A routing-prefix change answers 206 with a ``batchJobId`` (``/telephony/config/jobs/updateRoutingPrefix``).
    routing_prefix_job: bool = False
    #: externalIds of customers this partner administrator was not assigned: 403 for good, the handshake does
    #: not cure it (§11.18).
    unassigned_customers: frozenset[str] = frozenset()
    #: ``GET /wholesale/customers`` lists the partner's own org among the customers (§11.10).
    list_partner_org: bool = False
    #: A customer made on a sub-partner's behalf is seen (listed, read, changed, its subscribers and their
    #: consent emails) only by calls made on that sub-partner's behalf, and the others only by calls without
    #: one (§11.10, ``batch.emulator.wholesale.scope``).
    sub_partner_scopes: bool = True
    #: ``GET /people?callingData=true`` with a larger ``max`` answers 504 (§11.9: WXC keeps it at 10; 0: no cap).
    calling_data_max: int = 0
    #: ``GET /people?locationId=`` without a match answers a pseudo-item ``{"errors": {"peopleListLocationId":
    #: …}}`` in ``items`` (§11.9, PRACT: it happens, not always).
    location_pseudo_item: bool = False
    #: ``GET /locations`` serves at most this many per page (with ``Link`` to the rest; §11.9; 0: no cap).
    locations_page_max: int = 100
    #: Adding a number another location of the same org holds answers 8363 "DN is in use" (as validateNumbers
    #: does, §11.14) instead of 8361 "DN is unavailable" (another org's). Webex does, and so does the emulator.
    numbers_in_use_code: bool = True
    #: Failed prechecks (``/wholesale/*/validate``) answer 200 with a ``message`` other than "success" (§11.19).
    precheck_failures_as_200: bool = False
    #: OAuth (batch.emulator.tokens): the integration's credentials, the refresh token first accepted, how
    #: long issued access tokens live (seconds of ``clock``; 0 = forever) and whether a refresh rotates it.
    client_id: str = "emulator-client"
    client_secret: str = field(default="emulator-secret", repr=False)
    refresh_token: str = field(default="emulator-refresh-token", repr=False)
    token_lifetime: float = 0.0
    rotate_refresh_token: bool = False
    #: Refreshes granted before the refresh token is refused (0: no limit), for tests of a failing refresh.
    max_refreshes: int = 0
    #: JSON file the state is loaded from at start and saved to (batch.emulator.persist); None: in memory.
    state_file: str | None = None
    #: Soak faults: a share of requests answered only after ``slow_seconds`` (slower than a client's
    #: timeout), and 429 storms: every ``storm_every`` seconds, ``storm_seconds`` of 429 for everyone.
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    storm_every: float = 0.0
    storm_seconds: float = 0.0

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.customer_outcomes.items() if v not in CUSTOMER_OUTCOMES}
        if bad:
            raise ValueError(f"customer_outcomes values must be one of {sorted(CUSTOMER_OUTCOMES)}: {bad}")
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.no_calling_status not in (400, 404):
            raise ValueError("no_calling_status must be 400 or 404")
        if not self.error_statuses:
            raise ValueError("error_statuses must name at least one status")
        for name in ("error_rate", "lost_response_rate", "slow_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        object.__setattr__(self, "free_account_emails", frozenset(e.casefold() for e in self.free_account_emails))
        names = frozenset(n.casefold() for n in self.integrated_pstn_locations)
        object.__setattr__(self, "integrated_pstn_locations", names)
