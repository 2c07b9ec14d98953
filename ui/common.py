"""What every page shares: the API client (one per URL and token, `st.cache_resource`),
the write token (the sidebar's field, kept in `st.session_state` only; CITEQA_API_TOKEN is its
default), cached reads, and how an API failure is shown (a message and the next step, no
traceback)."""

from __future__ import annotations

import streamlit as st

from ui.client import ApiClient, ApiError, ClientError
from ui.settings import UiSettings
from ui.text import escape_markdown

TOKEN_KEY = "api-token"


def settings() -> UiSettings:
    return UiSettings()


def token() -> str | None:
    """The token for writes: what the sidebar's field holds (this session only), else
    CITEQA_API_TOKEN. A blank field means no token: a read-only UI."""
    if TOKEN_KEY in st.session_state:
        return str(st.session_state[TOKEN_KEY] or "").strip() or None
    return settings().api_token


@st.cache_resource(show_spinner=False)
def _client(base_url: str, token: str | None, timeout: float, upload_timeout: float) -> ApiClient:
    return ApiClient(base_url, token, timeout, upload_timeout=upload_timeout)


def client() -> ApiClient:
    s = settings()
    return _client(s.api_url, token(), s.api_timeout, s.upload_timeout)


def show_error(exc: ClientError, what: str = "") -> None:
    """`st.error` with what failed and what to do next."""
    message = escape_markdown(exc.message) if isinstance(exc, ApiError) else exc.message
    head = f"{what}: {message}" if what else message
    st.error(f"{head}\n\n{exc.hint}" if exc.hint else head, icon=":material/error:")


# -- cached reads (keyed by the API's URL; errors are never cached) -----------------------
@st.cache_data(ttl=15, show_spinner=False)
def health(base_url: str) -> dict:
    return client().health()


@st.cache_data(ttl=60, show_spinner=False)
def documents(base_url: str) -> list[dict]:
    return client().documents()


@st.cache_data(ttl=600, show_spinner=False)
def tables(base_url: str, doc_id: str) -> list[dict]:
    return client().tables(doc_id)


@st.cache_data(ttl=600, show_spinner=False)
def table(base_url: str, doc_id: str, label: str) -> dict:
    return client().table(doc_id, label)


@st.cache_data(ttl=600, show_spinner=False)
def verification(base_url: str, doc_id: str) -> dict:
    return client().verification(doc_id)


@st.cache_data(ttl=600, show_spinner=False)
def cites_data(base_url: str, doc_id: str) -> bool:
    """Whether a reference entry of the document stands for a dataset of the corpus."""
    return any(r.get("standing_for") for r in client().references(doc_id))


def titles(base_url: str) -> dict[str, str]:
    """Document titles by id (empty when the API cannot list them: ids stand in)."""
    try:
        return {d["id"]: d["title"] for d in documents(base_url)}
    except ClientError:
        return {}


def forget_documents() -> None:
    """After an upload or a delete: read documents, tables and verdicts afresh."""
    for cached in (health, documents, tables, table, verification, cites_data):
        cached.clear()
