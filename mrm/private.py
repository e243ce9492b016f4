"""Files and folders only their owner can read: generated passwords, built client reports (issue 21 finding 10).

A shared location (the system temp directory) or a symlink planted by another local user must never receive
them, and an existing file keeps no wider mode than 0600.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mrm.i18n import refusal


class PrivatePathError(OSError):
    """The path is a symlink, not ours, or not the kind of file expected; the message names the path."""


def write_private(path: str | Path, text: str) -> Path:
    """Write `text` to `path` with mode 0600, refusing a symlink (at the last component) or a non-regular file."""
    p = Path(path)
    if p.is_symlink():
        raise refusal(PrivatePathError, "mrm_path_is_symlink", path=p)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:  # ELOOP: a symlink appeared between the check and the open
        raise refusal(PrivatePathError, "mrm_path_cannot_open", path=p, error=exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refusal(PrivatePathError, "mrm_path_not_regular", path=p)
        if st.st_uid != os.getuid():
            raise refusal(PrivatePathError, "mrm_path_not_ours", path=p, uid=st.st_uid)
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode otherwise
        os.ftruncate(fd, 0)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fd = -1
            fh.write(text)
    finally:
        if fd >= 0:
            os.close(fd)
    return p


def private_dir(path: str | Path) -> Path:
    """Create `path` (and parents) as a 0700 folder of the current user; refuse a symlink or someone else's folder."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        p.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(p)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise refusal(PrivatePathError, "mrm_path_not_folder", path=p)
    if st.st_uid != os.getuid():
        raise refusal(PrivatePathError, "mrm_path_not_ours", path=p, uid=st.st_uid)
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(p, 0o700)
    return p


def default_reports_dir() -> Path:
    """Built reports go to MRM_REPORTS_DIR, else to the user's own cache (~/.cache/mrm/reports), mode 0700."""
    configured = os.environ.get("MRM_REPORTS_DIR")
    if configured:
        return private_dir(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return private_dir(Path(cache) / "mrm" / "reports")
