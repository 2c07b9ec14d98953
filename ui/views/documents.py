"""Documents: what the API serves; upload and delete when the UI has a token."""

from __future__ import annotations

import streamlit as st

from ui import common
from ui.client import ClientError
from ui.documents import COLUMNS, delete_message, documents_frame, upload_message
from ui.text import escape_markdown

UPLOAD_TYPES = ["pdf", "md", "markdown", "txt", "csv"]
ENABLE_WRITES = (
    "Uploading and deleting are turned off because the UI has no API token. To turn them on, type the "
    "API's token in the sidebar, or set the same `CITEQA_API_TOKEN` for the API and the UI (`make run` "
    "generates one and passes it to both)."
)

st.title("Documents")
url = common.settings().api_url
try:
    docs = common.documents(url)
except ClientError as exc:
    common.show_error(exc, "could not list the documents")
    st.stop()

st.caption(f"{len(docs)} documents served by {url}")
# a static table: every title, date and file name is shown whole, none cut off at 1,280 px
# (titles wrap at spaces; a long file name may wrap anywhere; a date stays on one line)
DATE_COLUMN, FILE_COLUMN = COLUMNS.index("ingested at") + 1, COLUMNS.index("file") + 1
st.html(
    "<style>"
    f'[data-testid="stTable"] td:nth-child({DATE_COLUMN}) p {{ white-space: nowrap; }}'
    f'[data-testid="stTable"] td:nth-child({FILE_COLUMN}) {{ min-width: 8em; }}'
    f'[data-testid="stTable"] td:nth-child({FILE_COLUMN}) p {{ overflow-wrap: anywhere; }}'
    "</style>"
)
frame = documents_frame(docs)
for column in ("title", "file"):  # the table's cells are markdown: show the text as it is
    frame[column] = frame[column].map(escape_markdown)
st.table(frame, hide_index=True)
warned = [d for d in docs if d.get("warnings")]
for d in warned:
    st.warning(f"**{escape_markdown(d['title'])}**: " + "; ".join(escape_markdown(w) for w in d["warnings"]))

client = common.client()
if not client.can_write:
    st.info(ENABLE_WRITES, icon=":material/lock:")
    st.stop()

# -- upload -------------------------------------------------------------------------------
st.subheader("Add or update a document")
with st.form("upload", clear_on_submit=True):
    upload = st.file_uploader("A PDF, markdown, text or CSV file", type=UPLOAD_TYPES, key="upload-file")
    left, right = st.columns(2)
    new_id = left.text_input("Id (optional)", key="upload-id", help="default: made from the file name")
    new_title = right.text_input("Title (optional)", key="upload-title")
    submitted = st.form_submit_button("Upload and ingest", type="primary")

if submitted and upload is None:
    st.warning("Choose a file first.")
elif submitted and upload is not None:  # (`upload is None` is handled above)
    with st.status(f"Ingesting {upload.name}…", expanded=True) as status:
        st.write("The API reads the file, splits it, embeds new text and swaps in a new index.")
        try:
            result = client.upload(
                upload.name, upload.getvalue(), doc_id=new_id or None, title=new_title or None, content_type=upload.type
            )
        except ClientError as exc:
            status.update(label=f"{upload.name} was not ingested", state="error")
            st.session_state["upload-result"] = {"error": exc, "name": upload.name}
        else:
            status.update(label=f"{upload.name} ingested", state="complete")
            st.session_state["upload-result"] = {"result": result, "name": upload.name}
            common.forget_documents()
    st.rerun()

last = st.session_state.get("upload-result")
if last and "error" in last:
    common.show_error(last["error"], f"{last['name']} was not ingested")
elif last:
    ok, message = upload_message(last["result"], last["name"])
    if ok:
        st.success(escape_markdown(message), icon=":material/download_done:")
    else:
        st.error(escape_markdown(message), icon=":material/error:")

# -- delete -------------------------------------------------------------------------------
st.subheader("Delete a document")
titles = {d["id"]: f"{d['title']} ({d['id']})" for d in docs}
target = st.selectbox("Document", list(titles), format_func=lambda i: titles[i], key="delete-target", index=None)


def _ask_to_confirm() -> None:
    st.session_state["confirm-delete"] = st.session_state.get("delete-target")


def _cancel() -> None:
    st.session_state.pop("confirm-delete", None)


st.button("Delete…", disabled=target is None, on_click=_ask_to_confirm, key="delete")
pending = st.session_state.get("confirm-delete")
if pending and pending in titles:
    st.warning(
        f"Delete **{escape_markdown(titles[pending])}**? Its passages, tables, facts and index entries are removed "
        "from the store; answers will no longer cite it.",
        icon=":material/delete:",
    )
    yes, no = st.columns([1, 5])
    if yes.button("Yes, delete", type="primary", key="delete-confirm"):
        st.session_state.pop("confirm-delete", None)
        try:
            with st.spinner(f"Deleting {pending}…"):
                result = client.delete_document(pending)
        except ClientError as exc:
            common.show_error(exc, f"{pending} was not deleted")
        else:
            common.forget_documents()
            st.session_state["delete-result"] = {
                "id": pending,
                "title": next((d["title"] for d in docs if d["id"] == pending), pending),
                "summary": result.get("summary", {}),
            }
            st.rerun()
    no.button("Cancel", key="delete-cancel", on_click=_cancel)

done = st.session_state.pop("delete-result", None)
if done:
    ok, message = delete_message(done["title"], done["summary"])
    (st.success if ok else st.error)(escape_markdown(message))
