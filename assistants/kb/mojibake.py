"""Repair UTF-8 text that was decoded as a single-byte code page (cp1254 or cp1252), including lost bytes.

cp1254 leaves 0x81, 0x8D, 0x8E, 0x8F, 0x90, 0x9D, 0x9E undefined, so a decoder with errors="ignore" drops
them. Those are UTF-8 continuation bytes: "с" (D1 81), "я" (D1 8F), "О" (D0 9E), "┐" (E2 94 90) lose a
byte and become ambiguous. We re-encode, rebuild each broken UTF-8 sequence from every candidate lost
byte, and choose per word with a Russian lexicon + character-trigram model; low-margin choices are
flagged as unrepaired-with-confidence. ftfy handles the lossless cp1252 case but not this one.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "ru_lexicon.tsv.gz"
CODEPAGES = ("cp1254", "cp1252")
_RU = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")
# Characters that are common in documents (light box drawing, arrows, typical heading emoji): a prior for
# non-letter gaps where no language model helps.
_COMMON_SYMBOLS = set("─│┌┐└┘├┤┬┴┼▼▲►◄→←↑↓•✅❌⚠✓✗\ufe0f") | set(
    "🎯📊📈📉📋📌🔐🔒🚀💰🔍👥🏗🔄🐛🎨📝⚡🤖📦🧪💡📅📄🌐🔧🛠"
)
# Relative frequencies of Russian letters (per mille, standard corpus figures) for the unigram prior.
_RU_FREQ = dict(
    zip(
        "оеаинтсрвлкмдпуяызьбгчйхжшюцщэфъё",
        (
            109.7,
            84.5,
            80.1,
            73.5,
            67.0,
            62.6,
            54.7,
            47.3,
            45.4,
            44.0,
            34.9,
            32.1,
            29.8,
            28.1,
            26.2,
            20.1,
            19.0,
            16.5,
            17.4,
            15.9,
            17.0,
            14.4,
            12.1,
            9.7,
            9.4,
            7.3,
            6.4,
            4.8,
            3.6,
            3.2,
            2.6,
            0.4,
            0.4,
        ),
        strict=True,
    )
)


@dataclass
class Flag:
    line: int
    chosen: str
    alternatives: list[str]
    reason: str


@dataclass
class RepairResult:
    text: str
    codepage: str | None
    changed: bool
    sequences_repaired: int = 0  # multi-byte characters rebuilt (intact or with a lost byte)
    lost_bytes: int = 0  # sequences that had lost a byte
    resolved_confident: int = 0
    flagged_bytes: int = 0  # lost bytes inside flagged (low-confidence) words or symbols
    flags: list[Flag] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "codepage": self.codepage,
            "changed": self.changed,
            "sequences_repaired": self.sequences_repaired,
            "lost_bytes": self.lost_bytes,
            "resolved_confident": self.resolved_confident,
            "flagged": len(self.flags),
            "flagged_bytes": self.flagged_bytes,
            "flag_examples": [
                f"line {f.line}: {f.chosen!r} vs {f.alternatives[:3]} ({f.reason})" for f in self.flags[:10]
            ],
        }


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, int], dict[str, float], float]:
    words: dict[str, int] = {}
    with gzip.open(LEXICON_PATH, "rt", encoding="utf-8") as f:
        for line in f:
            word, count = line.rstrip("\n").split("\t")
            words[word] = int(count)
    tri: dict[str, float] = {}  # log-weighted counts: frequent words must not drown the rare ones
    for w, n in words.items():
        s = f"^^{w}$"
        weight = 1 + math.log(n)
        for i in range(len(s) - 2):
            tri[s[i : i + 3]] = tri.get(s[i : i + 3], 0.0) + weight
    bi: dict[str, float] = {}
    for t, x in tri.items():
        bi[t[:2]] = bi.get(t[:2], 0.0) + x
    model = {t: math.log(x / bi[t[:2]]) for t, x in tri.items()}
    return words, model, math.log(1e-4)


def looks_mojibake(text: str) -> str | None:
    """Return the code page if `text` reads as UTF-8 mis-decoded through it (cheap marker test first)."""
    markers = len(re.findall(r"[ÐÑĞ][\u0080-\u00ff\u0152-\u0178\u2013-\u203a\u02c6\u02dc]|â[€”†‚„]|ğŸ", text))
    if markers < 3:
        return None
    for cp in CODEPAGES:
        try:
            text.encode(cp)
        except UnicodeEncodeError:
            continue
        return cp
    return None


def _continuations(cp: str) -> list[int]:
    lost = []
    for b in range(0x80, 0xC0):
        try:
            bytes([b]).decode(cp)
        except UnicodeDecodeError:
            lost.append(b)
    return lost


def _need(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 1
    if 0xE0 <= lead <= 0xEF:
        return 2
    if 0xF0 <= lead <= 0xF4:
        return 3
    return -1


def _decode_line(raw: bytes, lost: list[int]) -> list[str | list[str]]:
    """UTF-8 decode tolerating lost continuation bytes: a gap becomes the list of candidate characters."""
    out: list[str | list[str]] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        need = _need(b)
        if need < 0:  # orphan continuation or invalid lead: keep the byte as the code page showed it
            out.append(bytes([b]).decode("latin-1"))
            i += 1
            continue
        j = i + 1
        while j < n and j - i - 1 < need and 0x80 <= raw[j] <= 0xBF:
            j += 1
        conts = list(raw[i + 1 : j])
        missing = need - len(conts)
        if missing == 0:
            try:
                out.append(raw[i:j].decode("utf-8"))
            except UnicodeDecodeError:
                out.append(raw[i:j].decode("latin-1"))
            i = j
            continue
        cands: list[str] = []
        for positions in itertools.combinations(range(need), missing):
            for fill in itertools.product(lost, repeat=missing):
                seq, it_c, it_f = [b], iter(conts), iter(fill)
                for k in range(need):
                    seq.append(next(it_f) if k in positions else next(it_c))
                try:
                    ch = bytes(seq).decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if ch not in cands and unicodedata.category(ch) not in ("Cn", "Co", "Cs"):
                    cands.append(ch)
        out.append(cands if cands else raw[i:j].decode("latin-1"))
        i = j
    return out


def _word_score(word: str, doc_words: Counter[str]) -> float:
    lex, tri, unk = _lexicon()
    w = word.lower()
    score = 0.0
    if w in lex or w in doc_words:
        score += 12 + math.log(1 + lex.get(w, 0) + doc_words.get(w, 0))
    s = f"^^{w}$"
    score += sum(tri.get(s[i : i + 3], unk) for i in range(len(s) - 2))
    # A capital inside a lower-case word is unlikely (А/Н/О vs с/я compete across cases).
    score -= 4 * sum(1 for k, ch in enumerate(word) if k > 0 and ch.isupper() and word[k - 1].islower())
    return score


def _wordish(t: str | list[str]) -> bool:
    if isinstance(t, list):
        return any(c.isalpha() for c in t)
    return t.isalpha()


def _symbol_score(ch: str, prev: str, nxt: str, doc_chars: Counter[str]) -> float:
    score = math.log(1 + doc_chars.get(ch, 0))
    if ch in _COMMON_SYMBOLS:
        score += 3
    if ch.lower() in _RU_FREQ:
        score += math.log(_RU_FREQ[ch.lower()])
    if "\u2500" <= ch <= "\u257f" and ("\u2500" <= prev <= "\u257f" or "\u2500" <= nxt <= "\u257f"):
        score += 1
    return score


def repair(text: str, margin: float = 2.0) -> RepairResult:
    """Repair mojibake if detected; otherwise return the text unchanged (codepage None)."""
    cp = looks_mojibake(text)
    if cp is None:
        return RepairResult(text=text, codepage=None, changed=False)
    lost = _continuations(cp)
    lines = [_decode_line(line.encode(cp), lost) for line in text.split("\n")]
    res = RepairResult(text="", codepage=cp, changed=True)
    # Intact words/characters of this very document are evidence for its vocabulary.
    doc_words: Counter[str] = Counter()
    doc_chars: Counter[str] = Counter()
    for toks in lines:
        s = "".join(t if isinstance(t, str) else "\x00" for t in toks)
        doc_chars.update(ch for ch in s if ord(ch) > 127)
        doc_words.update(w.lower() for w in re.findall(r"[^\W\d_]+", s))
    out_lines = []
    for ln, toks in enumerate(lines, start=1):
        res.sequences_repaired += sum(
            1 for t in toks if not isinstance(t, str) or (len(t) == 1 and ord(t) > 127)
        )
        k = 0
        buf: list[str] = []
        while k < len(toks):
            t = toks[k]
            if isinstance(t, str):
                buf.append(t)
                k += 1
                continue
            # Expand to the whole word around the gap(s) so the lexicon can judge it jointly.
            if any(c.isalpha() for c in t):
                start = k
                while start > 0 and isinstance(toks[start - 1], str) and toks[start - 1].isalpha():  # type: ignore[union-attr]
                    start -= 1
                end = k
                while end + 1 < len(toks) and _wordish(toks[end + 1]):
                    end += 1
                del buf[len(buf) - (k - start) :]
                span = toks[start : end + 1]
                slots = [s if isinstance(s, list) else [s] for s in span]
                gaps = sum(1 for s in span if isinstance(s, list))
                res.lost_bytes += gaps
                combos = itertools.islice(itertools.product(*slots), 5000)
                scored = sorted(
                    ((_word_score("".join(c), doc_words), "".join(c)) for c in combos), reverse=True
                )
                best = scored[0][1]
                if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
                    res.flags.append(Flag(ln, best, [w for _, w in scored[1:4]], "low margin"))
                    res.flagged_bytes += gaps
                else:
                    res.resolved_confident += gaps
                buf.append(best)
                k = end + 1
                continue
            prev = buf[-1][-1:] if buf else ""
            nt = toks[k + 1] if k + 1 < len(toks) else ""
            nxt = nt if isinstance(nt, str) else ""
            scored_s = sorted(((_symbol_score(c, prev, nxt, doc_chars), c) for c in t), reverse=True)
            res.lost_bytes += 1
            if len(scored_s) > 1 and scored_s[0][0] - scored_s[1][0] < margin:
                res.flags.append(Flag(ln, scored_s[0][1], [c for _, c in scored_s[1:4]], "symbol ambiguous"))
                res.flagged_bytes += 1
            else:
                res.resolved_confident += 1
            buf.append(scored_s[0][1])
            k += 1
        out_lines.append("".join(buf))
    res.text = "\n".join(out_lines)
    return res


def damage(text: str, cp: str = "cp1254") -> str:
    """Simulate the seed's damage (UTF-8 bytes read as `cp`, undefined bytes dropped) — for measurement."""
    return text.encode("utf-8").decode(cp, errors="ignore")
