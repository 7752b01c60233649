"""What every request and response of the reading room goes through: the access token, the Host
header, cross-site form posts, and the security headers.

- With a token (`--token`, `FOIA_TOKEN`, or one made up when serving beyond loopback), every
  request needs it: `Authorization: Bearer T`, the cookie a `?token=T` link sets, or that link.
- On loopback only `localhost`, `127.0.0.1` and `[::1]` are accepted as Host, so a page elsewhere
  cannot reach the server through a name of its own pointed at 127.0.0.1 (DNS rebinding).
- A request that changes something (a saved search) from another site's page is refused.
- Every response carries a Content-Security-Policy without inline scripts or styles, and the
  server time of the request (`Server-Timing: app;dur=MS`).
"""

from __future__ import annotations

import hmac
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "foia_token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
MAX_HEADERS = 16 * 1024
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
_SAFE = ("GET", "HEAD", "OPTIONS")


def _host_name(host: str) -> str:
    """`localhost` of `localhost:8080`, `[::1]` of `[::1]:8080`."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware enforcing the token, the Host check and same-site changes, and adding the
    security and timing headers."""

    def __init__(self, app: ASGIApp, token: str | None = None, loopback: bool = True) -> None:
        self.app = app
        self.token = token
        self.loopback = loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.append("server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}")
            await send(message)

        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def refusal(self, scope: Scope) -> Response | None:
        """The response refusing a request, or None to let it through."""
        headers = Headers(scope=scope)
        api = str(scope.get("path", "")).startswith("/api/")
        if sum(len(k) + len(v) for k, v in scope.get("headers", ())) > MAX_HEADERS:
            return _refuse(431, f"request headers over {MAX_HEADERS // 1024} KiB", api)
        if self.loopback and _host_name(headers.get("host", "")).lower() not in LOOPBACK_NAMES:
            return _refuse(400, "this server answers to localhost only (the Host header named another)", api)
        if scope.get("method") not in _SAFE and not _same_site(headers):
            return _refuse(403, "a change must come from the reading room's own pages", api)
        if self.token is None:
            return None
        if self._has_token(headers):
            return None
        given = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            return self._admit(scope)
        return _refuse(401, "this reading room needs its token: open the link `foia serve` printed", api)

    def _has_token(self, headers: Headers) -> bool:
        assert self.token is not None
        wanted = self.token.encode()
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and hmac.compare_digest(bearer[7:].strip().encode(), wanted):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no token
            return False
        morsel = cookie.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), wanted)

    def _admit(self, scope: Scope) -> Response:
        """A `?token=` link: set the cookie and send the browser to the same URL without it."""
        assert self.token is not None
        kept = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
        path = str(scope.get("path", "/"))
        response = RedirectResponse(f"{path}?{urlencode(kept)}" if kept else path, status_code=303)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        return response


def _same_site(headers: Headers) -> bool:
    """Whether a request that changes something comes from this server's own pages (or from a
    program, which sends no Origin)."""
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


def _refuse(status: int, message: str, api: bool) -> Response:
    if api:
        return JSONResponse({"error": message}, status_code=status)
    return PlainTextResponse(message + "\n", status_code=status)
