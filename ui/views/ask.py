"""Ask: a question in, the answer with its figure, chart and citations out."""

from __future__ import annotations

import uuid

import streamlit as st

from ui import common
from ui.answer import answer_card
from ui.client import ClientError

EXAMPLES = [
    "What were Russia's fixed broadband subscriptions per 100 people in 2019?",
    "How large was China's digital economy in 2020?",
    "Which had more mobile cellular subscriptions per 100 people in 2018, China or Russia?",
    "What was China's EGDI rank in 2020?",
]
HISTORY = "history"
MAX_HISTORY = 20


def _use_example(question: str) -> None:
    st.session_state["question"] = question
    st.session_state["pending"] = question


def _submit() -> None:
    st.session_state["pending"] = st.session_state.get("question", "")


def _bring_to_front(entry_id: str) -> None:
    history = st.session_state[HISTORY]
    history.sort(key=lambda e: e["id"] != entry_id)


def _options() -> tuple[int, list[str]]:
    with st.sidebar:
        st.subheader("Answer options")
        top_k = st.number_input("Citations to consider", min_value=1, max_value=20, value=5, key="top_k")
        try:
            docs = common.documents(common.settings().api_url)
        except ClientError:
            docs = []
        titles = {d["id"]: d["title"] for d in docs}
        doc_ids = st.multiselect(
            "Only these documents",
            list(titles),
            format_func=lambda i: titles.get(i, i),
            key="doc_ids",
            placeholder="all documents",
        )
    return int(top_k), doc_ids


def _ask(question: str, top_k: int, doc_ids: list[str]) -> None:
    question = question.strip()
    if not question:
        st.warning("Type a question first.")
        return
    try:
        with st.spinner("Looking in the documents…"):
            response = common.client().ask(question, top_k=top_k, doc_ids=doc_ids or None)
    except ClientError as exc:
        common.show_error(exc, "no answer")
        return
    history = st.session_state.setdefault(HISTORY, [])
    history.insert(0, {"id": uuid.uuid4().hex[:12], "response": response})
    del history[MAX_HISTORY:]


st.title("Ask the documents")
st.caption(
    "Answers come from the documents only. Every figure is cited: the document, the table and row, "
    "the page or section, and the document's own reference entries."
)
top_k, doc_ids = _options()

with st.form("ask", border=False):
    st.text_input(
        "Question",
        key="question",
        placeholder="e.g. What were Russia's fixed broadband subscriptions per 100 people in 2019?",
        max_chars=1000,
    )
    st.form_submit_button("Ask", type="primary", on_click=_submit)

st.caption("Or try one of these:")
columns = st.columns(len(EXAMPLES))
for i, (column, example) in enumerate(zip(columns, EXAMPLES)):
    column.button(example, key=f"example-{i}", on_click=_use_example, args=(example,), width="stretch")

pending = st.session_state.pop("pending", None)
if pending is not None:
    _ask(pending, top_k, doc_ids)

history = st.session_state.get(HISTORY, [])
if history:
    answer_card(history[0])
if len(history) > 1:
    st.divider()
    st.subheader("Earlier answers")
    for entry in history[1:]:
        answer_card(entry, compact=True)
        st.button("Show in full", key=f"front-{entry['id']}", on_click=_bring_to_front, args=(entry["id"],))
