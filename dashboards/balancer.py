"""Sticky reverse proxy in front of several Streamlit processes (`mrm dashboards --workers N`).

    python -m dashboards.balancer --listen 127.0.0.1:8501 --backend 127.0.0.1:8511 --backend 127.0.0.1:8512

A Streamlit session lives in one process (its script state, `st.session_state`, media files, uploads), so a browser
must reach the same process with every request: the first page load of a browser is sent to the backend with the
fewest open connections and the response sets a cookie naming it; later requests and the websocket carry the cookie
and go there. It works on TCP connections with a parsed first request head: after that, bytes are piped both ways,
which covers HTTP keep-alive and websockets alike.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from http.cookies import CookieError, SimpleCookie

log = logging.getLogger("mrm.balancer")
COOKIE = "mrm_worker"
MAX_HEAD = 64 * 1024
CHUNK = 64 * 1024


# The address the balancer accepted a connection from, for the app's per-address sign-in throttling (every
# connection reaches the app processes from loopback). The balancer replaces any copy the client sent.
CLIENT_HEADER = "X-MRM-Client-Address"
BEHIND_ENV = "MRM_APP_BEHIND_BALANCER"  # set for app processes that only the balancer can reach


def rewrite_head(head: bytes, peer: str) -> bytes:
    """The request head as the backend gets it: our client-address header, and one request per connection.

    A keep-alive connection would let later request heads through unread (one could carry a forged address
    header), so plain requests get `Connection: close`; a websocket upgrade is one request by nature."""
    lines = head[:-4].split(b"\r\n")
    upgrade = any(line.lower().startswith(b"upgrade:") for line in lines[1:])
    dropped = {CLIENT_HEADER.lower().encode()} | (set() if upgrade else {b"connection", b"keep-alive"})
    kept = [lines[0]] + [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in dropped]
    kept.append(f"{CLIENT_HEADER}: {peer}".encode())
    if not upgrade:
        kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n"


def parse_addr(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def cookie_worker(head: bytes, workers: int) -> int | None:
    """The worker index a request's cookie names, or None (no cookie, or one naming no worker)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() != b"cookie":
            continue
        try:
            jar = SimpleCookie(value.decode("latin-1"))
        except CookieError:
            continue
        if COOKIE in jar and jar[COOKIE].value.isdigit() and int(jar[COOKIE].value) < workers:
            return int(jar[COOKIE].value)
    return None


def pins_browser(head: bytes) -> bool:
    """A page load or the websocket: the requests after which a browser must stay on its process.

    Static assets fetched in parallel before the cookie exists may go anywhere (every process serves the same
    files); setting the cookie on those could move a browser whose page already went to another process."""
    first, _, rest = head.partition(b"\r\n")
    lower = rest.lower()
    return b"upgrade: websocket" in lower or b"text/html" in lower or first.startswith(b"GET / ")


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]) -> None:
        if not backends:
            raise ValueError("the balancer needs at least one --backend")
        self.backends = backends
        self.open = [0] * len(backends)  # connections open per backend: new browsers go to the least busy
        self.turn = 0  # ties (an idle farm) go round the backends instead of all to the first

    def choose(self) -> int:
        n = len(self.backends)
        self.turn = (self.turn + 1) % n
        return min(range(n), key=lambda i: (self.open[i], (i - self.turn) % n))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        pinned = cookie_worker(head, len(self.backends))
        first = pinned if pinned is not None else self.choose()
        # A backend that refuses the connection (still starting, or gone) is passed over for the next one that
        # answers, and a browser pinned to it is pinned anew there; only when none answers is the answer a 502.
        for step in range(len(self.backends)):
            index = (first + step) % len(self.backends)
            host, port = self.backends[index]
            try:
                up_reader, up_writer = await asyncio.open_connection(host, port, limit=MAX_HEAD)
                break
            except OSError as exc:
                log.error("backend %s:%s unreachable: %s", host, port, exc)
        else:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        set_cookie = (pinned is None and pins_browser(head)) or (pinned is not None and index != pinned)
        self.open[index] += 1
        try:
            peer = writer.get_extra_info("peername")
            up_writer.write(rewrite_head(head, str(peer[0]) if peer else ""))
            await asyncio.gather(
                self._pipe(reader, up_writer),
                self._downstream(up_reader, writer, index if set_cookie else None),
            )
        finally:
            self.open[index] -= 1
            writer.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(CHUNK):
                dst.write(data)
                await dst.drain()
        except ConnectionError:
            pass
        finally:
            if dst.can_write_eof():
                try:
                    dst.write_eof()
                except OSError:
                    pass

    async def _downstream(
        self, up: asyncio.StreamReader, client: asyncio.StreamWriter, cookie_for: int | None
    ) -> None:
        if cookie_for is not None:
            try:
                head = await up.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                client.close()
                return
            # HttpOnly and SameSite: the cookie only routes; scripts never need it and other sites never send it.
            extra = f"Set-Cookie: {COOKIE}={cookie_for}; Path=/; HttpOnly; SameSite=Lax\r\n".encode()
            client.write(head[:-2] + extra + b"\r\n")
        await self._pipe(up, client)
        client.close()  # the backend is done: end the client's side too, so its reading pipe sees EOF


async def serve(listen: tuple[str, int], backends: list[tuple[str, int]]) -> None:
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, *listen, limit=MAX_HEAD)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", type=parse_addr, required=True, help="HOST:PORT to serve on")
    parser.add_argument(
        "--backend",
        type=parse_addr,
        action="append",
        required=True,
        help="HOST:PORT of a Streamlit process (repeat for each)",
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.listen, args.backend))


if __name__ == "__main__":
    main()
