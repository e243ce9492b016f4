"""Issue 21 finding 10: CSV export, the reports folder, `--passwords-out`, and the OIDC secrets file."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from mrm.private import PrivatePathError, default_reports_dir, private_dir, write_private
from tests.security.conftest import END, MARTS, ROOT, T1, principal


def test_csv_export_neutralises_leading_tab_and_cr_like_formula_characters():
    from dashboards.ui import csv_bytes

    cells = ["\t=cmd|' /C calc'!A0", "\r=1+1", "=SUM(A1)", "+1", "-1", "@x", "plain", "a\t=b"]
    out = csv_bytes(pd.DataFrame({"campaign_name": cells, "spend": range(len(cells))}))
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))[1:]
    exported = [r[0] for r in rows]
    for cell, got in zip(cells, exported, strict=True):
        if cell[:1] in "=+-@\t\r":
            assert got == "'" + cell, (cell, got)  # inert text in Excel, original visible after the quote
        else:
            assert got == cell
    assert [r[1] for r in rows] == [str(i) for i in range(len(cells))]  # numbers untouched


def test_the_default_reports_folder_is_private_to_the_user_and_not_under_the_shared_temp_dir(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("MRM_REPORTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = default_reports_dir()
    assert folder == tmp_path / "cache" / "mrm" / "reports"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not str(folder).startswith(os.path.join(tempfile.gettempdir(), "mrm-reports"))
    folder.chmod(0o755)  # a folder left group/world-readable is tightened, not trusted
    assert stat.S_IMODE(default_reports_dir().stat().st_mode) == 0o700
    planted = tmp_path / "planted"
    planted.symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(PrivatePathError, match="symlink"):
        private_dir(planted)


@pytest.mark.usefixtures("sec_world")
def test_a_report_built_in_the_app_lands_in_the_private_folder(monkeypatch, tmp_path):
    from dashboards import data

    monkeypatch.delenv("MRM_REPORTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    per = data.Period(END - data.dt.timedelta(days=6), END)
    files = data.build_report(principal("sec-pm@t1"), "acme", per, "en")
    root = tmp_path / "cache" / "mrm" / "reports"
    assert files.xlsx.is_file() and root in files.xlsx.parents, files.xlsx
    assert stat.S_IMODE(root.stat().st_mode) == 0o700


def _provision(out: Path) -> tuple[int, str]:
    from warehouse.cli import tenants

    res = CliRunner().invoke(
        tenants, ["provision", "--tenant", T1, "--marts-db", MARTS, "--passwords-out", str(out)]
    )
    return res.exit_code, res.output


@pytest.mark.usefixtures("sec_world")
def test_passwords_out_refuses_a_symlink_and_makes_an_existing_file_0600(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n")
    link = tmp_path / "passwords.txt"
    link.symlink_to(victim)
    code, output = _provision(link)
    assert code != 0 and "symlink" in output, output
    assert victim.read_text() == "untouched\n"
    existing = tmp_path / "existing.txt"
    existing.write_text("old\n")
    existing.chmod(0o644)
    code, output = _provision(existing)
    assert code == 0, output
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    lines = existing.read_text().splitlines()
    assert lines and all("\t" in line for line in lines) and "old" not in lines


def test_write_private_never_follows_a_symlink_and_writes_only_regular_files(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("x")
    link = tmp_path / "out"
    link.symlink_to(target)
    with pytest.raises(PrivatePathError):
        write_private(link, "secret")
    assert target.read_text() == "x"
    with pytest.raises(PrivatePathError):
        write_private(tmp_path, "secret")  # a folder is not a file either


def test_real_secrets_file_is_git_ignored():
    res = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT, check=False)
    assert res.returncode == 0


def test_the_example_cookie_secret_is_refused_at_start_up():
    import tomllib

    from streamlit.testing.v1 import AppTest

    from tests.security.conftest import APP

    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())["auth"]
    for section, msg in (  # the start page speaks Russian until the visitor switches
        (dict(example), "заглушка из примера"),
        ({**example, "client_secret": "s" * 40, "cookie_secret": "short"}, "не короче 32 символов"),
    ):
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.secrets["auth"] = section
        at.run()
        assert any(msg in e.value for e in at.error), [e.value for e in at.error]
        assert not at.text_input  # no sign-in form at all
