"""Verification: a document's table figures checked against the source data they cite
(`GET /documents/{id}/verification`), filtered by table and verdict; a picked cell shown
beside its source row."""

from __future__ import annotations

import streamlit as st

from ui import common
from ui.answer import table_view
from ui.client import ClientError
from ui.text import escape_markdown, one_line
from ui.verification import (
    COLOUR,
    ICON,
    MEANING,
    VERDICTS,
    cell_key,
    cells_frame,
    evidence_frame,
    filtered,
    source_fact,
    summary,
)

ALL = "(all)"
CELL_KEY = "verify-cell"

st.title("Verification")
st.caption(
    "Each figure of a document's tables checked against the source data it cites, in every release "
    "of that data in the corpus, at the figure's printed precision."
)
url = common.settings().api_url
try:
    docs = [d for d in common.documents(url) if d["counts"]["tables"] and d.get("kind") != "dataset"]
    # the documents that cite data of the corpus first: theirs are the figures that can be checked
    docs.sort(key=lambda d: not common.cites_data(url, d["id"]))
except ClientError as exc:
    common.show_error(exc, "could not list the documents")
    st.stop()
if not docs:
    st.info("No report with tables yet. Ingest one with `citeqa ingest PATH` or on the Documents page.")
    st.stop()
titles = common.titles(url)

names = {d["id"]: f"{d['title']} ({d['id']})" for d in docs}
wanted = st.query_params.get("doc")
if wanted in names and "verify-doc" not in st.session_state:
    st.session_state["verify-doc"] = wanted
doc_id = st.selectbox("Document", list(names), format_func=lambda i: one_line(names[i], 110), key="verify-doc")
try:
    result = common.verification(url, doc_id)
except ClientError as exc:
    common.show_error(exc, f"could not check {doc_id}")
    st.stop()
cells = result["cells"]
if not cells:
    st.info("No figure of this document's tables could be checked: it cites no dataset of the corpus.")
    st.stop()

left, right = st.columns(2)
tables = list(dict.fromkeys(c["table"] for c in cells))
table = left.selectbox("Table", [ALL, *tables], key=f"verify-table-{doc_id}")
verdict = right.selectbox(
    "Verdict",
    [ALL, *VERDICTS],
    key="verify-verdict",
    format_func=lambda v: v if v == ALL else f"{v} — {MEANING[v]}",
)
in_table = filtered(cells, None if table == ALL else table)
counts = summary(in_table)
st.markdown(
    " ".join(f":{COLOUR[v]}-badge[{ICON[v]} {v}: {counts[v]}]" for v in VERDICTS),
    help="Cells per verdict in " + ("the whole document" if table == ALL else table),
)
for flag in result.get("reference_flags") or []:
    if flag["doc_id"] == doc_id:
        st.warning(escape_markdown(flag["message"]), icon=":material/flag:")

shown = filtered(in_table, verdict=None if verdict == ALL else verdict)
if not shown:
    st.info(f"No cell {'' if table == ALL else 'of ' + table + ' '}has the verdict “{verdict}”.")
    st.stop()
st.subheader(f"{len(shown)} cell{'s' if len(shown) != 1 else ''}")
keys = [cell_key(c) for c in shown]


def _pick_row() -> None:
    rows = st.session_state["verify-rows"].selection.rows
    if rows:
        st.session_state[CELL_KEY] = keys[rows[0]]


st.dataframe(
    cells_frame(shown, titles),
    width="stretch",
    hide_index=True,
    on_select=_pick_row,
    selection_mode="single-row",
    key="verify-rows",
)
if st.session_state.get(CELL_KEY) not in keys:
    st.session_state[CELL_KEY] = keys[0]
key = st.selectbox("Cell", keys, key=CELL_KEY, help="Or pick a row of the list above")
cell = shown[keys.index(key)]

st.subheader(escape_markdown(key))
st.badge(cell["verdict"], icon=ICON[cell["verdict"]], color=COLOUR[cell["verdict"]], help=MEANING[cell["verdict"]])
if cell.get("note"):
    st.caption(escape_markdown(cell["note"]))
doc_side, source_side = st.columns(2)
with doc_side:
    st.markdown(f"**In the document** — {escape_markdown(cell['table'])} prints {escape_markdown(cell['raw'])}")
    try:
        detail = common.table(url, doc_id, cell["table"])
    except ClientError as exc:
        common.show_error(exc, f"could not load {cell['table']}")
    else:
        table_view(detail, cell["row"], cell["column"])
with source_side:
    st.markdown("**In the source data**")
    pairs = source_fact(cell, titles)
    if pairs:
        st.markdown("\n".join(f"- {name}: {escape_markdown(value)}" for name, value in pairs))
    else:
        st.info("No cited dataset of the corpus holds this series for the cell's country and year.")
    evidence = evidence_frame(cell)
    if not evidence.empty:
        st.caption("Every source figure compared (each release tried):")
        st.dataframe(evidence, width="stretch", hide_index=True)
