"""Every table of the paper parses with the right shape, unit and values."""

from __future__ import annotations

import pytest


def table(paper, label):
    return next(t for t in paper.tables if t.label == label)


def cell(t, row_label, *column):
    """The cell at a row label and a column path (any order of path parts)."""
    r = next(i for i, row in enumerate(t.rows) if row.label == row_label)
    c = next(i for i, path in enumerate(t.columns) if list(path) == list(column))
    return next(x for x in t.cells if x.row == r and x.col == c)


def test_all_fourteen_tables_found_in_order(paper):
    assert [t.label for t in paper.tables] == [f"Table {n}" for n in range(1, 15)]


@pytest.mark.parametrize(
    "label, rows, cols, unit",
    [
        ("Table 1", 3, 11, "trillion yuan RMB"),
        ("Table 2", 3, 4, "billion dollars"),
        ("Table 3", 8, 6, "billion dollars"),
        ("Table 4", 3, 7, "ten thousand"),
        ("Table 5", 3, 6, "hundred million"),
        ("Table 6", 6, 4, "person"),
        ("Table 7", 2, 12, None),
        ("Table 8", 2, 8, None),
        ("Table 9", 2, 12, None),
        ("Table 10", 3, 4, None),
        ("Table 11", 2, 4, None),
        ("Table 12", 4, 5, None),
        ("Table 13", 3, 3, None),
        ("Table 14", 7, 4, None),
    ],
)
def test_shape_and_unit(paper, label, rows, cols, unit):
    t = table(paper, label)
    assert t.shape == (rows, cols)
    assert t.unit == unit


def test_caption_spanning_lines_is_joined(paper):
    t = table(paper, "Table 5")
    assert t.caption.startswith(
        "Internet users with fixed broadband, Internet users with high-speed broadband (100M and above)"
    )


def test_years_in_columns(paper):
    t = table(paper, "Table 1")
    assert cell(t, "GDP ratio, %", "2017").value == 32.9
    assert cell(t, "GDP ratio, %", "2017").unit == "%"
    assert cell(t, "Digital economy", "2021").value == 45.5
    assert cell(t, "Digital economy", "2021").unit == "trillion yuan RMB"


def test_space_thousands_separator(paper):
    assert cell(table(paper, "Table 3"), "USA", "2016").value == 108381
    assert cell(table(paper, "Table 3"), "USA", "2016").raw == "108 381"
    assert cell(table(paper, "Table 2"), "Digital economy", "2019").value == 3076


def test_two_level_header_with_merged_cells(paper):
    t = table(paper, "Table 6")
    assert t.stub == ["Year"]
    c = cell(t, "2019", "Fixed broadband subscriptions (per 100 people)", "Russia")
    assert (c.raw, c.value, c.unit) == ("22.52", 22.52, "per 100 people")
    assert cell(t, "2015", "Mobile cellular subscriptions (per 100 people)", "Russia").value == 157
    assert cell(t, "2020", "Fixed broadband subscriptions (per 100 people)", "China").value == 33.6


def test_table7_two_countries_six_years_two_indices(paper):
    t = table(paper, "Table 7")
    assert [r.label for r in t.rows] == ["China", "Russia"]
    years = sorted({path[0] for path in t.columns})
    assert years == ["2012", "2014", "2016", "2018", "2020", "2022"]
    assert sorted({path[1] for path in t.columns}) == ["EGDI", "EPI"]
    assert len(t.cells) == 2 * 6 * 2
    assert cell(t, "China", "2020", "EGDI").value == 45
    assert cell(t, "Russia", "2022", "EPI").value == 57


def test_missing_value_is_missing_not_zero(paper):
    c = cell(table(paper, "Table 8"), "Russia", "2022")
    assert c.raw == "—" and c.value is None
    assert cell(table(paper, "Table 8"), "Russia", "2020").value == 50


def test_repeated_header_labels_are_qualified(paper):
    t = table(paper, "Table 9")
    assert cell(t, "Russia", "Service").value == 93.67
    assert cell(t, "Russia", "Service", "Rank").value == 3
    assert cell(t, "China", "Score", "Rank").value == 2


def test_row_span_carries_the_year(paper):
    t = table(paper, "Table 12")
    assert t.stub == ["Year", "Economy"]
    assert [r.keys for r in t.rows] == [["2018", "China"], ["2018", "Russia"], ["2019", "China"], ["2019", "Russia"]]
    c = cell(t, "2019 · China", "B2C e-commerce sales ($ billion)")
    assert (c.raw, c.value, c.unit) == ("1,539", 1539, "$ billion")
    assert cell(t, "2018 · Russia", "Rank").value == 17


def test_years_in_rows_with_country_groups(paper):
    t = table(paper, "Table 14")
    c = cell(t, "2021", "Russia", "Value added ($ billion)")
    assert (c.value, c.unit) == (256.96, "$ billion")
    assert cell(t, "2015", "China", "GDP ratio, %").unit == "%"
    assert cell(table(paper, "Table 13"), "Online retail sales ($ billions)", "2020").value == 1414.3


def test_source_notes(paper):
    assert table(paper, "Table 3").source_note == "Source: CAICT."
    assert table(paper, "Table 6").source_note is None


def test_table_citation_markers_resolve_to_reference_list(paper):
    known = {r.n for r in paper.references}
    refs = {t.label: t.refs for t in paper.tables}
    assert refs["Table 1"] == [20, 21, 22]
    assert refs["Table 6"] == [5, 6, 12, 13]
    assert refs["Table 7"] == [1, 2]
    assert refs["Table 12"] == [3, 4]
    assert refs["Table 3"] == []
    for t in paper.tables:
        assert set(t.refs) <= known


def test_row_sentence_is_self_contained(paper):
    text = table(paper, "Table 6").rows[4].text
    assert "Table 6" in text and "unit: person" in text and "Year 2019" in text
    assert "Fixed broadband subscriptions (per 100 people) / Russia: 22.52" in text
