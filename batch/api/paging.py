"""Reading a whole paged list the way the real API needs (webex-api.md §10.5, §10.6, §11.9).

Behaviours of Webex a plain "follow ``Link``" loop gets wrong: a ``next`` link may leave out filters of the
first request (the listing then quietly returns other objects, e.g. another org's), the wholesale lists
declare no ``Link`` at all and page by ``offset``, and their ``max`` is capped at 100. A big page can time out
(``GET /people?callingData=true`` answers 504 "try to reduce it" above about 10): the page is asked for again
at once with a smaller ``max``, which the rest of the list keeps (and the client's later lists of the same
kind start from), rather than retried as it was until the attempts run out: each 504 may have cost Webex's
gateway its whole timeout. A people list can hold a pseudo-item without ``id`` (``{"errors": {...}}``): not a person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from batch.api.answers import json_of, path_of

#: Largest page a wholesale list returns, whatever ``max`` asked for.
WHOLESALE_PAGE_MAX = 100
#: Paging positions: never copied from the first request into a ``next`` link (the link has its own).
POSITIONS = ("offset", "start")
#: A page that times out (504) is asked for again with ``max`` divided by this, down to ``SMALLEST_PAGE``
#: (wxc_sdk keeps calling-data pages at 10: ``MAX_USERS_WITH_CALLING_DATA``).
SHRINK = 4
SMALLEST_PAGE = 10
#: ``max`` a list uses when the request names none (Webex's people and locations default).
DEFAULT_PAGE = 100
#: Lists whose every real item has an ``id``; anything else on their pages is not an object (§11.9).
ID_LISTS = ("/people",)

Reader = Callable[[Any, Mapping[str, Any] | None], Awaitable[httpx.Response]]


async def collect(
    read: Reader,
    path: str,
    wanted: Mapping[str, Any],
    items_key: str = "items",
    learned: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Every item of the list at ``path`` filtered by ``wanted``; ``read(url, params)`` sends one GET.

    Follows ``Link: rel="next"`` with any dropped filter put back; a wholesale list without ``Link`` goes
    on by ``offset`` while its pages are full. Items of another org than the ``orgId`` asked for are
    dropped: a filter the server ignored must not leak another customer's objects into ours. ``learned``:
    the ``max`` each kind of list was last made to shrink to, kept by the caller for its next lists.
    """
    wanted = dict(wanted)
    kind = list_kind(path, wanted)
    if learned and kind in learned and page_max(None, wanted) > learned[kind]:
        wanted["max"] = learned[kind]
    org_id = wanted.get("orgId")
    by_offset = path_of(path).startswith("/wholesale/")
    page_size = min(int(wanted.get("max") or WHOLESALE_PAGE_MAX), WHOLESALE_PAGE_MAX)
    offset = int(wanted.get("offset") or 0)
    items: list[dict[str, Any]] = []
    url: str = path
    query: Mapping[str, Any] | None = wanted
    while True:
        response = await read(url, query)
        if response.status_code == httpx.codes.GATEWAY_TIMEOUT:  # the reader lets it through only to shrink
            size = smaller(page_max(url, query))
            wanted["max"] = size
            if learned is not None:
                learned[kind] = size
            page_size = min(page_size, size)
            if query is None:
                url = str(httpx.URL(url).copy_set_param("max", size))
            else:
                query = {**query, "max": size}
            continue
        page = (json_of(response, url) or {}).get(items_key) or []
        if path_of(path) in ID_LISTS:
            page = [i for i in page if isinstance(i, dict) and i.get("id")]
        if org_id is None:
            items.extend(page)
        else:
            items.extend(i for i in page if not isinstance(i, dict) or i.get("orgId", org_id) == org_id)
        link = response.links.get("next", {}).get("url")
        if link:
            url, query = with_filters(link, wanted), None
        elif by_offset and page and len(page) >= page_size:
            offset += len(page)
            url, query = path, {**wanted, "offset": offset}
        else:
            return items


def with_filters(link: str, wanted: Mapping[str, Any]) -> str:
    """The ``next`` URL with every filter of the first request it dropped put back (WebexPythonSDK #168)."""
    url = httpx.URL(link)
    missing = {k: v for k, v in wanted.items() if k not in url.params and k not in POSITIONS}
    return str(url.copy_merge_params(missing)) if missing else link


def page_max(url: Any, params: Mapping[str, Any] | None) -> int:
    """The ``max`` a page request asks for (in its params or its URL), ``DEFAULT_PAGE`` when it names none."""
    raw = (params or {}).get("max")
    if raw is None and isinstance(url, (str, httpx.URL)):
        raw = httpx.URL(str(url)).params.get("max")
    try:
        return int(raw) if raw is not None else DEFAULT_PAGE
    except (TypeError, ValueError):
        return DEFAULT_PAGE


def list_kind(path: str, wanted: Mapping[str, Any]) -> str:
    """What a learned page size is kept under: the path, and whether calling data was asked for (the heavy
    part of a people page)."""
    calling = str(wanted.get("callingData", "")).lower() == "true"
    return path_of(path) + ("?callingData" if calling else "")


def smaller(size: int) -> int:
    """The next ``max`` to ask for after a page of ``size`` timed out."""
    return max(SMALLEST_PAGE, size // SHRINK)


def can_shrink(url: Any, params: Mapping[str, Any] | None) -> bool:
    """Whether a page request that timed out can be asked for with a smaller ``max``."""
    return page_max(url, params) > SMALLEST_PAGE
