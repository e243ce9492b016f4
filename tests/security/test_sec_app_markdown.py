"""Issue 21 finding 2: untrusted text is rendered as text, never as Markdown (no remote images, no links).

The exploit: a link `/overview?client=![x](http://127.0.0.1:PORT/…)`. The client id is refused, and the refusal
quoted the id inside st.error, whose body is Markdown: the victim's browser fetched the "image" right after
signing in. Here a local HTTP listener stands in for the attacker's server and a real Chromium signs in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from markdown_it import MarkdownIt

from dashboards import safe
from tests.e2e.test_dashboards_browser import app_url, browser  # noqa: F401 - fixtures by name
from tests.integration.dashboards.conftest import PASSWORD, dash  # noqa: F401 - `dash` is a fixture
from tests.security.conftest import logged_in_app, rendered_text

HOSTILE = [
    "![x](http://127.0.0.1:9/pwn.png)",
    "[click](javascript:alert(1))",
    "<img src=http://127.0.0.1:9/x.png>",
    "&#33;[x](http://127.0.0.1:9/entity.png)",
    "**bold** _it_ `code` # heading\n- item\n1. one",
    ":red[colour] :material/home: $x^2$ ~~gone~~",
    "| a | b |\n|---|---|\n| c | d |",
    "back\\slash \\![x](http://127.0.0.1:9/esc.png)",
    "Кампания «Весна» 50% + НДС @ 1.5 руб.",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_md_renders_every_character_as_text_and_nothing_else(value):
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(safe.md(value))
    assert "<img" not in html and "<a " not in html and "<strong" not in html and "<em" not in html
    assert "<table" not in html and "<h1" not in html and "<li" not in html and "<code" not in html
    # The characters survive: the visible text equals the original (line breaks become <br>).
    visible = MarkdownIt("commonmark").render(safe.md(value)).replace("<br />\n", "\n")
    text = visible.removeprefix("<p>").removesuffix("</p>\n")
    import html as html_lib

    assert html_lib.unescape(text) == value


class _Listener:
    """A local HTTP server standing in for the attacker's: records every path a browser requests."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def listener() -> Iterator[_Listener]:
    lst = _Listener()
    yield lst
    lst.server.shutdown()


@pytest.mark.browser
def test_markdown_image_in_the_client_parameter_fetches_nothing_after_a_browser_sign_in(
    browser, app_url, listener
):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    # Control: the listener is reachable from this browser, so a missed hit below means "not fetched".
    page.set_content(f'<img src="http://127.0.0.1:{listener.port}/control.png">')
    page.wait_for_function("document.images[0].complete")
    assert listener.hits == ["/control.png"]
    payload = f"![x](http://127.0.0.1:{listener.port}/pwn.png?query=SELECT%201)"
    page.goto(f"{app_url}/overview?lang=en&client={quote(payload)}")
    # Signed out, every page address shows the sign-in form and opens the page asked for after sign-in.
    page.get_by_role("textbox", name="Login").fill("it-pm@t1")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    alert = page.locator("[data-testid=stAlert]", has_text="invalid client")
    alert.wait_for()
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden")
    page.wait_for_load_state("networkidle")
    # With the message rendered as Markdown (the old code) the listener sees /pwn.png here: checked first.
    assert listener.hits == ["/control.png"], listener.hits
    assert page.locator("img[src*='pwn.png']").count() == 0
    # The refusal shows the parameter as its literal characters.
    assert "![x](http://127.0.0.1" in alert.inner_text()
    ctx.close()


@pytest.mark.usefixtures("sec_world")
def test_a_question_and_answer_with_markdown_are_shown_as_text_in_the_assistant(ch):
    payload = "![x](http://127.0.0.1:9/asked.png) what is the CPA target?"
    at = logged_in_app("sec-pm@t1", query={"client": "acme"})
    assert "principal" in at.session_state, [e.value for e in at.error]
    at.switch_page("app_pages/assistant.py").run()
    at.radio(key="asst_agent").set_value("Knowledge base").run()
    at.chat_input(key="chat_q").set_value(payload).run()
    assert not at.exception, [e.value for e in at.exception]
    bodies = [m.body for m in at.markdown]
    assert safe.md(payload) in bodies, bodies  # the question, escaped
    rendered = [MarkdownIt("commonmark").render(b) for b in bodies]
    assert not any("<img" in h or "<a " in h for h in rendered), rendered
    assert "asked.png" in rendered_text(at)  # non-vacuous: it is on the page, as text
