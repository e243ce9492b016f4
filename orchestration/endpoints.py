"""Where run config may point a resource that carries a secret.

Anyone who can launch a run in the Dagster UI can edit resource config, while the secrets come from the
deployment's environment. So a host given in run config is checked before any credential is attached: it must be
loopback, the host the deployment configured, or an allow-listed official host; otherwise the run fails before a
request leaves the machine. Local files given in run config are confined to a configured root the same way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg

LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refused(what: str, reason: str) -> dg.Failure:
    """A run-config refusal: never retried, names the field and says what is allowed."""
    return dg.Failure(description=f"run config refused: {what}: {reason}", allow_retries=False)


def url_host(url: str, what: str) -> str:
    """The lower-cased host of an http(s) URL; a refusal naming `what` for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refused(what, f"{url_host_safe(url)!r} is not an http(s)://host URL")
    return parts.hostname.lower()


def url_host_safe(url: str) -> str:
    """The URL without its user-info, for error messages (a password in a URL must not reach a log)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=netloc).geturl()


def check_host(url: str, allowed: Iterable[str], what: str) -> str:
    """`url` if its host is loopback or one of `allowed` (exact, case-insensitive); otherwise a refusal."""
    host = url_host(url, what)
    allowed_hosts = {h.lower() for h in allowed if h}
    if is_loopback(host) or host in allowed_hosts:
        return url
    listed = ", ".join(sorted(allowed_hosts)) or "none"
    raise refused(what, f"host {host!r} is not loopback nor an allowed host ({listed})")


def check_loopback(url: str, what: str) -> str:
    """`url` if it points at this machine; otherwise a refusal."""
    return check_host(url, (), what)


def confine(paths: Iterable[str], root: Path, what: str) -> list[Path]:
    """Every path resolved (symlinks followed) and inside `root`; a refusal naming the first one outside."""
    base = root.resolve()
    out = []
    for raw in paths:
        path = Path(raw).expanduser()
        resolved = (path if path.is_absolute() else base / path).resolve()
        if not resolved.is_relative_to(base):
            raise refused(what, f"{raw!r} is outside the allowed folder {base}")
        if not resolved.exists():
            raise refused(what, f"{raw!r} does not exist")
        out.append(resolved)
    return out
