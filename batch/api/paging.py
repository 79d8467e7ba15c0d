"""Reading a whole paged list the way the real API needs (webex-api.md §10.5, §10.6).

Three behaviours of Webex a plain "follow ``Link``" loop gets wrong: a ``next`` link may leave out filters
of the first request (the listing then quietly returns other objects, e.g. another org's), the wholesale
lists declare no ``Link`` at all and page by ``offset``, and their ``max`` is capped at 100.
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

Reader = Callable[[Any, Mapping[str, Any] | None], Awaitable[httpx.Response]]


async def collect(read: Reader, path: str, wanted: Mapping[str, Any], items_key: str = "items") -> list[dict[str, Any]]:
    """Every item of the list at ``path`` filtered by ``wanted``; ``read(url, params)`` sends one GET.

    Follows ``Link: rel="next"`` with any dropped filter put back; a wholesale list without ``Link`` goes
    on by ``offset`` while its pages are full. Items of another org than the ``orgId`` asked for are
    dropped: a filter the server ignored must not leak another customer's objects into ours.
    """
    wanted = dict(wanted)
    org_id = wanted.get("orgId")
    by_offset = path_of(path).startswith("/wholesale/")
    page_size = min(int(wanted.get("max") or WHOLESALE_PAGE_MAX), WHOLESALE_PAGE_MAX)
    offset = int(wanted.get("offset") or 0)
    items: list[dict[str, Any]] = []
    url: str = path
    query: Mapping[str, Any] | None = wanted
    while True:
        response = await read(url, query)
        page = (json_of(response, url) or {}).get(items_key) or []
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
