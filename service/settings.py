"""All configuration in one place: environment variables `CITEQA_*`, or a `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedder import DEFAULT_MODEL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITEQA_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="SQLite store and index folder")
    model: str = Field(DEFAULT_MODEL, description="embedding model: a folder, or a package that ships one")
    torch_threads: int = Field(1, ge=1, description="torch threads per process; one is fastest for single queries")
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = Field(None, description="bearer token that enables writes (upload, delete)")
    max_upload_mb: int = Field(50, ge=1, description="largest file POST /documents accepts, in MB")
    api_url: str = Field("http://127.0.0.1:8000", description="where the UI finds the API")
    ui_port: int = 8501
    access_log: bool = Field(False, description="log a line per HTTP request")
    worker_threads: int = Field(8, ge=1, le=64, description="threads that run requests (each holds memory)")


@lru_cache
def get_settings() -> Settings:
    return Settings()
