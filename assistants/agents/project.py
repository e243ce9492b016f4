"""Project assistant: decompose a brief into tasks and draft a RACI matrix with the seed roles.

Roles are the seven of the specification (users.role): pm, account_manager, specialist, strategist, analyst,
creative, client. Offline (the default) a deterministic template decomposition is driven by the brief's
sections and RU/EN keywords; with ANTHROPIC_API_KEY Claude drafts the tasks through the gateway and the draft is
validated (known roles, exactly one A and at least one R per task), falling back to the template otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrm import i18n
from mrm.i18n import refusal
from workspace.permissions import role_name

ROLES = ("pm", "account_manager", "specialist", "strategist", "analyst", "creative", "client")
# The plan's own names for the two roles it names more precisely than the workspace does (`asst_role_<role>`); the
# others are the workspace's role names.
PLAN_ROLE_KEYS = {"specialist": "asst_role_specialist", "creative": "asst_role_creative"}


def plan_role_name(role: str, lang: str) -> str:
    """A role's name in the plan's RACI headers."""
    return i18n.t(PLAN_ROLE_KEYS[role], lang) if role in PLAN_ROLE_KEYS else role_name(role, lang)


ROLE_NAMES = {lang: {r: plan_role_name(r, lang) for r in ROLES} for lang in i18n.LANGS}
LETTERS = ("R", "A", "C", "I")


@dataclass(frozen=True)
class TaskTemplate:
    key: str
    title: str  # the catalogue key of the task's title
    phase: str
    raci: dict[str, str]
    depends_on: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()  # regexes over a brief section; empty = always included


# Responsibilities follow what each seed role does at an agency: the account manager owns the client relationship,
# the strategist the audience and channel mix, the specialist the ad accounts, the analyst tracking and reports,
# the creative the assets, the PM the timeline; the client supplies inputs and signs off.
# The ad-account work (launch, optimisation): the specialist does it and the PM answers for it.
_SPECIALIST_DOES = {
    "specialist": "R",
    "pm": "A",
    "analyst": "C",
    "strategist": "C",
    "account_manager": "I",
    "client": "I",
}
TEMPLATES: tuple[TaskTemplate, ...] = (
    TaskTemplate(
        "brief",
        "asst_task_title_brief",
        "initiation",
        {
            "account_manager": "R",
            "pm": "A",
            "strategist": "C",
            "analyst": "C",
            "client": "C",
            "specialist": "I",
            "creative": "I",
        },
    ),
    TaskTemplate(
        "kickoff",
        "asst_task_title_kickoff",
        "initiation",
        {
            "pm": "A",
            "account_manager": "R",
            "strategist": "I",
            "specialist": "I",
            "analyst": "I",
            "creative": "I",
            "client": "I",
        },
        ("brief",),
    ),
    TaskTemplate(
        "strategy",
        "asst_task_title_strategy",
        "strategy",
        {
            "strategist": "R",
            "pm": "A",
            "analyst": "C",
            "account_manager": "C",
            "creative": "I",
            "client": "I",
        },
        ("kickoff",),
        (
            r"стратег",
            r"strateg",
            r"аудитор",
            r"\bца\b",
            r"audience",
            r"позиционир",
            r"position",
            r"сообщени",
            r"message",
            r"конкурент",
            r"competit",
        ),
    ),
    TaskTemplate(
        "mediaplan",
        "asst_task_title_mediaplan",
        "planning",
        {
            "strategist": "R",
            "pm": "A",
            "specialist": "C",
            "analyst": "C",
            "account_manager": "C",
            "client": "I",
        },
        ("kickoff",),
        (
            r"медиаплан",
            r"media ?plan",
            r"бюджет",
            r"budget",
            r"охват",
            r"reach",
            r"канал",
            r"channel",
            r"grp",
            r"trp",
            r"частот",
            r"frequenc",
            r"olv",
            r"\btv\b",
            r"\bтв\b",
            r"радио",
            r"radio",
        ),
    ),
    TaskTemplate(
        "creative",
        "asst_task_title_creative",
        "production",
        {
            "creative": "R",
            "pm": "A",
            "strategist": "C",
            "account_manager": "C",
            "specialist": "I",
            "client": "C",
        },
        ("kickoff",),
        (
            r"креатив",
            r"creative",
            r"баннер",
            r"banner",
            r"видео",
            r"video",
            r"ролик",
            r"макет",
            r"visual",
            r"визуал",
            r"дизайн",
            r"design",
            r"текст",
            r"copy",
        ),
    ),
    TaskTemplate(
        "landing",
        "asst_task_title_landing",
        "production",
        {
            "creative": "R",
            "pm": "A",
            "specialist": "C",
            "analyst": "C",
            "client": "C",
            "account_manager": "I",
        },
        ("kickoff",),
        (r"лендинг", r"landing", r"посадочн", r"сайт", r"website", r"\bsite\b", r"utm"),
    ),
    TaskTemplate(
        "tracking",
        "asst_task_title_tracking",
        "production",
        {"analyst": "R", "pm": "A", "specialist": "C", "client": "C", "account_manager": "I"},
        ("brief",),
        (
            r"аналитик",
            r"analytic",
            r"метрик",
            r"metrika",
            r"kpi",
            r"цел[иья]",
            r"goal",
            r"конверс",
            r"conversion",
            r"дашборд",
            r"dashboard",
            r"отслеж",
            r"track",
            r"cpa",
            r"roi",
            r"дрр",
        ),
    ),
    TaskTemplate(
        "launch",
        "asst_task_title_launch",
        "launch",
        _SPECIALIST_DOES,
        ("mediaplan", "creative", "tracking"),
        (
            r"запуск",
            r"launch",
            r"кампани",
            r"campaign",
            r"директ",
            r"direct",
            r"\bvk\b",
            r"вк",
            r"таргет",
            r"target",
            r"контекст",
            r"context",
            r"search",
            r"поиск",
            r"performance",
            r"перформанс",
        ),
    ),
    TaskTemplate(
        "approval",
        "asst_task_title_approval",
        "approval",
        {
            "account_manager": "R",
            "client": "A",
            "pm": "C",
            "strategist": "C",
            "creative": "C",
            "specialist": "I",
            "analyst": "I",
        },
        ("mediaplan", "creative"),
    ),
    TaskTemplate(
        "optimization",
        "asst_task_title_optimization",
        "delivery",
        _SPECIALIST_DOES,
        ("launch",),
        (r"оптимиз", r"optimi", r"ставк", r"bid", r"a/b", r"тест", r"test"),
    ),
    TaskTemplate(
        "reporting",
        "asst_task_title_reporting",
        "reporting",
        {
            "analyst": "R",
            "account_manager": "A",
            "specialist": "C",
            "pm": "I",
            "strategist": "I",
            "client": "I",
        },
        ("launch",),
    ),
)
# When a brief names none of the optional areas, a standard campaign still needs them.
DEFAULT_OPTIONAL = ("strategy", "mediaplan", "creative", "tracking", "launch")


@dataclass
class Task:
    id: str
    key: str
    title: str
    phase: str
    raci: dict[str, str]
    depends_on: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class ProjectDraft:
    title: str
    language: str
    tasks: list[Task]
    provider: str
    notes: list[str] = field(default_factory=list)

    def matrix(self) -> list[dict[str, str]]:
        """RACI as rows: task id, title, then one letter (or '') per seed role."""
        return [{"id": t.id, "task": t.title, **{r: t.raci.get(r, "") for r in ROLES}} for t in self.tasks]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "language": self.language,
            "provider": self.provider,
            "notes": self.notes,
            "roles": list(ROLES),
            "tasks": [t.__dict__ for t in self.tasks],
            "raci": self.matrix(),
        }

    def to_markdown(self) -> str:
        lang = self.language
        names = ROLE_NAMES[lang]
        out = [f"# {self.title}", "", f"_{self.provider}_", "", "## " + i18n.t("asst_tasks", lang), ""]
        for t in self.tasks:
            deps = ", ".join(t.depends_on) or "—"
            src = "; ".join(t.sources) or "—"
            line = i18n.t("asst_task_line", lang, phase=t.phase, deps=deps, sources=src)
            out.append(f"- **{t.id}** {t.title} ({line})")
        out += [
            "",
            "## " + i18n.t("asst_raci_matrix", lang),
            "",
            "| ID | " + i18n.t("task", lang) + " | " + " | ".join(names[r] for r in ROLES) + " |",
            "|---|---|" + "---|" * len(ROLES),
        ]
        for row in self.matrix():
            out.append(
                f"| {row['id']} | {row['task'].replace('|', '/')} | "
                + " | ".join(row[r] or " " for r in ROLES)
                + " |"
            )
        out += ["", i18n.t("asst_raci_legend", lang)]
        if self.notes:
            out += ["", *[f"> {n}" for n in self.notes]]
        return "\n".join(out) + "\n"

    def write_xlsx(self, path: Path) -> Path:
        import xlsxwriter

        from assistants.reports.render import safe_cell

        lang = self.language
        names = ROLE_NAMES[lang]
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(path))
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        colors = {"R": "#C6EFCE", "A": "#FFC7CE", "C": "#FFEB9C", "I": "#E7E6E6"}
        letter = {
            k: wb.add_format({"border": 1, "align": "center", "bold": True, "bg_color": c})
            for k, c in colors.items()
        }
        ws = wb.add_worksheet("RACI")
        head = ["ID", i18n.t("task", lang), *[names[r] for r in ROLES]]
        for c, h in enumerate(head):
            ws.write_string(0, c, h, bold)
        for i, row in enumerate(self.matrix(), start=1):
            ws.write_string(i, 0, safe_cell(row["id"]), cell)
            ws.write_string(i, 1, safe_cell(row["task"]), cell)
            for c, r in enumerate(ROLES, start=2):
                ws.write_string(i, c, row[r], letter.get(row[r], cell))
        ws.set_column(0, 0, 8)
        ws.set_column(1, 1, 48)
        ws.set_column(2, 1 + len(ROLES), 14)
        ws.freeze_panes(1, 2)
        wt = wb.add_worksheet(i18n.t("asst_tasks", lang))
        th = ["ID", *(i18n.t(k, lang) for k in ("task", "col_phase", "asst_depends_on", "asst_from_brief"))]
        for c, h in enumerate(th):
            wt.write_string(0, c, h, bold)
        for i, t in enumerate(self.tasks, start=1):
            for c, v in enumerate([t.id, t.title, t.phase, ", ".join(t.depends_on), "; ".join(t.sources)]):
                wt.write_string(i, c, safe_cell(v), cell)
        wt.set_column(0, 0, 8)
        wt.set_column(1, 1, 48)
        wt.set_column(2, 4, 24)
        wb.close()
        return path


def split_sections(brief: str) -> list[tuple[str, str]]:
    """(heading, text) per brief section: Markdown headings, or 'Label:' lines, or one section for plain text."""
    sections: list[tuple[str, list[str]]] = []
    head = "—"
    buf: list[str] = []
    for line in brief.splitlines():
        m = re.match(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line) or re.match(
            r"^\s*(?:\d+[.)]\s*)?([^:]{2,60}):\s*$", line
        )
        if m:
            if buf and any(x.strip() for x in buf):
                sections.append((head, buf))
            head, buf = m.group(1).strip(), []
            continue
        inline = re.match(r"^\s*(?:[-*]\s*)?([A-Za-zА-Яа-яЁё /]{2,40}):\s+(.+)$", line)
        if inline:
            if buf and any(x.strip() for x in buf):
                sections.append((head, buf))
            sections.append((inline.group(1).strip(), [inline.group(2)]))
            head, buf = "—", []
            continue
        buf.append(line)
    if buf and any(x.strip() for x in buf):
        sections.append((head, buf))
    return [(h, "\n".join(b).strip()) for h, b in sections]


def decompose_offline(brief: str, lang: str, title: str = "") -> ProjectDraft:
    """Template decomposition: always-needed tasks plus those whose keywords occur in a brief section."""
    sections = split_sections(brief)
    if not sections:
        raise refusal(ValueError, "asst_brief_empty")
    matched: dict[str, list[str]] = {}
    for tpl in TEMPLATES:
        if not tpl.triggers:
            matched[tpl.key] = []
            continue
        for head, text in sections:
            hay = f"{head}\n{text}".lower()
            if any(re.search(p, hay) for p in tpl.triggers):
                matched.setdefault(tpl.key, []).append(head)
    notes = []
    if not any(k in matched for k in DEFAULT_OPTIONAL):
        notes.append(i18n.t("asst_note_standard_set", lang))
        for k in DEFAULT_OPTIONAL:
            matched[k] = []
    keys = [t.key for t in TEMPLATES if t.key in matched]
    ids = {k: f"T{i:02d}" for i, k in enumerate(keys, start=1)}
    tasks = []
    for tpl in TEMPLATES:
        if tpl.key not in ids:
            continue
        deps = [ids[d] for d in tpl.depends_on if d in ids]
        if tpl.depends_on and not deps:  # a missing predecessor: hang the task on the kick-off
            deps = [ids["kickoff"]]
        tasks.append(
            Task(
                ids[tpl.key],
                tpl.key,
                i18n.t(tpl.title, lang),
                tpl.phase,
                dict(tpl.raci),
                deps,
                sorted(set(matched[tpl.key]) - {"—"}),
            )
        )
    dates = re.findall(r"\b(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4})\b", brief)
    if dates:
        notes.append(i18n.t("asst_note_brief_dates", lang, dates=", ".join(dict.fromkeys(dates))))
    return ProjectDraft(title or _title(brief, lang), lang, tasks, "offline:template-decomposition-v1", notes)


def _title(brief: str, lang: str) -> str:
    for line in brief.splitlines():
        s = line.strip().lstrip("#").strip()
        if s:
            return s[:120]
    return i18n.t("project", lang)


def validate_draft(tasks: list[dict[str, Any]]) -> list[str]:
    """Problems with a drafted task list: unknown roles or letters, not exactly one A, no R, unknown dependencies."""
    problems = []
    ids = {str(t.get("id")) for t in tasks}
    if not tasks:
        problems.append("no tasks")
    for t in tasks:
        raci = t.get("raci") or {}
        bad = [r for r in raci if r not in ROLES]
        if bad:
            problems.append(f"{t.get('id')}: unknown role(s) {bad}")
        if any(v not in LETTERS for v in raci.values()):
            problems.append(f"{t.get('id')}: letters must be R/A/C/I")
        if list(raci.values()).count("A") != 1:
            problems.append(f"{t.get('id')}: needs exactly one A")
        if "R" not in raci.values():
            problems.append(f"{t.get('id')}: needs at least one R")
        missing = [d for d in t.get("depends_on") or [] if str(d) not in ids]
        if missing:
            problems.append(f"{t.get('id')}: unknown dependencies {missing}")
    used = {r for t in tasks for r in (t.get("raci") or {})}
    if set(ROLES) - used:
        problems.append(f"roles without any assignment: {sorted(set(ROLES) - used)}")
    return problems


DRAFT_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "tasks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "phase": {"type": "string"},
                    "depends_on": {"type": "array", "items": {"type": "string"}},
                    "sources": {"type": "array", "items": {"type": "string"}},
                    "raci": {
                        "type": "object",
                        "properties": {r: {"type": "string", "enum": list(LETTERS)} for r in ROLES},
                    },
                },
                "required": ["id", "title", "phase", "raci"],
            },
        },
    },
    "required": ["title", "tasks"],
}


def decompose(
    brief: str, *, tenant_id: str, lang: str | None = None, gateway: Any = None, ch: Any = None
) -> ProjectDraft:
    """Tasks + RACI for a brief; Claude when configured (validated, template fallback), the template offline."""
    from assistants.kb.loaders import guess_language
    from assistants.llm import Gateway, LLMError, load_prompt

    if not tenant_id:
        raise ValueError("tenant_id is required")
    lang = lang or guess_language(brief)
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")
    template = decompose_offline(brief, lang)
    gw = gateway or Gateway.from_env(ch)
    offline_data = {"title": template.title, "tasks": [t.__dict__ for t in template.tasks]}
    try:
        res = gw.structured(
            tenant_id=tenant_id,
            purpose="project_decompose",
            prompt=load_prompt("project_decompose"),
            variables={
                "language_name": "Russian" if lang == "ru" else "English",
                "roles": ", ".join(ROLES),
                "brief": brief[:12000],
            },
            tool_name="submit_project",
            input_schema=DRAFT_SCHEMA,
            offline=lambda: offline_data,
        )
    except LLMError as exc:
        template.notes.append(f"template-fallback(llm error: {exc})")
        return template
    if res.offline:
        template.provider = res.label
        return template
    problems = validate_draft(res.data["tasks"])
    if problems:
        template.notes.append("template-fallback(invalid draft: " + "; ".join(problems[:5]) + ")")
        template.provider = f"{res.label}+template-fallback"
        return template
    tasks = [
        Task(
            str(t["id"]),
            "llm",
            str(t["title"]),
            str(t.get("phase", "")),
            dict(t["raci"]),
            [str(d) for d in t.get("depends_on") or []],
            [str(s) for s in t.get("sources") or []],
        )
        for t in res.data["tasks"]
    ]
    return ProjectDraft(str(res.data.get("title") or template.title), lang, tasks, res.label)
