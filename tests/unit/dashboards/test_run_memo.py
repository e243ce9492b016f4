"""Which clients a user may read is read from the warehouse once per script run, and afresh in the next run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    from dashboards import data
    from dashboards.auth import Principal

    p = Principal("t1", "am@t1", "account_manager", "")
    first, again = data.allowed_clients(p), data.allowed_clients(p)
    other = data.allowed_clients(Principal("t1", "pm@t1", "pm", ""))
    import streamlit as st

    st.text(f"{sorted(first)}|{sorted(again)}|{other is None}")


def test_one_read_per_run_and_a_new_read_each_run(monkeypatch):
    from dashboards import data
    from workspace import access

    reads: list[str] = []
    scopes = {"am@t1": frozenset({"acme"}), "pm@t1": None}

    def counted(_ch, p):
        reads.append(p.login)
        return scopes[p.login]

    monkeypatch.setattr(access, "allowed_clients", counted)
    monkeypatch.setattr(data, "client", lambda: None)
    at = AppTest.from_function(_script)
    at.run()
    assert not at.exception, at.exception
    assert reads == ["am@t1", "pm@t1"]  # the second ask in the run is answered from the run's memo
    assert at.text[0].value == "['acme']|['acme']|True"
    scopes["am@t1"] = frozenset()  # an admin revokes the assignment: the next run sees it
    at.run()
    assert reads == ["am@t1", "pm@t1", "am@t1", "pm@t1"]
    assert at.text[0].value == "[]|[]|True"
    # Outside a script run (the CLI, tests, workers) every ask reads the warehouse.
    data.allowed_clients(data.Principal("t1", "am@t1", "account_manager", ""))
    assert reads[-1] == "am@t1" and len(reads) == 5
