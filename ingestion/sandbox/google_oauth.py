"""Google OAuth 2.0 token endpoint emulator (`POST /google_oauth/token`, refresh_token grant): one access token
serves the Google Ads and Google Analytics Data emulators, as one installed-app grant does in production."""

from __future__ import annotations

import re

from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

# Static sandbox credentials (connectors' `for_sandbox()` settings use them; `mrm sandbox start` prints them).
SANDBOX_GOOGLE = {
    "client_id": "sandbox-google-client.apps.googleusercontent.com",
    "client_secret": "sandbox-google-secret",
    "refresh_token": "sandbox-google-refresh",
    "developer_token": "sandbox-developer-token",
    "manager_customer_id": "4015550000",
}
GOOGLE_APIS = ("google_ads", "ga4")


def sandbox_google_settings(base_url: str) -> dict[str, object]:
    """Connector settings every Google API shares against the sandbox at `server.url(api)`: the OAuth grant and
    fast-test timeouts."""
    root = base_url.rstrip("/").rsplit("/", 1)[0]
    return {
        "base_url": base_url,
        "client_id": SANDBOX_GOOGLE["client_id"],
        "client_secret": SANDBOX_GOOGLE["client_secret"],
        "refresh_token": SANDBOX_GOOGLE["refresh_token"],
        "oauth_url": f"{root}/google_oauth",
        "timeout_s": 5.0,
        "base_delay_s": 0.05,
        "max_delay_s": 0.5,
        "max_server_delay_s": 2.0,
    }


class GoogleOAuthApi(EmulatorApi):
    name = "google_oauth"

    def routes(self) -> list[Route]:
        return [Route("POST", r"/token", self.token)]

    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        if form.get("grant_type") != "refresh_token":
            return Response.json(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}, 400
            )
        if form.get("client_id") != SANDBOX_GOOGLE["client_id"] or (
            form.get("client_secret") != SANDBOX_GOOGLE["client_secret"]
        ):
            return Response.json(
                {"error": "invalid_client", "error_description": "The OAuth client was not found."}, 401
            )
        if form.get("refresh_token") != SANDBOX_GOOGLE["refresh_token"]:
            return Response.json(
                {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400
            )
        token = self.ctx.tokens.issue("google")
        for api in GOOGLE_APIS:
            self.ctx.tokens.add(api, token)
        return Response.json(
            {
                "access_token": token,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/adwords",
            }
        )


def make_api(ctx) -> GoogleOAuthApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return GoogleOAuthApi(ctx)
