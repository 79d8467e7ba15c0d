"""``POST /v1/subscribers/{subscriberId}/emails/consentMove`` (no ``/wholesale``; webex-wholesale.json, webex-api.md
§11.4): the consent email sent again to a subscriber whose free Webex account waits for the user's consent.

Why it matters: a subscriber in ``pending_user_migration`` has no person until the user accepts; the
partner's only lever is this email. The emulator counts the emails (``consent_emails`` in the operator view);
a subscriber that is not pending answers 400, an unknown one 404.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from batch.emulator.http import ApiProblem, EmulatorContext
from batch.emulator.wholesale.scope import visible

PATH = "/v1/subscribers/{subscriberId}/emails/consentMove"
PENDING = "pending_user_migration"


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    async def consent_move(request: Request) -> Response:
        sub = ctx.state.subscribers.get(request.path_params["subscriberId"])
        if sub is None or not visible(ctx, request, ctx.state.customers.get(sub.customer_id)):  # §11.10
            raise ApiProblem(404, "Subscriber not found")
        if sub.status != PENDING:
            raise ApiProblem(400, f"Subscriber is not waiting for consent (status {sub.status}); no email sent")
        sub.consent_emails += 1
        return Response(status_code=204)

    return [Route(PATH, consent_move, methods=["POST"])]
