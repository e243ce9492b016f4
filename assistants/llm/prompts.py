"""Versioned prompt files (assistants/prompts/*.md): YAML front matter + `## system` / `## user` sections."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml  # type: ignore[import-untyped]

PROMPT_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(ValueError):
    """A prompt file is missing, malformed, or a template variable was not supplied."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str

    def render(self, **variables: object) -> tuple[str, str]:
        """Fill both sections; a missing variable is an error, not an empty string."""
        try:
            return self.system.format(**variables), self.user.format(**variables)
        except KeyError as exc:
            raise PromptError(f"prompt {self.name}@{self.version}: variable {exc} not supplied") from exc


@functools.lru_cache(maxsize=32)
def load_prompt(name: str, prompt_dir: Path = PROMPT_DIR) -> Prompt:
    path = prompt_dir / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"prompt file not found: {path}")
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    if not m:
        raise PromptError(f"{path}: missing YAML front matter")
    meta = yaml.safe_load(m.group(1)) or {}
    version = str(meta.get("version") or "")
    if not version:
        raise PromptError(f"{path}: front matter has no version")
    sections = dict(
        (h.strip().lower(), body.strip())
        for h, body in re.findall(r"^## (\w+)\n(.*?)(?=^## \w+\n|\Z)", m.group(2), re.S | re.M)
    )
    if "system" not in sections or "user" not in sections:
        raise PromptError(f"{path}: needs '## system' and '## user' sections")
    return Prompt(
        name=str(meta.get("name", name)), version=version, system=sections["system"], user=sections["user"]
    )
