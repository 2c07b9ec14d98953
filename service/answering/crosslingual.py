"""Reading evidence across languages: a figure for a question whose words the documents do not
share (a Russian question over an English table, an English question over a Chinese passage).

Word matching cannot join such a question to its evidence, so the reading rests on what does
carry across languages:
- retrieval in the multilingual space (`index.spaces`) ranks the table rows, dataset rows and
  passages nearest the question, whatever their language;
- years are digits, and countries are read in three languages (`countries`);
- what the question asks — a lookup or a computation; a percentage, an amount or a rank — is
  read off its e5 vector by heads trained on English questions (`crosslingual_model`).

Each language's first retrieved evidence (a table, a dataset series, a passage) that holds every
asked year and country gives the candidate figures; the one nearest the question answers —
by its chunk's and its description's cosine (a cell's caption and labels, a figure's clause,
embedded at ingest) and the asked kind, weighted as `scripts/train_crosslingual.py` fitted. No
candidate among the first `EVIDENCE_READ` hits: the documents do not say. Only lookups are read
so (a computation across languages is left to the word-matching answerer, or refused)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from index.search import Hit
from ingest.numbers import PrintedFigure, figures_in, format_number
from ingest.records import Fact, Passage
from ingest.text import sentence_spans
from service.answering import operators as ops
from service.answering import passage_figures
from service.answering.answer import Draft
from service.answering.citations import cell_citation, passage_citation
from service.answering.compose import cell_phrase, cell_sentence, fact_draft, figure_text
from service.answering.corpus import CellView, Corpus, TableView
from service.answering.countries import country_named, mentions
from service.answering.crosslingual_model import CrossLingualModel
from service.answering.evidence import asked_years
from service.answering.facts import FactSeries
from service.answering.passage_figures import PassageFigureModel
from service.answering.text_vectors import TextVectors

EVIDENCE_READ = 12  # hits read, in retrieval's order
LOOKUP = (ops.SPAN, ops.MULTI_SPAN, ops.COUNT, ops.OTHER)  # operations that read one figure


@dataclass
class Asked:
    """What a question asks for, read without its words: years, countries (English names), the
    kind of figure (probabilities of percent, amount, rank, words) and whether it is a lookup."""

    years: list[int]
    countries: list[str]
    kinds: dict[str, float]
    lookup: bool

    @classmethod
    def of(cls, question: str, vector: np.ndarray, model: CrossLingualModel) -> Asked:
        years = asked_years(question)
        countries = list(dict.fromkeys(m.country.name for m in mentions(question)))
        operation = model.operation.probabilities(vector)
        # a lookup unless the question more likely asks for a computation
        computed = sum(p for op, p in operation.items() if op not in LOOKUP)
        return cls(years, countries, model.figure_kind.probabilities(vector), computed < 0.5)

    def kind_fit(self, kind: str) -> float:
        return self.kinds.get(kind, 0.0)


@dataclass
class _Candidate:
    """A figure that may answer: from a table cell, a dataset row or a passage's sentence."""

    hit: Hit
    kind: str  # what it measures: `percent`, `amount`, `rank` (`points` for a passage's)
    ref: str  # where in its document (`document_texts`' reference)
    cell: CellView | None = None
    fact: Fact | None = None
    passage: tuple[Passage, int, str, PrintedFigure] | None = None  # passage, offset, sentence, figure
    order: int = 0  # how many fitting hits came before its own

    @property
    def value(self) -> float | None:
        if self.cell is not None:
            return self.cell.value
        if self.fact is not None:
            return self.fact.value
        return self.passage[3].value if self.passage else None


HITS_PER_LANGUAGE = 1  # fitting hits read per language (2 and 3 did no better on the dev questions)
FEATURES = (
    "chunk_cosine",  # the question's cosine to the candidate's chunk (row, series, passage)
    "text_cosine",  # … to its description (a cell's caption and labels, a figure's clause)
    "chunk_gap",  # chunk_cosine less the best candidate's
    "text_gap",  # text_cosine less the best candidate's
    "kind_fit",  # how likely the question asks for the candidate's kind
    "kind_best",  # the candidate's kind is the likeliest of the kinds the candidates have
    "is_cell",
    "is_fact",
    "is_passage",
    "hit_order",  # 0 for the first fitting hit, 1 for the next …
    "in_hit_row",  # a cell of the very row retrieval found (not another row of its table)
)


def candidates_for(
    corpus: Corpus,
    hits: list[Hit],
    asked: Asked,
    language_of: Callable[[Hit], str] | None = None,
    per_language: int = HITS_PER_LANGUAGE,
    depth: int | None = None,
) -> list[_Candidate]:
    """The figures that may answer, from the first `per_language` fitting hits of each language
    among the first `EVIDENCE_READ` hits (`depth`: among each language's first `depth` hits).

    Retrieval interleaves languages (`index.search`), so its order says which of a language's
    chunks is nearer, not which language: each language's first fitting hits name its evidence."""
    candidates: list[_Candidate] = []
    fitting_hits: dict[str, int] = {}
    read = hits[:EVIDENCE_READ] if depth is None else hits
    for language, hit in _each_languages_first(read, language_of, depth):
        if fitting_hits.get(language, 0) >= per_language:
            continue
        if hit.kind == "table_row":
            found = _table_candidates(corpus, hit, asked, whole_table=True)
        elif hit.kind == "fact":
            found = _fact_candidates(corpus, hit, asked)
        elif hit.kind == "passage":
            found = _passage_candidates(corpus, hit, asked)
        else:
            found = []
        for candidate in found:
            candidate.order = sum(fitting_hits.values())
        if found:
            candidates += found
            fitting_hits[language] = fitting_hits.get(language, 0) + 1
    return candidates


def _each_languages_first(
    hits: list[Hit], language_of: Callable[[Hit], str] | None, depth: int | None
) -> Iterator[tuple[str, Hit]]:
    """(language, hit) for the hits among their language's first `depth` (None: every hit), in order."""
    read: dict[str, int] = {}
    for hit in hits:
        language = language_of(hit) if language_of else ""
        read[language] = read.get(language, 0) + 1
        if depth is None or read[language] <= depth:
            yield language, hit


def candidate_features(
    candidates: list[_Candidate],
    asked: Asked,
    vector: np.ndarray | None,
    texts: TextVectors | None,
    chunk_similarity: Callable[[list[int]], list[float]] | None,
) -> np.ndarray:
    """One row of `FEATURES` per candidate."""
    if chunk_similarity is not None:
        chunk = np.array(chunk_similarity([c.hit.faiss_id for c in candidates]), dtype=np.float32)
    else:
        chunk = np.zeros(len(candidates), dtype=np.float32)
    said = chunk.copy()  # a text never embedded counts as its chunk
    if vector is not None and texts:
        for i, candidate in enumerate(candidates):
            text_vector = texts.get((candidate.hit.doc_id, candidate.ref))
            if text_vector is not None:
                said[i] = float(text_vector @ vector)
    kinds = {c.kind for c in candidates}
    best_kind = max(kinds, key=asked.kind_fit)
    rows = []
    for i, c in enumerate(candidates):
        in_row = c.cell is not None and c.hit.ref_id.partition(":")[2] == str(c.cell.row)
        rows.append(
            [
                chunk[i], said[i], chunk[i] - chunk.max(), said[i] - said.max(), asked.kind_fit(c.kind),
                float(c.kind == best_kind), float(c.cell is not None), float(c.fact is not None),
                float(c.passage is not None), float(c.order), float(in_row),
            ]
        )  # fmt: skip
    return np.array(rows, dtype=np.float32).reshape(len(candidates), len(FEATURES))


def read_across(
    corpus: Corpus,
    hits: list[Hit],
    asked: Asked,
    vector: np.ndarray | None = None,
    texts: TextVectors | None = None,
    chunk_similarity: Callable[[list[int]], list[float]] | None = None,
    language_of: Callable[[Hit], str] | None = None,
    model: CrossLingualModel | None = None,
    depth: int | None = None,
) -> Draft | None:
    """The figure, among the candidates (`candidates_for`) for every asked year and country,
    that the question asks for, as an answer; None when no hit holds one. Which: by the
    model's evidence score over `FEATURES` (its weights fitted on English questions); without
    one, by the question's cosines to the figure's chunk and its description."""
    if not asked.lookup or len(asked.years) > 1:
        return None
    candidates = candidates_for(corpus, hits, asked, language_of, depth=depth)
    if not candidates:
        return None
    features = candidate_features(candidates, asked, vector, texts, chunk_similarity)
    if model is not None and model.evidence is not None:
        scores = model.evidence.scores(features)
    else:  # no fitted weights: the two cosines alike
        scores = features[:, FEATURES.index("chunk_cosine")] + features[:, FEATURES.index("text_cosine")]
    return _draft(corpus, candidates[int(np.argmax(scores))])


def _draft(corpus: Corpus, candidate: _Candidate) -> Draft:
    if candidate.cell is not None:
        cell = candidate.cell
        rank = candidate.kind == "rank"
        return Draft(
            answer=cell_sentence(cell, rank=rank),
            phrase=cell_phrase(cell, rank=rank),
            value=cell.value,
            unit=cell.unit,
            citations=[cell_citation(corpus, cell, candidate.hit.score)],
            spans=[cell.raw],
            solver="crosslingual",
        )
    if candidate.fact is not None:
        draft = fact_draft(corpus, candidate.fact, candidate.hit.score)
        draft.solver = "crosslingual"
        return draft
    assert candidate.passage is not None
    return _passage_draft(corpus, candidate.hit, *candidate.passage)


# -- what the question is compared with -------------------------------------------------
def describe_cell(cell: CellView) -> str:
    """A cell as its table says what it is: caption, labels (periods aside: the question's year
    is matched as a digit) and unit."""
    return " · ".join(p for p in [cell.table.caption, *cell.labels, cell.unit or ""] if p)


def fact_ref(fact: Fact | FactSeries) -> str:
    """A dataset row's reference among a document's texts: its series' (a series of sixty rows
    is one text, one vector)."""
    return "series:" + " · ".join(p for p in [fact.indicator, fact.entity, fact.unit or ""] if p)


_CLAUSE_BREAK = re.compile(r"[，,；;。：:！？!?\n]")
_CLAUSE_MIN = 6  # characters besides the figure: `45.7%、24.7%和9.1%` says nothing of its own


def figure_clause(text: str, figure: PrintedFigure) -> str:
    """The clause a figure closes: from the break before it to its unit (`全球 51 个主要经济体数字
    产业化规模为 6.1 万亿美元`) — what the figure is, in the document's words."""
    start = figure.start
    while True:
        breaks = list(_CLAUSE_BREAK.finditer(text, 0, start))
        start = breaks[-1].start() if breaks else 0
        if not breaks or figure.start - start - 1 >= _CLAUSE_MIN:
            break
    return text[start : figure.end].lstrip("，,；;。：:！？!?\n ").strip()


def cell_ref(cell: CellView) -> str:
    return f"cell:{cell.table.id}:{cell.row}:{cell.col}"


def figure_ref(passage: Passage, figure: PrintedFigure) -> str:
    return f"figure:{passage.id}:{figure.start}"


def texts_version() -> str:
    """Changes whenever the code that finds and describes figures changes (this module, and
    `ingest.numbers`): the stored texts are then described again (only new ones embedded)."""
    import hashlib
    from pathlib import Path

    import ingest.numbers

    sources = (Path(__file__), Path(ingest.numbers.__file__))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]


def document_texts(tables: list[TableView], passages: list[Passage], series: Iterable[FactSeries]) -> dict[str, str]:
    """What the reader compares a question with, for one document, by reference: each cell's
    description, each dataset series' (its chunk's own embedded text, so one embedding serves
    both), each passage figure's clause. Embedded at ingest."""
    texts = {cell_ref(c): describe_cell(c) for t in tables for c in t.cells if c.value is not None}
    texts.update((fact_ref(s), s.description) for s in series)
    for passage in passages:
        for figure in figures_in(passage.text):
            if figure.unit:
                texts[figure_ref(passage, figure)] = figure_clause(passage.text, figure)
    return texts


# -- table rows ---------------------------------------------------------------------------
def measure_kind(unit: str | None, labels: list[str]) -> str:
    """`rank`, `percent` or `amount`: what a figure measures, by its unit and labels."""
    said = " ".join([unit or "", *labels]).lower()
    if "rank" in said or "place" in said:
        return "rank"
    if (unit or "").startswith("%") or "%" in said:
        return "percent"
    return "amount"


def cell_kind(cell: CellView) -> str:
    return measure_kind(cell.unit, [*cell.labels, cell.table.unit or ""])


def _countries_of(texts: list[str]) -> set[str]:
    return {m.country.name for text in texts for m in mentions(text)}


def _fits(cell: CellView, asked: Asked, caption_years: list[int], table_countries: set[str]) -> bool:
    years = cell.years or (caption_years if len(caption_years) == 1 else [])
    if asked.years and not set(asked.years) & set(years):
        return False
    return set(asked.countries) <= (_countries_of(cell.labels) or table_countries)


def _table_candidates(corpus: Corpus, hit: Hit, asked: Asked, whole_table: bool = False) -> list[_Candidate]:
    """The fitting cells of the hit's row; `whole_table`: of its table, when the row has one
    (retrieval ranks a table's rows close together: which of them is asked is read after)."""
    table_id, _, row = hit.ref_id.partition(":")
    table = corpus.table(hit.doc_id, table_id)
    if table is None or not row.isdigit():
        return []
    caption_years = asked_years(table.caption)
    countries = _countries_of([table.caption, *table.section])
    fitting = [c for c in table.cells if c.value is not None and _fits(c, asked, caption_years, countries)]
    if not any(c.row == int(row) for c in fitting):
        return []
    if not whole_table:
        fitting = [c for c in fitting if c.row == int(row)]
    if not asked.years:  # no year asked: the latest period
        latest = max((max(c.years) for c in fitting if c.years), default=None)
        fitting = [c for c in fitting if not c.years or max(c.years) == latest]
    return [_Candidate(hit, cell_kind(c), cell_ref(c), cell=c) for c in fitting]


# -- dataset rows -------------------------------------------------------------------------
def _fact_candidates(corpus: Corpus, hit: Hit, asked: Asked) -> list[_Candidate]:
    # a fact chunk holds one indicator for one entity over its years; the chunk's facts share its locator
    series = corpus.facts.located(hit.doc_id, hit.locator)
    country = {c.name for f in series[:1] if (c := country_named(f.entity))}
    if asked.countries and set(asked.countries) != country:
        return []
    chosen = [f for f in series if f.value is not None and (not asked.years or f.year in asked.years)]
    if not chosen:
        return []
    fact = max(chosen, key=lambda f: f.year or 0)
    return [_Candidate(hit, measure_kind(fact.unit, [fact.indicator]), fact_ref(fact), fact=fact)]


# -- passages -----------------------------------------------------------------------------
def _figure_kind(unit: str | None) -> str:
    if unit and unit.startswith("%"):
        return "percent"
    if unit and "point" in unit:
        return "points"
    return "amount"


def _passage_candidates(corpus: Corpus, hit: Hit, asked: Asked) -> list[_Candidate]:
    """The figures of the passage's sentences that say every asked year and country; when a
    country is asked, those after its last mention (a clause names its subject first:
    `中国位居第二，规模为 7.5 万亿美元`)."""
    passage = corpus.passages.get((hit.doc_id, hit.ref_id))
    if passage is None:
        return []
    text = passage.text
    figures = [f for f in figures_in(text) if f.unit]
    out: list[_Candidate] = []
    for offset, end in sentence_spans(text):
        sentence = text[offset:end]
        inside = [f for f in figures if offset <= f.start < end]
        if not inside or (asked.years and not all(str(y) in sentence for y in asked.years)):
            continue
        named = mentions(sentence)
        if not set(asked.countries) <= {m.country.name for m in named}:
            continue
        at = offset + max((m.end for m in named if m.country.name in asked.countries), default=0)
        after = [f for f in inside if f.start >= at] or inside
        out += [
            _Candidate(hit, _figure_kind(f.unit), figure_ref(passage, f), passage=(passage, offset, sentence, f))
            for f in after
        ]
    return out


def _passage_draft(
    corpus: Corpus, hit: Hit, passage: Passage, offset: int, sentence: str, figure: PrintedFigure
) -> Draft:
    shown = format_number(figure.value)
    amount = figure_text(figure.value, shown, figure.unit)
    where = f"p. {passage.page}" if passage.page else " · ".join(passage.section) or "text"
    title = corpus.docs[passage.doc_id].title
    quoted = sentence.strip()
    return Draft(
        answer=f"{amount}, as {title} ({where}) says: “{quoted}”",
        value=figure.value,
        unit=figure.unit,
        citations=[passage_citation(corpus, passage, hit.score, (figure.start, figure.end))],
        spans=[passage.text[figure.start : figure.end]],
        solver="crosslingual",
    )


# -- an English question over passages in other languages ----------------------------------
def read_passages(
    corpus: Corpus,
    hits: list[Hit],
    question: str,
    asked: Asked,
    vector: np.ndarray | None,
    texts: TextVectors | None,
    model: PassageFigureModel,
    language_of: Callable[[Hit], str] | None = None,
    depth: int = EVIDENCE_READ,
) -> Draft | None:
    """The figure of the passages among each language's first `depth` hits that the
    passage-figure model (`passage_figures`) finds likeliest to answer, when its probability
    reaches the model's threshold and the question's nearest figure clause (by the multilingual
    embedder) gives the same figure; None otherwise (the documents do not say)."""
    if not asked.lookup or len(asked.years) > 1:
        return None
    found: list[tuple[Hit, Passage, passage_figures.FigureCandidate]] = []
    for _, hit in _each_languages_first(hits, language_of, depth):
        passage = corpus.passages.get((hit.doc_id, hit.ref_id)) if hit.kind == "passage" else None
        if passage is None:
            continue

        def cosine(figure: PrintedFigure, passage: Passage = passage) -> float:
            said = texts.get((passage.doc_id, figure_ref(passage, figure))) if texts else None
            return float(said @ vector) if said is not None and vector is not None else 0.0

        for candidate in passage_figures.candidates(
            passage.text, question, asked.years, asked.countries, asked.kinds, cosine
        ):
            found.append((hit, passage, candidate))
    if not found:
        return None
    features = np.stack([c.features for _, _, c in found])
    probabilities = model.probabilities(features)
    best = int(np.argmax(probabilities))
    if probabilities[best] < model.threshold:
        return None
    # two readings must agree: the words the figure's clause says (the model) and the
    # multilingual embedder's nearest clause to the question (either alone chose a wrong
    # figure about as often as a right one: `docs/benchmarks.md`)
    nearest = int(np.argmax(features[:, passage_figures.FEATURES.index("text_cosine")]))
    if found[nearest][2].figure.value != found[best][2].figure.value:
        return None
    hit, passage, candidate = found[best]
    start, end = candidate.sentence
    return _passage_draft(corpus, hit, passage, start, passage.text[start:end], candidate.figure)
