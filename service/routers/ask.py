"""POST /ask: an answer from the documents, with a citation for every figure."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from service.deps import EngineDep, check_doc_ids, require_json
from service.errors import error_responses
from service.responses import FastJSONResponse
from service.schemas import AskRequest, AskResponse

router = APIRouter(tags=["answers"])


@router.post(
    "/ask",
    response_model=AskResponse,
    dependencies=[Depends(require_json)],
    responses=error_responses(415, 422),
    summary="Answer a question, citing where each figure came from",
)
def ask(body: AskRequest, engine: EngineDep) -> FastJSONResponse:
    """`answered` is false, and `answer` says so, when the documents do not hold the answer."""
    doc_ids = check_doc_ids(engine, body.filters.doc_ids if body.filters else None)
    return FastJSONResponse(engine.ask(body.question, top_k=body.top_k, doc_ids=doc_ids))
