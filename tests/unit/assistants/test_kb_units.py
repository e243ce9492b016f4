from pathlib import Path

import numpy as np
import pytest

from assistants.kb.chunking import chunk_document
from assistants.kb.embedder import HashingEmbedder
from assistants.kb.loaders import LoadError, load_path, load_text_document

DOC = """---
title: Test doc
language: ru
---
# Title

## Роли

Роли: pm, account_manager.

```python
# not a heading
x = 1
```

### Доступ
Клиент видит только свои данные.
"""


def test_front_matter_heading_path_and_original_line_numbers(tmp_path: Path):
    p = tmp_path / "doc.md"
    p.write_text(DOC, encoding="utf-8")
    doc = load_path(p)
    assert doc.title == "Test doc" and doc.language == "ru" and doc.line_offset == 4
    chunks = chunk_document(doc)
    heads = [c.heading for c in chunks]
    assert heads == ["Title > Роли", "Title > Роли > Доступ"]
    lines = DOC.split("\n")
    for c in chunks:
        # line numbers point into the original file, front matter included
        assert lines[c.line_start - 1].startswith("#")
        assert c.text.splitlines()[-1] == lines[c.line_end - 1]
    assert "# not a heading" in chunks[0].text


def test_doc_id_is_a_content_hash():
    a = load_text_document(DOC, "x.md")
    assert a.doc_id == load_text_document(DOC, "x.md").doc_id
    assert a.doc_id != load_text_document(DOC + "\nmore", "x.md").doc_id


def test_xlsx_and_pdf_loaders(tmp_path: Path):
    from fpdf import FPDF
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Кампании"
    ws.append(["Кампания", "Расход"])
    ws.append(["Brand search", 1500.5])
    wb.save(tmp_path / "r.xlsx")
    doc = load_path(tmp_path / "r.xlsx")
    assert "## Кампании" in doc.text and "Кампания: Brand search; Расход: 1500.5" in doc.text

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Quarterly media plan summary")
    pdf.output(str(tmp_path / "p.pdf"))
    d2 = load_path(tmp_path / "p.pdf")
    assert "Quarterly media plan summary" in d2.text and d2.doc_type == "pdf"


def test_unsupported_and_broken_files_fail_loudly(tmp_path: Path):
    (tmp_path / "a.docx").write_bytes(b"x")
    with pytest.raises(LoadError, match="unsupported file type"):
        load_path(tmp_path / "a.docx")
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(LoadError, match="b.xlsx"):
        load_path(tmp_path / "b.xlsx")


def test_embedder_is_deterministic_normalised_and_bilingual():
    e = HashingEmbedder()
    v = e.embed(["Бюджет рекламной кампании", "campaign budget", "PostgreSQL backup schedule"])
    assert v.shape == (3, 1024) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert np.array_equal(
        v,
        HashingEmbedder().embed(
            ["Бюджет рекламной кампании", "campaign budget", "PostgreSQL backup schedule"]
        ),
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1  # RU question meets the EN passage through the glossary concepts
    assert np.allclose(e.embed_one("campaign budget"), v[1], atol=1e-6)


def test_bilingual_terms_translate_through_the_glossary_only():
    from assistants.kb.embedder import bilingual_terms

    ru = bilingual_terms("Когда отправляется еженедельный отчёт клиенту?")
    assert {"weekly", "report", "client"} <= ru and not any("а" <= ch <= "я" for w in ru for ch in w)
    en = bilingual_terms("Who approves the media plan budget?")
    assert {"бюджет", "план", "утверд"} <= en and all(any("а" <= ch <= "я" for ch in w) for w in en)
    assert bilingual_terms("Acme Retail xyzzy") == set()
