"""Whose customers a wholesale call sees: the partner's own, or one sub-partner's (webex-api.md §11.10).

Why: every wholesale operation (and ``consentMove``) takes ``onBehalfOfSubPartnerOrgId``; a customer made on a
sub-partner's behalf is that sub-partner's, and is seen only by calls made on its behalf, while a call
without it sees only the partner's own customers [the spec's parameter read cautiously: INFERENCE]. A client
that drops the parameter on one call (a resend of the consent email, a poll of a ``Location`` URL) gets a
404 for a customer it made a minute ago, as it would from Webex.
"""

from __future__ import annotations

from starlette.requests import Request

from batch.emulator.http import EmulatorContext
from batch.emulator.records import Customer

PARAM = "onBehalfOfSubPartnerOrgId"


def acting_for(request: Request) -> str | None:
    """The sub-partner a call is made on behalf of; None: the partner itself."""
    return request.query_params.get(PARAM) or None


def visible(ctx: EmulatorContext, request: Request, customer: Customer | None) -> bool:
    """Whether ``customer`` is one this call may see (always, with ``sub_partner_scopes`` off)."""
    if customer is None:
        return False
    return not ctx.config.sub_partner_scopes or customer.sub_partner == acting_for(request)
