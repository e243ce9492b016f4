"""One logging set-up for every `mrm` entry point: the platform's own lines on the terminal, everything in a file.

The terminal shows records of the platform's packages at the chosen level and third-party records (alembic,
great_expectations, fontTools, dagster internals, httpx, urllib3, dbt, streamlit…) only from WARNING up; with
`--verbose` / MRM_LOG_LEVEL=DEBUG everything shows. The full log (every logger, INFO and up, DEBUG when asked) is
appended to <MRM_DATA_DIR>/logs/mrm-<command>.log, whose path `setup()` returns so summaries can name it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from mrm.i18n import LanguageError, cli_lang, locale_lang, t

# Top-level packages of the platform: their loggers (named "mrm.*" or after the module) are the platform speaking.
PLATFORM_PACKAGES = (
    "mrm",
    "warehouse",
    "ingestion",
    "orchestration",
    "dbt_project",
    "planning",
    "assistants",
    "dashboards",
)

# Warnings the platform has read and decided to live with, as (message prefix, why). Applied in this process and,
# through PYTHONWARNINGS, in the processes it starts (Dagster's code servers re-import the definitions).
ACKNOWLEDGED_WARNINGS: tuple[tuple[str, str], ...] = (
    # The raw assets run a date range as one run (BackfillPolicy.single_run) because each load is idempotent per
    # window; Dagster marks the parameter beta, and we pin dagster in uv.lock, so a change is seen on upgrade.
    (
        "Parameter `backfill_policy` of function `asset` is currently in beta",
        "single-run backfills are intended",
    ),
    # Raised by Dagster itself: when Definitions re-binds a sensor's job it copies the sensor with owners=[] (the
    # platform sets no owners), and the copy trips the beta check of that parameter.
    (
        "Parameter `owners` of initializer `SensorDefinition.__init__` is currently in beta",
        "Dagster's own sensor copy passes an empty owners list",
    ),
    # `dg dev` needs the dagster-dg-cli package, which this project does not install; `dagster dev` starts the
    # same webserver + daemon pair and stays supported through dagster 1.x.
    ("Function `dev_command` is superseded", "dg is not installed; dagster dev is equivalent"),
)

_saved_root_level: int | None = None  # the root level before `setup`, restored by `teardown`

FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
TERMINAL_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def is_platform(logger_name: str) -> bool:
    """True for loggers of the platform's own packages."""
    return logger_name.split(".", 1)[0] in PLATFORM_PACKAGES


class _TerminalFilter(logging.Filter):
    """Platform records at the handler's level; third-party records only from WARNING up (unless verbose)."""

    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        return self.verbose or is_platform(record.name) or record.levelno >= logging.WARNING


def level_from(value: str | None, verbose: bool = False) -> int:
    """The requested level as a number: --verbose wins, then the value (a name such as INFO or DEBUG)."""
    if verbose:
        return logging.DEBUG
    name = (value or "INFO").strip().upper()
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {value!r}: use DEBUG, INFO, WARNING or ERROR")
    return level


def warnings_env() -> str:
    """The acknowledged warnings as a PYTHONWARNINGS value for child processes (':' cannot appear in one)."""
    return ",".join(f"ignore:{prefix}" for prefix, _why in ACKNOWLEDGED_WARNINGS)


def child_env(base: Mapping[str, str] | None = None, *, verbose: bool | None = None) -> dict[str, str]:
    """Environment for a process the platform starts: same verbosity, same acknowledged warnings."""
    env = dict(os.environ if base is None else base)
    if verbose if verbose is not None else is_verbose():
        return env
    extra = warnings_env()
    env["PYTHONWARNINGS"] = ",".join(p for p in (env.get("PYTHONWARNINGS", ""), extra) if p)
    return env


def is_verbose() -> bool:
    """Whether the terminal shows everything (set by `setup`; MRM_LOG_LEVEL=DEBUG means the same)."""
    return os.environ.get("MRM_LOG_LEVEL", "").strip().upper() == "DEBUG"


def log_dir(data_dir: Path | None = None) -> Path:
    if data_dir is None:
        from warehouse.settings import data_dir as default_data_dir

        data_dir = default_data_dir()
    return data_dir / "logs"


def _terminal_lang() -> str:
    """The command line's language; the locale's while `MRM_LANG` is wrong (that error is reported elsewhere)."""
    try:
        return cli_lang()
    except LanguageError:
        return locale_lang()


def setup(
    command: str = "mrm",
    *,
    level: str | None = None,
    verbose: bool = False,
    data_dir: Path | None = None,
    stream: object = None,
) -> Path | None:
    """Configure the root logger for one command and return the log file (None if it cannot be written).

    Idempotent: handlers installed by an earlier call are replaced, so tests and nested commands can call it again.
    """
    terminal_level = level_from(level if level is not None else os.environ.get("MRM_LOG_LEVEL"), verbose)
    verbose = verbose or terminal_level <= logging.DEBUG
    if verbose:
        # Children (Dagster, Streamlit, the warehouse server) read the same switch.
        os.environ["MRM_LOG_LEVEL"] = "DEBUG"
    global _saved_root_level
    root = logging.getLogger()
    _remove_handlers(root)
    if _saved_root_level is None:
        _saved_root_level = root.level
    terminal = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    terminal.setLevel(terminal_level)
    terminal.addFilter(_TerminalFilter(verbose))
    terminal.setFormatter(logging.Formatter(TERMINAL_FORMAT, datefmt="%H:%M:%S"))
    terminal._mrm = True  # type: ignore[attr-defined]
    root.addHandler(terminal)
    file_level = min(terminal_level, logging.INFO)
    path: Path | None = log_dir(data_dir) / f"mrm-{command}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        to_file = logging.FileHandler(path, encoding="utf-8")  # type: ignore[arg-type]
    except OSError as exc:  # a read-only data directory must not stop the command; say so once
        print(t("mrm_log_not_written", _terminal_lang(), error=exc), file=terminal.stream)
        path = None
    else:
        to_file.setLevel(file_level)
        to_file.setFormatter(logging.Formatter(FILE_FORMAT))
        to_file._mrm = True  # type: ignore[attr-defined]
        root.addHandler(to_file)
        # A header in the file only: where one run's lines start in an appended log.
        to_file.handle(
            logging.makeLogRecord(
                {
                    "name": "mrm.log",
                    "levelno": logging.INFO,
                    "levelname": "INFO",
                    "msg": "=== mrm %s started (pid %d, terminal level %s)",
                    "args": (command, os.getpid(), logging.getLevelName(terminal_level)),
                }
            )
        )
    root.setLevel(min(terminal_level, file_level))
    # Libraries that install their own handler or level at import would bypass the root's rules.
    for name in ("httpx", "httpcore", "urllib3", "alembic", "great_expectations", "fontTools", "streamlit"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    # An earlier in-process caller that never tore down leaves logging believing warnings are captured while
    # someone (a test runner's warnings recorder) has put its own hook back since: capture afresh then.
    if warnings.showwarning is not getattr(logging, "_showwarning", None):
        logging._warnings_showwarning = None  # type: ignore[attr-defined]
    logging.captureWarnings(True)  # warnings reach the file (and the terminal: they are WARNING records)
    # A library's logging.config call (disable_existing_loggers) may have switched the warnings logger off.
    captured = logging.getLogger("py.warnings")
    captured.disabled, captured.propagate = False, True
    if not verbose:
        for prefix, _why in ACKNOWLEDGED_WARNINGS:
            warnings.filterwarnings("ignore", message=re.escape(prefix))
    return path


def teardown() -> None:
    """Undo `setup` (the CLI calls this when a command ends, so an in-process caller such as a test runner gets its
    logging back as it was)."""
    global _saved_root_level
    root = logging.getLogger()
    _remove_handlers(root)
    if _saved_root_level is not None:
        root.setLevel(_saved_root_level)
        _saved_root_level = None
    logging.captureWarnings(False)


def _remove_handlers(root: logging.Logger) -> None:
    for handler in [h for h in root.handlers if getattr(h, "_mrm", False)]:
        root.removeHandler(handler)
        handler.close()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LEVEL = re.compile(r" - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - ")


class _LinesToLog(io.TextIOBase):
    """A text stream whose lines become records of one logger: the level is read from the line when it names one
    (Dagster's console format), else INFO. Warnings and errors so still reach the terminal."""

    def __init__(self, name: str, watch: Callable[[str], None] | None = None) -> None:
        self.log = logging.getLogger(name)
        self.watch = watch
        self.pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self._emit(self.pending)
            self.pending = ""

    def _emit(self, line: str) -> None:
        line = _ANSI.sub("", line).rstrip()
        if line and self.watch is not None:
            self.watch(line)
        if line:
            level = _LEVEL.search(line)
            self.log.log(
                logging.getLevelNamesMapping()[level.group(1)] if level else logging.INFO, "%s", line
            )


@contextlib.contextmanager
def printed_output_to_log(
    stdout_as: str = "dbt.output",
    stderr_as: str = "dagster.console",
    watch: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Send what libraries print straight to stdout/stderr (dbt's per-node lines, Dagster's console logger) into the
    log file, as records of the loggers named, instead of the terminal; with --verbose leave the terminal alone.
    `watch` sees each line first (to turn a library's lines into progress of the platform's own)."""
    if is_verbose():
        yield
        return
    out, err = _LinesToLog(stdout_as, watch), _LinesToLog(stderr_as, watch)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        out.flush()
        err.flush()
