"""What an action works with: the API client, its parents' outcomes, the run's options, and one memo of
look-ups shared by every job (``ActionContext``); ``Action`` is the shape of every action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from contextvars import ContextVar
from typing import Protocol, TypeVar

import anyio

from batch.api.client import WebexClient
from batch.jobs import Job, Outcome
from batch.plan.graph import customer_of

T = TypeVar("T")
#: A memo key names one listing: ``("locations", org_id)``; every key is built in ``batch.provision.lookups``.
MemoKey = tuple[str, ...]
#: Seconds a customer may provision in one run before its row is ``pending`` (Webex: about 5 minutes, GVE).
PROVISIONING_PATIENCE = 15 * 60.0
#: The job the current task works for (the executor sets it): events about its requests name it, and what it loads
#: into the memo is kept under its customer, let go with ``ActionContext.release`` once that customer's last job ends.
CURRENT_JOB: ContextVar[Job | None] = ContextVar("rtm_batch_job", default=None)


class Context(Protocol):
    """What an action can use: the API client, its parents' ids and a shared memo for lookups."""

    @property
    def client(self) -> WebexClient: ...

    @property
    def outcomes(self) -> Mapping[str, Outcome]: ...  # finished jobs by key (a parent created in this run: no look-up)

    @property
    def poll_initial(self) -> float: ...  # first wait while a customer provisions

    @property
    def provisioning_patience(self) -> float: ...  # seconds a customer may provision before its row is pending

    @property
    def update(self) -> bool: ...  # --update: apply the differences found (else only report them)

    @property
    def resend_consent(self) -> bool: ...  # --resend-consent: the consent email again to pending free accounts

    @property
    def unfinished(self) -> frozenset[str]: ...  # jobs whose additions are unfinished work (failed before, a crash's)

    def ids(self, job_key: str) -> Mapping[str, str]: ...

    async def memo(self, key: MemoKey, load: Callable[[], Awaitable[T]], *, shared: bool = False) -> T: ...

    def forget(self, key: MemoKey) -> None: ...


Action = Callable[[Job, Context], Awaitable[Outcome]]


class ActionContext:
    """The runner's ``Context``: parents' outcomes by job key and a memo that loads each lookup once.

    The memo matters for the rate budget: a listing (an org's locations, a customer's subscribers) is
    fetched by the first job that needs it and shared with every later job; concurrent first callers
    wait for the one load instead of each spending a request.
    """

    def __init__(
        self,
        client: WebexClient,
        outcomes: MutableMapping[str, Outcome] | None = None,
        *,
        poll_initial: float = 1.0,
        provisioning_patience: float = PROVISIONING_PATIENCE,
        update: bool = False,
        unfinished: frozenset[str] = frozenset(),
        resend_consent: bool = False,
    ) -> None:
        self.client = client
        self.outcomes: MutableMapping[str, Outcome] = outcomes if outcomes is not None else {}
        self.poll_initial = poll_initial
        self.provisioning_patience = provisioning_patience
        self.update = update
        self.unfinished = unfinished
        self.resend_consent = resend_consent
        self._memo: dict[MemoKey, object] = {}
        self._loading: dict[MemoKey, anyio.Event] = {}
        self._of_customer: dict[str, list[MemoKey]] = {}  # what each customer's jobs loaded (``release``)

    def ids(self, job_key: str) -> Mapping[str, str]:
        return self.outcomes[job_key].ids

    async def memo(self, key: MemoKey, load: Callable[[], Awaitable[T]], *, shared: bool = False) -> T:
        """``load()``'s value, loaded once for every job; kept until its customer is released (``shared``: a
        listing every customer reads, such as the roles, kept to the end of the run)."""
        if key in self._memo:
            return self._memo[key]  # type: ignore[return-value]  # one key, one loader: the type is the loader's
        event = self._loading.get(key)
        if event is not None:
            await event.wait()
            if key in self._memo:
                return self._memo[key]  # type: ignore[return-value]
            return await self.memo(key, load, shared=shared)
        event = self._loading[key] = anyio.Event()
        try:
            value = await load()
            self._memo[key] = value
            if not shared and (job := CURRENT_JOB.get()) is not None and (customer := customer_of(job)):
                self._of_customer.setdefault(customer, []).append(key)
            return value
        finally:
            del self._loading[key]
            event.set()

    def forget(self, key: MemoKey) -> None:
        """Drop a memoized lookup, e.g. after an ambiguous write made it stale."""
        self._memo.pop(key, None)

    def release(self, customer: str) -> None:
        """The customer's last job has ended: what its jobs loaded goes (no job of the run reads it again)."""
        for key in self._of_customer.pop(customer, ()):
            self._memo.pop(key, None)
