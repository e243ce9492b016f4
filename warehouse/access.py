"""Who may talk to the embedded server, and what they may ask it.

The server listens on loopback, but a browser on the same machine is a client too: any web page can send it
requests (form POSTs, image GETs, DNS-rebound hosts). So every request must carry the per-install secret as
ClickHouse credentials, name the server by a loopback Host, come from no foreign site, and may not reach the
outside world (url(), file(), s3(), remote() ...) — chDB has no users or grants to stop that itself.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from warehouse.engine import EngineError

log = logging.getLogger("mrm.warehouse.server")

SECRET_FILE = "warehouse.secret"
EMBEDDED_USER = "default"  # the user stock clients send when none is configured
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Query and session ids go into reply headers: no CR/LF, no quotes, nothing a header or statement could parse.
SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
ALLOW_ENV = "MRM_WAREHOUSE_ALLOW_FUNCTIONS"

# Table functions, engines, dictionary sources and backup targets that read or write outside the warehouse.
# Matched case-insensitively when followed by "(" (how each of them is invoked).
OUTSIDE_WORLD = frozenset(
    name.lower()
    for name in (
        "url",
        "urlCluster",
        "file",
        "fileCluster",
        "s3",
        "s3Cluster",
        "s3Queue",
        "gcs",
        "oss",
        "cosn",
        "azureBlobStorage",
        "azureBlobStorageCluster",
        "azureQueue",
        "hdfs",
        "hdfsCluster",
        "remote",
        "remoteSecure",
        "cluster",
        "clusterAllReplicas",
        "mysql",
        "postgresql",
        "mongodb",
        "redis",
        "sqlite",
        "odbc",
        "jdbc",
        "executable",
        "executablePool",
        "iceberg",
        "icebergS3",
        "icebergAzure",
        "icebergHDFS",
        "icebergLocal",
        "icebergCluster",
        "icebergS3Cluster",
        "deltaLake",
        "deltaLakeS3",
        "deltaLakeAzure",
        "deltaLakeLocal",
        "deltaLakeCluster",
        "hudi",
        "hudiCluster",
        "paimon",
        "kafka",
        "rabbitmq",
        "nats",
        "http",
        "clickhouse",
        "distributed",
        "arrowFlight",
        "ytsaurus",
        "disk",
        "filesystem",
        "hive",
        "materializedPostgreSQL",
        "materializedMySQL",
        "executable_pool",
        "yamlRegExpTree",
        "cassandra",
        "embeddedRocksDB",
        "fileLog",
        "dataLakeCatalog",
    )
)
# Words refused wherever they stand: clauses that touch local files, database engines that work without arguments
# (`ENGINE = Filesystem` / `S3` / `HDFS` then `SELECT * FROM db.\`path-or-url\``), and the setting that makes
# Protobuf/CapnProto read a schema from any path.
OUTSIDE_WORLD_WORDS = frozenset(
    (
        "infile",
        "outfile",
        "filesystem",
        "s3",
        "hdfs",
        "datalakecatalog",
        "format_schema",
        "format_schema_path",
    )
)
OUTSIDE_WORLD_STATEMENTS = frozenset(("attach", "backup", "restore"))


class Headers(Protocol):
    """Request headers: a case-insensitive lookup (http.server's message) or a plain mapping."""

    def get(self, name: str, default: Any = None, /) -> Any: ...


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


def load_or_create_secret(data_dir: Path) -> str:
    """The install's secret from `data_dir/warehouse.secret`, created (mode 0600) on first use."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return read_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")
    return read_secret(path)


def read_secret(path: Path) -> str:
    """Read and check a secret file: private to its owner and of the expected shape, else a loud error."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd) as fh:
        mode = os.fstat(fh.fileno()).st_mode & 0o777
        if mode & 0o077:
            os.fchmod(fh.fileno(), 0o600)  # a copy that lost its mode: tighten it rather than refuse to start
            log.warning("%s was readable by others (mode %o): set to 0600", path, mode)
        value = fh.read().strip()
    # A secret written by another process may still be empty for an instant; it is never shorter than 32 chars.
    if not re.fullmatch(r"[A-Za-z0-9_-]{32,}", value):
        raise RuntimeError(f"{path} does not hold a warehouse secret; delete it to create a new one")
    return value


def credentials(data_dir: Path) -> Credentials:
    return Credentials(EMBEDDED_USER, load_or_create_secret(data_dir))


def _refusal(message: str, code: int, name: str) -> EngineError:
    return EngineError(f"Code: {code}. DB::Exception: {message}. ({name})", code)


def check_authentication(headers: Headers, params: Mapping[str, str], expected: Credentials) -> None:
    """Accept what stock ClickHouse accepts: HTTP basic auth, X-ClickHouse-User/Key headers, or user/password
    URL parameters. Raises AUTHENTICATION_FAILED (516) otherwise."""
    user = password = None
    auth = headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            user, _, password = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = None
    elif headers.get("X-ClickHouse-User") is not None or headers.get("X-ClickHouse-Key") is not None:
        user, password = headers.get("X-ClickHouse-User", EMBEDDED_USER), headers.get("X-ClickHouse-Key", "")
    elif "user" in params or "password" in params:
        user, password = params.get("user", EMBEDDED_USER), params.get("password", "")
    ok = (
        user is not None
        and password is not None
        and hmac.compare_digest(user.encode(), expected.user.encode())
        & hmac.compare_digest(password.encode(), expected.password.encode())
    )
    if not ok:
        raise _refusal(
            f"{user or EMBEDDED_USER}: Authentication failed: password is incorrect, or there is no user "
            "with such name; the embedded warehouse needs the secret from its data directory "
            f"({SECRET_FILE})",
            516,
            "AUTHENTICATION_FAILED",
        )


def check_origin(headers: Headers, port: int) -> None:
    """Refuse a Host other than a loopback name with this port (DNS rebinding) and any cross-site request."""
    host = (headers.get("Host") or "").strip().lower()
    if host not in {f"{name}:{port}" for name in LOOPBACK_NAMES}:
        raise _refusal(
            f"Host {host[:100]!r} is not this server (expected 127.0.0.1:{port} or localhost:{port})",
            497,
            "ACCESS_DENIED",
        )
    origin = headers.get("Origin")
    if origin is not None and origin.strip().lower() not in {
        f"http://{name}:{port}" for name in LOOPBACK_NAMES
    }:
        raise _refusal(f"cross-site request from Origin {origin[:100]!r} refused", 497, "ACCESS_DENIED")
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in ("same-origin", "none"):
        raise _refusal(f"cross-site request (Sec-Fetch-Site: {site[:40]}) refused", 497, "ACCESS_DENIED")


def check_id(name: str, value: str) -> str:
    """A query or session id, checked against a strict charset before it reaches a header or a statement."""
    if not SAFE_ID.fullmatch(value):
        raise _refusal(
            f"{name} must be 1-128 characters of A-Z a-z 0-9 _ . : -, got {value[:40]!r}", 36, "BAD_ARGUMENTS"
        )
    return value


def allowed_functions(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """Outside-world functions the operator enabled (MRM_WAREHOUSE_ALLOW_FUNCTIONS, comma-separated)."""
    raw = (os.environ if env is None else env).get(ALLOW_ENV, "")
    names = frozenset(n.strip().lower() for n in raw.split(",") if n.strip())
    unknown = names - OUTSIDE_WORLD - OUTSIDE_WORLD_WORDS - OUTSIDE_WORLD_STATEMENTS
    if unknown:
        raise ValueError(f"{ALLOW_ENV}: unknown names {sorted(unknown)}; known: {sorted(OUTSIDE_WORLD)}")
    return names


@dataclass(frozen=True)
class Token:
    word: str  # lower-cased identifier or keyword, escapes decoded
    called: bool  # followed by "(" (after blanks and comments)
    starts_statement: bool  # the first word of a statement


_IDENT_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "0": "\0",
    "b": "\b",
    "f": "\f",
    "a": "\a",
    "v": "\v",
    "e": "\x1b",
}


def _decode_quoted(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", raw[i + 2 : i + 4]):
                out.append(chr(int(raw[i + 2 : i + 4], 16)))
                i += 4
                continue
            out.append(_IDENT_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# One regex pass (a character loop in Python costs ~1 us per character, too much per request). Strings and quoted
# identifiers end at their closing quote or at the end of the text; block comments and heredocs are closed below.
LEXEME = re.compile(
    r"""(?P<blank>\s+|(?:--|\#[ !])[^\n]*)
    |(?P<block>/\*)
    |(?P<str>'(?:[^'\\]|\\.|'')*'?)
    |(?P<qid>`(?:[^`\\]|\\.|``)*`?|"(?:[^"\\]|\\.|"")*"?)
    |(?P<heredoc>\$[A-Za-z0-9_]*\$)
    |(?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    |(?P<semi>;)
    |(?P<other>[^\sA-Za-z_'"`$;/\-\#]+|.)""",
    re.VERBOSE | re.DOTALL,
)
COMMENT_EDGE = re.compile(r"/\*|\*/")
# Any text that can call one of them names it as a whole word (as the lexer reads words), or spells it with an
# escape inside a quoted identifier.
NAMED = OUTSIDE_WORLD | OUTSIDE_WORLD_WORDS | OUTSIDE_WORLD_STATEMENTS
ANY_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _suspect(sql: str) -> bool:
    return "\\" in sql or not NAMED.isdisjoint(w.lower() for w in ANY_WORD.findall(sql))


def _lexemes(sql: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of every lexeme except blanks and comments; block comments nest, as in ClickHouse."""
    i, n = 0, len(sql)
    while i < n:
        m = LEXEME.match(sql, i)
        assert m is not None and m.lastgroup is not None  # the last alternative matches any character
        kind, i = m.lastgroup, m.end()
        if kind == "blank":
            continue
        if kind == "block":
            depth = 1
            for edge in COMMENT_EDGE.finditer(sql, i):
                depth += 1 if edge.group(0) == "/*" else -1
                i = edge.end()
                if not depth:
                    break
            else:
                i = n
            continue
        if kind == "heredoc":
            close = sql.find(m.group(0), i)
            i = n if close < 0 else close + len(m.group(0))
            continue
        yield kind, m.group(0)


def tokens(sql: str) -> Iterator[Token]:
    """The words of a SQL text outside literals and comments, with whether each is called like a function."""
    pending: tuple[str, bool] | None = None  # a word waiting to see whether "(" follows
    first = True
    for kind, text in _lexemes(sql):
        if pending is not None:
            yield Token(pending[0], text.startswith("("), pending[1])
            pending = None
        if kind == "word":
            pending, first = (text.lower(), first), False
        elif kind == "qid":
            inner = text[1:-1] if len(text) > 1 and text[-1] == text[0] else text[1:]
            pending, first = (_decode_quoted(inner).lower(), first), False
        elif kind == "semi":
            first = True
    if pending is not None:
        yield Token(pending[0], False, pending[1])


def check_outside_world(sql: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Refuse SQL that reads or writes outside the warehouse (url(), file(), INTO OUTFILE, BACKUP ...) unless
    the operator allowed that name. Returns the first word of each statement (for the connection pool)."""
    if ";" not in sql and not _suspect(sql):
        return []  # a single statement naming none of them (the usual case): no need to lex it
    starts: list[str] = []
    for tok in tokens(sql):
        if tok.starts_statement:
            starts.append(tok.word)
        hit = (
            (tok.called and tok.word in OUTSIDE_WORLD)
            or tok.word in OUTSIDE_WORLD_WORDS
            or (tok.starts_statement and tok.word in OUTSIDE_WORLD_STATEMENTS)
        )
        if hit and tok.word not in allowed:
            raise _refusal(
                f"{tok.word} reaches outside the warehouse and is disabled on the embedded server "
                f"(enable it with {ALLOW_ENV}={tok.word} if this install needs it)",
                446,
                "FUNCTION_NOT_ALLOWED",
            )
    return starts


@dataclass(frozen=True)
class AccessPolicy:
    """What the server checks on each request (fixed at start-up)."""

    credentials: Credentials
    port: int
    allowed: frozenset[str] = frozenset()

    def admit(self, headers: Headers, params: Mapping[str, str]) -> None:
        """Host/Origin first (a rebinding page learns nothing), then the credentials."""
        check_origin(headers, self.port)
        check_authentication(headers, params, self.credentials)


def client_url(address: str, creds: Credentials) -> str:
    """`address` (http://host:port) with the credentials as user:password, the form clickhouse-connect's dsn,
    CLICKHOUSE_URL and the dbt profile read. It carries the secret: hand it to clients, never print it."""
    scheme, _, rest = address.partition("://")
    return f"{scheme}://{quote(creds.user, safe='')}:{quote(creds.password, safe='')}@{rest}"
