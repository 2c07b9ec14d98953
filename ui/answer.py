"""The answer card and its citations (Streamlit rendering; the logic lives in `ui.tables`,
`ui.charts` and `ui.text`)."""

from __future__ import annotations

import streamlit as st

from ui import common
from ui.charts import cited_series, series_chart
from ui.client import ClientError
from ui.labels import Headline, headline
from ui.tables import cited_cells, highlighted, locate
from ui.text import escape_markdown, highlight_markdown, one_line, reference_markdown
from ui.verification import COLOUR, ICON, badge_label

KIND = {
    "table_row": (":material/table_chart:", "table row"),
    "passage": (":material/article:", "passage"),
    "fact": (":material/database:", "dataset figure"),
}
NOT_IN_DOCUMENTS = "Not in the documents"
TABLES_PAGE = "views/tables.py"
VERIFICATION_PAGE = "views/verification.py"


def citation_icon(c: dict) -> str:
    return KIND.get(c["kind"], (":material/notes:", c["kind"]))[0]


def citation_label(i: int, c: dict) -> str:
    locator = escape_markdown(one_line(c["locator"], 90))
    return f"\\[{i}\\] {locator} — {escape_markdown(one_line(c['doc_title'], 60))}"


def metric_label(answer: dict, table: dict | None = None) -> str:
    """What the figure is (ui/labels.py): indicator · entity · year, `2016 → 2021` for a change,
    subject · section for prose."""
    return headline(answer, table).label


def _table(doc_id: str, label: str) -> dict | ClientError:
    try:
        return common.table(common.settings().api_url, doc_id, label)
    except ClientError as exc:
        return exc


def first_table(answer: dict) -> tuple[dict, dict] | None:
    """The first cited table cell's citation and its table, or None."""
    for c in answer["citations"]:
        if c["kind"] == "table_row" and c.get("table") and c.get("column"):
            table = _table(c["doc_id"], c["table"])
            if isinstance(table, ClientError):
                return None
            return c, table
    return None


def first_series(answer: dict, cited: tuple[dict, dict] | None = None, head: Headline | None = None):
    """The series of the first cited table cell, or None; a change's chart marks both ends."""
    cited = cited if cited is not None else first_table(answer)
    if cited is None:
        return None
    c, table = cited
    series = cited_series(table, c.get("row"), c.get("column"))
    if series is not None and head is not None and head.ends is not None:
        series.marking(head.ends)
    return series


def answer_card(entry: dict, *, compact: bool = False) -> None:
    """One answer: the figure, the sentence, the chart of its series, feedback; then (unless
    `compact`) every citation in an expander."""
    answer = entry["response"]
    with st.container(border=True):
        st.caption(f"Q: {escape_markdown(answer['question'])}")
        cited = first_table(answer) if answer["answered"] and not compact else None
        head = headline(answer, cited[1] if cited else None)
        if answer["answered"]:
            if answer.get("value") is not None and not compact:
                st.metric(head.label, head.figure)
            elif answer.get("value") is not None:
                st.markdown(f"### {escape_markdown(head.figure)}")
            st.markdown(escape_markdown(answer["answer"]))
            source_badge(answer)
        else:
            st.warning(f"**{NOT_IN_DOCUMENTS}.** {escape_markdown(answer['answer'])}", icon=":material/search_off:")
        if not compact and answer["answered"]:
            series = first_series(answer, cited, head)
            if series is not None:
                st.altair_chart(series_chart(series), width="stretch")
                others = [n for n in series.names if n != series.cited_series]
                note = f"The cited figure is marked; beside it: {', '.join(others)}." if others else ""
                st.caption(f"Series from {series.table} of the cited document. {note}".strip())
        feedback(entry)
        if compact:
            for i, c in enumerate(answer["citations"], start=1):
                st.caption(f"{citation_icon(c)} {citation_label(i, c)}")
    if not compact:
        citations(answer)


def source_badge(answer: dict) -> None:
    """The source check of the first cited cell as a badge coloured by its verdict (green
    agrees, red differs, orange scale, violet other indicator, blue other period); its
    sentence on hover."""
    check = answer.get("source_check")
    if not check or check.get("verdict") not in COLOUR:
        return
    titles = common.titles(common.settings().api_url)
    st.badge(
        escape_markdown(badge_label(check, titles)),
        icon=ICON[check["verdict"]],
        color=COLOUR[check["verdict"]],
        help=check.get("sentence") or None,
    )
    doc_id = next((c["doc_id"] for c in answer["citations"] if c.get("table") == check.get("table")), None)
    if doc_id:
        st.page_link(
            VERIFICATION_PAGE,
            label="Every checked figure of this document on the Verification page",
            icon=":material/fact_check:",
            query_params={"doc": doc_id},
        )


def citations(answer: dict) -> None:
    if not answer["citations"]:
        return
    title = "Citations" if answer["answered"] else "Closest evidence"
    st.markdown(f"#### {title} ({len(answer['citations'])})")
    for i, c in enumerate(answer["citations"], start=1):
        with st.expander(citation_label(i, c), expanded=i == 1, icon=citation_icon(c)):
            citation(c)


def citation(c: dict) -> None:
    if c["kind"] == "table_row" and c.get("table"):
        table = _table(c["doc_id"], c["table"])
        if isinstance(table, ClientError):
            common.show_error(table, f"could not load {c['table']}")
            st.markdown(highlight_markdown(c["snippet"], c.get("highlight")))
        else:
            table_view(table, c.get("row"), c.get("column"), cited_cells(c))
            st.page_link(
                TABLES_PAGE,
                label=f"Open {c['table']} on the Tables page",
                icon=":material/open_in_new:",
                query_params={"doc": c["doc_id"], "table": table["label"]},
            )
    else:
        st.markdown(highlight_markdown(c["snippet"], c.get("highlight")))
    where = [f"document `{c['doc_id']}`"]
    if c.get("page"):
        where.append(f"page {c['page']}")
    if c["refs"]:
        st.markdown("**References**\n\n" + "\n".join(f"- {reference_markdown(r)}" for r in c["refs"]))
    st.caption(" · ".join(where))


def table_meta(table: dict) -> None:
    st.markdown(f"**{escape_markdown(table['label'])}.** {escape_markdown(table['caption'])}")
    meta = []
    if table.get("unit"):
        meta.append(f"unit: {escape_markdown(table['unit'])}")
    if table.get("source_note"):
        meta.append(escape_markdown(table["source_note"]))
    if table.get("page"):
        meta.append(f"page {table['page']}")
    if table.get("section"):
        meta.append("section: " + escape_markdown(" › ".join(table["section"])))
    if meta:
        st.caption(" · ".join(meta))


def table_view(
    table: dict, row: str | None, column: str | None, cells: list[tuple[str | None, str | None]] | None = None
) -> None:
    """The whole table with the cited rows tinted and the cited cells marked."""
    table_meta(table)
    cells = cells or [(row, column)]
    st.dataframe(highlighted(table, cells=cells), width="stretch")
    named = []
    for r, c in cells:
        row_pos, col_pos = locate(table, r, c)
        if row_pos is None:
            continue
        cell = f", column “{escape_markdown(c)}”" if col_pos is not None and c else ""
        named.append(f"row “{escape_markdown(r or '')}”{cell}")
    if named:
        st.caption(f"Cited: {'; '.join(named)} (highlighted).")


# -- feedback -----------------------------------------------------------------------------
def _send_feedback(entry: dict, verdict: str) -> None:
    comment = st.session_state.get(f"comment-{entry['id']}", "")
    try:
        stored = common.client().feedback(entry["response"], verdict, comment)
    except ClientError as exc:
        entry["feedback_error"] = exc
        return
    entry.pop("feedback_error", None)
    entry["feedback"] = {"verdict": verdict, "id": stored.get("id"), "comment": comment}


def feedback(entry: dict) -> None:
    done = entry.get("feedback")
    if done:
        st.success(f"Thanks: feedback “{done['verdict']}” recorded.", icon=":material/check_circle:")
        return
    key = entry["id"]
    left, middle, right = st.columns([1, 1, 4], vertical_alignment="bottom")
    right.text_input(
        "Comment (optional)", key=f"comment-{key}", placeholder="Comment (optional)", label_visibility="collapsed"
    )
    left.button(
        "Correct",
        icon=":material/thumb_up:",
        key=f"correct-{key}",
        on_click=_send_feedback,
        args=(entry, "correct"),
        width="stretch",
    )
    middle.button(
        "Wrong",
        icon=":material/thumb_down:",
        key=f"wrong-{key}",
        on_click=_send_feedback,
        args=(entry, "wrong"),
        width="stretch",
    )
    if entry.get("feedback_error"):
        common.show_error(entry["feedback_error"], "feedback was not stored")
