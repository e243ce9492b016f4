"""Write the double-encoded copies of the knowledge-base sample corpus from their clean sources.

Real agency exports often carry UTF-8 text that some tool once read as a single-byte code page (cp1251 or
cp1254) and saved again. The corpus ships such a file so the demo and the tests exercise the repair on
ingestion; it is generated from clean text (tests/fixtures/kb_corpus/) so the damage is reproducible and the
repair can be measured against the original.

Run: python scripts/damage_kb_corpus.py            (rewrite the damaged files)
     python scripts/damage_kb_corpus.py --check    (exit 1 if a shipped file differs from its source)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistants.kb.mojibake import damage  # noqa: E402 - the repository root must be importable first

CLEAN_DIR = ROOT / "tests" / "fixtures" / "kb_corpus"
CORPUS_DIR = ROOT / "assistants" / "kb" / "corpus" / "agency" / "ru"
# clean source -> (damaged file in the corpus, code page the legacy tool used)
TARGETS = {"onboarding_checklist_ru.md": ("onboarding_checklist_ru_legacy_export.md", "cp1254")}


def damaged_text(source: str) -> tuple[Path, str]:
    """The corpus path and the damaged text for one clean source file name."""
    target, codepage = TARGETS[source]
    clean = (CLEAN_DIR / source).read_text(encoding="utf-8")
    return CORPUS_DIR / target, damage(clean, codepage)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the damaged files are up to date"
    )
    check = parser.parse_args(argv).check
    stale = []
    for source in sorted(TARGETS):
        path, text = damaged_text(source)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} from {source}")
    if stale:
        print("out of date (run scripts/damage_kb_corpus.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
