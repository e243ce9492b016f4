"""Media-plan import: read agency spreadsheets, detect fields, validate, write versioned plans."""

from .detect import PlanMapping, Suggester, detect_workbook, parse_suggestion_response, suggestion_prompt
from .importer import ImportResult, analyse, import_plan, plan_id_from_name
from .parse import Issue, Report
from .reader import MAX_FILE_BYTES, PlanFileError, Workbook, read_workbook
from .store import list_plans, load_plan

__all__ = [
    "MAX_FILE_BYTES",
    "ImportResult",
    "Issue",
    "PlanFileError",
    "PlanMapping",
    "Report",
    "Suggester",
    "Workbook",
    "analyse",
    "detect_workbook",
    "import_plan",
    "list_plans",
    "load_plan",
    "parse_suggestion_response",
    "plan_id_from_name",
    "read_workbook",
    "suggestion_prompt",
]
