"""POST /ask: an answer from the documents, with a citation for every figure."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.deps import JsonBodyRoute, check_doc_ids, leased_engine
from service.errors import error_responses
from service.responses import FastJSONResponse
from service.schemas import AskRequest, AskResponse

router = APIRouter(tags=["answers"], route_class=JsonBodyRoute)


@router.post(
    "/ask",
    response_model=AskResponse,
    responses=error_responses(413, 415, 422),
    summary="Answer a question, citing where each figure came from",
)
async def ask(body: AskRequest, request: Request) -> FastJSONResponse:
    """`answered` is false, and `answer` says so, when the documents do not hold the answer."""
    with leased_engine(request) as engine:
        doc_ids = check_doc_ids(engine, body.filters.doc_ids if body.filters else None)
        return FastJSONResponse(await engine.ask_async(body.question, top_k=body.top_k, doc_ids=doc_ids))
