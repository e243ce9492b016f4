"""Sandbox HTTP server: every emulator on one loopback port, one path prefix per API.

`http://127.0.0.1:<port>/<api>/...` where <api> is each registered platform's sandbox prefix (`direct`, `metrika`,
`vk`, `garpun`, `google_ads`, `ga4`) or a shared service of `API_MODULES` (`oauth`, `google_oauth`, `cbr`,
`telegram`, `sheets`, `pinecone`). Below the prefix each emulator uses the real API's paths, so a connector's base URL is the only
thing that differs from production. Control endpoints live under `/_control/` (`status`, `faults`, `today`, and
`clock`: `POST {"advance_seconds": N}` moves the sandbox clock that OAuth codes and tokens expire by).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ingestion.platforms import BY_PLATFORM
from ingestion.sandbox.faults import Fault, FaultBoard
from ingestion.sandbox.generator import Account, World

# api name → module implementing `make_api(ctx) -> EmulatorApi`. A module missing from a trimmed build is
# skipped, so the server starts with whatever emulators exist.
# The platforms come from the registry; Yandex OAuth is shared plumbing, not a platform.
API_MODULES: dict[str, str] = {
    "oauth": "ingestion.sandbox.yandex_oauth",
    "telegram": "ingestion.sandbox.telegram",  # report and alert delivery (delivery/telegram.py)
    "sheets": "ingestion.sandbox.sheets",  # Google Sheets report export (delivery/sheets.py)
    "cbr": "ingestion.sandbox.cbr",  # Bank of Russia exchange rates (reference data, not an ad platform)
    "google_oauth": "ingestion.sandbox.google_oauth",  # token endpoint shared by Google Ads and GA4
    "pinecone": "ingestion.sandbox.pinecone",  # vector store of the knowledge base (assistants/kb/store.py)
    **{p.sandbox_api: p.sandbox_module for p in BY_PLATFORM.values()},
}


@dataclass
class Request:
    """An incoming request, path relative to the API prefix (e.g. `/json/v5/reports`)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Response:
    """Status, headers and a body: bytes, or an iterable of byte chunks (sent chunked, streamed)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status,
            json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )


Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # regex matched against the full relative path (anchored)
    handler: Handler


class EmulatorApi:
    """Base for an emulator: a name (= URL prefix), a routing table and a platform-shaped error body."""

    name = ""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        """How this platform reports a generic fault (429/5xx); override per platform."""
        headers = {"Retry-After": _fmt_seconds(retry_after)} if retry_after is not None else {}
        return Response.json({"error": {"code": kind, "message": message}}, status, headers)

    def request_id(self) -> str:
        return str(secrets.randbits(63))


@dataclass
class TokenStore:
    """Access tokens per API. `expire_all` invalidates everything issued so far (the expired-token fault).

    A token issued through an OAuth grant also carries its owner (the sandbox agency that granted it: only that
    agency's advertisers answer to it) and an expiry on the sandbox clock; the static sandbox tokens have neither.
    """

    _valid: dict[str, set[str]] = field(default_factory=dict)
    _refresh: dict[str, str] = field(default_factory=dict)  # refresh token → api
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _owner: dict[str, str] = field(default_factory=dict)  # token → granting sandbox agency
    _expires: dict[str, float] = field(default_factory=dict)  # token → expiry, sandbox-clock epoch seconds
    clock: Callable[[], float] = time.time

    def issue(self, api: str) -> str:
        token = f"sbx-{api}-{secrets.token_hex(8)}"
        with self._lock:
            self._valid.setdefault(api, set()).add(token)
        return token

    def add(self, api: str, token: str, *, owner: str = "", expires_at: float | None = None) -> None:
        with self._lock:
            self._valid.setdefault(api, set()).add(token)
            if owner:
                self._owner[token] = owner
            if expires_at is not None:
                self._expires[token] = expires_at

    def valid(self, api: str, token: str | None) -> bool:
        with self._lock:
            if not token or token not in self._valid.get(api, set()):
                return False
            expires = self._expires.get(token)
            return expires is None or expires > self.clock()

    def owner(self, token: str | None) -> str:
        """The sandbox agency a token was granted by; '' for the static tokens (they see every account)."""
        with self._lock:
            return self._owner.get(token or "", "")

    def revoke(self, token: str) -> bool:
        """Invalidate one token on every API; False if it was not live anywhere."""
        with self._lock:
            found = False
            for tokens in self._valid.values():
                if token in tokens:
                    tokens.discard(token)
                    found = True
            return found

    def expire_all(self, api: str) -> None:
        with self._lock:
            self._valid[api] = set()


@dataclass
class SandboxContext:
    """Shared state every emulator sees: the data world, the faults, the tokens and the sandbox's today."""

    world: World
    faults: FaultBoard
    tokens: TokenStore
    base_url: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Seconds the sandbox clock runs ahead of the machine's (`/_control/clock`): tests move it past an expiry
    # instead of sleeping.
    clock_offset: float = 0.0

    @property
    def today(self) -> date:
        return self.world.today

    def now(self) -> float:
        """The sandbox clock (epoch seconds): the machine's time plus the offset tests advance it by."""
        return time.time() + self.clock_offset

    def agency_accounts(self, agency: str, platform: str) -> list[Account]:
        """The advertiser accounts of one sandbox agency on a platform ('' = every account of the platform).

        The sandbox's agencies are the world's tenants: agency `demo-agency` serves the demo-agency tenant's
        Direct logins, Metrika counters and VK Ads cabinets.
        """
        return [a for a in self.world.accounts_for(platform) if not agency or a.tenant_id == agency]

    def agencies(self) -> list[str]:
        """The sandbox users that can grant access through OAuth: one agency per tenant of the world."""
        return [t.tenant_id for t in self.world.tenants]


# Paths of the real Direct API host, answered at the sandbox's root as well as under `/direct`.
DIRECT_ROOT_PATHS = ("/json/v5/", "/json/v501/")

# Static credentials every sandbox accepts; connectors' `for_sandbox()` settings use these.
SANDBOX_TOKENS = {
    "direct": "sandbox-yandex-token",
    "metrika": "sandbox-yandex-token",
    "yandex_refresh": "sandbox-yandex-refresh",
    "yandex_client_id": "sandbox-client",
    "yandex_client_secret": "sandbox-secret",
}


class SandboxServer:
    """All emulators on one ThreadingHTTPServer bound to 127.0.0.1 (port 0 = pick a free one)."""

    def __init__(
        self, world: World | None = None, *, port: int = 0, apis: Iterable[str] | None = None
    ) -> None:
        self.world = world or World()
        self.faults = FaultBoard()
        self.tokens = TokenStore()
        self.ctx = SandboxContext(world=self.world, faults=self.faults, tokens=self.tokens)
        self.tokens.clock = self.ctx.now
        for api in ("direct", "metrika"):
            self.tokens.add(api, SANDBOX_TOKENS[api])
        self.apis: dict[str, EmulatorApi] = {}
        self._routes: dict[str, list[tuple[str, re.Pattern[str], Handler]]] = {}
        for name in apis or API_MODULES:
            module_name = API_MODULES.get(name, name)
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue  # emulator not written yet
                raise
            api = module.make_api(self.ctx)
            self.apis[api.name] = api
            self._routes[api.name] = [
                (r.method.upper(), re.compile(r.pattern + r"\Z"), r.handler) for r in api.routes()
            ]
        self._httpd = _Server(("127.0.0.1", port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ctx.base_url = self.base_url
        self._thread: threading.Thread | None = None

    def url(self, api: str) -> str:
        """Base URL of one emulator (what a connector's `base_url` setting is set to)."""
        return f"{self.base_url}/{api}"

    @property
    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in self.apis}

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mrm-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self, today: date | None = None) -> None:
        """Clear faults and emulator state (offline queues); optionally move the clock."""
        self.faults.clear()
        with self.ctx.lock:
            self.ctx.state.clear()
        if today is not None:
            self.world.set_today(today)

    def advance_clock(self, seconds: float) -> float:
        """Move the sandbox clock forward (codes and tokens expire by it); returns the new offset."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self.ctx.lock:
            self.ctx.clock_offset += seconds
            return self.ctx.clock_offset

    def status(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "apis": self.urls,
            "today": self.world.today.isoformat(),
            "clock_offset_seconds": self.ctx.clock_offset,
            "seed": self.world.seed,
            "faults": [f.to_dict() for f in self.faults.list()],
        }

    # -- dispatch -------------------------------------------------------------------------------------
    def dispatch(self, req: Request) -> tuple[Response, Fault | None]:
        if req.path.startswith(DIRECT_ROOT_PATHS):
            # Direct is also answered at the root (`/json/v5/...`, its real paths), for third-party clients
            # that fix the path and let only the host vary (tapi-yandex-direct).
            req.path = "/direct" + req.path
        parts = req.path.split("/", 2)
        api_name = parts[1] if len(parts) > 1 else ""
        rel = "/" + (parts[2] if len(parts) > 2 else "")
        if api_name == "_control":
            return self._control(req, rel), None
        api = self.apis.get(api_name)
        if api is None:
            return Response.json({"error": f"unknown api {api_name!r}", "apis": sorted(self.apis)}, 404), None
        found = None
        for method, pattern, handler in self._routes[api_name]:
            match = pattern.match(rel)
            if match and method == req.method:
                found = (handler, match)
                break
        if found is None:
            return api.error_response(404, "not_found", f"no route {req.method} {rel}"), None
        handler, match = found
        req.path = rel
        fault = self.faults.take(api_name, rel, FaultBoard.TRANSPORT_KINDS)
        if fault is not None and fault.kind in ("http_429", "http_420", "http_5xx"):
            status = int(
                fault.params.get("status") or {"http_429": 429, "http_420": 420, "http_5xx": 503}[fault.kind]
            )
            ra = fault.params.get("retry_after")
            return api.error_response(
                status,
                fault.kind,
                f"sandbox fault {fault.kind}",
                retry_after=float(ra) if ra is not None else None,
            ), None
        return handler(req, match), fault

    def _control(self, req: Request, rel: str) -> Response:
        if rel == "/status":
            return Response.json(self.status())
        if rel == "/faults":
            if req.method == "GET":
                return Response.json([f.to_dict() for f in self.faults.list()])
            if req.method == "DELETE":
                self.faults.clear(req.arg("api"))
                return Response.json({"cleared": True})
            if req.method == "POST":
                spec = req.json() or {}
                try:
                    fault = self.faults.add(
                        spec.pop("api"),
                        spec.pop("kind"),
                        count=spec.pop("count", 1),
                        path=spec.pop("path", None),
                        **spec,
                    )
                except (KeyError, ValueError) as exc:
                    return Response.json({"error": f"bad fault spec: {exc}"}, 400)
                return Response.json(fault.to_dict())
        if rel == "/clock" and req.method == "POST":
            try:
                self.advance_clock(float((req.json() or {}).get("advance_seconds", 0)))
            except (TypeError, ValueError) as exc:
                return Response.json({"error": f"bad clock move: {exc}"}, 400)
            return Response.json({"now": self.ctx.now(), "offset_seconds": self.ctx.clock_offset})
        if rel == "/today" and req.method == "POST":
            self.world.set_today(date.fromisoformat((req.json() or {})["today"]))
            return Response.json({"today": self.world.today.isoformat()})
        return Response.json({"error": f"unknown control {req.method} {rel}"}, 404)


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def _make_handler(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "mrm-sandbox/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
            pass

        def _handle(self) -> None:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(
                self.command,
                split.path,
                parse_qs(split.query, keep_blank_values=True),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            try:
                response, fault = server.dispatch(req)
            except Exception as exc:  # an emulator bug must look like a 500, never hang the client
                response, fault = (
                    Response.json({"error": f"sandbox crashed: {type(exc).__name__}: {exc}"}, 500),
                    None,
                )
            if fault is not None and fault.kind == "reset":
                self._reset()
                return
            if fault is not None and fault.kind == "timeout":
                time.sleep(float(fault.params.get("seconds", 5.0)))
            self._send(response, fault)

        def _reset(self) -> None:
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.close()

        def _send(self, response: Response, fault: Fault | None) -> None:
            body = response.body
            mangle = fault is not None and fault.kind in ("truncate", "garble")
            if mangle or isinstance(body, (bytes, bytearray)):
                data = body if isinstance(body, (bytes, bytearray)) else b"".join(body)
                if mangle:
                    assert fault is not None
                    data = FaultBoard.mangle(bytes(data), fault)
                self.send_response(response.status)
                for k, v in response.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if self.command != "HEAD":
                        self.wfile.write(data)
                return
            self.send_response(response.status)
            for k, v in response.headers.items():
                self.send_header(k, v)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for chunk in _rechunk(body):
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST = do_DELETE = do_PUT = _handle

    return _Handler


def _rechunk(chunks: Iterable[bytes], target: int = 1 << 20) -> Iterator[bytes]:
    """Coalesce small chunks into ~1 MiB writes (fewer syscalls on the hot path)."""
    buf: list[bytes] = []
    size = 0
    for chunk in chunks:
        if not chunk:
            continue
        buf.append(chunk)
        size += len(chunk)
        if size >= target:
            yield b"".join(buf)
            buf, size = [], 0
    if buf:
        yield b"".join(buf)
