"""POST /search: ranked passages, table rows and dataset facts (hybrid dense + lexical)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from service.deps import EngineDep, check_doc_ids, require_json
from service.errors import error_responses
from service.responses import FastJSONResponse
from service.schemas import SearchRequest, SearchResponse

router = APIRouter(tags=["search"])


@router.post(
    "/search",
    response_model=SearchResponse,
    dependencies=[Depends(require_json)],
    responses=error_responses(415, 422),
    summary="Rank chunks for a query",
)
def search(body: SearchRequest, engine: EngineDep) -> FastJSONResponse:
    doc_ids = check_doc_ids(engine, body.filters.doc_ids if body.filters else None)
    return FastJSONResponse({"results": engine.search(body.query, top_k=body.top_k, doc_ids=doc_ids)})
