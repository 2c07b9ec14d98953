"""citeqa's web UI (Streamlit), a client of the HTTP API:

    citeqa ui [--api URL] [--port 8501]        # or: streamlit run ui/app.py

The API's URL comes from CITEQA_API_URL (`ui/settings.py`); the token for writes is typed in
the sidebar (kept in this browser session only), CITEQA_API_TOKEN filling it in by default.
Every page has its own URL: /ask (also the root), /tables, /verification, /documents.
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

ask = st.Page(HERE / "views" / "ask.py", title="Ask", icon=":material/question_answer:", url_path="ask")


def _home() -> None:
    """The root URL opens the Ask page at its own URL, /ask (a default page is served only at
    the root, so Ask itself is not the default: /ask would be "Page not found"). The query
    string comes along."""
    st.switch_page(ask, query_params=st.query_params.to_dict())


pages = [
    st.Page(_home, title="Home", url_path="home", default=True, visibility="hidden"),
    ask,
    st.Page(HERE / "views" / "tables.py", title="Tables", icon=":material/table_chart:", url_path="tables"),
    st.Page(
        HERE / "views" / "verification.py", title="Verification", icon=":material/fact_check:", url_path="verification"
    ),
    st.Page(HERE / "views" / "documents.py", title="Documents", icon=":material/library_books:", url_path="documents"),
]
page = st.navigation(pages)

settings = common.settings()
if common.TOKEN_KEY not in st.session_state:
    st.session_state[common.TOKEN_KEY] = settings.api_token or ""
with st.sidebar:
    try:
        status = common.health(settings.api_url)
    except ClientError:
        st.caption(f"API: {settings.api_url} — not reachable")
    else:
        count = status.get("counts", {}).get("documents", "?")
        st.caption(f"API: {settings.api_url} — {count} documents, citeqa {status.get('version', '?')}")
    st.text_input(
        "API token",
        type="password",
        key=common.TOKEN_KEY,
        help="The API's CITEQA_API_TOKEN: needed to upload and delete documents and to read feedback. "
        "Kept in this browser session only.",
        placeholder="none: read-only",
    )
    st.caption("writes: on (token set)" if common.token() else "writes: off (no token)")

page.run()
