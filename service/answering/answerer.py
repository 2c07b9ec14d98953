"""Placeholder answerer: retrieval only. Replaced by the structured answerer."""

from __future__ import annotations

from service.answering.citations import hit_citation


def answer(engine, question: str, *, top_k: int = 5, doc_ids: list[str] | None = None) -> dict:
    hits = engine.searcher.search(question, top_k=top_k, doc_ids=doc_ids)
    return {
        "question": question,
        "answered": False,
        "answer": "The documents do not say.",
        "value": None,
        "unit": None,
        "citations": [{k: v for k, v in hit_citation(engine.corpus, h).items() if k != "text"} for h in hits],
        "timings_ms": {},
    }
