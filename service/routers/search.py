"""POST /search: ranked passages, table rows and dataset facts (hybrid dense + lexical)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.deps import JsonBodyRoute, check_doc_ids, leased_engine
from service.errors import error_responses
from service.responses import FastJSONResponse
from service.schemas import SearchRequest, SearchResponse

router = APIRouter(tags=["search"], route_class=JsonBodyRoute)


@router.post(
    "/search",
    response_model=SearchResponse,
    responses=error_responses(413, 415, 422),
    summary="Rank chunks for a query",
)
async def search(body: SearchRequest, request: Request) -> FastJSONResponse:
    with leased_engine(request) as engine:
        doc_ids = check_doc_ids(engine, body.filters.doc_ids if body.filters else None)
        return FastJSONResponse({"results": await engine.search_async(body.query, top_k=body.top_k, doc_ids=doc_ids)})
