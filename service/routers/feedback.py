"""POST /feedback and GET /feedback: users' verdicts on answers, kept for evaluation.

POST needs no token (a verdict changes nothing anyone else sees) but is rate-limited per
client address, unless `CITEQA_FEEDBACK_NEEDS_TOKEN` asks for the token instead; a request
with the valid token is never limited. GET needs the token: it returns every user's
questions and comments. It returns NDJSON, one line of the evaluation file format
(`eval/README.md`) per item, ready for `citeqa eval`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from index.feedback_store import FEEDBACK_DB, FeedbackStore
from service.auth import check_token, has_valid_token, require_token
from service.deps import JsonBodyRoute
from service.errors import error_responses
from service.feedback import eval_item, iso
from service.responses import FastJSONResponse
from service.schemas import FeedbackList, FeedbackRequest, FeedbackStored

router = APIRouter(prefix="/feedback", tags=["feedback"], route_class=JsonBodyRoute)

NDJSON = "application/x-ndjson"


def feedback_store(request: Request) -> FeedbackStore:
    return FeedbackStore(Path(request.app.state.settings.data_dir) / FEEDBACK_DB)


def feedback_gate(request: Request) -> None:
    """The token when the settings ask for it; else the rate limit (a valid token skips it)."""
    settings = request.app.state.settings
    authorization = request.headers.get("authorization")
    if settings.feedback_needs_token:
        check_token(settings, authorization)
        return
    if has_valid_token(settings, authorization):
        return
    client = request.client.host if request.client else "unknown"
    request.app.state.feedback_limiter.check(client, "feedback requests")


def _wants_json(accept: str | None) -> bool:
    """`Accept: application/json` (without NDJSON) asks for one JSON object instead of lines."""
    kinds = [part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",")]
    return "application/json" in kinds and NDJSON not in kinds


@router.post(
    "",
    status_code=201,
    response_model=FeedbackStored,
    dependencies=[Depends(feedback_gate)],
    responses=error_responses(401, 403, 413, 415, 422, 429),
    summary="Say whether an answer was right",
)
def add_feedback(body: FeedbackRequest, request: Request) -> FastJSONResponse:
    """Send the question, the answer as POST /ask gave it, and the verdict."""
    new_id, stored_at = feedback_store(request).add(
        question=body.question,
        answer=body.answer,
        answered=body.answered,
        value=body.value,
        unit=body.unit,
        citations=[c.model_dump() for c in body.citations],
        verdict=body.verdict,
        comment=body.comment,
    )
    return FastJSONResponse({"id": new_id, "stored_at": iso(stored_at)}, status_code=201)


@router.get(
    "",
    response_class=Response,
    responses={
        200: {
            "model": FeedbackList,
            "description": 'one evaluation item a line (or, with `Accept: application/json`, `{"feedback": [...]}`)',
            "content": {NDJSON: {"schema": {"type": "string"}}},
        },
        **error_responses(401, 403, 422),
    },
    dependencies=[Depends(require_token)],
    summary="All feedback, as evaluation questions (NDJSON; needs the token)",
)
def list_feedback(
    request: Request,
    verdict: Annotated[Literal["correct", "wrong"] | None, Query(description="only this verdict")] = None,
) -> Response:
    items = [eval_item(row) for row in feedback_store(request).items(verdict)]
    if _wants_json(request.headers.get("accept")):
        return FastJSONResponse({"feedback": items})
    body = b"".join(orjson.dumps(item) + b"\n" for item in items)
    return Response(body, media_type=NDJSON)
