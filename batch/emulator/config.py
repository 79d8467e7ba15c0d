"""The emulator's knobs as one value object (rate, faults, timing), shared by the CLI, tests and benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: Seeded outcomes a customer's provisioning can end in instead of ``provisioned``.
CUSTOMER_OUTCOMES = frozenset({"provisioned_with_errors", "error"})


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator behaves; ``rate <= 0`` disables rate limiting, ``clock`` drives async provisioning."""

    token: str = "emulator-token"
    rate: float = 50.0
    burst: int = 50
    latency_ms: float = 0.0
    provisioning_seconds: float = 2.0
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
    #: New customers, subscribers and locations show up in lists and filters only this many seconds later.
    list_lag_seconds: float = 0.0
    #: API families the token may not use (``wholesale_customers``, ``wholesale_subscribers``, ``locations``,
    #: ``telephony_config``, ``telephony_pstn``, ``people``, ``roles``): their routes answer 403.
    denied_scopes: frozenset[str] = frozenset()
    # ---- behaviours of the real API (webex-api.md §11) ----
    #: ``GET /people/{id}?callingData=true`` lists a ``work_extension`` entry (routing prefix + extension) in
    #: ``phoneNumbers`` (§11.17). Webex always does; off until the client drops it from its people PUT (the
    #: spec's PUT body takes ``type: work`` only, and the client's request-schema test would fail).
    work_extension_entries: bool = False
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
        for name in ("error_rate", "lost_response_rate", "slow_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        object.__setattr__(self, "free_account_emails", frozenset(e.casefold() for e in self.free_account_emails))
        names = frozenset(n.casefold() for n in self.integrated_pstn_locations)
        object.__setattr__(self, "integrated_pstn_locations", names)
