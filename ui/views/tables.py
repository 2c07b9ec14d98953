"""Tables: any table of any document, whole, with a chart of the rows or columns you pick."""

from __future__ import annotations

import streamlit as st

from ui import common
from ui.answer import table_meta
from ui.charts import pick_chart, pick_frame
from ui.client import ClientError
from ui.tables import column_name, table_frame, year_axis
from ui.text import one_line, reference_markdown

st.title("Tables")
url = common.settings().api_url
try:
    docs = [d for d in common.documents(url) if d["counts"]["tables"]]
except ClientError as exc:
    common.show_error(exc, "could not list the documents")
    st.stop()
if not docs:
    st.info("No document has tables yet. Ingest one with `citeqa ingest PATH` or on the Documents page.")
    st.stop()

titles = {d["id"]: f"{d['title']} ({d['counts']['tables']} tables)" for d in docs}
# a link from a citation (?doc=…&table=…) opens that table
wanted_doc, wanted_table = st.query_params.get("doc"), st.query_params.get("table")
if wanted_doc in titles and "tables-doc" not in st.session_state:
    st.session_state["tables-doc"] = wanted_doc
doc_id = st.selectbox("Document", list(titles), format_func=lambda i: titles[i], key="tables-doc")
try:
    listed = common.tables(url, doc_id)
except ClientError as exc:
    common.show_error(exc, f"could not list the tables of {doc_id}")
    st.stop()
captions = {t["label"]: f"{t['label']} — {one_line(t['caption'], 100)}" for t in listed}
if wanted_doc == doc_id and wanted_table in captions and f"tables-label-{doc_id}" not in st.session_state:
    st.session_state[f"tables-label-{doc_id}"] = wanted_table
label = st.selectbox("Table", list(captions), format_func=lambda x: captions[x], key=f"tables-label-{doc_id}")
try:
    table = common.table(url, doc_id, label)
except ClientError as exc:
    common.show_error(exc, f"could not load {label}")
    st.stop()

st.subheader(table["label"])
table_meta(table)
st.dataframe(table_frame(table), width="stretch")
if table["refs"]:
    st.markdown("**References**\n\n" + "\n".join(f"- {reference_markdown(r)}" for r in table["refs"]))

st.subheader("Chart")
axis = year_axis(table)
rows = [r["label"] for r in table["rows"]]
columns = [column_name(p) for p in table["columns"]]
default = "a column" if axis is not None and axis.on == "rows" else "a row"
by = st.radio(
    "Plot",
    ["a row", "a column"],
    index=["a row", "a column"].index(default),
    horizontal=True,
    key=f"by-{doc_id}-{label}",
)
options = rows if by == "a row" else columns
picks = st.multiselect(
    "Rows" if by == "a row" else "Columns", options, default=options[:1], key=f"picks-{doc_id}-{label}-{by}"
)
if picks:
    frame = pick_frame(table, "row" if by == "a row" else "column", picks)
    if frame.empty:
        st.info("The picked cells hold no numbers.")
    else:
        st.altair_chart(pick_chart(frame, title=f"{table['label']}: {', '.join(picks)}"), width="stretch")
        if axis is None:
            st.caption("This table has no year axis: bars compare the picked cells.")
