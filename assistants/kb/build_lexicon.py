"""Developer tool: derive the Russian word-frequency list used by the mojibake repair.

Source: the Russian gettext catalogs of the Debian base system (/usr/share/locale/ru/LC_MESSAGES/*.mo),
minus HELD_OUT catalogs whose sentences serve as an independent test set. Only word counts are kept.
Run: .venv/bin/python -m assistants.kb.build_lexicon
"""

from __future__ import annotations

import argparse
import collections
import gettext
import gzip
import random
import re
from pathlib import Path

SOURCE = Path("/usr/share/locale/ru/LC_MESSAGES")
HELD_OUT = {"git.mo", "systemd.mo", "wget.mo"}
OUT = Path(__file__).resolve().parent / "data" / "ru_lexicon.tsv.gz"
HELDOUT_OUT = (
    Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "retrieval" / "ru_heldout_sentences.txt"
)
WORD = re.compile(r"[А-Яа-яЁё]+")


def _strings(path: Path) -> list[str]:
    with path.open("rb") as f:
        cat = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    return [v for v in cat.values() if isinstance(v, str)]


def main() -> None:
    counts: collections.Counter[str] = collections.Counter()
    held: list[str] = []
    for mo in sorted(SOURCE.glob("*.mo")):
        try:
            strings = _strings(mo)
        except Exception:  # a corrupt catalog is skipped, not fatal for a dev tool
            continue
        if mo.name in HELD_OUT:
            held += [" ".join(s.split()) for s in strings if len(WORD.findall(s)) >= 5]
        else:
            for s in strings:
                counts.update(w.lower() for w in WORD.findall(s))
    with gzip.open(OUT, "wt", encoding="utf-8") as f:
        for w, c in counts.most_common():
            f.write(f"{w}\t{c}\n")
    random.Random(7).shuffle(held)
    HELDOUT_OUT.write_text("\n".join(held[:400]) + "\n", encoding="utf-8")
    print(f"{len(counts)} words -> {OUT}; {min(400, len(held))} held-out sentences -> {HELDOUT_OUT}")


if __name__ == "__main__":
    argparse.ArgumentParser(
        description="Rewrite the Russian word-frequency list of the mojibake repair (and its held-out sentences) "
        f"from the Debian gettext catalogs in {SOURCE}."
    ).parse_args()
    main()
