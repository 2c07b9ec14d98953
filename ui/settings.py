"""The UI's configuration: where the API is, the token for writes, how long to wait.

Read from environment variables (`CITEQA_API_URL`, `CITEQA_API_TOKEN`, `CITEQA_API_TIMEOUT`,
`CITEQA_UPLOAD_TIMEOUT`) or a `.env` file, the same names the API reads.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class UiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITEQA_", env_file=".env", extra="ignore")

    api_url: str = Field("http://127.0.0.1:8000", description="base URL of the citeqa API")
    api_token: str | None = Field(None, description="bearer token for uploads and deletes; unset: read-only UI")
    api_timeout: float = Field(60.0, gt=0, description="seconds to wait for an answer or a table")
    upload_timeout: float = Field(900.0, gt=0, description="seconds to wait while the API ingests an upload")

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if "://" not in value:
            value = f"http://{value}"
        return value

    @field_validator("api_token")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @property
    def can_write(self) -> bool:
        return self.api_token is not None
