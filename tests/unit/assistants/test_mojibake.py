from pathlib import Path

import pytest

from assistants.kb.mojibake import damage, looks_mojibake, repair

SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "mvp_technical_specification.md"
HELDOUT = Path(__file__).resolve().parents[2] / "fixtures" / "retrieval" / "ru_heldout_sentences.txt"


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


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seeds not present")
def test_seed_specification_is_repaired_and_doubts_are_flagged():
    r = repair(SEED.read_text(encoding="utf-8"))
    assert r.codepage == "cp1254" and r.lost_bytes == 79
    assert "**Статус:** Ready for Development" in r.text
    assert "Техническая спецификация разработки и инфраструктуры" in r.text
    assert not any(m in r.text for m in ("Ğ", "Ñ", "â€"))
    assert 0 < len(r.flags) <= 8 and r.resolved_confident + r.flagged_bytes == r.lost_bytes
