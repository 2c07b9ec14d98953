"""citeqa's web UI (Streamlit), a client of the HTTP API:

    citeqa ui [--api URL] [--port 8501]        # or: streamlit run ui/app.py

The API's URL and token come from CITEQA_API_URL and CITEQA_API_TOKEN (`ui/settings.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `streamlit run ui/app.py` puts ui/ first, not its parent
    sys.path.insert(0, str(HERE.parent))

import streamlit as st  # noqa: E402

from ui import common  # noqa: E402
from ui.client import ClientError  # noqa: E402

st.set_page_config(page_title="citeqa", page_icon=":material/format_quote:", layout="wide")

pages = [
    st.Page(HERE / "views" / "ask.py", title="Ask", icon=":material/question_answer:", url_path="ask", default=True),
    st.Page(HERE / "views" / "tables.py", title="Tables", icon=":material/table_chart:", url_path="tables"),
    st.Page(HERE / "views" / "documents.py", title="Documents", icon=":material/library_books:", url_path="documents"),
]
page = st.navigation(pages)

settings = common.settings()
with st.sidebar:
    try:
        status = common.health(settings.api_url)
    except ClientError:
        st.caption(f"API: {settings.api_url} — not reachable")
    else:
        count = status.get("counts", {}).get("documents", "?")
        st.caption(f"API: {settings.api_url} — {count} documents, citeqa {status.get('version', '?')}")
    st.caption("writes: on (token set)" if settings.can_write else "writes: off (no token)")

page.run()
