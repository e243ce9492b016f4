"""Yandex OAuth token endpoint emulator (`POST /oauth/token`, refresh_token grant), shared by Direct and Metrika."""

from __future__ import annotations

import base64
import re

from ingestion.sandbox.server import SANDBOX_TOKENS, EmulatorApi, Request, Response, Route


class YandexOAuthApi(EmulatorApi):
    name = "oauth"

    def routes(self) -> list[Route]:
        return [Route("POST", r"/token", self.token)]

    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = req.header("authorization") or ""
        if auth.lower().startswith("basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if form.get("grant_type") != "refresh_token":
            return Response.json(
                {"error": "unsupported_grant_type", "error_description": "only refresh_token"}, 400
            )
        if (
            client_id != SANDBOX_TOKENS["yandex_client_id"]
            or secret != SANDBOX_TOKENS["yandex_client_secret"]
        ):
            return Response.json({"error": "invalid_client", "error_description": "Client not found"}, 401)
        if form.get("refresh_token") != SANDBOX_TOKENS["yandex_refresh"]:
            return Response.json(
                {"error": "invalid_grant", "error_description": "Refresh token expired or revoked"}, 400
            )
        token = self.ctx.tokens.issue("yandex")
        # One Yandex token serves both Direct and Metrika.
        self.ctx.tokens.add("direct", token)
        self.ctx.tokens.add("metrika", token)
        return Response.json(
            {
                "access_token": token,
                "expires_in": 31536000,
                "token_type": "bearer",
                "refresh_token": SANDBOX_TOKENS["yandex_refresh"],
            }
        )


def make_api(ctx) -> YandexOAuthApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return YandexOAuthApi(ctx)
