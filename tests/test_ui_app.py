"""The Streamlit UI against a live API: a real uvicorn server (real model, real index) in a
background thread, and each page run by `streamlit.testing.v1.AppTest`. The UI reaches the
API only over HTTP, through CITEQA_API_URL. Also the UI's plain modules (tables, series,
charts, text, client) on the API's real JSON."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from service.answering.engine import Engine
from service.cli import build_parser, ui_command
from service.settings import Settings
from tests.conftest import ROOT, SECOND_REPORT
from tests.servers import free_port, live_api
from ui.charts import cited_series, pick_chart, pick_frame, series_chart
from ui.client import ApiClient, ApiError, ApiUnavailable
from ui.documents import delete_message, documents_frame, upload_message
from ui.tables import CELL_COLOUR, ROW_COLOUR, highlighted, locate, table_frame, year_axis
from ui.text import escape_markdown, figure, format_value, highlight_markdown, reference_markdown
from ui.verification import badge_label, release

UI_APP = ROOT / "ui" / "app.py"
QUESTION = "What were Russia's fixed broadband subscriptions per 100 people in 2019?"
ABSTAIN = "What was India's GDP in 2019?"
FB_RUSSIA = "Fixed broadband subscriptions (per 100 people) / Russia"
GROWTH = "How much did Russia's fixed broadband subscriptions per 100 people grow from 2015 to 2020?"
TIMEOUT = 90


# -- a live API: tests/servers.py -------------------------------------------------------
@pytest.fixture(scope="module")
def engine(corpus_engine):
    return corpus_engine


@pytest.fixture(scope="module")
def api(corpus_data, engine) -> Iterator[str]:
    """The corpus behind a read-only API (no token: writes are refused)."""
    with live_api(Settings(data_dir=corpus_data.data_dir, api_token=None), engine) as url:
        yield url


WRITE_TOKEN = "ui-test-token-0123456789"


@pytest.fixture(scope="module")
def writable_api(tmp_path_factory, ingest, embedder) -> Iterator[str]:
    """A private data dir (the second report only) behind an API that accepts writes."""
    corpus = tmp_path_factory.mktemp("ui-write-corpus")
    shutil.copy(SECOND_REPORT, corpus / SECOND_REPORT.name)
    data_dir = tmp_path_factory.mktemp("ui-write-data")
    assert not ingest([corpus], data_dir).failed
    engine = Engine.load(data_dir, embedder)
    try:
        with live_api(Settings(data_dir=data_dir, api_token=WRITE_TOKEN), engine) as url:
            yield url
    finally:
        engine.store.close()


@pytest.fixture
def ui_env(monkeypatch):
    """Point the UI at a URL (and a token, or none) before AppTest runs; no cached client
    or response survives from another test."""

    def use(url: str, token: str | None = None) -> None:
        monkeypatch.setenv("CITEQA_API_URL", url)
        monkeypatch.setenv("CITEQA_API_TOKEN", token or "")
        st.cache_data.clear()
        st.cache_resource.clear()

    yield use
    st.cache_data.clear()
    st.cache_resource.clear()


def app_test() -> AppTest:
    return AppTest.from_file(str(UI_APP), default_timeout=TIMEOUT)


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, in one string."""
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "error", "warning", "info", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# -- Ask ----------------------------------------------------------------------------------
def test_ask_page_shows_figure_table_chart_and_keeps_history(api, ui_env):
    ui_env(api)
    at = app_test().run()
    no_exception(at)
    assert at.title[0].value == "Ask the documents"
    at.text_input(key="question").input(QUESTION)
    at.form_submit_button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]

    metric = at.metric[0]
    assert metric.value == "22.52 per 100 people"
    assert "Russia" in metric.label and "2019" in metric.label
    shown = texts(at)
    assert "Table 6" in shown and "Citations (" in shown
    assert "[5]" in shown.replace("\\", "")  # the paper's own reference entries
    # the whole of Table 6, the cited row and cell marked
    table = at.dataframe[0].value
    assert table.shape == (6, 4) and "22.52" in table.to_numpy().tolist()[4]
    # the series chart (Altair → Vega-Lite)
    assert len(at.get("vega_lite_chart")) == 1

    # an example button asks at once; the newest answer comes first
    at.button(key="example-1").click().run()
    no_exception(at)
    history = at.session_state["history"]
    assert [h["response"]["question"] for h in history] == [
        "How large was China's digital economy in 2020?",
        QUESTION,
    ]
    assert at.metric[0].value == "39.2 trillion yuan RMB"
    assert "Earlier answers" in texts(at)


def test_citations_show_a_table_once_with_its_cells_and_no_raw_score(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.text_input(key="question").input(GROWTH)
    at.form_submit_button[0].click().run()
    no_exception(at)
    shown = texts(at)
    assert not re.search(r"\bscore\b", shown), shown  # no "score 5.456": it means nothing to a reader
    assert sum("Table 6" in e.label for e in at.expander) == 1
    # both cited cells named (and highlighted) in the one Table 6 citation
    cited = next(c.value for c in at.caption if c.value.startswith("Cited:"))
    assert "“2020”" in cited and "“2015”" in cited and cited.count("Russia") == 2, cited
    # the reference entries: the URL of an entry shown once
    refs = next(m.value for m in at.markdown if m.value.startswith("**References**"))
    assert "\\[6\\]" in refs and "\\[12\\]" not in refs, refs
    assert refs.count("data.worldbank.org.cn/indicator/IT.NET.BBND.P2?end=2020") == 1, refs


def test_ask_page_abstains_visibly(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.text_input(key="question").input(ABSTAIN)
    at.form_submit_button[0].click().run()
    no_exception(at)
    warnings = [w.value for w in at.warning]
    assert any("Not in the documents" in w and "India" in w for w in warnings), warnings
    assert not at.metric  # no figure when there is no answer
    assert "Closest evidence" in texts(at)


def test_api_down_is_a_message_not_a_traceback(ui_env):
    ui_env(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    at = app_test().run()
    no_exception(at)
    at.text_input(key="question").input(QUESTION)
    at.form_submit_button[0].click().run()
    no_exception(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "not reachable" in errors[0] and "make run" in errors[0], errors
    assert "Traceback" not in texts(at)
    for page in ("views/tables.py", "views/verification.py", "views/documents.py"):
        at.switch_page(page).run()
        no_exception(at)
        assert any("not reachable" in e.value for e in at.error), page


# -- Tables -------------------------------------------------------------------------------
def test_tables_page_shows_table_6_and_charts_it(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.switch_page("views/tables.py").run()
    no_exception(at)
    at.selectbox(key="tables-doc").set_value("song-2024").run()
    at.selectbox(key="tables-label-song-2024").set_value("Table 6").run()
    no_exception(at)
    assert at.subheader[0].value == "Table 6"
    shown = texts(at)
    assert "digital infrastructure popularization indicators" in shown and "unit: person" in shown
    assert at.dataframe[0].value.shape == (6, 4)
    # years are the rows, so a column is charted over the years by default
    assert at.radio[0].value == "a column"
    picks = at.multiselect(key="picks-song-2024-Table 6-a column")
    picks.set_value(["Fixed broadband subscriptions (per 100 people) / China", FB_RUSSIA]).run()
    no_exception(at)
    assert len(at.get("vega_lite_chart")) == 1
    at.radio[0].set_value("a row").run()
    no_exception(at)
    assert len(at.get("vega_lite_chart")) == 1


def test_a_citation_links_to_its_table(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.text_input(key="question").input(QUESTION)
    at.form_submit_button[0].click().run()
    links = [link for link in at.get("page_link") if "Table 6" in link.proto.label]
    assert links, [link.proto.label for link in at.get("page_link")]
    assert parse_qs(links[0].proto.query_string) == {"doc": ["song-2024"], "table": ["Table 6"]}
    # what the link opens: the Tables page with that table chosen
    tables = app_test()
    tables.query_params["doc"] = "song-2024"
    tables.query_params["table"] = "Table 6"
    tables.run()
    tables.switch_page("views/tables.py").run()
    no_exception(tables)
    assert tables.subheader[0].value == "Table 6"


# -- Verification (issue 12) ------------------------------------------------------------
BROADBAND = "What was Russia's fixed broadband subscriptions per 100 people in 2019?"
FB_RUSSIA_2019 = f"Table 6 · 2019 · {FB_RUSSIA}"


def source_side(at: AppTest) -> str:
    """The source row beside the picked cell (the list of its fields)."""
    return next(m.value for m in at.markdown if m.value.startswith("- dataset:")).replace("\\", "")


def test_verification_page_lists_table_6_as_agreeing_with_its_release(api, ui_env):
    ui_env(api)
    at = app_test()
    at.query_params["doc"] = "song-2024"
    at.run()
    at.switch_page("views/verification.py").run()
    no_exception(at)
    assert at.title[0].value == "Verification"
    assert at.selectbox(key="verify-doc").value == "song-2024"  # the paper that cites the corpus's data
    at.selectbox(key="verify-table-song-2024").set_value("Table 6").run()
    no_exception(at)
    listing = at.dataframe[0].value
    assert len(listing) == 24 and set(listing["verdict"]) == {"agrees"}, listing
    assert set(listing["source"]) == {"World Bank WDI"} and set(listing["release"]) == {"2023-04"}
    assert set(listing["refs"]) == {"[5]", "[6]", "[12]", "[13]"}
    row = listing[(listing["row"] == "2019") & (listing["column"] == FB_RUSSIA)].iloc[0]
    assert (row["value"], row["source value"]) == ("22.52", "22.524923")
    summary = next(m.value for m in at.markdown if "-badge[" in m.value and "no-source-data:" in m.value)
    assert ":green-badge[:material/check_circle: agrees: 24]" in summary and "differs: 0" in summary, summary

    # a cell opened: the table with the cell highlighted beside the source row
    at.selectbox(key="verify-cell").set_value(FB_RUSSIA_2019).run()
    no_exception(at)
    assert at.subheader[-1].value == escape_markdown(FB_RUSSIA_2019)
    table = at.dataframe[1].value
    assert table.shape == (6, 4) and "22.52" in table.to_numpy().tolist()[4]
    assert any(c.value.startswith("Cited: row “2019”") for c in at.caption)
    source = source_side(at)
    for line in (
        "dataset: World Bank WDI (wb-fixed-broadband)",
        "indicator: Fixed broadband subscriptions (per 100 people) (IT.NET.BBND.P2)",
        "year: 2019",
        "value: 22.524923",
        "release: OWID_WDI_2023-04",
    ):
        assert line in source, source
    evidence = at.dataframe[2].value
    assert set(evidence["release"]) >= {"OWID_WDI_2023-04"} and "yes" in set(evidence["agrees"])


def test_the_verification_filters_by_verdict_and_shows_what_was_tried(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.switch_page("views/verification.py").run()
    at.selectbox(key="verify-doc").set_value("song-2024").run()
    everything = len(at.dataframe[0].value)
    at.selectbox(key="verify-verdict").set_value("differs").run()
    no_exception(at)
    listing = at.dataframe[0].value
    assert 0 < len(listing) < everything and set(listing["verdict"]) == {"differs"}, listing
    assert at.subheader[0].value == f"{len(listing)} cell" + ("s" if len(listing) != 1 else "")
    assert any(":red-badge[:material/cancel: differs]" == m.value for m in at.markdown)
    source = source_side(at)
    assert "releases tried:" in source and "relative difference:" in source, source
    # a table with no such cell says so
    at.selectbox(key="verify-table-song-2024").set_value("Table 6").run()
    no_exception(at)
    assert not at.dataframe and any("has the verdict “differs”" in i.value for i in at.info)
    at.selectbox(key="verify-verdict").set_value("agrees").run()
    assert len(at.dataframe[0].value) == 24


def test_the_answer_card_shows_the_source_check_as_a_badge(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.text_input(key="question").input(BROADBAND)
    at.form_submit_button[0].click().run()
    no_exception(at)
    assert at.session_state["history"][0]["response"]["source_check"]["verdict"] == "agrees"
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert badges == [":green-badge[:material/check_circle: agrees with World Bank WDI, release 2023-04]"], badges
    links = [link for link in at.get("page_link") if "Verification page" in link.proto.label]
    assert links and parse_qs(links[0].proto.query_string) == {"doc": ["song-2024"]}


def test_badge_labels_name_the_verdict_the_source_and_both_values():
    titles = {"wb-fixed-broadband": "World Bank WDI: Fixed broadband subscriptions (per 100 people), IT.NET.BBND.P2"}
    check = {"verdict": "differs", "value": 22.52, "source_value": 23.1042, "source_id": "wb-fixed-broadband"}
    assert badge_label(check, titles) == "differs from World Bank WDI: 22.52 vs 23.104"
    assert badge_label(check | {"verdict": "scale", "source_value": 225.2}, titles).startswith("scale: 22.52 vs 225.2")
    assert badge_label(check | {"verdict": "agrees", "vintage": "OWID_WDI_2023-04"}, {}) == (
        "agrees with wb-fixed-broadband, release 2023-04"
    )
    assert badge_label(check | {"verdict": "other-period"}, titles).startswith("other period: 22.52")
    assert release("UN_EGOV_MERGED_2005_2024") == "UN_EGOV_MERGED_2005_2024" and release(None) == "—"


# -- Documents ----------------------------------------------------------------------------
def test_documents_page_lists_documents_and_hides_writes_without_token(api, ui_env):
    ui_env(api)
    at = app_test().run()
    at.switch_page("views/documents.py").run()
    no_exception(at)
    frame = at.table[0].value
    assert len(frame) == 11 and "song-2024" in set(frame["id"])
    assert list(frame.columns) == [
        "title",
        "id",
        "kind",
        "language",
        "pages",
        "chunks",
        "tables",
        "ingested at",
        "file",
    ]
    song = frame.set_index("id").loc["song-2024"]
    assert song["tables"] == "14" and song["kind"] == "report" and song["language"] == "en"
    # a page count the document does not have is a dash, never "None" (datasets have none)
    assert "None" not in frame.to_string() and "<NA>" not in frame.to_string()
    assert (frame["pages"] == "—").any() and frame["pages"].map(lambda p: p == "—" or p.isdigit()).all()
    assert not at.file_uploader and not at.get("button")  # no upload, no delete
    assert any("CITEQA_API_TOKEN" in i.value and "sidebar" in i.value for i in at.info)
    assert at.text_input(key="api-token").value == ""  # no token in the env: an empty field


def test_the_root_opens_ask_and_the_token_field_defaults_to_the_env(api, ui_env):
    ui_env(api, "from-the-env")
    at = app_test().run()
    no_exception(at)
    assert at.title[0].value == "Ask the documents"  # the root switches to the Ask page, /ask
    field = at.text_input(key="api-token")
    assert field.label == "API token" and field.value == "from-the-env"
    assert "writes: on (token set)" in texts(at)
    field.input("").run()  # cleared: read-only, for this session; the env is left alone
    assert "writes: off (no token)" in texts(at)
    assert at.session_state["api-token"] == ""


def test_upload_feedback_and_delete_with_a_token(writable_api, ui_env):
    ui_env(writable_api)  # no token in the env: it is typed in the sidebar
    at = app_test().run()
    at.switch_page("views/documents.py").run()
    no_exception(at)
    assert at.table[0].value["id"].tolist() == ["lakeland-water-report"]
    assert not at.file_uploader
    at.text_input(key="api-token").input(WRITE_TOKEN).run()
    assert at.file_uploader  # the token turns the writes on

    note = b"# Harbour note\n\nIn 2023 the harbour handled 7.5 million tonnes of cargo.\n"
    at.file_uploader[0].set_value(("harbour-note.md", note, "text/markdown"))
    at.text_input(key="upload-id").input("harbour-note")
    at.form_submit_button[0].click().run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    success = " ".join(s.value for s in at.success)
    assert re.fullmatch(r"Added ‘Harbour note’\\: 0 tables, \d+ passages?", success), success
    assert "harbour-note" in at.table[0].value["id"].tolist()
    at.file_uploader[0].set_value(("harbour-note.md", note, "text/markdown"))
    at.form_submit_button[0].click().run()
    success = " ".join(s.value for s in at.success)
    assert success.startswith("Unchanged ‘Harbour note’"), success

    # feedback on an answer from the new document
    at.switch_page("views/ask.py").run()
    at.text_input(key="question").input("How many tonnes of cargo did the harbour handle in 2023?")
    at.form_submit_button[0].click().run()
    no_exception(at)
    entry = at.session_state["history"][0]
    assert entry["response"]["answered"], entry["response"]["answer"]
    at.text_input(key=f"comment-{entry['id']}").input("checked against the note")
    at.button(key=f"correct-{entry['id']}").click().run()
    no_exception(at)
    assert any("recorded" in s.value for s in at.success)
    with ApiClient(writable_api, WRITE_TOKEN) as client:  # reading feedback needs the token
        stored = list(client.feedback_entries())
    with ApiClient(writable_api) as anonymous, pytest.raises(ApiError) as refused:
        list(anonymous.feedback_entries())
    assert refused.value.status == 401
    assert [(f["verdict"], f["comment"]) for f in stored] == [("correct", "checked against the note")]

    # delete, only after the explicit confirmation
    at.switch_page("views/documents.py").run()
    at.selectbox(key="delete-target").set_value("harbour-note").run()
    at.button(key="delete").click().run()
    assert "harbour-note" in at.table[0].value["id"].tolist()  # nothing removed yet
    assert any("Delete" in w.value for w in at.warning)
    at.button(key="delete-confirm").click().run()
    no_exception(at)
    assert any(s.value.startswith("Deleted ‘Harbour note’") for s in at.success), [s.value for s in at.success]
    assert at.table[0].value["id"].tolist() == ["lakeland-water-report"]


# -- the plain modules on the API's real JSON -------------------------------------------
@pytest.fixture(scope="module")
def client(api) -> Iterator[ApiClient]:
    with ApiClient(api) as client:
        yield client


def test_client_errors_carry_the_api_message_and_a_next_step(client):
    with pytest.raises(ApiError) as missing:
        client.table("song-2024", "Table 99")
    assert missing.value.status == 404 and missing.value.code == "not_found"
    assert missing.value.message.startswith("document 'song-2024' has no table 'Table 99'")
    with pytest.raises(ApiError) as refused:
        client.upload("x.md", b"# x\n")
    assert refused.value.status == 403 and "CITEQA_API_TOKEN" in refused.value.hint
    with pytest.raises(ApiUnavailable) as down:
        ApiClient(f"http://127.0.0.1:{free_port()}", timeout=5).health()
    assert "connection refused" in down.value.message and "citeqa serve" in down.value.hint
    assert client.table("song-2024", "table 6")["label"] == "Table 6"  # the label is URL-encoded


def test_cited_series_finds_the_indicator_across_countries(client):
    table6 = client.table("song-2024", "Table 6")
    series = cited_series(table6, "2019", FB_RUSSIA)
    assert series.names == ["Russia", "China"] and series.title == "Fixed broadband subscriptions (per 100 people)"
    assert (series.cited_year, series.cited_value, series.span) == (2019, 22.52, "2015–2020")
    russia = series.data[series.data["series"] == "Russia"]
    assert russia["year"].tolist() == list(range(2015, 2021)) and russia["cited"].all()
    assert series_chart(series).to_dict()["layer"]  # a valid Vega-Lite spec

    # years as columns: the other country with the same index (EGDI), not the other index
    table7 = client.table("song-2024", "Table 7")
    egdi = cited_series(table7, "China", "2020 / EGDI")
    assert egdi.names == ["China", "Russia"] and egdi.title == "EGDI"
    # a sibling must share the unit: Russia's value added is in $ billion, China's in $ trillion
    table14 = client.table("song-2024", "Table 14")
    assert cited_series(table14, "2019", "Russia / Value added ($ billion)").names == [
        "Russia · Value added ($ billion)"
    ]
    assert cited_series(table14, "2019", "China / GDP ratio, %").names == ["China", "Russia"]
    # no years, no series
    assert cited_series(client.table("song-2024", "Table 10"), "China", "AI") is None
    assert cited_series(table6, "2019", None) is None


def test_table_frame_and_highlight(client):
    table6 = client.table("song-2024", "Table 6")
    frame = table_frame(table6)
    assert frame.index.name == "Year" and frame.columns.nlevels == 2
    assert frame.loc["2019", ("Fixed broadband subscriptions (per 100 people)", "Russia")] == "22.52"
    assert locate(table6, "2019", FB_RUSSIA) == (4, 3)
    styles = highlighted(table6, "2019", FB_RUSSIA)._compute().ctx
    assert styles[(4, 3)] == [tuple(s.strip() for s in rule.split(":")) for rule in CELL_COLOUR.split(";")]
    assert styles[(4, 0)] == [tuple(s.strip() for s in ROW_COLOUR.split(":"))]
    assert (3, 3) not in styles
    # several cited cells: every one marked, every cited row tinted
    many = highlighted(table6, cells=[("2019", FB_RUSSIA), ("2015", FB_RUSSIA)])._compute().ctx
    assert many[(4, 3)] == many[(0, 3)] == styles[(4, 3)] and many[(0, 0)] == styles[(4, 0)]
    assert (2, 3) not in many
    assert year_axis(table6).on == "rows" and year_axis(client.table("song-2024", "Table 1")).on == "columns"


def test_pick_frame_charts_rows_or_columns(client):
    table7 = client.table("song-2024", "Table 7")
    china = pick_frame(table7, "row", ["China"])
    assert set(china["series"]) == {"EGDI", "EPI"} and china["x"].min() == 2012
    table10 = client.table("song-2024", "Table 10")
    bars = pick_frame(table10, "column", ["AI"])
    assert bars["x"].tolist() == ["China", "Russia", "Average score"]
    assert pick_chart(bars).to_dict()["mark"]["type"] == "bar"
    assert pick_chart(china).to_dict()["mark"]["type"] == "line"


def test_documents_frame_and_summary(client):
    frame = documents_frame(client.documents())
    assert len(frame) == 11 and frame["ingested at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC").all()
    document = {"id": "harbor-2023", "title": "Harbor City Water Utility 2023", "counts": {"tables": 2, "chunks": 6}}
    files = [{"path": "harbor.pdf", "status": "added", "doc_id": "harbor-2023", "chunks": 6}]
    summary = {"added": 1, "updated": 0, "unchanged": 0, "removed": 0, "failed": 0, "files": files}
    added = {"summary": summary, "document": document}
    assert upload_message(added, "harbor.pdf") == (True, "Added ‘Harbor City Water Utility 2023’: 2 tables, 6 passages")
    files[0]["status"] = "updated"
    assert upload_message(added, "harbor.pdf")[1].startswith("Updated ‘Harbor City Water Utility 2023’: 2 tables")
    failed = {"summary": {"failed": 1, "files": [{"path": "x.pdf", "status": "failed", "message": "no text"}]}}
    assert upload_message(failed, "x.pdf") == (False, "Could not add x.pdf: no text")
    assert delete_message("Harbor", {"removed": 1, "files": []})[1].startswith("Deleted ‘Harbor’")


def test_text_is_escaped_and_figures_read_naturally():
    assert escape_markdown("$5 *bold* [x](y) <b> a_b") == r"\$5 \*bold\* \[x\](y) \<b\> a\_b"
    assert escape_markdown("- item\n1. one") == "\\- item\n1\\. one"
    marked = highlight_markdown("Russia, 2019: 22.52 per 100 people", [14, 19])
    assert marked == r"Russia, 2019\: :orange-background[**22.52**] per 100 people"
    assert highlight_markdown("a $b$", None) == r"a \$b\$"
    assert [format_value(v) for v in (22.52, 157.0, 12768.0, 0.5, None)] == ["22.52", "157", "12,768", "0.5", "—"]
    assert figure(39.8, "%") == "39.8%" and figure(22.52, "per 100 people") == "22.52 per 100 people"
    ref = reference_markdown({"n": 5, "text": "WDI (2022)", "url": "https://data.worldbank.org/x?a=(1)"})
    assert ref == r"\[5\] WDI (2022) — [link](https://data.worldbank.org/x?a=%281%29)"
    # an entry that prints its URL: the URL once, linked where it is printed
    url = "https://data.worldbank.org.cn/indicator/IT.NET.BBND.P2?locations=CN"
    ref = reference_markdown(
        {"n": 5, "text": f"Fixed Broadband. Available at: <{url}> (accessed 02.10.2022).", "url": url}
    )
    assert ref.count("data.worldbank.org.cn") == 2 and ref.count("](") == 1 and "[link]" not in ref, ref
    assert ref.startswith(r"\[5\] Fixed Broadband. Available at\: [https\://data.worldbank.org.cn") and ref.endswith(
        f"]({url}) (accessed 02.10.2022)."
    )


# -- the UI is a client: it imports nothing of the server's -------------------------------
def test_ui_imports_nothing_from_the_service():
    forbidden = {"service", "ingest", "index"}
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.relative_to(ROOT)} imports {name}"


def test_citeqa_ui_command_line():
    args = build_parser().parse_args(["ui", "--api", "http://api:9000", "--port", "8600"])
    assert (args.api, args.port, args.host) == ("http://api:9000", 8600, "127.0.0.1")
    command = ui_command("http://api:9000", 8600, "0.0.0.0")
    app = Path(command[4])
    assert command[1:4] == ["-m", "streamlit", "run"] and app == UI_APP and app.is_file()
    flags = dict(zip(command[5::2], command[6::2]))
    assert flags == {
        "--server.port": "8600",
        "--server.address": "0.0.0.0",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",  # no "Deploy" button, no developer menu
        "--server.maxUploadSize": "50",  # the API's default CITEQA_MAX_UPLOAD_MB
    }


# -- what the answer card says a figure is, and the axes of its charts (issue 11) ----------
def _api_table(label: str, caption: str, grid: list[list[str]]) -> dict:
    """A table as GET /documents/{id}/tables/{label} returns it, built by the real ingest."""
    from ingest.tables import build_table
    from service.serialize import table_detail_json

    built = build_table("report", label, caption, grid)
    assert built is not None
    return table_detail_json(built, [])


def _cite(table: str, row: str | None, column: str | None, **extra) -> dict:
    where = " · ".join(x for x in (table, row, column) if x)
    return {
        "doc_id": "report", "doc_title": "A report", "kind": "table_row", "locator": where, "table": table,
        "row": row, "column": column, "page": None, "refs": [], "snippet": "", "highlight": None, "score": 1.0,
        **extra,
    }  # fmt: skip


def _answer(text: str, value: float | None, unit: str | None, citations: list[dict], spans=()) -> dict:
    return {
        "question": "?", "answered": True, "answer": text, "value": value, "unit": unit,
        "citations": citations, "spans": list(spans),
    }  # fmt: skip


EGDI_GRID = [["Country", "2018", "2020", "2022"], ["China", "65", "45", "43"], ["Russia", "32", "36", "42"]]
WATER_GRID = [
    ["Year", "Leaks repaired", "Average repair time (hours)"],
    ["2021", "412", "14.9"],
    ["2022", "388", "12.3"],
    ["2023", "351", "10.6"],
]


def test_a_rank_reads_as_a_rank_of_how_many():
    from ui.answer import metric_label
    from ui.labels import headline

    counted = _api_table("Table 7", "Comparison of global rankings of EGDI (193 countries)", EGDI_GRID)
    answer = _answer("Russia's EGDI rank was 42 in 2022 (Table 7).", 42.0, None, [_cite("Table 7", "Russia", "2022")])
    head = headline(answer, counted)
    assert head.figure == "42nd of 193 (rank)" and head.rank
    assert metric_label(answer, counted) == "Russia · 2022"
    uncounted = _api_table("Table 7", "Global rankings of EGDI", EGDI_GRID)
    assert headline(answer, uncounted).figure == "rank 42"
    # a rank column beside a score column: only the rank is a rank
    scores = _api_table(
        "Table 9", "Digital competitiveness ranking", [["Economy", "Score", "Rank"], ["Russia", "71.2", "3"]]
    )
    assert headline(_answer("3", 3.0, None, [_cite("Table 9", "Russia", "Rank")]), scores).figure == "rank 3"
    assert headline(_answer("71.2", 71.2, None, [_cite("Table 9", "Russia", "Score")]), scores).figure == "71.2"


def test_a_change_names_both_ends_and_its_chart_marks_them():
    from ui.labels import headline

    table = _api_table(
        "Table 1",
        "Digital economy (unit: trillion yuan)",
        [["Indicator", "2016", "2019", "2021"], ["Digital economy", "22.6", "35.8", "45.5"]],
    )
    answer = _answer(
        "Digital economy: 22.6 in 2016 → 45.5 in 2021; change 45.5 − 22.6 = 22.9 trillion yuan (Table 1).",
        22.9,
        "trillion yuan",
        [_cite("Table 1", "Digital economy", "2021"), _cite("Table 1", "Digital economy", "2016")],
    )
    head = headline(answer, table)
    assert head.label == "Digital economy · 2016 → 2021" and head.ends == (2016, 2021)
    assert head.figure == "+22.9 trillion yuan"
    series = cited_series(table, "Digital economy", "2021").marking(head.ends)
    spec = series_chart(series).to_dict()
    marker = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert sorted(p["year"] for p in marker) == [2016, 2021]


def test_a_prose_figure_is_labelled_by_its_subject_and_section():
    from ui.labels import headline

    snippet = "In 2021, the proportion of the digital economy in the global GDP was 43.7%, up 2 points."
    start = snippet.index("43.7%")
    cite = _cite("", None, None, kind="passage", locator="p. 4 · INTRODUCTION", page=4)
    cite |= {"table": None, "snippet": snippet, "highlight": [start, start + 5]}
    head = headline(_answer(snippet, 43.7, "%", [cite], ["43.7%"]))
    assert head.label == "the proportion of the digital economy in the global GDP · INTRODUCTION · p. 4"
    assert head.figure == "43.7%"


def test_charts_keep_one_unit_an_axis_titled_with_it_and_draw_ranks_best_on_top():
    water = _api_table("Table 2", "Leaks and repairs by year", WATER_GRID)
    hours = cited_series(water, "2023", "Average repair time (hours)")
    assert hours.names == ["Average repair time (hours)"]  # the leak counts are not on the hours axis
    assert series_chart(hours).to_dict()["layer"][0]["encoding"]["y"]["title"] == "hours"
    both = pick_chart(pick_frame(water, "column", ["Leaks repaired", "Average repair time (hours)"])).to_dict()
    titles = [part["encoding"]["y"]["title"] for part in both["vconcat"]]
    assert titles == ["Leaks repaired", "hours"]

    ranks = _api_table("Table 7", "Comparison of global rankings of EGDI (193 countries)", EGDI_GRID)
    y = series_chart(cited_series(ranks, "Russia", "2022")).to_dict()["layer"][0]["encoding"]["y"]
    assert y["title"] == "rank" and y["scale"]["reverse"] is True
    picked = pick_chart(pick_frame(ranks, "row", ["China", "Russia"])).to_dict()
    assert picked["encoding"]["y"]["title"] == "rank" and picked["encoding"]["y"]["scale"]["reverse"] is True

    flags = dict(zip(*[iter(ui_command("http://api:9000", 8600, "0.0.0.0", max_upload_mb=7)[5:])] * 2))
    assert flags["--server.maxUploadSize"] == "7"
