"""build_table (ingest/tables.py), the number helpers (ingest/numbers.py) and the period
reader (ingest/periods.py) on made-up grids and labels: header depth, stub width, row spans,
repeated labels, units from labels and caption; report figures, scales and period labels."""

from __future__ import annotations

import pytest

from ingest.numbers import (
    Scale,
    currency_of,
    format_number,
    is_missing,
    is_unit_label,
    is_year,
    parse_number,
    printed_decimals,
    read_scale,
    without_note_mark,
)
from ingest.periods import dated_state, is_period, period_year, printed_period
from ingest.tables import build_table, caption_unit, clean_cell, column_groups, label_unit

pytestmark = pytest.mark.unit


def table(grid, caption="Lakes of Ruritania", **kwargs):
    built = build_table("unit-doc", "Table 1", caption, grid, **kwargs)
    assert built is not None
    return built


def cell(t, row, col):
    (found,) = [c for c in t.cells if (c.row, c.col) == (row, col)]
    return found


# -- parse_number, format_number, is_year ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("108 381", 108381.0),  # thin-space thousands
        ("1\u00a0000", 1000.0),  # no-break space thousands
        ("1,361", 1361.0),
        ("16.50", 16.5),
        ("3.20E+12", 3.2e12),
        ("−2.5", -2.5),  # a typographic minus
        ("\\-4", -4.0),  # a markdown-escaped minus
        ("+3", 3.0),
        ("12 %", 12.0),
        ("  7  ", 7.0),
    ],
)
def test_parse_number_reads_printed_figures(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["", "—", "–", "n/a", "..", "abc", "1,36", "1.2.3", "12 lakes"])
def test_parse_number_rejects_missing_marks_and_non_numbers(raw):
    assert parse_number(raw) is None


def test_is_missing_only_for_missing_marks():
    assert is_missing(" — ") and is_missing("N/A") and is_missing("")
    assert not is_missing("0")


@pytest.mark.parametrize(
    "label, said",
    [
        ("Trade accounts receivable, net, current (1)", "Trade accounts receivable, net, current"),
        ("Revenue*", "Revenue"),
        ("Goodwill [2]", "Goodwill"),
        ("Other (b)", "Other"),
        ("Europe²", "Europe"),
        ("Level 1", "Level 1"),  # a name, not a note
        ("Class (A)", "Class (A)"),
        ("Total (in millions)", "Total (in millions)"),
        ("(1)", "(1)"),
        ("2019 (1)", "2019 (1)"),  # a period's mark is the period reader's
        ("Other payables2", "Other payables"),  # a note's number against the last letter
        (
            "Payment of lease liabilities, principal and interest1",
            "Payment of lease liabilities, principal and interest",
        ),
        ("Tier 2", "Tier 2"),
        ("COVID-19", "COVID-19"),
        ("FY19", "FY19"),
        ("Windows 10", "Windows 10"),
    ],
)
def test_without_note_mark(label, said):
    assert without_note_mark(label) == said


@pytest.mark.parametrize(
    ("value", "printed"),
    [(22.52, "22.52"), (108381.0, "108381"), (-3.0, "-3"), (0.1 + 0.2, "0.3"), (2 / 3, "0.666667")],
)
def test_format_number_prints_without_float_noise(value, printed):
    assert format_number(value) == printed


def test_format_number_groups_thousands_for_large_fractions():
    assert format_number(1234567.891) == "1,234,567.89"


@pytest.mark.parametrize(("raw", "expected"), [("2020", True), (" 2021 ", True), ("1800", True), ("2200", True)])
def test_is_year(raw, expected):
    assert is_year(raw) is expected


@pytest.mark.parametrize("raw", ["1799", "2201", "202", "20.0", "abcd"])
def test_is_not_year(raw):
    assert not is_year(raw)


# -- units from labels and captions ---------------------------------------------------------


def test_label_and_caption_units():
    assert label_unit("Water use, %") == "%"
    assert label_unit("Boats (per 100 people)") == "per 100 people"
    assert label_unit("Exports (billion USD)") == "billion USD"
    assert label_unit("Ruritania (mainland)") is None  # a parenthesis that names no unit
    assert caption_unit("Lakes (Unit: square km)") == "square km"
    assert caption_unit("Lakes (units：%)") == "%"  # a full-width colon
    assert caption_unit("Lakes of Ruritania") is None


def test_clean_cell_drops_markdown_escapes_and_emphasis():
    assert clean_cell(" **12.5**  \\% \\| x ") == "12.5 % | x"


# -- build_table ------------------------------------------------------------------------------


def test_one_header_row_one_stub_column_and_the_caption_unit():
    t = table(
        [["Year", "Ruritania", "Freedonia"], ["2018", "1,361", "16.50"], ["2019", "1 500", "—"]],
        caption="Lake area (unit: square km)",
    )
    assert t.stub == ["Year"]
    assert t.columns == [["Ruritania"], ["Freedonia"]]
    assert t.shape == (2, 2)
    assert t.unit == "square km"
    assert [r.keys for r in t.rows] == [["2018"], ["2019"]]
    assert [(c.raw, c.value, c.unit) for c in t.cells] == [
        ("1,361", 1361.0, "square km"),
        ("16.50", 16.5, "square km"),
        ("1 500", 1500.0, "square km"),
        ("—", None, "square km"),
    ]


def test_row_sentence_says_caption_unit_row_and_columns_and_missing():
    t = table([["Year", "Ruritania", "Freedonia"], ["2019", "1 500", "—"]], caption="Lake area (unit: square km)")
    assert t.rows[0].text == "Table 1: Lake area (unit: square km). Year 2019 — Ruritania: 1 500; Freedonia: missing."


def test_a_merged_group_header_makes_two_header_levels_and_column_groups():
    t = table(
        [
            ["Region", "Boats (per 100 people)", "", "Docks (per 100 people)", ""],
            ["", "2018", "2019", "2018", "2019"],
            ["North", "115", "120", "28.5", "31"],
            ["South", "157", "164", "22", "23"],
        ]
    )
    assert t.shape == (2, 4)
    assert t.columns[1] == ["Boats (per 100 people)", "2019"]
    assert t.columns[2] == ["Docks (per 100 people)", "2018"]
    assert {c.unit for c in t.cells} == {"per 100 people"}
    assert column_groups(t) == [("Boats (per 100 people)", [0, 1]), ("Docks (per 100 people)", [2, 3])]


def test_three_header_levels():
    t = table(
        [
            ["Region", "Water", "", ""],
            ["", "Lakes", "", "Rivers"],
            ["", "2018", "2019", "2018"],
            ["North", "1", "2", "3"],
        ]
    )
    assert t.columns == [["Water", "Lakes", "2018"], ["Water", "Lakes", "2019"], ["Water", "Rivers", "2018"]]
    assert t.shape == (1, 3)


def test_a_second_row_of_figures_is_body_not_header():
    t = table([["Region", "Lakes", ""], ["", "5", "6"], ["North", "1", "2"]])
    assert t.shape == (2, 2)
    assert t.columns == [["Lakes"], ["Column 3"]]  # an unnamed column gets a placeholder name


def test_one_header_level_is_one_column_group():
    t = table([["Year", "Lakes", "Rivers"], ["2020", "1", "2"]])
    assert column_groups(t) == [(None, [0, 1])]


def test_text_columns_widen_the_stub_and_empty_labels_continue_the_row_above():
    t = table(
        [
            ["Year", "Region", "Lakes", "Rivers"],
            ["2018", "North", "80", "3"],
            ["", "South", "75", "10"],
            ["2019", "North", "82", "2"],
        ]
    )
    assert t.stub == ["Year", "Region"]
    assert [r.keys for r in t.rows] == [["2018", "North"], ["2018", "South"], ["2019", "North"]]
    assert [r.label for r in t.rows] == ["2018 · North", "2018 · South", "2019 · North"]
    assert t.rows[1].text.endswith("Year 2018, Region South — Lakes: 75; Rivers: 10.")


def test_a_row_without_figures_heads_the_rows_below_it_until_a_total_closes_the_group():
    t = table(
        [
            ["", "2019", "2018"],
            ["Current assets:", "", ""],
            ["Cash", "12", "10"],
            ["Receivables", "30", "28"],
            ["Total current assets", "42", "38"],
            ["Goodwill", "7", "7"],
        ]
    )
    assert [r.keys for r in t.rows] == [
        ["Current assets:"],
        ["Current assets:", "Cash"],
        ["Current assets:", "Receivables"],
        ["Current assets:", "Total current assets"],
        ["Goodwill"],  # after the total: no longer in the group
    ]
    assert t.rows[1].text.endswith("Current assets:, Cash — 2019: 12; 2018: 10.")


def test_an_unlabelled_row_of_figures_is_its_groups_subtotal_and_the_table_end_closes_a_group():
    t = table(
        [
            ["", "2019", "2018"],
            ["Executive management", "", ""],
            ["Short-term pay", "3,835", "2,991"],
            ["Share-based payments", "17,144", "9,335"],
            ["", "20,979", "12,326"],
            ["Board of directors", "", ""],
            ["Cash remuneration", "430", "362"],
            ["Share-based payments", "1,772", "1,577"],
        ]
    )
    keys = [r.keys for r in t.rows]
    assert keys[3] == ["Executive management"]  # the subtotal takes its group's name
    assert keys[5:] == [["Board of directors", "Cash remuneration"], ["Board of directors", "Share-based payments"]]


def test_a_head_whose_rows_run_into_the_next_head_unclosed_groups_nothing():
    # print shows by indenting how far `Adjustments to gross profit:` reaches; the text cannot
    t = table(
        [
            ["", "2019"],
            ["Adjustments to gross profit:", ""],
            ["Stock-based compensation", "525"],
            ["Non-GAAP gross profit", "328,358"],
            ["Operating expenses, as reported", "261,264"],
            ["Adjustments:", ""],
            ["Amortization", "(12,168)"],
        ]
    )
    keys = [r.keys for r in t.rows]
    assert keys[1:4] == [["Stock-based compensation"], ["Non-GAAP gross profit"], ["Operating expenses, as reported"]]
    assert keys[5] == ["Adjustments:", "Amortization"]  # the last group ends with the table


def test_a_period_printed_as_a_heading_row_is_the_period_of_the_rows_under_it():
    # a quarterly price table and a fair-value table print their periods as heading rows
    t = table(
        [
            ["", "High", "Low"],
            ["Fiscal Year Ended April 30, 2021", "", ""],
            ["First Quarter", "$12.50", "$10.10"],
            ["Second Quarter", "14.20", "11.00"],
            ["Fiscal Year Ended April 30, 2020", "", ""],
            ["First Quarter", "$9.80", "$7.25"],
        ]
    )
    keys = [r.keys for r in t.rows]
    assert keys[0] == ["Fiscal Year Ended April 30, 2021"]  # the heading keeps its own
    assert keys[1] == ["Fiscal Year Ended April 30, 2021", "First Quarter"]
    assert keys[4] == ["Fiscal Year Ended April 30, 2020", "First Quarter"]
    # a group under a period heading is closed by the next period heading, as by the table's end
    t = table(
        [
            ["", "Level 1", "Total"],
            ["As at 31 March 2022", "", ""],
            ["Financial assets:", "", ""],
            ["Bonds", "410", "520"],
            ["As at 31 March 2021", "", ""],
            ["Financial assets:", "", ""],
            ["Bonds", "380", "455"],
        ]
    )
    keys = [r.keys for r in t.rows]
    assert keys[2] == ["As at 31 March 2022", "Financial assets:", "Bonds"]
    assert keys[4] == ["Financial assets:"]  # a heading row keeps its own label
    assert keys[5] == ["As at 31 March 2021", "Financial assets:", "Bonds"]


def test_a_column_with_a_missing_mark_is_a_value_column_not_a_label():
    t = table([["Name", "Kind", "Depth"], ["Alpha", "deep", "1"], ["Beta", "—", "2"]])
    assert t.stub == ["Name"]
    assert t.columns == [["Kind"], ["Depth"]]


def test_a_repeated_label_is_qualified_by_the_label_before_it():
    t = table([["Region", "Score", "Rank", "Quality", "Rank"], ["North", "80", "3", "70", "5"]])
    assert t.columns == [["Score"], ["Score", "Rank"], ["Quality"], ["Quality", "Rank"]]


def test_column_unit_beats_row_unit_beats_caption_unit():
    t = table(
        [["Item", "Share, %", "Total"], ["Exports (billion USD)", "12", "300"], ["Imports", "5", "200"]],
        caption="Trade (unit: million crowns)",
    )
    assert cell(t, 0, 0).unit == "%"  # the column's unit
    assert cell(t, 0, 1).unit == "billion USD"  # the row's unit
    assert cell(t, 1, 1).unit == "million crowns"  # the caption's unit
    assert t.unit == "million crowns"


def test_empty_columns_and_rows_are_dropped():
    t = table([["Region", "", "Lakes"], ["", "", ""], ["North", "", "5"], ["South", "", "6"]])
    assert t.columns == [["Lakes"]]
    assert [r.keys for r in t.rows] == [["North"], ["South"]]


def test_short_rows_are_padded():
    t = table([["Region", "Lakes", "Rivers"], ["North", "5"]])
    assert [(c.raw, c.value) for c in t.cells] == [("5", 5.0), ("", None)]


def test_caption_is_cleaned_refs_merged_and_placement_kept():
    t = table(
        [["Year", "Lakes"], ["2020", "5"]],
        caption="Lakes *of*   Ruritania [3]",
        extra_refs=[4, 0, 3, 4],
        page=3,
        section=["Water"],
    )
    assert t.caption == "Lakes of Ruritania [3]"
    assert t.refs == [3, 4]  # the caption's markers first, then the others, once each, no zero
    assert t.rows[0].text.startswith("Table 1: Lakes of Ruritania. ")  # markers left out of the row text
    assert (t.page, t.section, t.label) == (3, ["Water"], "Table 1")


def test_the_id_is_a_content_hash():
    grid = [["Year", "Lakes"], ["2020", "5"]]
    assert table(grid).id == table(grid).id
    assert table(grid).id != table([["Year", "Lakes"], ["2020", "6"]]).id


@pytest.mark.parametrize("grid", [[["Region", "Lakes"]], [["Region", "Lakes"], ["", ""]], []])
def test_a_grid_without_body_rows_is_no_table(grid):
    assert build_table("unit-doc", "Table 1", "Lakes", grid) is None


# -- figures as annual reports print them ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("$94.7", 94.7),
        ("$ 1,234", 1234.0),
        ("€12", 12.0),
        ("12 €", 12.0),
        ("£3.5", 3.5),
        ("¥500", 500.0),
        ("₽7", 7.0),
        ("US$ 1,234", 1234.0),
        ("USD 1,234", 1234.0),
        ("1,234 USD", 1234.0),
        ("(134)", -134.0),
        ("$(9.8)", -9.8),
        ("($9.8)", -9.8),
        ("(9.8)%", -9.8),
        ("(8.9%)", -8.9),
        ("$ (1,234)", -1234.0),
        ("-$9.8", -9.8),
        ("$-9.8", -9.8),
        ("−5%", -5.0),
        ("+3.6%", 3.6),
        ("27 %", 27.0),
        ("390,000(1)", 390000.0),  # a footnote mark after the figure
        ("1.30 (a)", 1.3),
        ("(1)", -1.0),  # alone, a parenthesised figure is negative
        ("(0)", 0.0),
    ],
)
def test_parse_number_reads_report_figures(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize(
    "raw", ["—", "–", "-", "---", "n/a", "nm", "n.m.", "*", "$ —", "$         -", "$", "%", "USD", "(a)"]
)
def test_parse_number_leaves_report_missing_marks_and_bare_units_missing(raw):
    assert parse_number(raw) is None


def test_is_missing_sees_a_dash_beside_a_currency_but_not_a_bare_unit():
    assert is_missing("$ —") and is_missing("nm") and is_missing("--")
    assert not is_missing("$") and not is_missing("%") and not is_missing("(1)")


# -- currency and scale -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "scale", "excepted"),
    [
        ("in millions", None, "million", ()),
        ("(in thousands, except per share data)", None, "thousand", ("per share",)),
        ("Tabular amounts in millions", None, "million", ()),
        ("$ in millions", "$", "million", ()),
        ("(columnar dollars in millions except per share amounts)", "$", "million", ("per share",)),
        ("(€'000)", "€", "thousand", ()),
        ("$'000", "$", "thousand", ()),
        ("in thousands of U.S. dollars", "$", "thousand", ()),
        ("(Amounts in billions)", None, "billion", ()),
        ("£m", "£", "million", ()),
        ("S$ Mil", "S$", "million", ()),
        ("RMB’Million", "RMB", "million", ()),
        ("(millions)", None, "million", ()),
        ("2019 $'000", "$", "thousand", ()),
        ("$bn", "$", "billion", ()),
        ("£tn", "£", "trillion", ()),
    ],
)
def test_read_scale(text, currency, scale, excepted):
    assert read_scale(text) == Scale(currency, scale, excepted)


@pytest.mark.parametrize("text", ["Revenue", "% of total", "Growth 5m", "Europe", "$5 million"])
def test_read_scale_finds_none(text):
    assert read_scale(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%", True),
        ("$", True),
        ("$ million", True),
        ("(in thousands, except per share data)", True),
        ("(In millions, unaudited)", True),
        ("(Dollars in Millions)", True),
        ("All figures in thousands of USD except share data", True),
        ("Revenue (in millions)", False),  # names something too
        ("% of total", False),
        ("Annual Salary ($)", False),
        ("Amount", False),
    ],
)
def test_is_unit_label(text, expected):
    assert is_unit_label(text) is expected


def test_scale_unit_and_currency_of():
    assert Scale("$", "million").unit == "$ million"
    assert Scale(None, "thousand").unit == "thousand"
    assert Scale(None, None).unit is None
    assert currency_of("$94.7") == "$" and currency_of("Annual Salary ($)") == "$"
    assert currency_of("in thousands of euros") == "€" and currency_of("Europe") is None


# -- period labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "year"),
    [
        ("2019", 2019),
        ("2019 (1)", 2019),
        ("2019(a)", 2019),
        ("2019*", 2019),
        ("2018 1", 2018),  # a footnote digit
        ("(Restated) 2018", 2018),
        ("2019 (unaudited)", 2019),
        ("FY19", 2019),
        ("FY 2019", 2019),
        ("FY'19", 2019),
        ("FY181", 2018),  # a footnote digit glued to FY18
        ("Fiscal 2019", 2019),
        ("fiscal year 2019", 2019),
        ("December 31, 2019", 2019),
        ("December 31,2019", 2019),
        ("Dec. 31, 2019", 2019),
        ("31 December 2019", 2019),
        ("June 2019", 2019),
        ("Year ended June 30, 2019", 2019),
        ("Years Ended December 31, 2019", 2019),
        ("For the year ended 31 March 2019", 2019),
        ("Six months ended June 30, 2019", 2019),
        ("As of March 31, 2019", 2019),
        ("As at 31 March 2019", 2019),
        ("At December 31, 2019", 2019),
        ("2019 $", 2019),
        ("2019 %", 2019),
        ("2019 $'000", 2019),
        ("2019 £m", 2019),
        ("Q4 2019", 2019),
        ("Q1 FY20", 2020),
        ("4Q19", 2019),
        ("H1 2019", 2019),
        ("2019-12-31", 2019),
        ("2018/19", 2019),  # a fiscal span: the year it ends in
        ("FY2018/19", 2019),
    ],
)
def test_period_year(label, year):
    assert period_year(label) == year
    assert is_period(label)


@pytest.mark.parametrize(
    "label",
    [
        "2019–2020",  # a range is no single year
        "2021 - 2022",
        "2018-19",
        "2018/2020",  # not consecutive: no fiscal span
        "2019 vs 2018",
        "Revenue 2019 growth",
        "2016 Facility",
        "Balance at December 31, 2019",
        "Year Ended December 31,",
        "20181",
        "1700",
        "FY",
        "Change",
        "$ million",
        "",
    ],
)
def test_not_a_period(label):
    assert period_year(label) is None
    assert not is_period(label)


@pytest.mark.parametrize(
    ("label", "state"),
    [
        ("Final as of December 31, 2019", ("Final", "December 31, 2019", 2019)),
        (
            "Estimated at Acquisition and as of December 31, 2018",
            ("Estimated at Acquisition", "December 31, 2018", 2018),
        ),
        ("Balance at 31 March 2019", ("Balance", "31 March 2019", 2019)),
        ("Fair value, as at June 30, 2018", ("Fair value", "June 30, 2018", 2018)),
        # a period alone, or no date after the `at`: no state as of a date
        ("As of December 31, 2019", None),
        ("Value at risk", None),
        ("Recognised at acquisition", None),
        ("2019", None),
    ],
)
def test_dated_state(label, state):
    assert dated_state(label) == state


@pytest.mark.parametrize(
    ("label", "printed"),
    [
        ("(Restated) 2018", "2018"),
        ("FY181", "FY18"),
        ("2019 (1)", "2019"),
        ("2019 $'000", "2019"),
        ("FY19", "FY19"),
        ("Dec. 31, 2019", "Dec. 31, 2019"),
        ("Revenue", "Revenue"),
    ],
)
def test_printed_period(label, printed):
    assert printed_period(label) == printed


# -- units from wherever a report states them (issue 11) -------------------------------------


def test_a_caption_that_names_a_measure_gives_every_cell_its_unit():
    t = table(
        [["District", "2022", "2023"], ["Northgate", "120.4", "118.0"], ["Eastvale", "98.2", "101.5"]],
        caption="Water supplied (million cubic metres)",
    )
    assert t.unit == "million cubic metres"
    assert {c.unit for c in t.cells} == {"million cubic metres"}


def test_a_column_header_in_parentheses_gives_its_cells_the_unit():
    t = table(
        [["Year", "Leaks repaired", "Average repair time (hours)"], ["2022", "388", "12.3"], ["2023", "351", "10.6"]]
    )
    assert [cell(t, 1, c).unit for c in (0, 1)] == [None, "hours"]
    assert label_unit("Average repair time (hours)") == "hours" and label_unit("Leaks repaired") is None


def test_a_header_after_a_comma_gives_its_cells_the_unit():
    t = table([["Year", "Repair time, hours", "Revenue, $ millions"], ["2022", "12.3", "40"], ["2023", "10.6", "42"]])
    assert [cell(t, 0, c).unit for c in (0, 1)] == ["hours", "$ million"]
    t = table([["Item", "2022", "2023"], ["Energy used, GWh", "310", "298"], ["Water lost, million litres", "9", "8"]])
    assert [cell(t, r, 0).unit for r in (0, 1)] == ["GWh", "million litres"]
    assert label_unit("Beijing, China") is None


def test_a_sentence_beside_the_table_gives_the_scale_and_the_measure():
    grid = [["District", "2022", "2023"], ["Northgate", "120", "118"]]
    t = table(grid, caption="Withdrawals by district", notes=["Tabular amounts in thousands of cubic metres"])
    assert t.unit == "thousand cubic metres" and cell(t, 0, 1).unit == "thousand cubic metres"
    t = table(grid, caption="Withdrawals by district", notes=["(in millions)"])
    assert t.unit == "million" and cell(t, 0, 1).unit == "million"


def _row_keys(grid: list[list[str]]) -> list[list[str]]:
    return [row.keys for row in table(grid, caption="Deferred income ($ million)").rows]


def test_an_unlabelled_row_that_adds_up_the_rows_above_is_their_total():
    grid = [["", "2019", "2018"], ["Current", "53.2", "55.2"], ["Non-current", "13.6", "14.4"], ["", "66.8", "69.6"]]
    assert _row_keys(grid) == [["Current"], ["Non-current"], ["Total"]]
    # to the rounding of the figures printed, a run of the last rows only (a subtotal)
    grid = [["", "2019"], ["Fees", "10"], ["Rent", "1.04"], ["Rates", "2.03"], ["", "3.1"]]
    assert _row_keys(grid)[-1] == ["Total"]


def test_an_unlabelled_row_that_adds_up_nothing_continues_the_row_above():
    # a row span: the label printed once over two rows of figures
    grid = [["", "2019", "2018"], ["Current", "53.2", "55.2"], ["Non-current", "13.6", "14.4"], ["", "2.0", "1.0"]]
    assert _row_keys(grid) == [["Current"], ["Non-current"], ["Non-current"]]
    grid = [["Country", "Year", "Users"], ["China", "2019", "5"], ["", "2020", "6"]]
    assert _row_keys(grid) == [["China", "2019"], ["China", "2020"]]


@pytest.mark.parametrize(("printed", "decimals"), [("22.52", 2), ("$(1,066.5)", 1), ("1,066", 0), ("14%", 0), ("", 0)])
def test_printed_decimals(printed, decimals):
    assert printed_decimals(printed) == decimals
