"""The Assistant page (AppTest, signed in through the real form): ask the analyst, follow up in the thread, give
feedback, delete the thread; numbers come with their source and scope is the signed-in user's."""

from __future__ import annotations

import pytest

from tests.integration.dashboards.conftest import logged_in_app

pytestmark = pytest.mark.usefixtures("dash")


def _spend(ch, db, client, platform, a, b):
    return ch.query(
        f"SELECT toFloat64(sum(spend_net)) FROM {db}.fct_campaign_daily WHERE tenant_id = 'dash_t1' AND "
        "client_id = {c:String} AND ({p:String} = '' OR platform = {p:String}) AND date_day BETWEEN {a:Date} AND {b:Date}",
        parameters={"c": client, "p": platform, "a": a, "b": b},
    ).result_rows[0][0]


def test_analyst_chat_follow_up_feedback_and_delete(ch, dash):
    from assistants.agents import memory
    from tests.integration.dashboards.conftest import principal

    at = logged_in_app("it-analyst@t1", page="app_pages/assistant.py", query={"client": "acme"})
    assert at.radio(key="asst_agent").value == "Auto: picked from the question"  # the router picks
    at.chat_input(key="chat_agent").set_value("What was the spend yesterday?").run()
    assert not at.exception, at.exception
    at.chat_input(key="chat_agent").set_value("and on VK?").run()
    assert not at.exception, at.exception
    answers = [m for m in at.chat_message if m.name == "assistant"]
    assert len(answers) == 2
    day = str(dash["end"])
    me = principal("it-analyst@t1")
    thread = memory.list_threads(ch, me)[0]
    turns = memory.turns(ch, me, thread["thread_id"])
    assert [t["question"] for t in turns] == ["What was the spend yesterday?", "and on VK?"]
    vk = next(n for n in turns[1]["numbers"] if n["metric"] == "spend")
    assert vk["value"] == pytest.approx(_spend(ch, dash["db"], "acme", "vk_ads", day, day))
    assert vk["source"]["filters"] == {"platform": ["vk_ads"]}
    # the answer and the listed sources are on the page
    page_text = " ".join(m.value for a in answers for m in a.markdown) + " ".join(
        c.value for a in answers for c in a.caption
    )
    assert "vk\\_ads" in page_text or "vk_ads" in page_text
    assert page_text.count("Answered by: Analyst") == 2  # the router's choice is on every answer
    # feedback on the second answer is stored with its question
    mid = turns[1]["message_id"]
    at.text_input(key=f"fb_c_{mid}").input("right number").run()
    at.button(key=f"fb_up_{mid}").click().run()
    assert not at.exception, at.exception
    fb = [f for f in memory.export_feedback(ch, "dash_t1") if f["message_id"] == mid]
    assert (
        fb
        and fb[0]["rating"] == 1
        and fb[0]["comment"] == "right number"
        and fb[0]["question"] == "and on VK?"
    )
    # delete really deletes
    at.button(key="asst_delete").click().run()
    assert not at.exception, at.exception
    assert thread["thread_id"] not in [t["thread_id"] for t in memory.list_threads(ch, me)]
    n = ch.query(
        "SELECT count() FROM app.assistant_messages WHERE thread_id = {t:String}",
        parameters={"t": thread["thread_id"]},
    ).result_rows[0][0]
    assert n == 0
