"""A Streamlit client without a renderer: the browser's side of `/_stcore/stream` (BackMsg out, ForwardMsg in).

It keeps what a browser keeps between runs (the query string the app wrote, the pages of `st.navigation`, the
widgets last drawn and the values the user gave them) and times each rerun from the BackMsg that asks for it to the
`script_finished` that ends it, the moment the last delta of that run has arrived.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus
WIDGET_KINDS = ("text_input", "button", "selectbox", "date_input", "radio", "chat_input", "checkbox")


class ProtocolError(RuntimeError):
    """The server closed, answered out of protocol, or a run did not finish in time."""


@dataclass
class Run:
    """One script run as the browser saw it."""

    ms: float
    headings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions and st.error boxes the run drew
    deltas: int = 0


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)
    form_id: str = ""
    is_form_submitter: bool = False


class Session:
    """One browser tab: connect, then `rerun()` with the widget values and page a user's action produces."""

    def __init__(self, base_url: str, *, timeout_s: float = 120.0, query: str = "") -> None:
        parts = urlsplit(base_url)
        self.ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
        self.timeout_s = timeout_s
        self.query = query
        self.pages: dict[str, str] = {}  # url path -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # user key (or label for unkeyed widgets) -> widget
        self.values: dict[str, tuple[str, Any]] = {}  # widget id -> (proto field, value) the user has set
        self._ws: Any = None

    async def connect(self, headers: dict[str, str] | None = None) -> None:
        # The subprotocol list is how the browser passes its session token; "streamlit" alone starts a new session.
        self._ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout_s,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    def widget(self, key: str) -> Widget:
        try:
            return self.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} on the page (seen: {sorted(self.widgets)})") from None

    def submitter(self, form_id: str) -> Widget:
        for w in self.widgets.values():
            if w.is_form_submitter and w.form_id == form_id:
                return w
        raise ProtocolError(f"form {form_id!r} has no submit button on the page")

    async def rerun(
        self,
        *,
        page: str | None = None,
        set_values: dict[str, tuple[str, Any]] | None = None,
        trigger: str | None = None,
    ) -> Run:
        """Ask for a run (the first load, a page switch, widget changes or a click) and read it to its end."""
        if page is not None:
            if page not in self.pages:
                raise ProtocolError(f"page {page!r} is not in the navigation (have: {sorted(self.pages)})")
            self.page_hash = self.pages[page]
        self.values.update(set_values or {})
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        for wid, (value_field, value) in self.values.items():
            w = state.widget_states.widgets.add()
            w.id = wid
            setattr(w, value_field, value)
        if trigger is not None:
            w = state.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True  # a click: true for this one run, as the browser sends it
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run(ms=0.0)
        deadline = t0 + self.timeout_s
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"run not finished within {self.timeout_s:.0f} s")
            try:
                raw = await asyncio.wait_for(self._ws.recv(), remaining)
            except TimeoutError:
                raise ProtocolError(f"run not finished within {self.timeout_s:.0f} s") from None
            except websockets.ConnectionClosed as exc:
                raise ProtocolError(f"server closed the websocket: {exc}") from exc
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "script_finished":
                if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the same action goes on in the next run
                if fwd.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    run.errors.append("compile error")
                run.ms = (time.perf_counter() - t0) * 1000
                return run
            self._absorb(fwd, kind, run)

    def _absorb(self, fwd: ForwardMsg, kind: str | None, run: Run) -> None:
        if kind == "new_session":
            self.page_hash = self.page_hash or fwd.new_session.page_script_hash
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            self.page_hash = fwd.navigation.page_script_hash
            # A page switch draws a new set of widgets; values of the old page's widgets would be stale.
            self.widgets = {}
        elif kind == "page_info_changed":
            self.query = fwd.page_info_changed.query_string  # st.query_params writes: the browser's URL
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            run.deltas += 1
            el = fwd.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "heading":
                run.headings.append(el.heading.body)
            elif etype == "exception":
                run.errors.append(f"exception: {el.exception.type}: {el.exception.message}")
            elif etype == "alert" and el.alert.format == el.alert.ERROR:
                run.errors.append(f"error box: {el.alert.body}")
            elif etype in WIDGET_KINDS:
                self._remember(etype, getattr(el, etype))
        elif kind == "delta":
            run.deltas += 1

    def _remember(self, kind: str, proto: Any) -> None:
        wid = proto.id
        # Widget ids end in "-<user key>" when the app gave a key (Streamlit's `$$ID-<hash>-<key>` form).
        label = getattr(proto, "label", "") or getattr(proto, "placeholder", "")
        key = wid.rsplit("-", 1)[-1] if "-" in wid and not wid.endswith("-None") else label
        self.widgets[key] = Widget(
            id=wid,
            kind=kind,
            label=label,
            options=list(getattr(proto, "options", [])),
            form_id=getattr(proto, "form_id", ""),
            is_form_submitter=getattr(proto, "is_form_submitter", False),
        )
