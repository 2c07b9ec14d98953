"""Source check (issue 12): the paper's table figures against the data it cites, and a
constructed report with one figure of each kind of error."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from index.store import DB_NAME, Store
from service.cli import main
from service.verification import agrees, country_key, half_ulp, verify

REPORT = """# Widget report

## Subscriptions

Widget take-up grew in both countries (table 1).

Table 1

**Widget subscriptions in China and Russia in 2019—2021 [1; 2] (per 100 people)**

| Year | Widget subscriptions (per 100 people) China | Widget subscriptions (per 100 people) Russia |
|---|---|---|
| 2019 | 10.00 | 20.00 |
| 2020 | 113.50 | 25.31 |
| 2021 | 12.80 | 41.27 |

## REFERENCES

1. *Widget Subscriptions (per 100 People) — China*. Available at: <https://example.org/indicator/WGT.SUB.P2?locations=CN> (accessed 01.02.2024).
2. *Widget Subscriptions (per 100 People) — Russian Federation*. Available at: <https://example.org/indicator/WGT.SUB.P2?locations=RU> (accessed 01.02.2024).
"""

HEADER = "source_id,source_title,indicator_code,indicator_name,country,year,value,unit\n"
WIDGETS = [  # two releases; REL_B matches China 2019 at printed precision, REL_A does not
    ("REL_A", "China", 2018, "8.5"),
    ("REL_A", "China", 2019, "9.9"),
    ("REL_A", "China", 2020, "11.35"),
    ("REL_A", "China", 2021, "12.8"),
    ("REL_B", "China", 2019, "10.004"),
    ("REL_B", "China", 2020, "11.351"),
    ("REL_B", "China", 2021, "12.799"),
    ("REL_A", "Russian Federation", 2018, "18.0"),
    ("REL_A", "Russian Federation", 2019, "25.31"),
    ("REL_A", "Russian Federation", 2020, "27.46"),
    ("REL_A", "Russian Federation", 2021, "29.9"),
    ("REL_B", "Russian Federation", 2019, "25.312"),
    ("REL_B", "Russian Federation", 2020, "27.458"),
    ("REL_B", "Russian Federation", 2021, "29.93"),
]
GADGETS = [("GADGETS_2024", "Russian Federation", 2021, "41.27"), ("GADGETS_2024", "China", 2021, "5.55")]


def widget_manifest(report_id: str, widgets_title: str) -> str:
    """A report, the widget dataset that stands for its references [1, 2], and a gadget dataset
    that stands for nothing (the other indicator a wrong figure may match)."""
    return f"""
[[document]]
path = "report.md"
id = "{report_id}"
title = "Widget report"
kind = "report"

[[document]]
path = "widgets.csv"
id = "widgets"
title = "{widgets_title}"
kind = "dataset"
stands_for = {{ document = "{report_id}", refs = [1, 2] }}

[[document]]
path = "gadgets.csv"
id = "gadgets"
title = "Gadget subscriptions"
kind = "dataset"
"""


def dataset_csv(rows, code, name) -> str:
    """A tidy dataset CSV of (release, country, year, value) rows of one indicator."""
    lines = [
        f'{rel},"{rel} release",{code},{name},{country},{year},{value},per 100 people'
        for rel, country, year, value in rows
    ]
    return HEADER + "\n".join(lines) + "\n"


def write_widget_corpus(folder, report: str, widgets, gadgets, manifest: str):
    (folder / "report.md").write_text(report, encoding="utf-8")
    (folder / "widgets.csv").write_text(dataset_csv(widgets, "WGT.SUB.P2", "Widget subscriptions (per 100 people)"))
    (folder / "gadgets.csv").write_text(dataset_csv(gadgets, "GDG.SUB.P2", "Gadget subscriptions (per 100 people)"))
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    return folder


def _widget_corpus(folder, widgets=WIDGETS):
    manifest = widget_manifest("widget-report", "Widget subscriptions, WGT.SUB.P2")
    return write_widget_corpus(folder, REPORT, widgets, GADGETS, manifest)


@pytest.fixture(scope="module")
def widget_data(tmp_path_factory, ingest):
    folder = _widget_corpus(tmp_path_factory.mktemp("widget-corpus"))
    data_dir = tmp_path_factory.mktemp("widget-data")
    report = ingest([folder], data_dir)
    assert not report.failed, report.failed
    return data_dir


@pytest.fixture(scope="module")
def paper_check(corpus_data):
    store = Store(corpus_data.data_dir / DB_NAME, readonly=True)
    try:
        yield verify(store, ["song-2024"])
    finally:
        store.close()


def _cells(result, table):
    return [c for c in result.cells if c.table == table]


# -- printed precision, countries --------------------------------------------------------
def test_printed_precision():
    assert agrees(22.52, half_ulp("22.52"), 22.5249, half_ulp("22.5249"))
    assert agrees(157, half_ulp("157"), 156.77, half_ulp("156.77"))
    assert not agrees(2.97, half_ulp("2.97"), 3.2, half_ulp("3.2"))
    assert half_ulp("3.20E+12") == pytest.approx(5e9)


def test_country_aliases():
    assert country_key("Russia") == country_key("Russian Federation") == "RUS"
    assert country_key("China") == country_key("People's Republic of China") == "CHN"
    assert country_key("Republic of Korea") == "KOR"
    assert country_key("EGDI") is None and country_key("Internet users") is None


# -- the paper against the real data -----------------------------------------------------
def test_table_6_agrees_with_a_world_bank_release(paper_check):
    cells = _cells(paper_check, "Table 6")
    assert len(cells) == 24
    assert {c.verdict for c in cells} == {"agrees"}
    assert {c.vintage for c in cells} == {"OWID_WDI_2023-04"}  # the release the sources README says it matches
    assert {c.source_id for c in cells} == {"wb-mobile-cellular", "wb-fixed-broadband"}
    broadband = next(c for c in cells if c.row == "2019" and c.column.endswith("Russia") and "broadband" in c.column)
    assert broadband.raw == "22.52" and broadband.source_value == pytest.approx(22.52492332)
    assert broadband.indicator_code == "IT.NET.BBND.P2" and broadband.refs == [6]
    assert all(e["fact_id"] for e in broadband.evidence)
    releases = {(r["table"], r["dataset"]): r for r in paper_check.releases}
    assert releases[("Table 6", "wb-fixed-broadband")]["vintage"] == "OWID_WDI_2023-04"
    assert releases[("Table 6", "wb-fixed-broadband")]["cells_agreeing"] == 12


def test_table_7_egdi_ranks_agree_with_the_un_data(paper_check):
    cells = _cells(paper_check, "Table 7")
    assert len(cells) == 24
    assert {c.verdict for c in cells} == {"agrees"}
    egdi = [c for c in cells if c.column.endswith("EGDI")]
    assert {c.indicator_code for c in egdi} == {"EGDI_RANK"}
    assert {c.vintage for c in egdi} == {"UN_EGOV_MERGED_2005_2024"}
    # the EPI ranks agree only with the ranks computed from the EPI values (no published EPI rank)
    epi = [c for c in cells if c.column.endswith("EPI")]
    assert {c.vintage for c in epi} == {"UN_EGOV_MERGED_2005_2024_DERIVED"}
    china_2012 = next(c for c in egdi if c.row == "China" and c.column.startswith("2012"))
    assert china_2012.value == 78 and china_2012.refs == [1]
    assert "UNU_EGOV_EGDI" in china_2012.vintages_agreeing


def test_the_paper_s_other_tables(paper_check):
    """What the data shows beyond Tables 6 and 7: Table 14 agrees; Table 8's Russian ranks
    after 2017 are the IMD overall ranking, not the digital one; ref [13]'s URL names another
    indicator than its title."""
    assert {c.verdict for c in _cells(paper_check, "Table 14")} == {"agrees"}
    russia = {c.column: c for c in _cells(paper_check, "Table 8") if c.row == "Russia"}
    assert {russia[y].verdict for y in ("2018", "2019", "2020")} == {"other-indicator"}
    assert russia["2018"].indicator_code == "IMD_WCY_RANK"
    assert [f["n"] for f in paper_check.reference_flags] == [13]
    assert "IT.MLT.MAIN.P2" in paper_check.reference_flags[0]["message"]
    # no dataset stands for Table 3's figures (it cites no reference)
    assert {c.verdict for c in _cells(paper_check, "Table 3")} == {"no-source-data"}


# -- a constructed report ----------------------------------------------------------------
def test_constructed_report_gets_exactly_its_verdicts(widget_data):
    store = Store(widget_data / DB_NAME, readonly=True)
    try:
        result = verify(store, ["widget-report"])
    finally:
        store.close()
    got = {(c.row, "Russia" if c.column.endswith("Russia") else "China"): c for c in result.cells}
    assert {k: c.verdict for k, c in got.items()} == {
        ("2019", "China"): "agrees",
        ("2019", "Russia"): "differs",
        ("2020", "China"): "scale",
        ("2020", "Russia"): "other-period",
        ("2021", "China"): "agrees",
        ("2021", "Russia"): "other-indicator",
    }
    assert got[("2019", "China")].vintage == "REL_B"  # the only release that gives 10.00
    assert got[("2019", "China")].vintages_agreeing == ["REL_B"]
    differs = got[("2019", "Russia")]
    assert differs.source_value == pytest.approx(25.31) or differs.source_value == pytest.approx(25.312)
    assert differs.relative_difference == pytest.approx(20.0 / differs.source_value - 1, abs=1e-5)
    assert differs.vintages_tried == ["REL_A", "REL_B"]
    assert got[("2020", "China")].factor == pytest.approx(0.1)
    assert got[("2020", "Russia")].matched_year == 2019
    other = got[("2021", "Russia")]
    assert other.source_id == "gadgets" and other.indicator_code == "GDG.SUB.P2"
    assert Counter(c.verdict for c in result.cells) == +Counter(result.summary)
    assert result.summary["agrees"] == 2 and result.summary["no-source-data"] == 0


def test_a_new_release_changes_the_verdicts_it_should_and_no_others(tmp_path, ingest):
    (tmp_path / "corpus-folder").mkdir()
    folder = _widget_corpus(tmp_path / "corpus-folder")
    data_dir = tmp_path / "data"
    first = ingest([folder], data_dir)
    assert first.verdicts_changed is None  # nothing was stored to re-check
    # a newer release that gives Russia's 2019 figure as the report prints it
    _widget_corpus(folder, [*WIDGETS, ("REL_C", "Russian Federation", 2019, "20.001")])
    second = ingest([folder], data_dir)
    assert [o.status for o in second.outcomes if o.doc_id == "widgets"] == ["updated"]
    assert second.verdicts_changed == [
        {
            "doc_id": "widget-report",
            "table": "Table 1",
            "row": "2019",
            "column": "Widget subscriptions (per 100 people) Russia",
            "value": 20.0,
            "before": {"verdict": "differs", "source_value": 25.31, "source_id": "widgets", "vintage": "REL_A"},
            "after": {"verdict": "agrees", "source_value": 20.001, "source_id": "widgets", "vintage": "REL_C"},
        }
    ]
    assert second.summary()["verdicts_changed"] == second.verdicts_changed
    # the same files again: nothing changes, nothing is re-checked
    assert ingest([folder], data_dir).verdicts_changed is None


# -- the CLI -----------------------------------------------------------------------------
CONTRACT = {"doc_id", "table", "row", "column", "value", "verdict", "source_value", "source_id", "vintage", "refs"}


def test_cli_verify_json(corpus_data, capsys, tmp_path):
    report = tmp_path / "check.md"
    code = main(["verify", "song-2024", "--data-dir", str(corpus_data.data_dir), "--json", "--report", str(report)])
    assert code == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert out.count("\n") == 1
    assert payload["cells"] and all(CONTRACT <= set(c) for c in payload["cells"])
    assert set(payload["summary"]) == {
        "agrees",
        "differs",
        "scale",
        "other-indicator",
        "other-period",
        "no-source-data",
    }
    assert sum(payload["summary"].values()) == len(payload["cells"])
    assert "| Table 6 | wb-fixed-broadband | IT.NET.BBND.P2 | OWID_WDI_2023-04 | 12 of 12 |" in report.read_text()


def test_cli_verify_unknown_document(corpus_data, capsys):
    assert main(["verify", "nope", "--data-dir", str(corpus_data.data_dir)]) == 2
    assert "no document 'nope'" in capsys.readouterr().err


# -- the API -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(corpus_data, corpus_engine):
    from fastapi.testclient import TestClient

    from service.main import create_app
    from service.settings import Settings
    from tests.servers import LOCAL

    with TestClient(create_app(Settings(data_dir=corpus_data.data_dir), engine=corpus_engine), base_url=LOCAL) as c:
        yield c


def test_api_verification(client, paper_check):
    response = client.get("/documents/song-2024/verification")
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == paper_check.summary
    assert len(body["cells"]) == len(paper_check.cells)
    assert all(CONTRACT <= set(c) for c in body["cells"])
    cell = next(c for c in body["cells"] if c["table"] == "Table 6" and c["raw"] == "22.52")
    assert cell["verdict"] == "agrees" and cell["vintage"] == "OWID_WDI_2023-04"
    assert cell["source_id"] == "wb-fixed-broadband" and cell["refs"] == [6]
    assert {e["vintage"] for e in cell["evidence"]} >= {"OWID_WDI_2023-04", "OWID_WDI_2024-06"}
    assert body["reference_flags"][0]["n"] == 13


def test_api_verification_unknown_document(client):
    response = client.get("/documents/nope/verification")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and "nope" in error["message"]


def test_ask_answer_carries_the_cited_cell_s_source_check(client):
    body = client.post(
        "/ask", json={"question": "What was Russia's fixed broadband subscriptions per 100 people in 2019?"}
    ).json()
    assert "22.52" in body["answer"]
    check = body["source_check"]
    assert check["verdict"] == "agrees" and check["vintage"] == "OWID_WDI_2023-04"
    assert check["indicator_code"] == "IT.NET.BBND.P2" and check["refs"] == [6]
    assert check["sentence"].startswith("Table 6 gives 22.52; series IT.NET.BBND.P2 of wb-fixed-broadband [6]")
    assert check["sentence"].endswith("— agrees.")
    # an answer from a passage has none
    body = client.post("/ask", json={"question": "What is the capital of France?"}).json()
    assert body["source_check"] is None
