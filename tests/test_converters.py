"""Each converter on real files: a second, unrelated report, generated and real PDFs, CSVs, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.converters import ConversionError, convert
from ingest.csv_dataset import convert_csv
from ingest.pdf import convert_pdf
from tests.conftest import CORPUS, SECOND_REPORT

CAICT_PDF = CORPUS / "CAICT_Global_Digital_Economy_White_Paper_2023.pdf"


def make_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_second_report_pipe_table_and_tab_table():
    doc = convert(SECOND_REPORT, "lakeland", "sha")
    assert doc.title == "Water and Energy Outlook for the Lakeland Region"
    water, capacity = doc.tables
    assert (water.label, water.unit, water.shape) == ("Table 1", "million cubic metres", (3, 3))
    assert water.caption.startswith("Fresh water withdrawals by district")
    assert water.source_note == "Source: Lakeland Water Authority annual returns."
    southmoor = water.rows.index(next(r for r in water.rows if r.label == "Southmoor"))
    assert [c.value for c in water.cells if c.row == southmoor] == [210.9, 207.6, 202.5]
    assert (capacity.label, capacity.unit, capacity.refs) == ("Table 2", "MW", [2])
    wind = [c for c in capacity.cells if capacity.rows[c.row].label == "Wind"]
    assert [c.value for c in wind] == [640, 655, None]
    assert [c.value for c in capacity.cells if capacity.rows[c.row].label == "Solar"] == [850, 1120, 1390]
    assert [r.n for r in doc.references] == [1, 2, 3]
    summary = next(p for p in doc.passages if "412 million cubic metres" in p.text)
    assert summary.refs == [1, 2, 3] and summary.section[-1] == "Summary"


def test_generated_pdf_passages_know_their_page(tmp_path):
    path = make_pdf(
        tmp_path / "memo.pdf",
        [
            "Harbour traffic memo. The port handled 1,204 vessels in 2022.",
            "Container volume rose to 88,000 TEU in 2023, up 7 percent.",
            "Outlook. The authority plans a second quay by 2026.",
        ],
    )
    doc = convert(path, "memo", "sha")
    assert doc.pages == 3
    pages = {p.page for p in doc.passages}
    assert pages == {1, 2, 3}
    teu = next(p for p in doc.passages if "88,000 TEU" in p.text)
    assert teu.page == 2


def test_pdf_page_without_text_is_reported(tmp_path):
    path = make_pdf(tmp_path / "gap.pdf", ["First page has words.", "", "Third page has words too."])
    doc = convert(path, "gap", "sha")
    assert {p.page for p in doc.passages} == {1, 3}
    assert any("without extractable text: 2" in w for w in doc.warnings)


def test_caict_white_paper_encrypted_chinese_64_pages():
    doc = convert_pdf(CAICT_PDF, "caict", "sha")
    assert doc.pages == 64
    assert doc.language == "zh"
    text = "".join(p.text for p in doc.passages)
    assert "数字经济" in text
    assert not any("\ud800" <= ch <= "\udfff" for ch in text), "lone surrogates are cleaned"
    headline = next(p for p in doc.passages if "7.5 万亿美元" in p.text)
    assert headline.page == 4
    assert all(1 <= p.page <= 64 for p in doc.passages)


def test_tidy_csv_becomes_facts_with_provenance():
    doc = convert_csv(CORPUS / "sources" / "wdi_it_net_bbnd_p2.csv", "wb", "sha")
    assert doc.kind == "dataset" and not doc.tables
    fact = next(
        f
        for f in doc.facts
        if f.entity == "Russian Federation" and f.year == 2019 and f.source_id == "OWID_WDI_2023-04"
    )
    assert fact.indicator == "Fixed broadband subscriptions (per 100 people)"
    assert fact.value == pytest.approx(22.5249, abs=1e-3)
    assert fact.unit == "per 100 people"
    assert fact.provenance["origin_repo"] == "samarthRathi/DVCW2"
    assert fact.provenance["origin_commit"] == "1df6c1cc3550e944a3e44a4e012cc771752dccc5"


def test_other_csv_becomes_a_table(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text('Product,2022,2023\nWheat,210.5,198.0\nMaize,"1,050",—\n', encoding="utf-8")
    doc = convert_csv(path, "prices", "sha")
    (table,) = doc.tables
    assert [r.label for r in table.rows] == ["Wheat", "Maize"]
    assert [c.value for c in table.cells] == [210.5, 198.0, 1050, None]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("broken.pdf", b"%PDF-1.4\n this is not really a pdf", "not a readable PDF"),
        ("empty.md", b"", "empty"),
        ("blank.md", b"   \n\n  ", "empty"),
        ("slides.pptx", b"PK\x03\x04", "unsupported file type '.pptx'"),
        ("header-only.csv", b"a,b,c\n", "no data rows"),
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConversionError, match=message):
        convert(path, "bad", "sha")
