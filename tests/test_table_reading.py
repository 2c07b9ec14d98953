"""Tables as analysts print them in annual reports (all made up): period headers (`2019 (1)`,
`FY19`, `December 31, 2019`), currency and parenthesised figures, scale lines (`(Tabular
amounts in millions)`), unit rows, and tables that carry no label or caption of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.markdown import convert_markdown
from ingest.periods import period_year
from ingest.tables import build_table

pytestmark = pytest.mark.unit

ACME = """# Acme annual report

(Tabular amounts in millions)

| | 2019 (1) | 2018 | 2017 (2) |
|---|---|---|---|
| Advertising | 12.1 | 14.0 | 9.9 |
| Sales commissions | 27.0 | 33.7 | 11.8 |
| Total selling expenses | $81.1 | $94.7 | $60.1 |
"""


def convert(tmp_path: Path, text: str, name: str = "report.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return convert_markdown(path, "doc", "sha")


def built(grid, caption="", label="Table 1", **kwargs):
    table = build_table("doc", label, caption, grid, **kwargs)
    assert table is not None
    return table


def cell(table, row_label, column):
    """The cell at a row label and the last part of a column path."""
    r = next(i for i, row in enumerate(table.rows) if row.label == row_label)
    c = next(i for i, path in enumerate(table.columns) if path[-1] == column)
    return next(x for x in table.cells if (x.row, x.col) == (r, c))


# -- the Acme report, through the markdown converter ---------------------------------------


def test_acme_table_is_named_scaled_and_read(tmp_path):
    doc = convert(tmp_path, ACME)
    (table,) = doc.tables
    assert table.label == "Table 1"
    assert "Unlabelled" not in table.label
    assert table.caption == "Acme annual report"  # the nearest heading
    assert table.unit == "million"  # from the scale line before the table
    assert table.columns == [["2019 (1)"], ["2018"], ["2017 (2)"]]
    assert [period_year(path[-1]) for path in table.columns] == [2019, 2018, 2017]

    total = cell(table, "Total selling expenses", "2018")
    assert (total.raw, total.value, total.unit) == ("$94.7", 94.7, "$ million")
    advertising = cell(table, "Advertising", "2019 (1)")
    assert (advertising.value, advertising.unit) == (12.1, "million")


def test_acme_row_sentence_reads_naturally(tmp_path):
    (table,) = convert(tmp_path, ACME).tables
    assert table.rows[2].text == (
        "Table 1: Acme annual report (in millions). Total selling expenses — 2019 (1): $81.1; 2018: $94.7; 2017 (2): $60.1."
    )


def test_acme_grid_through_build_table_with_a_note():
    grid = [
        ["", "2019 (1)", "2018", "2017 (2)"],
        ["Advertising", "12.1", "14.0", "9.9"],
        ["Total selling expenses", "$81.1", "$94.7", "$60.1"],
    ]
    table = built(grid, notes=["(Tabular amounts in millions)"])
    assert table.unit == "million"
    assert cell(table, "Total selling expenses", "2018").value == 94.7
    assert cell(table, "Total selling expenses", "2018").unit == "$ million"
    assert built(grid).unit is None  # no scale stated anywhere: no unit for the table
    assert cell(built(grid), "Total selling expenses", "2018").unit == "$"  # the currency the cell shows


# -- period headers ---------------------------------------------------------------------------


def test_fiscal_year_header():
    table = built(
        [["($ in millions)", "FY19", "FY18"], ["Net sales", "1,204.5", "1,150.0"], ["Gross margin", "41.2%", "40.8%"]]
    )
    assert table.columns == [["FY19"], ["FY18"]]
    assert table.stub == [""]  # a scale in the stub's header cell is the table's scale, not a label
    assert table.unit == "$ million"
    assert [period_year(p[-1]) for p in table.columns] == [2019, 2018]
    assert cell(table, "Net sales", "FY19").unit == "$ million"
    assert (cell(table, "Gross margin", "FY18").value, cell(table, "Gross margin", "FY18").unit) == (40.8, "%")


def test_date_headers_under_a_group_label_and_a_merged_scale_row():
    table = built(
        [
            ["", "As of", ""],
            ["", "December 31, 2019", "December 31, 2018"],
            ["", "(in thousands)", ""],
            ["Cash", "$ 5,210", "$ 4,875"],
            ["Receivables", "1,002", "988"],
        ]
    )
    assert table.columns == [["As of", "December 31, 2019"], ["As of", "December 31, 2018"]]
    assert [period_year(p[-1]) for p in table.columns] == [2019, 2018]
    assert table.unit == "thousand"
    assert cell(table, "Cash", "December 31, 2019").unit == "$ thousand"
    assert cell(table, "Receivables", "December 31, 2018").unit == "thousand"


def test_a_group_label_centred_over_the_columns_spans_them_all():
    table = built(
        [["", "", "Year Ended June 30,", ""], ["(In millions)", "2019", "2018", "2017"], ["Revenue", "9", "8", "7"]]
    )
    assert table.columns == [["Year Ended June 30,", y] for y in ("2019", "2018", "2017")]
    assert table.unit == "million"


def test_a_period_row_under_a_title_row_with_a_word_in_the_stub():
    table = built(
        [
            ["Quarterly figures", "", "", ""],
            ["Segment", "Q1 2019", "Q2 2019", "Change"],
            ["North", "10", "12", "20%"],
            ["South", "(3)", "4", "n/m"],
        ]
    )
    assert table.stub == ["Quarterly figures / Segment"]
    assert [p[-1] for p in table.columns] == ["Q1 2019", "Q2 2019", "Change"]
    assert cell(table, "South", "Q1 2019").value == -3
    assert cell(table, "South", "Change").value is None


def test_a_column_of_years_in_the_body_is_not_a_header():
    table = built([["Company", "Founded", "Listed"], ["Alpha", "1999", "2004"], ["Beta", "2001", "2010"]])
    assert table.columns == [["Founded"], ["Listed"]]
    assert [r.label for r in table.rows] == ["Alpha", "Beta"]
    assert cell(table, "Beta", "Founded").value == 2001


def test_a_year_column_under_a_year_header_is_a_row_label():
    table = built([["Region", "Year", "Lakes"], ["North", "2018", "5"], ["", "2019", "6"]])
    assert table.stub == ["Region", "Year"]
    assert [r.label for r in table.rows] == ["North · 2018", "North · 2019"]


# -- figures as printed -----------------------------------------------------------------------


def test_parenthesised_negatives_currency_and_missing_dashes():
    table = built(
        [
            ["", "2019", "2018"],
            ["Operating income (loss)", "$(9.8)", "$ 12.4"],
            ["Other expense", "(134)", "—"],
            ["Tax effect", "$ (1,234)", "-"],
            ["Change in margin", "(9.8)%", "n/a"],
        ],
        notes=["(in millions)"],
    )
    assert [c.value for c in table.cells] == [-9.8, 12.4, -134.0, None, -1234.0, None, -9.8, None]
    assert cell(table, "Operating income (loss)", "2019").unit == "$ million"
    assert cell(table, "Other expense", "2019").unit == "million"
    assert cell(table, "Change in margin", "2019").unit == "%"
    assert "2018: missing" in table.rows[1].text


def test_percent_columns_from_the_header_and_a_unit_row():
    table = built(
        [
            ["Product line", "2019", "2018", "% Change"],
            ["", "$", "$", ""],
            ["Widgets", "1,200", "1,000", "20.0"],
        ]
    )
    assert table.columns == [["2019"], ["2018"], ["% Change"]]
    assert cell(table, "Widgets", "2019").unit == "$"
    assert cell(table, "Widgets", "% Change").unit == "%"

    shares = built([["Segment", "2019", "2018"], ["", "%", "%"], ["East", "48.6", "45.2"], ["West", "51.4", "54.8"]])
    assert shares.columns == [["2019"], ["2018"]]  # the unit row is no part of the column paths
    assert {c.unit for c in shares.cells} == {"%"}
    assert shares.rows[0].text.endswith("East — 2019: 48.6%; 2018: 45.2%.")  # the sentence still says %


def test_a_unit_row_of_currency_and_scale_over_every_column():
    table = built([["", "2019", "2018"], ["", "£m", "£m"], ["Revenue", "64.0", "68.3"]])
    assert table.columns == [["2019"], ["2018"]]
    assert table.unit == "£ million"
    assert cell(table, "Revenue", "2018").unit == "£ million"


def test_except_per_share_leaves_per_share_rows_unscaled():
    table = built(
        [
            ["(in thousands, except per share data)", "2019", "2018"],
            ["Net income", "$ 5,000", "$ 4,000"],
            ["Earnings per share", "$ 1.25", "$ 1.00"],
        ]
    )
    assert table.unit == "thousand"
    assert cell(table, "Net income", "2019").unit == "$ thousand"
    assert cell(table, "Earnings per share", "2019").unit == "$"


def test_a_caption_unit_is_kept_over_a_stated_scale():
    table = built(
        [["Item", "2019", "2018"], ["Boats", "$5", "$6"]], caption="Fleet (unit: vessels)", notes=["(in thousands)"]
    )
    assert table.unit == "vessels"
    assert {c.unit for c in table.cells} == {"vessels"}


# -- names for tables without a label or caption -----------------------------------------------


def test_an_unlabelled_table_is_named_by_the_sentence_that_introduces_it(tmp_path):
    doc = convert(
        tmp_path,
        "# Results\n\nRevenue grew strongly. The following table shows revenue by region (in millions):\n\n"
        "| Region | FY 2020 | FY 2019 |\n|---|---|---|\n| East | 10.5 | 9.0 |\n| West | 3.0 | 2.5 |\n",
    )
    (table,) = doc.tables
    assert table.label == "Table 1"
    assert table.caption == "The following table shows revenue by region (in millions)"
    assert table.unit == "million"
    assert [period_year(p[-1]) for p in table.columns] == [2020, 2019]


def test_a_generic_heading_is_no_caption_a_sentence_after_the_table_is(tmp_path):
    text = (
        "# Report excerpt\n\n## Table\n\n| | 2019 | 2018 |\n|---|---|---|\n| Rent | 5 | 4 |\n\n## Text\n\n"
        "Costs rose in the year.\n\nThe table above presents rent paid (in thousands).\n"
    )
    (table,) = convert(tmp_path, text).tables
    assert table.label == "Table 1"
    assert table.caption == "The table above presents rent paid (in thousands)."
    assert table.unit == "thousand"


def test_a_generic_heading_and_no_text_leave_the_caption_empty(tmp_path):
    (table,) = convert(tmp_path, "## Table\n\n| | 2019 | 2018 |\n|---|---|---|\n| Rent | 5 | 4 |\n").tables
    assert (table.label, table.caption, table.unit) == ("Table 1", "", None)
    assert table.rows[0].text == "Table 1. Rent — 2019: 5; 2018: 4."


def test_long_introductions_are_trimmed(tmp_path):
    sentence = "The following table sets out " + "the many items of the year " * 10 + "as follows:"
    (table,) = convert(tmp_path, f"{sentence}\n\n| | 2019 |\n|---|---|\n| Rent | 5 |\n").tables
    assert len(table.caption) <= 120 and table.caption.endswith("…")
    assert table.rows[0].text.startswith(f"Table 1: {table.caption} Rent —")


def test_unlabelled_tables_are_numbered_in_document_order_beside_labelled_ones(tmp_path):
    text = (
        "# Report\n\n## Costs\n\n| | 2019 |\n|---|---|\n| Rent | 5 |\n\n"
        "Table 2: Staff\n\n| | 2019 |\n|---|---|\n| Staff | 7 |\n\n"
        "## Assets\n\n| | 2019 |\n|---|---|\n| Land | 9 |\n"
    )
    tables = convert(tmp_path, text).tables
    assert [(t.label, t.caption) for t in tables] == [("Table 1", "Costs"), ("Table 2", "Staff"), ("Table 3", "Assets")]


def test_a_number_the_document_uses_itself_is_not_reused(tmp_path):
    text = "## Costs\n\n| | 2019 |\n|---|---|\n| Rent | 5 |\n\nTable 1: Staff\n\n| | 2019 |\n|---|---|\n| Staff | 7 |\n"
    tables = convert(tmp_path, text).tables
    assert [t.label for t in tables] == ["Unlabelled table 1", "Table 1"]


def test_the_text_that_leads_to_the_next_table_is_not_the_previous_ones(tmp_path):
    text = (
        "## Table\n\n| | 2019 |\n|---|---|\n| Rent | 5 |\n\n"
        "The following table shows staff costs (in thousands):\n\n| | 2019 |\n|---|---|\n| Staff | 7 |\n"
    )
    first, second = convert(tmp_path, text).tables
    assert (first.caption, first.unit) == ("", None)
    assert (second.caption, second.unit) == ("The following table shows staff costs (in thousands)", "thousand")


def test_a_percent_the_cell_prints_is_not_repeated():
    table = built([["Segment", "2019", "2018"], ["", "%", "%"], ["East", "48.6%", "45.2"]])
    assert table.rows[0].text.endswith("East — 2019: 48.6%; 2018: 45.2%.")
