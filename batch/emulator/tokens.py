"""The emulator's OAuth side (webex-api.md §10.2): ``POST /v1/access_token`` with an integration's client
credentials and a refresh token, access tokens that expire, refresh tokens that rotate.

The configured ``EmulatorConfig.token`` stays valid forever (tests and the demo use it); tokens issued here
live ``token_lifetime`` seconds of the emulator's clock (0: forever). With ``rotate_refresh_token`` each
refresh answers a new refresh token and the old one stops working, the case a client must write back.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from batch.emulator.http import EmulatorContext, error_body

PATH = "/v1/access_token"
#: What a real refresh token lives (90 days); only reported, the emulator never expires one.
REFRESH_TOKEN_SECONDS = 7_776_000


class TokenAuthority:
    """Issued access tokens with their expiry, and the refresh token currently accepted."""

    def __init__(self, ctx: EmulatorContext) -> None:
        self.ctx = ctx
        config = ctx.config
        self.refresh_token = config.refresh_token
        self._issued: dict[str, float] = {}  # access token -> expiry on the emulator's clock (inf: never)
        self.refreshes = 0

    def valid(self, authorization: bytes | None) -> bool:
        """An issued access token that has not expired."""
        if not authorization or not self._issued:
            return False
        token = authorization.decode("latin-1").removeprefix("Bearer ")
        expiry = self._issued.get(token)
        return expiry is not None and self.ctx.clock() < expiry

    async def access_token(self, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        config = self.ctx.config
        if form.get("grant_type") != "refresh_token":
            return JSONResponse(error_body("unsupported_grant_type"), status_code=400)
        if form.get("client_id") != config.client_id or form.get("client_secret") != config.client_secret:
            return JSONResponse(error_body("invalid_client: unknown client id or wrong secret"), status_code=401)
        spent = config.max_refreshes and self.refreshes >= config.max_refreshes
        if spent or not self.refresh_token or form.get("refresh_token") != self.refresh_token:
            return JSONResponse(error_body("invalid_grant: the refresh token is not valid"), status_code=400)
        lifetime = config.token_lifetime
        token = "emu-access-" + secrets.token_urlsafe(24)
        self._issued[token] = self.ctx.clock() + lifetime if lifetime > 0 else float("inf")
        if config.rotate_refresh_token:
            self.refresh_token = "emu-refresh-" + secrets.token_urlsafe(24)
        self.refreshes += 1
        return JSONResponse(
            {
                "access_token": token,
                "expires_in": int(lifetime) if lifetime > 0 else 1_209_600,
                "refresh_token": self.refresh_token,
                "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
                "token_type": "Bearer",
            }
        )


def routes(authority: TokenAuthority) -> list[BaseRoute]:
    return [Route(PATH, authority.access_token, methods=["POST"])]
