import subprocess
import sys
from pathlib import Path

from assistants.kb.mojibake import damage, looks_mojibake, repair

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
HELDOUT = FIXTURES / "retrieval" / "ru_heldout_sentences.txt"
CLEAN = FIXTURES / "kb_corpus" / "onboarding_checklist_ru.md"
ROOT = Path(__file__).resolve().parents[3]
DAMAGED = ROOT / "assistants" / "kb" / "corpus" / "agency" / "ru" / "onboarding_checklist_ru_legacy_export.md"
# Bytes cp1254 leaves undefined: a UTF-8 sequence containing one loses that byte on the way through.
UNDEFINED_CP1254 = {0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E}


def test_clean_text_is_left_alone():
    text = "Отчёт по рекламе: расход 1 000 ₽ — «Ромашка». Plain English too."
    r = repair(text)
    assert r.text == text and not r.changed and looks_mojibake(text) is None


def test_lossless_round_trip_of_simulated_damage():
    src = "Техническая спецификация: статус, версия, ключевые решения и задачи для команды."
    assert damage(src) != src
    assert repair(damage(src)).text == src


def test_heldout_sentences_lost_characters_recovered():
    # Sentences from gettext catalogues that were NOT used to build the lexicon.
    src = HELDOUT.read_text(encoding="utf-8")
    fixed = repair(damage(src)).text
    assert len(fixed) == len(src)
    lost = set("сэюяАНО")
    pos = [(a, b) for a, b in zip(src, fixed, strict=True) if a in lost or a != b]
    acc = sum(a == b for a, b in pos) / len(pos)
    assert acc >= 0.95, acc


def test_shipped_damaged_corpus_file_is_generated_from_its_clean_source():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "damage_kb_corpus.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert DAMAGED.read_text(encoding="utf-8") == damage(CLEAN.read_text(encoding="utf-8"), "cp1254")


def test_damaged_corpus_file_is_repaired_and_doubts_are_flagged():
    clean = CLEAN.read_text(encoding="utf-8")
    damaged = DAMAGED.read_text(encoding="utf-8")
    assert looks_mojibake(damaged) and "Ğ" in damaged and "Чек-лист" not in damaged
    r = repair(damaged)
    expected_lost = sum(1 for ch in clean if UNDEFINED_CP1254 & set(ch.encode("utf-8")))
    assert r.codepage == "cp1254" and r.lost_bytes == expected_lost > 50
    assert "# Чек-лист подключения нового клиента" in r.text and "(заголовок Client-Login)" in r.text
    assert not any(m in r.text for m in ("Ğ", "Ñ", "â€"))
    assert len(r.text) == len(clean)
    wrong = sum(a != b for a, b in zip(clean, r.text, strict=True))
    assert wrong <= 0.1 * expected_lost, wrong
    # Every wrong guess sits on a flagged (low-confidence) line: nothing is silently mis-repaired.
    bad_lines = {
        i + 1 for i, (a, b) in enumerate(zip(clean.splitlines(), r.text.splitlines(), strict=True)) if a != b
    }
    assert bad_lines <= {f.line for f in r.flags}
    assert 0 < len(r.flags) <= 8 and r.resolved_confident + r.flagged_bytes == r.lost_bytes
