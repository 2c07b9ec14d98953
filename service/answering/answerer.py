"""The extractive, structured answerer.

Retrieve once (hybrid), then try, by what the question asks for: a source, a comparison,
a derived figure, a label, or a value — from table cells first, then dataset facts, then
running text. Every figure comes with the cells or sentence it was read from; when
nothing satisfies the question's entities, years and indicator, the answer says the
documents do not hold it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cached_property, lru_cache
from typing import NamedTuple, Protocol

import numpy as np

from index.search import Hit, Searcher, Steps
from index.spaces import CROSSLINGUAL
from ingest.numbers import currency_of, format_number, is_missing, parse_number, without_note_mark
from ingest.periods import YEAR_IN_TEXT, is_period_word, period_year
from ingest.records import Passage, Reference
from ingest.text import detect_language, sentence_around
from service.answering import operators as ops
from service.answering import phrasing, verifier
from service.answering.answer import Answer, Citation, Draft
from service.answering.citations import (
    cell_citation,
    cites,
    fact_citation,
    hit_citation,
    merge_citations,
    passage_citation,
    table_citation,
)
from service.answering.compose import (
    amount_of,
    caption_indicator,
    cell_phrase,
    cell_sentence,
    draft_of,
    each_entity_draft,
    each_entity_fact_draft,
    fact_draft,
    figure_text,
    is_country_label,
    without_bracketed_unit,
)
from service.answering.corpus import CellView, Corpus, TableView
from service.answering.countries import mentions, names_in_all_languages
from service.answering.crosslingual import Asked, read_across, read_passages
from service.answering.crosslingual_model import CrossLingualModel
from service.answering.evidence import asked_figure, says_total
from service.answering.matching import RANK_WORDS, CellMatch, FactMatch, Matcher, is_percent_unit
from service.answering.passage_figures import PassageFigureModel, SentenceWords
from service.answering.prose import SentenceMatch, best_sentences, passage_words
from service.answering.question import (
    Question,
    WordSet,
    is_country,
    norm_tokens,
    parse_question,
    phrase_pattern,
    surface_forms,
)
from service.answering.reader import (
    ReaderModel,
    Reading,
    asks_above,
    operations,
    read_tables_as,
    readings,
    unsaid,
    unsaid_words,
)
from service.answering.spans import is_figure, printed_figure, printed_in_text
from service.answering.text_vectors import TextVectors
from service.answering.textmatch import content_words, letters_only, name_initials, words
from service.answering.translate import english_reading
from service.answering.verifier import Recorder, Verifier

# the items a superlative ranks are countries: "which country …", "among the leading countries, which …",
# "whose … was the largest of the countries compared?"
_ASKS_COUNTRY = re.compile(r"\b(?:countries|country|nations?|economies)\b|\b(?:which|what) economy\b", re.IGNORECASE)
MIN_COVERAGE = 0.5  # share of the question's words a table or sentence must account for
EXACT_FACT = 1.9  # a dataset row's match score (coverage + precision, at most 2) that beats a sentence
PASSAGES_READ = 12


class Library(NamedTuple):
    """What the answerer reads: retrieval, the in-memory corpus and its cell and fact matcher."""

    searcher: Searcher
    corpus: Corpus
    matcher: Matcher
    reader: ReaderModel | None = None  # the general reader's learned models (None: not built)
    normaliser: Callable[[str], str] | None = None  # the question read against the documents' words
    # the source checks of the documents' figures (`service.verification.SourceChecks`), built
    # on first use (None: answers carry no source check)
    checks: Callable[[], SourceChecker] | None = None
    # what a question asks, read off its multilingual vector (None: not built)
    across: CrossLingualModel | None = None
    text_vectors: TextVectors | None = None  # cells' descriptions and figures' clauses, cross-lingual
    english_fallback: bool = True  # unanswered English questions tried over other languages' documents
    # whether an answer holds (`verifier`): None gives every answer the solvers compose
    verifier: Verifier | Recorder | None = None
    # which figure of a passage in another language answers an English question (None: not built)
    passage_figures: PassageFigureModel | None = None
    # the documents' words and how often they print them: which dictionary sense a Chinese
    # question's word is read as (`translate`); None: the glossary alone
    vocabulary: Mapping[str, int] | None = None
    # the words of each sentence of the documents not in English (`passage_figures.SentenceWords`)
    other_language_sentences: SentenceWords | None = None


class SourceChecker(Protocol):
    def for_citation(self, citation: Citation | None) -> dict | None: ...

    def said(self, citation: Citation | None, answer: str) -> str | None: ...


def answer_steps(library: Library, question: str, *, top_k: int = 5, doc_ids: list[str] | None = None) -> Steps:
    """The answer, as steps that yield what they wait for (see `index.search`)."""
    started = time.perf_counter()
    read_as = library.normaliser(question) if library.normaliser else question
    language = detect_language(question)
    across_model = library.across if library.searcher.has_space(CROSSLINGUAL) else None
    # a question in another language than English is searched in the cross-lingual space,
    # where it lands near the rows and passages it asks about whatever their language
    space = CROSSLINGUAL if language != "en" and across_model is not None else None
    draft, ctx, retrieval_s = yield from _attempt(library, read_as, top_k, doc_ids, space)
    space_ctx = ctx
    asked = Asked.of(question, ctx.vector, across_model) if across_model and ctx.vector is not None else None
    if asked is not None and draft.answered and not _keeps_asked(asked, draft):
        draft = _abstain(ctx)  # an answer to another country or year is no answer
    reading = english_reading(question, library.vocabulary) if not draft.answered else None
    if reading:  # another script: read again through the glossary's English reading
        if space_ctx.vector is not None:  # of what the cross-lingual space found: no second search
            # and what the reading's English words find (the English row a Chinese question asks
            # about may be past the cross-lingual hits; a word search costs no model)
            seen = {h.faiss_id for h in space_ctx.hits}
            found = library.searcher.lexical_hits(reading, max(40, top_k), doc_ids)
            hits = space_ctx.hits + [h for h in found if h.faiss_id not in seen]
            second, second_ctx = _reread(library, reading, hits, doc_ids)
        else:
            second, second_ctx, more_s = yield from _attempt(library, reading, top_k, doc_ids)
            retrieval_s += more_s
        if second.answered and (asked is None or _keeps_asked(asked, second)):
            draft, ctx = second, second_ctx
    if not draft.answered and asked is not None and space_ctx.vector is not None:
        # words did not join this question to its evidence: read what the cross-lingual space
        # found by its years and countries and what its vector says it asks for (`crosslingual`)
        across = _read_across(library, space_ctx.hits, asked, space_ctx.vector)
        if across is None:
            # no evidence for its years and countries among what retrieval ranked first (a
            # Chinese question's first hits are Chinese pages): each language's own nearest
            # chunks and those its names and numbers find, read deeper
            hits = library.searcher.each_language(
                space_ctx.vector, _names_added(question), CROSSLINGUAL, max(40, top_k), doc_ids
            )
            across = _read_across(library, hits, asked, space_ctx.vector, EACH_LANGUAGE_READ)
        if across is not None:
            draft, ctx = across, space_ctx
    if not draft.answered and space is None and across_model is not None and library.english_fallback:
        # an English question the English documents do not answer: the documents in other
        # languages may (searched in the cross-lingual space, read without matching words)
        if library.searcher.other_languages(language) and _worth_reading_across(library, ctx):
            more_started = time.perf_counter()
            pending = library.searcher.start(question, top_k=max(40, top_k), doc_ids=doc_ids, space=CROSSLINGUAL)
            yield pending.started()
            hits = yield pending.finished()
            retrieval_s += time.perf_counter() - more_started
            if pending.vector is not None:
                others = [h for h in hits if _doc_language(ctx, h.doc_id) != language]
                asked = Asked.of(question, pending.vector, across_model)
                draft = _read_other_languages(library, question, others, asked, pending.vector) or draft
    draft.citations = merge_citations(draft.citations)
    _add_context_citations(ctx, draft, top_k)
    answer = Answer(
        question=question,
        answered=draft.answered,
        answer=draft.answer,
        value=draft.value if draft.answered else None,
        unit=draft.unit if draft.answered else None,
        citations=draft.citations[:top_k],
        spans=draft.spans if draft.answered else [],
        language=language,
    )
    if phrasing.question_language(question) != "en" and draft.phrase is not None:
        answer.answer = phrasing.render(draft.phrase, language)  # the sentence in the question's language
    if answer.answered and library.checks is not None:
        checks = library.checks()
        first = answer.citations[0] if answer.citations else None
        answer.source_check = checks.for_citation(first)
        if ctx.q.checks:  # "where does it come from", "does the source agree": the check, said
            answer.answer = checks.said(first, answer.answer) or answer.answer
    done = time.perf_counter()
    answer.timings_ms = {
        "retrieval": round(retrieval_s * 1000, 2),
        "answering": round((done - started - retrieval_s) * 1000, 2),
    }
    return answer


def _attempt(library: Library, question: str, top_k: int, doc_ids: list[str] | None, space: str | None = None) -> Steps:
    started = time.perf_counter()
    pending = library.searcher.start(question, top_k=max(40, top_k), doc_ids=doc_ids, space=space)
    yield pending.started()
    retrieval_s = time.perf_counter() - started
    # while the model embeds the question: rank it lexically, read it, and score the cells
    # and facts it asks for
    pending.rank_lexically()
    ctx = _Context(library, parse_question(question), set(doc_ids) if doc_ids else None)
    ctx.prepare()
    waited = time.perf_counter()
    # words match words of the question's own language only: a passage in another language is
    # the cross-lingual reader's (`crosslingual`), or an English question would quote a Chinese
    # sentence for sharing a country, a year and an acronym with it
    ctx.read((yield pending.finished()), detect_language(question), library.searcher.language_of)
    retrieval_s += time.perf_counter() - waited
    ctx.vector = pending.vector if space else None
    solved = _solve(ctx)
    draft = _read_generally(ctx, solved)
    if space is None:  # the verifier learned English answers' evidence
        draft = _each_entity(ctx, _verified(library, ctx, solved, draft))
    return _as_the_text_prints(ctx, draft), ctx, retrieval_s


def _names_added(question: str) -> str:
    """The question's words and the countries it names written in every language (a Chinese
    question's `英国` finds the English table's `United Kingdom` row): names and numbers are what
    word search carries across languages."""
    return " ".join([question, *names_in_all_languages(question)])


def _as_the_text_prints(ctx: _Context, draft: Draft) -> Draft:
    """Each figure of a table cell given as a span, as the same report's running text prints it
    (`$100.1 million` for a `100.1` under `$ million`): the citation stays the cell."""
    figures = {s.strip() for s in draft.spans if is_figure(s)}
    if not draft.answered or not figures:
        return draft
    printed = {}
    for citation in draft.citations:
        cell = _cited_cell(ctx, citation)
        if cell is not None and cell.value is not None and cell.raw.strip() in figures:
            texts = [p.text for p, _ in ctx.passages if p.doc_id == cell.table.doc_id]
            found = printed_in_text(texts, cell.raw, cell.unit)
            if found:
                printed[cell.raw.strip()] = found
    if printed:
        draft.spans = [printed.get(s.strip(), s) for s in draft.spans]
    return draft


def _reread(library: Library, question: str, hits: list[Hit], doc_ids: list[str] | None) -> tuple[Draft, _Context]:
    """`question` answered from hits already retrieved (for another wording of it)."""
    ctx = _Context(library, parse_question(question), set(doc_ids) if doc_ids else None)
    ctx.prepare()
    ctx.read(hits, detect_language(question), library.searcher.language_of)
    return _read_generally(ctx, _solve(ctx)), ctx


class _Context:
    def __init__(self, library: Library, q: Question, doc_ids: set[str] | None):
        self.corpus = library.corpus
        self.matcher = library.matcher
        self.reader = library.reader
        self.normaliser = library.normaliser
        self.operations: list[tuple[str, float]] = []  # every operation and its probability, likeliest first
        self.text_likely = 0.0  # the reader's chance that the answer is printed in running text
        self.figure_likely = 1.0  # the reader's chance that the answer is a figure, not words
        self.q = q
        self.doc_ids = doc_ids
        self.hits: list[Hit] = []
        self.table_ranks: dict = {}
        self.row_ranks: dict = {}
        # cells that satisfy each set of constraints, scored on the question alone
        self._candidates: dict[tuple, list[CellMatch]] = {}
        self._ranked_docs: set[str] = set()  # the documents retrieval ranked (`read`)
        self._facts: list | None = None
        self.passages: list[tuple[Passage, float]] = []
        self.vector: np.ndarray | None = None  # the question's vector in the cross-lingual space, when searched there
        self._readings: tuple[list[Reading], Iterator[Reading]] | None = None
        self._holding: dict[int, bool] = {}  # `_holds` of each reading, by id (the readings are kept)

    def prepare(self) -> None:
        """The work on the question alone that a value answer needs (most questions ask for one),
        and the reader's reading of the operation asked for."""
        if self.q.intent == "value":
            if self.corpus.tables.held:  # else the cells are looked for in what retrieval ranks
                self._candidates_for({})
            self.facts()
        if self.reader is not None:
            self.operations = operations(self.reader, self.q.text)
            self.text_likely = self.reader.text_likely(self.q.text)
            self.figure_likely = self.reader.figure_likely(self.q.text)

    @property
    def words_asked(self) -> bool:
        """The question asks for words (a clause, a name), not a figure."""
        return self.figure_likely < READER_WORDS_ASKED

    @property
    def operation(self) -> tuple[str, float]:
        """The reader's likeliest operation, and how sure (`other`, 0 without a reader)."""
        return self.operations[0] if self.operations else (ops.OTHER, 0.0)

    def probability_of(self, operation: str) -> float:
        """The operation model's probability that the question asks for `operation`."""
        return next((p for op, p in self.operations if op == operation), 0.0)

    @cached_property
    def names(self) -> list[str]:
        """The names the question asks about, less definite descriptions: "the Company's", "the
        Group", "the Board" name the reporting body by a common English word, which a table need
        not print (a country or a word no dictionary has, `the EGDI`, stays a name). Read once:
        every table and passage the reader weighs asks for them."""
        english = getattr(self.normaliser, "is_english", None)
        if english is None:
            return self.q.entities
        return [e for e in self.q.entities if is_country(e) or not english(e)]

    def read(self, hits, language: str | None = None, language_of: Callable[[Hit], str] | None = None) -> None:
        """Retrieval's ranking: how it ranked each table and row, and the passages to read (in
        `language`, when given)."""
        self.hits = hits
        ranked_docs = {hit.doc_id for hit in hits}
        if not self.corpus.tables.held and ranked_docs != self._ranked_docs:
            self._candidates.clear()  # the tables scanned are the ranked documents'
        self._ranked_docs = ranked_docs
        for rank, hit in enumerate(hits):
            if hit.kind == "table_row":
                table_id, _, row = hit.ref_id.partition(":")
                self.table_ranks.setdefault((hit.doc_id, table_id), rank)
                self.row_ranks.setdefault((hit.doc_id, table_id, int(row)), rank)
            elif hit.kind == "passage" and len(self.passages) < PASSAGES_READ:
                if language and language_of and language_of(hit) != language:
                    continue
                passage = self.corpus.passages.get((hit.doc_id, hit.ref_id))
                if passage:
                    self.passages.append((passage, hit.score))

    def cells(self, **constraints) -> list[CellMatch]:
        return self.matcher.ranked(self._candidates_for(constraints), self.table_ranks, self.row_ranks)

    def _candidates_for(self, constraints: dict) -> list[CellMatch]:
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(constraints.items()))
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self.matcher.candidates(
                self.q, doc_ids=self.doc_ids, ranked_docs=self._ranked_docs, **constraints
            )
        return found

    def facts(self) -> list[FactMatch]:
        """Dataset facts for the question's own entities and year, best first."""
        if self._facts is None:
            self._facts = self.matcher.facts(self.q, doc_ids=self.doc_ids)
        return self._facts

    def reader_tables(self) -> list[TableView]:
        """The tables retrieval ranked best (within the filter), for the general reader."""
        ranked = sorted(self.table_ranks.items(), key=lambda kv: kv[1])
        tables = [self.corpus.tables[key] for key, _ in ranked if key in self.corpus.tables]
        return tables[:READER_TABLES]

    def sentences(self, need_figure: bool = True) -> list[SentenceMatch]:
        return best_sentences(self.q, self.passages, self.matcher.weight, need_figure=need_figure)

    @cached_property
    def readable(self) -> tuple[list[TableView], list[Passage]]:
        """The tables and passages the general reader reads: only evidence that says the
        question's names and informative words (a reading from any other would not hold; this
        also keeps the reader off the hot path of questions it cannot answer)."""
        model = self.reader
        if model is None:
            return [], []
        tables = [
            t
            for t in self.reader_tables()
            if _names_its_own(self, t)
            and _may_hold(self, model, self.matcher.table_text(t), self.matcher.table_years(t))
        ]
        passages = [
            p
            for p, _ in self.passages[:READER_PASSAGES]
            if all(passage_words(p).has(e) or is_period_word(e) for e in self.names)
            and _may_hold(
                self,
                model,
                _passage_text(p),
                frozenset(self.q.years) if _undated_in_its_period(self, p) else frozenset(),
            )
        ]
        return tables, passages

    @property
    def direction(self) -> str | None:
        """The direction the question says ("more" → "max", "less" → "min"), for the reader;
        None where it says none (the reader's direction model decides)."""
        return {"more": "max", "less": "min"}.get(self.q.direction or "")

    def readings(self) -> Iterator[Reading]:
        """The general reader's readings of the readable evidence, the router's preferred first;
        each computed once, when first asked for (the routing may stop at the first; the
        verifier may weigh them all)."""
        if self._readings is None:
            tables, passages = self.readable
            reader = self.reader
            assert reader is not None  # the readings are asked for only where there is a reader
            source = readings(reader, self.q.text, tables, passages, self.direction, self.operation, self.words_asked)
            self._readings = ([], source)
        done, source = self._readings
        yield from done
        for reading in source:
            done.append(reading)
            yield reading

    def holds(self, reading: Reading) -> bool:
        """`_holds` of one of `readings()`, worked out once (the routing and the verifier both ask)."""
        found = self._holding.get(id(reading))
        if found is None:
            found = self._holding[id(reading)] = _holds(self, self.reader, reading)  # type: ignore[arg-type]
        return found


def _solve(ctx: _Context) -> Draft:
    q = ctx.q
    solvers = {
        "source": [_source],
        "compare": [_compare, _value],
        "derived": [_derived, _value],
        "label": [_label, _value],
        "value": [_value],
    }[q.intent]
    for solver in solvers:
        if solver is _value and q.intent == "label":
            return _abstain(ctx)  # a "which …" question answered with a bare value would mislead
        draft = solver(ctx)
        if draft is not None:
            draft.solver = solver.__name__.strip("_")
            return draft
    return _abstain(ctx)


# hits of each language the cross-lingual reader reads when it searches each language apart
# (6, 10 and 15 alike on the dev questions; 10 chosen before the fresh questions were asked)
EACH_LANGUAGE_READ = 10


# -- the general reader -----------------------------------------------------------------
READER_TABLES = 3  # tables read: the best ranked by retrieval
READER_PASSAGES = 4  # passages read: the best ranked by retrieval
READER_CELL = 0.1  # the reader's evidence probability below which its reading is not offered
READER_SPAN = 0.1  # the span model's chance that the answer is in the span's sentence, below which it does not hold
READER_TEXT_FIRST = 0.5  # the source model's chance that the answer is in running text, from which text is read
READER_WORDS_ASKED = 0.4  # the kind model's chance of a figure below which words are asked, and text is read first
READER_FIGURE_ASKED = 0.6  # … from which a figure is asked, and a clause of the text does not replace one
READER_OPERATION = 0.3  # how sure of an operation the reader must be to override a lookup (5-fold CV)
# the most of the question's informative words the evidence may leave unsaid; within it, the
# verifier weighs what is left unsaid (0.4 against 0.25 and 0.6, out of fold with the verifier retrained)
READER_UNSAID = 0.4
# what the reader computes in place of the solvers' derived figures (its operands are chosen and
# ordered by what it learned)
READER_COMPUTES = ops.ARITHMETIC
# what the answerer's solvers would only look up: the reader computes, lists or counts it instead
READER_OVERRIDES = (*ops.ARITHMETIC, ops.MULTI_SPAN, ops.LIST_ROWS, ops.LIST_PERIODS, ops.COUNT)


def _read_generally(ctx: _Context, draft: Draft) -> Draft:
    """The general reader answers what the answerer's solvers could not, and computes what they
    would only have looked up (an average, a change ratio, several spans)."""
    model = ctx.reader
    if model is None or draft.solver in ("source", "compare", "label"):
        return draft
    if draft.missing:
        return draft  # the documents say the value is missing: that is the answer
    text_first = draft.answered and _text_asked(ctx, draft)
    if draft.answered and not text_first and not _elsewhere(ctx, draft):
        op, op_p = ctx.operation
        overrides = READER_COMPUTES if draft.solver == "derived" else READER_OVERRIDES
        if op not in overrides or op_p < READER_OPERATION:
            return draft
        worded = _worded(draft, ctx.q)
        if worded and op != worded:
            # the question's words ask the change in percent, the places a rank moved (a lower
            # rank is better) or a sum over years: no other computation is it
            return draft
        if op == ops.COUNT and _measures_the_counted(ctx, draft):
            return draft  # "how many Internet users …": the figure is the number asked, not a count of rows
        if draft.solver == "value" and op in (ops.PERCENT_OF, ops.CHANGE_RATIO) and is_percent_unit(draft.unit):
            return draft  # the documents print the percentage: a printed figure beats a computed one
        if draft.citations and draft.citations[0].kind == "passage" and len(ctx.q.years) == 1:
            # one year asked and a sentence states the figure for it ("the average annual growth
            # rate in 2021 … 13.8%"): there is nothing to compute across years
            return draft
    tables, passages = ctx.readable
    if not tables and not passages:
        return draft
    for reading in ctx.readings():
        if draft.answered and reading.text is not None and _wrong_kind(ctx, reading.spans):
            continue  # a clause does not replace a figure for "how large …"
        if text_first and reading.text is None:
            continue  # text is read first: only a clause of it replaces the figure (a cell would not say why)
        if draft.answered and _in_another_currency(ctx, reading) and not _other_currency_asked(ctx, draft.unit):
            continue  # the figure in the currency asked is not replaced by one in another
        if text_first and ctx.words_asked and not _clause(reading):
            continue  # where words are asked, another figure would not replace a figure
        if ctx.holds(reading):
            figure = reading.cells[0].value if reading.op == ops.SPAN and reading.cells else reading.value
            if draft.answered and figure is not None and _same_figure(figure, draft.value):
                if draft.solver != "derived":
                    return draft  # the reading agrees with the solver's figure, which says it in its own words
                # a figure computed both ways: the reading's evidence (what the verifier learned to
                # judge), said in the solver's words
                return replace(_reader_draft(ctx, reading), answer=draft.answer, phrase=draft.phrase)
            return _reader_draft(ctx, reading)
    return draft


def _elsewhere(ctx: _Context, draft: Draft) -> bool:
    """The solver's answer comes from a table (or passage) whose words leave most of what the
    question asks unsaid: the reader's readings are weighed before it is kept."""
    if not draft.citations or ctx.reader is None:
        return False
    _, context, _ = _cited_texts(ctx, draft.citations[0])
    return unsaid(ctx.reader, ctx.q.text, _with_initials(context)) > READER_UNSAID


@lru_cache(maxsize=4096)  # a table's or passage's words, read once (the texts are the corpus's own)
def _with_initials(text: str) -> str:
    """The text and the initials of the names it spells out: a name's initials say it too (a
    dataset's `E-Government Development Index` is the `EGDI` asked)."""
    return " ".join([text, *(initials for initials, _ in name_initials(text))])


def _clause(reading: Reading) -> bool:
    """A reading of running text that says more than a figure."""
    return reading.text is not None and not all(is_figure(s) for s in reading.spans)


def _figure_for_words(ctx: _Context, draft: Draft) -> bool:
    """Words asked ("why did …", "what does … represent") and a figure alone given (not a
    comparison's winner, nor a figure whose source check is what the question asks for)."""
    if not ctx.words_asked or ctx.q.checks or draft.solver not in ("value", "derived", "reader"):
        return False
    return all(is_figure(s) for s in draft.spans) if draft.spans else draft.value is not None


def _reader_draft(ctx: _Context, reading: Reading) -> Draft:
    composed = draft_of(ctx.corpus, reading)
    composed.solver = "reader"
    composed.confidence = reading.confidence
    composed.operation = reading.op
    return composed


_HOW_MANY = re.compile(r"\bhow many\s+(.+?)(?:\s+(?:did|does|do|is|are|was|were|has|have|had|there)\b|[?,]|$)", re.I)


def _measures_the_counted(ctx: _Context, draft: Draft) -> bool:
    """The looked-up cell measures what "how many …" asks for (its labels, caption or unit name
    the counted thing: `Internet users`, `thousand persons`), so its figure is the number asked;
    a count of rows would not be."""
    match = _HOW_MANY.search(ctx.q.text)
    if not match or not draft.citations or draft.citations[0].kind != "table_row":
        return False
    cited = draft.citations[0]
    labels = WordSet(norm_tokens(f"{cited.row or ''} {cited.column or ''} {cited.snippet}"))
    counted = [t for t in norm_tokens(match.group(1)) if t not in ctx.q.entities and t not in _PERIOD_NOUNS]
    return any(labels.has(t) for t in counted)


_PERIOD_NOUNS = {"year", "years", "quarter", "quarters", "month", "months", "period", "periods"}  # counting periods


def _wrong_kind(ctx: _Context, spans: list[str]) -> bool:
    """Spans of text that cannot answer what the question asks for: no figure (a year is none)
    for a question that asks how much, how many or how large; a clause, not figures, for one
    the kind model finds asks a figure ("What was the average … score in 2020?")."""
    if verifier.asks_quantity(ctx.q.text) and asked_figure(" ".join(spans)) is None:
        return True
    return ctx.figure_likely >= READER_FIGURE_ASKED and not all(is_figure(s) for s in spans)


def _same_figure(a: float, b: float | None) -> bool:
    return b is not None and round(a, 2) == round(b, 2)


def _text_asked(ctx: _Context, draft: Draft) -> bool:
    """A table figure looked up, or a change computed, for a question whose answer reads as a
    clause of running text ("what caused …", "why did … decrease from 2018 to 2019"): the reader
    reads the text too, and its reading is offered first when it holds (the figure stays the
    answer when none does)."""
    if draft.solver not in ("value", "derived") or not draft.citations or ctx.operation[0] not in (ops.SPAN, ops.OTHER):
        return False
    if ctx.words_asked:
        return True  # words asked ("What did the obligations represent?"), a figure found
    return draft.citations[0].kind == "table_row" and ctx.text_likely >= READER_TEXT_FIRST


def _names_its_own(ctx: _Context, table: TableView) -> bool:
    """Every name the question asks about is the table's own: on its labels, caption, stub,
    unit or notes (a name only its references or the text around it use is about another
    table)."""
    info = ctx.matcher.info(table)
    return all(is_period_word(e) or info.label_tokens.has(e) or info.near_context.has(e) for e in ctx.names)


def _may_hold(ctx: _Context, model: ReaderModel, text: str, years: frozenset[int] = frozenset()) -> bool:
    """Evidence a reading could hold on: it names the asked years (as text, or as the periods
    of its cells) and says the question's informative words (checked before reading, so that
    no time is spent on the rest)."""
    if any(y not in years and str(y) not in text for y in ctx.q.years):
        return False
    return unsaid(model, ctx.q.text, text) <= READER_UNSAID


def _passage_text(passage: Passage) -> str:
    return f"{passage.text} {' '.join(passage.section)}"


def _holds(ctx: _Context, model: ReaderModel, reading: Reading) -> bool:
    """The reading is sure enough, and about the question's own years, names and indicator: a
    year, a name or a thing the evidence does not say is never given a figure."""
    if reading.text is not None:
        passage = reading.text.passage
        # the sentence the span is in names the question's years and names (a passage that
        # mentions Russia somewhere does not make a sentence about China Russia's)
        start, end = sentence_around(passage.text, (reading.text.start, reading.text.end))
        sentence = passage.text[start:end]
        said = WordSet(norm_tokens(sentence))
        return (
            reading.support >= READER_SPAN
            and _dated_as_asked(ctx, passage, sentence)
            and all(said.has(e) or is_period_word(e) for e in ctx.names)
            and unsaid(model, ctx.q.text, _passage_text(passage)) <= READER_UNSAID
        )
    if reading.confidence < READER_CELL or not reading.cells:
        return False
    table = reading.cells[0].table
    text = ctx.matcher.table_text(table)
    # an asked year is the evidence's own period, or one the table names (`As at 31 December 2019`)
    periods = {y for c in reading.cells for y in c.years}
    if any(y not in periods and str(y) not in text for y in ctx.q.years):
        return False
    if not _names_its_own(ctx, table):
        return False
    info = ctx.matcher.info(table)
    for e in ctx.names:
        # a name the table has as a row or column label must be the evidence's own (asking
        # about Russia rules out the China row)
        if info.label_tokens.has(e) and not any(ctx.matcher.words_of(c).has(e) for c in reading.cells):
            return False
    if reading.op in (ops.SPAN, ops.MULTI_SPAN):
        # a looked-up cell answers only what its own coordinates say (not what another column
        # of its table says: `Fixed broadband` is not the `Mobile cellular` cell beside it), and
        # the question picks its column where the table's columns are things, not periods
        evidence = _evidence_text(ctx, table, reading.cells)
        evidence += " " + " ".join(_table_topic_words(ctx, model, reading.cells, evidence))
        if unsaid(model, ctx.q.text, evidence) > READER_UNSAID:
            return False
        # a word the cell leaves unsaid that another table of the same document names is about
        # that table ("mobile Internet users" is Table 4's, not Table 6's mobile subscriptions)
        if any(_other_table_says(ctx, table, w) for w in unsaid_words(model, ctx.q.text, evidence)):
            return False
    # the question names the evidence's columns: a looked-up cell's always; a computed figure's
    # where the columns are things, not periods (a difference of fixed broadband is not one of
    # the mobile subscriptions beside it)
    looked_up = reading.op in (ops.SPAN, ops.MULTI_SPAN)
    if not all(_column_asked(ctx, c) for c in reading.cells if looked_up or not _period_column(c)):
        return False
    return unsaid(model, ctx.q.text, text) <= READER_UNSAID


def _names_said(ctx: _Context, text: str) -> float:
    """The share of the question's names the text says, in any of their written forms."""
    if not ctx.names:
        return 1.0
    lowered = text.lower()
    return sum(bool(phrase_pattern(tuple(surface_forms(n))).search(lowered)) for n in ctx.names) / len(ctx.names)


def _dated_as_asked(ctx: _Context, passage: Passage, sentence: str) -> bool:
    """The sentence is about the asked years: it names them, or it names no year and its
    passage's headings name the one asked year ("Annual Report 2019"), or the passage is
    undated in its report's own period (`_undated_in_its_period`)."""
    years = ctx.q.years
    if all(str(y) in sentence for y in years):
        return True
    if len(years) != 1 or YEAR_IN_TEXT.search(sentence):
        return False
    return str(years[0]) in " ".join(passage.section) or _undated_in_its_period(ctx, passage)


def _undated_in_its_period(ctx: _Context, passage: Passage) -> bool:
    """A passage that names no year speaks of its report's own period: the latest its tables
    have ("The Board and Systems business revenue grew to US$126.8 million" in a report whose
    tables end at 2019 answers "… in 2019?"). One asked year, and only that one."""
    if len(ctx.q.years) != 1 or YEAR_IN_TEXT.search(_passage_text(passage)):
        return False
    periods = [y for t in ctx.corpus.tables_by_doc.get(passage.doc_id, ()) for y in ctx.matcher.table_years(t)]
    return bool(periods) and ctx.q.years[0] == max(periods)


def _verified(library: Library, ctx: _Context, solved: Draft, routed: Draft) -> Draft:
    """The answer the verifier finds likeliest to hold, if any holds: the routed answer, or —
    where the verifier doubts it — the solver's draft or another of the reader's readings."""
    check, model = library.verifier, ctx.reader
    if check is None or model is None or routed.missing:
        return routed
    if routed.answered and (routed.solver not in verifier.SOLVERS or not routed.citations):
        return routed  # a source question, a dataset's fact: answered by what they name
    text_asked = solved.answered and _text_asked(ctx, solved)
    options: list[tuple[np.ndarray, Draft]] = []
    best, best_p = None, 0.0
    if routed.answered:
        options.append((_answer_features(ctx, routed, routed=True, holds=True, text_asked=text_asked), routed))
        if not _figure_for_words(ctx, routed):
            best, best_p = routed, check.p_holds(options[0][0])
    # the solver's answer the reader replaced is weighed against the reader's (where the two
    # disagree, the verifier chooses); every other answer only where the routed one is doubted
    if best_p >= check.explore:
        replaced = _replaced(solved, routed)
        weighed: Iterable[tuple[Draft, bool]] = [(replaced, True)] if replaced is not None else []
    else:
        weighed = _alternatives(ctx, solved, routed)
    for draft, holds in weighed:
        x = _answer_features(ctx, draft, routed=False, holds=holds, text_asked=text_asked)
        options.append((x, draft))
        # a figure alone, where words are asked, is no answer: the likeliest of the others is
        if (p := check.p_holds(x)) > best_p and not _figure_for_words(ctx, draft):
            best, best_p = draft, p
    check.record(options)
    return best if best is not None and best_p >= check.threshold else _abstain(ctx)


def _each_entity(ctx: _Context, draft: Draft) -> Draft:
    """A figure looked up for one country of a table whose cells differ by country, for a
    question that names no country ("What was manufacturing value added in 2020?" over a
    China–Russia table): each country's figure, not the one the evidence ranked first."""
    if not draft.answered or draft.solver not in ("value", "reader") or len(draft.spans) > 1:
        return draft
    if draft.value is None or any(is_country(e) for e in ctx.q.entities) or not draft.citations:
        return draft
    if draft.citations[0].kind == "fact":
        return _each_entity_fact(ctx, draft)
    cell = _cited_cell(ctx, draft.citations[0])
    if cell is None or not _same_figure(draft.value, cell.value):
        return draft  # a figure computed from the cell, not the cell's own
    countries = [k for k in cell.labels if is_country_label(k)]
    if len(countries) != 1 or countries[0].lower() in ctx.q.text.lower():
        return draft
    # the same labels but the country, a unit in brackets aside (`Value added ($ trillion)` for
    # China is `Value added ($ billion)` for Russia)
    others = [_unitless(k) for k in cell.labels if k != countries[0]]
    alike = [
        c
        for c in cell.table.cells
        if c.value is not None
        and c.years == cell.years
        and len(c.labels) == len(cell.labels)
        and sum(map(is_country_label, c.labels)) == 1
        and sorted(_unitless(k) for k in c.labels if not is_country_label(k)) == sorted(others)
    ]
    if len(alike) < 2:
        return draft
    composed = each_entity_draft(ctx.corpus, alike)
    composed.solver = draft.solver
    return composed


MOST_ENTITIES = 4  # a dataset of more countries than this answers with the one found (a list would bury it)


def _each_entity_fact(ctx: _Context, draft: Draft) -> Draft:
    """A dataset's figure for one country, for a question that names none: the figure of each
    country the dataset gives for that indicator and year (up to `MOST_ENTITIES`)."""
    cited = draft.citations[0]
    year = cited.column or ""
    if not year.isdigit():
        return draft
    facts = ctx.corpus.facts
    found = next(
        (
            f
            for f in facts.in_year(cited.doc_id, int(year), entity=cited.row or "")
            if f.value is not None and _same_figure(draft.value or 0.0, f.value)
        ),
        None,
    )
    if found is None or not is_country(found.entity) or found.entity.lower() in ctx.q.text.lower():
        return draft
    # one figure a country (a dataset may hold a year's row from several releases)
    each = {found.entity: found}
    for f in facts.in_year(cited.doc_id, int(year), indicator=found.indicator):
        if f.value is not None and is_country(f.entity):
            each.setdefault(f.entity, f)
        if len(each) > MOST_ENTITIES:
            break
    if not 2 <= len(each) <= MOST_ENTITIES:
        return draft
    composed = each_entity_fact_draft(ctx.corpus, [each[k] for k in sorted(each)])
    composed.solver = draft.solver
    return composed


def _unitless(label: str) -> str:
    return without_bracketed_unit(label).lower()


def _cited_cell(ctx: _Context, citation: Citation) -> CellView | None:
    if citation.kind != "table_row":
        return None
    for table in ctx.corpus.tables_by_doc.get(citation.doc_id, ()):
        if table.label == citation.table:
            for cell in table.cells:
                if cell.row_label == citation.row and cell.column_label == citation.column:
                    return cell
    return None


def _alternatives(ctx: _Context, solved: Draft, routed: Draft) -> Iterator[tuple[Draft, bool]]:
    """The other answers the answerer could give (each once), and whether each passes the
    hand-set guards: the solver's draft the reader replaced, and each of the reader's readings."""
    given = {_said(routed)} if routed.answered else set()
    if solved.answered and not solved.missing and solved.citations and solved.solver in verifier.SOLVERS:
        given.add(_said(solved))
    if (replaced := _replaced(solved, routed)) is not None:
        yield replaced, True
    if ctx.reader is None or solved.missing or solved.solver in ("source", "compare", "label"):
        return
    for reading in (*ctx.readings(), *_other_readings(ctx)):
        draft = _reader_draft(ctx, reading)
        if draft.citations and _said(draft) not in given:
            given.add(_said(draft))
            yield draft, ctx.holds(reading)


_PERIOD_OPERATIONS = (ops.ARGMAX, ops.LIST_PERIODS)
# the least probability of an operation, other than the likeliest, whose reading of the tables the
# verifier weighs
OTHER_OPERATION = 0.1


def _other_readings(ctx: _Context) -> list[Reading]:
    """The tables read as the operations the operation model ranked below its likeliest: each
    likely enough (`OTHER_OPERATION`) and, where the wh-phrase asks for a period ("In which year
    …", "What years …"), those that give periods — which period's figure is largest or smallest,
    which periods a table gives. The model reads the question's words alone and is wrong on about
    one question in six; the verifier weighs each reading against its evidence."""
    if ctx.reader is None:
        return []
    period = verifier.asks_period(ctx.q.text)
    chosen = ctx.operation[0]
    wanted = [
        (op, p)
        for op, p in ctx.operations
        if op != chosen and (p >= OTHER_OPERATION or (period and op in _PERIOD_OPERATIONS))
    ]
    tables, _ = ctx.readable
    if not wanted or not tables:
        return []
    return read_tables_as(ctx.reader, ctx.q.text, tables, wanted, ctx.direction)


def _replaced(solved: Draft, routed: Draft) -> Draft | None:
    """The solver's draft, where the reader's reading replaced it (the first alternative)."""
    if solved is routed or not solved.answered or solved.missing or not solved.citations:
        return None
    return solved if solved.solver in verifier.SOLVERS else None


def _said(draft: Draft) -> tuple:
    """What an answer says, as the benchmark reads it: its spans, else its figure."""
    return tuple(draft.spans) or (None if draft.value is None else round(draft.value, 4),)


def _cited_texts(ctx: _Context, citation: Citation) -> tuple[str, str, TableView | None]:
    """What a citation says (its place, row, column and snippet), the words of the table it is
    in (or the same, for a passage), and that table."""
    cited = f"{citation.locator} {citation.row or ''} {citation.column or ''} {citation.snippet}"
    table = next((t for t in ctx.corpus.tables_by_doc.get(citation.doc_id, ()) if t.label == citation.table), None)
    return cited, ctx.matcher.table_text(table) if table is not None else cited, table


def _answer_features(ctx: _Context, draft: Draft, *, routed: bool, holds: bool, text_asked: bool) -> np.ndarray:
    """What the verifier weighs of one answer: what its first citation says of the question."""
    model = ctx.reader
    assert model is not None
    citation = draft.citations[0]
    cited, context, table = _cited_texts(ctx, citation)
    row, column = _asked_label(ctx, draft, citation.row), _asked_label(ctx, draft, citation.column)
    if draft.operation in (ops.LIST_ROWS, ops.LIST_PERIODS) and table is not None:
        # a list of a table's items or periods rests on the table, not on its first cell
        cited, row, column = context, None, None
    evidence = verifier.Evidence(
        ctx.q.text,
        ctx.q.years,
        ctx.names,
        ctx.operation,
        ctx.text_likely,
        unsaid(model, ctx.q.text, cited),
        unsaid(model, ctx.q.text, context),  # the table's own words, read once per table (cached)
        cited,
        _names_said(ctx, cited),
        unsaid(model, ctx.q.text, cited, weighty=0.0),
        verifier.label_unsaid(model.weights, ctx.q.text, row),
        verifier.label_unsaid(model.weights, ctx.q.text, column),
        routed=routed,
        holds=holds,
        text_asked=text_asked,
        op_shortfall=ctx.operation[1] - ctx.probability_of(draft.operation) if draft.operation else 0.0,
    )
    return verifier.features(evidence, draft)


def _asked_label(ctx: _Context, draft: Draft, label: str | None) -> str | None:
    """A cited label the question should have said: not one the answer gives ("Which district
    withdrew the most …?" → `Southmoor`, the row), nor a country where it names none."""
    if not label:
        return label
    given = {without_note_mark(s).lower() for s in draft.spans}
    item = label.rsplit(" · ", 1)[-1]  # a grouped row is cited as `Net revenue: · Medical devices`
    if {without_note_mark(label).lower(), without_note_mark(item).lower()} & given or _each_country_given(ctx, label):
        return None
    return label


def _each_country_given(ctx: _Context, label: str) -> bool:
    """The label is a country and the question names none: each country's figure is given
    (`_each_entity`), so the question need not have said it."""
    return not ctx.q.entities and is_country_label(label)


def _other_table_says(ctx: _Context, table: TableView, word: str) -> bool:
    return any(
        other is not table and word in ctx.matcher.table_stems(other)
        for other in ctx.corpus.tables_by_doc.get(table.doc_id, ())
    )


def _evidence_text(ctx: _Context, table: TableView, cells: list[CellView]) -> str:
    """What a table says about its cells: caption, stub, unit, notes, its own section headings
    (not the document's title, which every table of the document is under), their row keys and
    column paths."""
    coordinates = [k for c in cells for k in (*c.row_keys, *c.column)]
    siblings = ctx.corpus.tables_by_doc.get(table.doc_id, ())
    shared = set.intersection(*(set(t.section) for t in siblings)) if len(siblings) > 1 else set()
    sections = [s for s in table.section if s not in shared]
    return " ".join([table.caption, *table.stub, table.unit or "", table.source_note or "", *sections, *coordinates])


def _table_topic_words(ctx: _Context, model: ReaderModel, cells: list[CellView], evidence: str) -> list[str]:
    """The question's words the cells' evidence leaves unsaid that say what the whole table is
    about: its text says them and none of its row or column labels do (`key management` of a
    table under "Key management personnel compensation") — or the cells are the table's bare
    `Total` row, whose thing is the table's (`charges` under "Special charges", though `Other
    charges` is a row too)."""
    table = cells[0].table
    info = ctx.matcher.info(table)
    unsaid_by_table = set(unsaid_words(model, ctx.q.text, ctx.matcher.table_text(table)))
    grand_total = all(c.is_total and not content_words(c.item_label.lower().replace("total", "")) for c in cells)
    return [
        w
        for w in unsaid_words(model, ctx.q.text, evidence)
        if w not in unsaid_by_table and (grand_total or not info.label_tokens.has(w))
    ]


def _period_column(cell: CellView) -> bool:
    return any(period_year(k) is not None for k in cell.column)


def _column_asked(ctx: _Context, cell: CellView) -> bool:
    """Where the table's columns are things, not periods: at each level of the column path
    where they differ, the question says a word that sets the cell's column apart (`mobile` or
    `cellular` beside `Fixed broadband subscriptions`; the `subscriptions` both share says
    nothing). Where they are periods: no word that only another period column's qualifier says."""
    columns = cell.table.columns
    if _period_column(cell):
        # a period column: its other labels qualify the period (`Amount` beside `% of revenue`
        # under each year). The question must not ask for another qualifier: say a word only
        # another period column's labels have (and no other label of the table: `revenue` in
        # `% of total revenue` is also what the rows are)
        own = set(norm_tokens(" ".join(k for k in cell.column if period_year(k) is None)))
        qualifiers = {
            frozenset(norm_tokens(" ".join(k for k in path if period_year(k) is None)))
            for path in columns
            if any(period_year(k) is not None for k in path)
        }
        if len(qualifiers) < 2:
            return True
        elsewhere = set(norm_tokens(" ".join([cell.table.caption, *(k for keys in cell.table.row_keys for k in keys)])))
        others = set().union(*qualifiers) - own - elsewhere
        return not any(ctx.q.words.has(t) for t in others) or any(ctx.q.words.has(t) for t in own - elsewhere)
    for level, label in enumerate(cell.column):
        if period_year(label) is not None:
            continue
        siblings = {path[level] for path in columns if len(path) > level and period_year(path[level]) is None}
        if len(siblings) < 2:
            continue
        if _each_country_given(ctx, label):
            continue  # columns by country, none asked
        shared = set.intersection(*(set(norm_tokens(s)) for s in siblings))
        distinct = set(norm_tokens(label)) - shared
        if distinct and not any(ctx.q.words.has(t) for t in distinct):
            return False
    return True


# -- values ---------------------------------------------------------------------------
def _value(ctx: _Context) -> Draft | None:
    # a cell whose table names the asked indicator only in its references is about something
    # else ("mobile Internet users" is not `Mobile cellular subscriptions`), and so is one whose
    # table lacks a word of the question that names something other tables have
    cells = [
        m for m in ctx.cells() if m.coverage >= MIN_COVERAGE and m.strong_coverage >= MIN_COVERAGE and not m.foreign
    ]
    cells = _ranks_if_asked(ctx, cells)
    sentences = [s for s in ctx.sentences() if s.coverage >= MIN_COVERAGE]
    cells = _in_asked_currency(ctx, cells)
    best_cell = _latest_if_unasked(ctx, cells[0]) if cells else None
    best_sentence = sentences[0] if sentences else None
    if best_cell and (not best_sentence or best_cell.coverage >= best_sentence.coverage - 1e-9):
        return _cell_draft(ctx, best_cell)
    facts = ctx.facts()
    # a dataset row that names the asked entity and indicator outright beats a sentence
    exact_fact = bool(facts) and facts[0].score >= EXACT_FACT
    if best_sentence and not exact_fact:
        return _sentence_draft(ctx, best_sentence)
    if facts:
        return fact_draft(ctx.corpus, facts[0].fact, facts[0].score)
    return None


def _ranks_if_asked(ctx: _Context, cells: list[CellMatch]) -> list[CellMatch]:
    """A rank answers a question that asks for a place, or, where nothing else answers, one that
    does not ask how much: "How large was China's digital economy in 2022?" is not its place in a
    competitiveness ranking, and "the EGDI value of Russia" is the index a dataset gives, not the
    rank a table of ranks gives."""
    if ctx.q.cues & {"rank", "score"}:
        return cells
    unranked = [m for m in cells if not _is_rank(m.cell)]
    facts = [f for f in ctx.facts() if not set(norm_tokens(f.fact.unit or "")) & RANK_WORDS]
    return unranked if unranked or facts or verifier.asks_quantity(ctx.q.text) else cells


def _in_asked_currency(ctx: _Context, cells: list[CellMatch]) -> list[CellMatch]:
    """The cells in the currency the question asks for ("… in dollars") first, when a table
    gives the figure in it (the best match in yuan is the same figure in another currency)."""
    asked = currency_of(ctx.q.text)
    if not asked:
        return cells
    in_asked = [m for m in cells if currency_of(m.cell.unit or "") == asked]
    return in_asked + [m for m in cells if m not in in_asked] if in_asked else cells


def _currency_note(ctx: _Context, unit: str | None) -> str:
    """What to say before a figure given in another currency than the question asks for."""
    asked = _other_currency_asked(ctx, unit)
    return f"The documents give this in {unit}, not in the currency asked ({asked}): " if asked else ""


def _in_another_currency(ctx: _Context, reading: Reading) -> bool:
    """The reading's figures are in another currency than the question asks for."""
    return any(_other_currency_asked(ctx, cell.unit) for cell in reading.cells)


def _other_currency_asked(ctx: _Context, unit: str | None) -> str:
    """The currency the question asks for, when a figure's unit is in another ("" otherwise)."""
    asked, given = currency_of(ctx.q.text), currency_of(unit or "")
    return asked if asked and given and asked != given else ""


def _latest_if_unasked(ctx: _Context, match: CellMatch) -> CellMatch:
    """No year asked: answer with the latest year of the same series."""
    if ctx.q.years or not match.cell.years:
        return match
    same = [m for m in ctx.cells() if _same_series(m.cell, match.cell) and m.cell.years]
    return max(same, key=lambda m: max(m.cell.years), default=match)


def _describe(cell: CellView) -> str:
    parts = [*cell.labels, *[str(y) for y in cell.years]]
    return ", ".join(dict.fromkeys(parts))


def _cell_draft(ctx: _Context, match: CellMatch) -> Draft:
    cell = match.cell
    table = cell.table
    citations = [cell_citation(ctx.corpus, cell, match.score)]
    if cell.value is None and is_missing(cell.raw):
        return Draft(
            answer=f"{table.label} has no value for {_describe(cell)}: the cell is marked “{cell.raw or 'empty'}” (missing).",
            phrase=phrasing.Missing(phrasing.Where(table.label), _describe(cell), cell.raw),
            citations=citations,
            answered=False,
            missing=bool(cell.raw.strip()),  # an empty cell is often layout (a heading row), not a gap
        )
    # a cell of words or a range (`1.74%-1.94%`, `June 30`) answers as printed
    fact = _backing_fact(ctx, cell)
    if fact:
        citations.append(fact_citation(ctx.corpus, fact, match.score * 0.9))
    return Draft(
        answer=_currency_note(ctx, cell.unit)
        + cell_sentence(cell, owner=_owner(ctx, cell), rank=_is_rank(cell), source=_doc_short(ctx, table.doc_id)),
        phrase=replace(
            cell_phrase(cell, owner=_owner(ctx, cell), rank=_is_rank(cell), source=_doc_short(ctx, table.doc_id)),
            asked_currency=_other_currency_asked(ctx, cell.unit),
        ),
        value=cell.value,
        unit=cell.unit,
        citations=citations,
        spans=[cell.raw],
    )


def _owner(ctx: _Context, cell: CellView) -> str:
    """A country the question asks about that the cell's table names only in its caption
    (Table 1's "China's digital economy …"), as the caption spells it."""
    for entity in ctx.q.entities:
        match = re.search(rf"\b{re.escape(entity)}\b", cell.table.caption, re.IGNORECASE)
        if match and is_country(entity):
            return match.group(0)
    return ""


def _backing_fact(ctx: _Context, cell: CellView):
    """A dataset row that backs a table figure: same year, entity and value (±2%)."""
    if cell.value is None or not cell.years:
        return None
    labels = WordSet(norm_tokens(" ".join(cell.labels)))
    wanted = WordSet(norm_tokens(" ".join(cell.labels + [cell.table.caption])))
    best = None
    near = (f for year in cell.years for f in ctx.corpus.facts.near_value(year, cell.value, 0.02 * abs(cell.value)))
    for fact in near:
        if not any(labels.has(t) for t in ctx.matcher.entity_words(fact.entity)):
            continue
        overlap = sum(1 for t in ctx.matcher.indicator_words(fact.indicator) if wanted.has(t))
        if overlap >= 2 and (best is None or overlap > best[0]):
            best = (overlap, fact)
    return best[1] if best else None


def _doc_short(ctx: _Context, doc_id: str) -> str:
    title = ctx.corpus.docs[doc_id].title
    return f"“{title}”" if len(title) <= 60 else f"“{title[:58].rsplit(' ', 1)[0]}…”"


def _sentence_draft(ctx: _Context, match: SentenceMatch) -> Draft:
    figure = match.figure
    passage = match.passage
    highlight = printed_figure(passage.text, figure.start, figure.end) if figure else (match.start, match.end)
    citation = passage_citation(ctx.corpus, passage, match.score, highlight)
    return Draft(
        answer=match.text.strip(),
        value=figure.value if figure else None,
        unit=figure.unit if figure else None,
        citations=[citation],
        spans=[passage.text[highlight[0] : highlight[1]]],
    )


# -- comparisons and derived figures ----------------------------------------------------
def _pair(ctx: _Context) -> tuple[CellMatch, CellMatch] | None:
    """Two cells that differ only in the entity: the same table, indicator and year. A
    comparison that names no entity compares the two countries of a table, else two rows the
    question names by their own labels ("Which was higher in 2018, advertising or sales
    commissions?")."""
    q = ctx.q
    if len(q.entities) <= 1 and q.intent == "compare":
        return _pair_with_said_row(ctx) if q.entities else (_the_two(ctx) or _pair_with_said_row(ctx))
    if len(q.entities) < 2:
        return None
    for i, a_name in enumerate(q.entities):
        for b_name in q.entities[i + 1 :]:
            shared = [e for e in q.entities if e not in (a_name, b_name)]
            a_cells = ctx.cells(entities=[a_name, *shared])[:30]
            b_cells = ctx.cells(entities=[b_name, *shared])[:60]
            if not q.years and a_cells:  # no year asked: the latest year of the best series first
                top = a_cells[0]
                series = [m for m in a_cells if _same_series(m.cell, top.cell)]
                series.sort(key=lambda m: max(m.cell.years or [0]), reverse=True)
                a_cells = series + [m for m in a_cells if not _same_series(m.cell, top.cell)]
            for a in a_cells:
                if a.coverage < MIN_COVERAGE:
                    continue
                for b in b_cells:
                    if (
                        b.cell.table is a.cell.table
                        and b.cell.years == a.cell.years
                        and _same_indicator(a.cell, b.cell)
                    ):
                        if a.cell is not b.cell:
                            return a, b
    return None


def _pair_with_said_row(ctx: _Context) -> tuple[CellMatch, CellMatch] | None:
    """One entity compared with another row of its table that the question names by a word of
    its own label, not a name ("Was China's broadband score above the average?": the `Average
    score` row): the best cell of the entity and that row's cell of the same indicator and year."""
    for a in ctx.cells()[:30]:
        if a.coverage < MIN_COVERAGE or a.cell.value is None:
            continue
        own = set(norm_tokens(" ".join(a.cell.labels)))
        for c in _partners(a.cell):
            label = set(norm_tokens(_entity_label(c, a.cell))) - own
            if label and any(ctx.q.words.has(t) for t in label):
                return a, replace(a, cell=c)
    return None


def _the_two(ctx: _Context) -> tuple[CellMatch, CellMatch] | None:
    """The two countries a table compares, for a question that names neither ("How do the two
    countries compare on …"): the best cell and the one other country's of the same indicator
    and year, in the table that matches best (a table of more countries names no two). The
    countries' axis is the one the question leaves open."""
    cells = [m for m in ctx.cells(open_axes=1)[:30] if m.coverage >= MIN_COVERAGE]
    for a in cells:
        if a.cell.table is not cells[0].cell.table:
            break
        if a.cell.value is None:
            continue
        others = [c for c in _partners(a.cell) if is_country_label(_entity_label(c, a.cell))]
        if len(others) == 1 and is_country_label(_entity_label(a.cell, others[0])):
            return a, replace(a, cell=others[0])
    return None


def _partners(cell: CellView) -> list[CellView]:
    """The cells of `cell`'s table with a value for the same years that differ from it in one
    label: the same indicator of another entity (or row)."""
    return [
        c
        for c in cell.table.cells
        if c is not cell and c.value is not None and c.years == cell.years and _same_indicator(cell, c)
    ]


def _same_series(a: CellView, b: CellView) -> bool:
    """The same table and labels (a cell's labels leave its years out)."""
    return a.table is b.table and a.labels == b.labels


def _same_indicator(a: CellView, b: CellView) -> bool:
    """Labels differ in exactly one coordinate (the entity)."""
    la, lb = a.labels, b.labels
    return len(la) == len(lb) and sum(x != y for x, y in zip(la, lb)) == 1


def _is_rank(cell: CellView) -> bool:
    """Whether a lower figure is the better one: the cell's own labels say it is a rank, or the
    caption does and no label of the table tells its rank columns from its scores (Table 9's
    caption says "ranking", but its `Service` column is a score beside a `Rank` column)."""
    if set(norm_tokens(" ".join(cell.labels))) & RANK_WORDS:
        return True
    table = cell.table
    labels = [*(" ".join(path) for path in table.columns), *(" ".join(keys) for keys in table.row_keys)]
    if any(set(norm_tokens(label)) & RANK_WORDS for label in labels):
        return False
    return bool(set(norm_tokens(table.caption)) & RANK_WORDS)


def _entity_label(cell: CellView, other: CellView) -> str:
    return next((x for x, y in zip(cell.labels, other.labels) if x != y), cell.row_label)


def _indicator(cell: CellView, entity: str) -> str:
    rest = [label.rstrip(" :") for label in cell.labels if label != entity]  # `Net revenue:` heads its rows
    return ", ".join(r for r in rest if r) or caption_indicator(cell.table.caption)


def _compare(ctx: _Context) -> Draft | None:
    pair = _pair(ctx)
    if not pair:
        return None
    a, b = pair
    if a.cell.value is None or b.cell.value is None:
        missing = a if a.cell.value is None else b
        return Draft(
            answer=f"Cannot compare: {missing.cell.table.label} has no value for {_describe(missing.cell)} (marked “{missing.cell.raw}”).",
            phrase=phrasing.Missing(
                phrasing.Where(missing.cell.table.label), _describe(missing.cell), missing.cell.raw, compare=True
            ),
            citations=[cell_citation(ctx.corpus, a.cell, a.score), cell_citation(ctx.corpus, b.cell, b.score)],
            answered=False,
            missing=True,
        )
    name_a, name_b = _entity_label(a.cell, b.cell), _entity_label(b.cell, a.cell)
    rank = _is_rank(a.cell)
    wants_less = ctx.q.direction == "less"
    if rank:  # a lower rank number is better; "higher"/"better" means the smaller number
        a_wins = (a.cell.value > b.cell.value) if wants_less else (a.cell.value < b.cell.value)
    else:
        a_wins = (a.cell.value < b.cell.value) if wants_less else (a.cell.value > b.cell.value)
    winner, loser = (a, b) if a_wins else (b, a)
    win_name, lose_name = (name_a, name_b) if a_wins else (name_b, name_a)
    year = ", ".join(str(y) for y in winner.cell.years)
    indicator = _indicator(winner.cell, win_name)
    unit = winner.cell.unit
    yes = None
    if a.cell.value == b.cell.value:
        text = f"Neither: {name_a} and {name_b} both had {figure_text(a.cell.value, a.cell.raw, unit)} ({indicator}{', ' + year if year else ''}; {a.cell.table.label})."
    else:
        verb = {True: "ranked better" if rank else "had less", False: "ranked better" if rank else "had more"}[
            wants_less and not rank
        ]
        if rank and wants_less:
            verb = "ranked worse"
        yes_no = _yes_no(ctx.q.text, a_wins) if ctx.q.direction else ""
        yes = {"Yes. ": True, "No. ": False}.get(yes_no)
        text = (
            f"{yes_no}{win_name} {verb}: {figure_text(winner.cell.value, winner.cell.raw, unit)} vs "
            f"{figure_text(loser.cell.value, loser.cell.raw, unit)} for {lose_name} ({indicator}{', ' + year if year else ''}; "
            f"{winner.cell.table.label}{'; a lower rank is better' if rank else ''})."
        )
    return Draft(
        answer=text,
        phrase=phrasing.Comparison(
            winner=name_a if a.cell.value == b.cell.value else win_name,
            loser=name_b if a.cell.value == b.cell.value else lose_name,
            winner_amount=amount_of(winner.cell),
            loser_amount=amount_of(loser.cell),
            indicator=indicator,
            period=year,
            where=phrasing.Where(winner.cell.table.label if a.cell.value != b.cell.value else a.cell.table.label),
            rank=rank,
            wants_less=wants_less,
            yes=yes,
            tie=a.cell.value == b.cell.value,
        ),
        value=winner.cell.value,
        unit=unit,
        citations=[
            cell_citation(ctx.corpus, winner.cell, winner.score),
            cell_citation(ctx.corpus, loser.cell, loser.score),
        ],
    )


def _yes_no(question: str, first_wins: bool) -> str:
    """ "Yes. " or "No. " for a yes-no question ("Did A outrank B?"); nothing for an either-or
    one ("Was it higher in A or in B?"), which names its answer."""
    if re.search(r"\bor\b", question, re.IGNORECASE):
        return ""
    if re.match(r"\s*(did|does|do|is|was|were|has|had)\b", question, re.IGNORECASE):
        return "Yes. " if first_wins else "No. "
    return ""


def _derived(ctx: _Context) -> Draft | None:
    q = ctx.q
    two_years = len(q.years) == 2
    if q.operation == "sum":
        return _sum_over_years(ctx)
    pair = None if two_years and (q.operation in _CHANGES or len(q.entities) < 2) else _pair(ctx)
    if two_years and not pair:
        return _change(ctx)  # one series, two years: the later figure minus the earlier
    if not pair:
        return None
    a, b = _in_question_order(ctx, *pair)
    if a.cell.value is None or b.cell.value is None:
        return None
    if is_percent_unit(a.cell.unit) != is_percent_unit(b.cell.unit):
        return None  # "the ratio of the digital economy to GDP" is the `GDP ratio, %` row, not GDP ÷ it
    if q.operation == "difference" and q.direction is None and a.cell.value < b.cell.value:
        a, b = b, a  # "the difference between A and B" asks for the gap: the larger figure first
    assert a.cell.value is not None and b.cell.value is not None  # checked above (the swap loses mypy's narrowing)
    name_a, name_b = _entity_label(a.cell, b.cell), _entity_label(b.cell, a.cell)
    unit = a.cell.unit if a.cell.unit == b.cell.unit else None
    citations = [cell_citation(ctx.corpus, a.cell, a.score), cell_citation(ctx.corpus, b.cell, b.score)]
    indicator = _indicator(a.cell, name_a)
    year = ", ".join(str(y) for y in a.cell.years)
    if q.operation == "ratio":
        if b.cell.value == 0:
            return None
        value = a.cell.value / b.cell.value
        text = (
            f"{name_a} / {name_b} = {a.cell.raw} / {b.cell.raw} = {format_number(round(value, 2))} "
            f"({indicator}{', ' + year if year else ''}; {a.cell.table.label})."
        )
        ratio = phrasing.Difference(
            name_a, name_b, a.cell.raw, b.cell.raw, phrasing.Amount(format_number(round(value, 2)), "times"),
            indicator, year, phrasing.Where(a.cell.table.label), ratio=True,
        )  # fmt: skip
        return Draft(answer=text, phrase=ratio, value=round(value, 4), unit="times", citations=citations)
    value = a.cell.value - b.cell.value
    text = (
        f"{name_a} − {name_b} = {a.cell.raw} − {b.cell.raw} = {format_number(round(value, 6))}"
        f"{' ' + unit if unit and unit != '%' else (' percentage points' if unit == '%' else '')} "
        f"({indicator}{', ' + year if year else ''}; {a.cell.table.label})."
    )
    difference = phrasing.Difference(
        name_a, name_b, a.cell.raw, b.cell.raw,
        phrasing.Amount(format_number(round(value, 6)), "percentage points" if unit == "%" else unit),
        indicator, year, phrasing.Where(a.cell.table.label),
    )  # fmt: skip
    return Draft(answer=text, phrase=difference, value=round(value, 6), unit=unit, citations=citations)


def _in_question_order(ctx: _Context, a: CellMatch, b: CellMatch) -> tuple[CellMatch, CellMatch]:
    text = ctx.q.text.lower()
    name_a = _entity_label(a.cell, b.cell).lower()
    name_b = _entity_label(b.cell, a.cell).lower()
    pos_a, pos_b = text.find(name_a[:5]), text.find(name_b[:5])
    return (b, a) if 0 <= pos_b < pos_a or (pos_a < 0 <= pos_b) else (a, b)


_RANK_MOVE = re.compile(
    r"\b(?:(improve\w*|climb\w*|rise|rose|risen|gain\w*|advance\w*|move[ds]? up|go(?:ne)? up|went up)"
    r"|(?:worsen\w*|drop\w*|fell|fall\w*|slip\w*|decline\w*|lose|lost|move[ds]? down|go(?:ne)? down|went down))\b",
    re.IGNORECASE,
)


_CHANGES = ("change", "percent_change")  # a series from one year to another (`question._intent`)


def _series_starts(ctx: _Context, year: int) -> list[CellMatch]:
    """The cells of `year` a series over the asked years may start at, best first, those in the
    currency the question asks for before the others."""
    return _in_asked_currency(ctx, [m for m in ctx.cells(year=year) if m.coverage >= MIN_COVERAGE])


def _sum_over_years(ctx: _Context) -> Draft | None:
    """One series summed over every year of the asked range that it gives (all of them, or no
    answer: a sum that leaves a year out is another figure)."""
    y1, y2 = sorted(ctx.q.years)
    every_year = [m for m in ctx.cells(year=None) if m.cell.years]
    for start in _series_starts(ctx, y1)[:10]:
        by_year = {m.cell.years[0]: m for m in every_year if _same_series(m.cell, start.cell)}
        series = [by_year.get(y) for y in range(y1, y2 + 1)]
        if any(m is None or m.cell.value is None for m in series):
            continue
        cells = [m.cell for m in series if m is not None]
        total = sum(c.value for c in cells if c.value is not None)
        unit = start.cell.unit
        label = _describe(start.cell).rsplit(",", 1)[0]
        arithmetic = " + ".join(c.raw for c in cells)
        amount = phrasing.Amount(format_number(round(total, 6)), unit)
        return Draft(
            answer=f"{label}, {y1}–{y2}: {arithmetic} = {figure_text(total, amount.shown, unit)} ({start.cell.table.label}).",
            phrase=phrasing.Computed(
                ops.SUM, f"{label}, {y1}–{y2}", amount, arithmetic, phrasing.Where(start.cell.table.label)
            ),
            value=round(total, 6),
            unit=unit,
            citations=[cell_citation(ctx.corpus, c, start.score) for c in cells],
        )
    return None


def _worded(draft: Draft, q: Question) -> str:
    """The computation a solver's draft made because the question's words asked for it: a
    change in percent (`_change` for "the percent increase in …"), the places a rank moved
    ("how many places did it climb"), a sum over a range of years; "" for any other draft."""
    phrase = draft.phrase
    if isinstance(phrase, phrasing.Change) and phrase.result.unit == "%":
        return ops.CHANGE_RATIO
    if isinstance(phrase, phrasing.Change) and phrase.moved_up is not None:
        return "places"
    if q.operation == "sum" and draft.solver == "derived":
        return ops.SUM
    return ""


def _change(ctx: _Context) -> Draft | None:
    y1, y2 = sorted(ctx.q.years)
    first = _series_starts(ctx, y1)
    later = ctx.cells(year=y2)
    # the best series that has both years (one table may stop before the later year)
    pair = next(
        ((start, end) for start in first[:10] for end in later if _same_series(end.cell, start.cell)),
        None,
    )
    if pair is None:
        return None
    start, end = pair
    if start.cell.value is None or end.cell.value is None:
        return None
    delta = end.cell.value - start.cell.value
    pct = f" ({delta / start.cell.value * 100:+.1f}%)" if start.cell.value else ""
    unit = start.cell.unit
    unit_text = " percentage points" if unit == "%" else (f" {unit}" if unit else "")
    series = f"{_describe(start.cell).rsplit(',', 1)[0]}: {start.cell.raw} in {y1} → {end.cell.raw} in {y2}"
    moved = _RANK_MOVE.search(ctx.q.text)
    change = phrasing.Change(
        series=_describe(start.cell).rsplit(",", 1)[0],
        start=start.cell.raw,
        start_period=str(y1),
        end=end.cell.raw,
        end_period=str(y2),
        arithmetic=f"{end.cell.raw} − {start.cell.raw}",
        result=phrasing.Amount(format_number(round(delta, 6)), "percentage points" if unit == "%" else unit),
        percent=pct.strip(" ()"),
        where=phrasing.Where(start.cell.table.label),
    )
    if ctx.q.operation == "percent_change" and start.cell.value and not is_percent_unit(unit):
        # the change told in percent of the start: that figure is the answer (of a percentage,
        # "percentage change" is as often its change in points: both are said, as for any change)
        delta, unit = delta / start.cell.value * 100, "%"
        arithmetic = f"({end.cell.raw} − {start.cell.raw}) / {start.cell.raw}"
        text = f"{series}; change {arithmetic} = {delta:+.1f}% ({start.cell.table.label})."
        change = replace(change, arithmetic=arithmetic, result=phrasing.Amount(f"{delta:+.1f}", "%"), percent="")
    elif "rank" in ctx.q.cues and moved and not is_percent_unit(unit):
        # a rank is better when lower: "how many places did it climb" counts the places up
        up = moved.group(1) is not None
        a, b = (start, end) if up else (end, start)
        assert a.cell.value is not None and b.cell.value is not None  # start's and end's, checked above
        delta = a.cell.value - b.cell.value
        text = (
            f"{series}; {'up' if up else 'down'} {a.cell.raw} − {b.cell.raw} = {format_number(round(delta, 6))} "
            f"places (a lower rank is better) ({start.cell.table.label})."
        )
        unit = "places"
        change = replace(
            change,
            arithmetic=f"{a.cell.raw} − {b.cell.raw}",
            result=phrasing.Amount(format_number(round(delta, 6)), unit),
            moved_up=up,
        )
    else:
        text = (
            f"{series}; change {end.cell.raw} − {start.cell.raw} = {format_number(round(delta, 6))}{unit_text}{pct} "
            f"({start.cell.table.label})."
        )
    return Draft(
        answer=text,
        phrase=change,
        value=round(delta, 6),
        unit=unit,
        citations=[cell_citation(ctx.corpus, end.cell, end.score), cell_citation(ctx.corpus, start.cell, start.score)],
    )


# -- labels: which year, which country -------------------------------------------------
def _label(ctx: _Context) -> Draft | None:
    q = ctx.q
    asks_year = bool(re.search(r"\b(which|what) year\b|\bwhen\b", q.text, re.IGNORECASE))
    best = [m for m in ctx.cells(year=None if asks_year else "question", open_axes=1) if m.coverage >= MIN_COVERAGE]
    if asks_year:
        best = [m for m in best if m.cell.years]  # a series over years
    elif _ASKS_COUNTRY.search(q.text):  # the answer must be a country, not `GDP` or `Digital economy`
        best = [m for m in best if any(is_country(t) for t in ctx.matcher.words_of(m.cell))]
    best = [m for m in best if m.cell.value is not None]  # a group's heading row ranks nothing
    if not best:
        return None
    top = best[0]
    if asks_year:
        series = [m for m in best if _same_series(m.cell, top.cell) and m.cell.years]
        lo, hi = (min(q.years), max(q.years)) if q.years else (0, 0)
        named = [m for m in series if any(lo <= y <= hi for y in m.cell.years)]
        if len(q.years) >= 2 and len(named) >= 2:
            series = named  # "between 2016 and 2020, which year …": the years the question bounds, not every year
    else:
        years = top.cell.years
        series = [
            m
            for m in best
            if m.cell.table is top.cell.table
            and m.cell.years == years
            and m.cell.group == top.cell.group  # the items of one group (`Operating margin:`), not another's
            and _same_indicator(m.cell, top.cell)
        ] + [top]
    series = [m for m in series if m.cell.value is not None]
    if (
        not asks_year
        and not says_total(letters_only(words(q.text)))
        and len(items := [m for m in series if not m.cell.is_total]) >= 2
    ):
        series = items  # a total row is no item ranked among its parts, unless totals are asked about
    if len(series) < 2:
        return None
    if asks_year and (threshold := _threshold(q.text)) is not None and not _names_a_label(top.cell, threshold[0]):
        return _years_past(ctx, series, *threshold)
    rank = _is_rank(top.cell)
    lowest = (q.direction == "less") != rank  # the best rank is the smallest number

    def value_of(m: CellMatch) -> float:
        assert m.cell.value is not None  # `series` keeps the cells with a value only
        return m.cell.value

    pick = min(series, key=value_of) if lowest else max(series, key=value_of)
    if asks_year:
        # the year where each period has its own (`December 27, 2019` → 2019); else as printed (`FY19`)
        label = pick.cell.period_name
        described = _describe(pick.cell).rsplit(",", 1)[0]
    else:
        label = without_note_mark(_entity_label(pick.cell, next(m.cell for m in series if m.cell is not pick.cell)))
        described = _indicator(pick.cell, label)
    # each cell of the series as the answer shows it: its year (or its item) and its figure
    listed = [
        (
            ", ".join(str(y) for y in m.cell.years) if asks_year else _entity_label(m.cell, _other(series, m).cell),
            m.cell.raw,
        )
        for m in _in_table_order(series)
    ]
    shown = "; ".join(f"{name}: {raw}" for name, raw in listed)
    word = ("best" if q.direction != "less" else "worst") if rank else ("highest" if not lowest else "lowest")
    # the period of the items ranked ("USA — the highest … in 2019"); a year asked is the answer itself
    period = f" in {pick.cell.period_name}" if not asks_year and pick.cell.period else ""
    return Draft(
        answer=f"{label} — the {word} {described}{period}: {figure_text(pick.cell.value, pick.cell.raw, pick.cell.unit)} ({pick.cell.table.label}: {shown}).",
        phrase=phrasing.Superlative(
            label,
            word,
            described,
            amount_of(pick.cell),
            phrasing.Where(pick.cell.table.label),
            shown=listed,
            is_year=asks_year,
        ),
        value=pick.cell.value,  # the figure that makes it the highest, as a comparison gives its winner's
        unit=pick.cell.unit,
        operation=ops.ARGMAX if asks_year else ops.ARGMAX_ROW,  # which period, or which row, has the extreme figure
        citations=[cell_citation(ctx.corpus, pick.cell, pick.score)]
        + [cell_citation(ctx.corpus, m.cell, m.score) for m in series if m is not pick][:3],
        spans=[label],
    )


_SIGN_WORD = re.compile(r"\b(negative|positive)\b", re.IGNORECASE)


def _threshold(question: str) -> tuple[float, bool | None] | None:
    """The figure a "which year was … more than 2.0%?" question names, and the side a sign word
    names ("negative": below 0, "positive": above it; None: the side is read from the question);
    None for a question about the largest or smallest."""
    figure = asked_figure(question)
    if figure is not None:
        return figure, None
    sign = _SIGN_WORD.search(question)
    return (0.0, sign.group(1).lower() == "positive") if sign else None


def _names_a_label(cell: CellView, figure: float) -> bool:
    """The figure is one the cell's labels print (`Over 2 months overdue`, `At 1 January`): the
    question names the row by it, it sets no threshold."""
    printed = [parse_number(n) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?", " ".join([*cell.row_keys, *cell.column]))]
    return any(n is not None and abs(n) == abs(figure) for n in printed)


def _years_past(ctx: _Context, series: list[CellMatch], threshold: float, above: bool | None) -> Draft | None:
    """The years whose figure is past the question's threshold, on the side it asks for (the sign
    word's, else the reader's learned direction): "In which year was interest income greater
    than 7,000?" → every year above it, not the largest alone."""
    if above is None and ctx.reader is not None:
        above = asks_above(ctx.reader, ctx.q.text, {"more": "max", "less": "min"}.get(ctx.q.direction or ""))
    elif above is None:
        above = ctx.q.direction != "less"
    ordered = _in_table_order(series)
    past = [
        m
        for m in ordered
        if m.cell.value is not None and (m.cell.value > threshold) == above and m.cell.value != threshold
    ]
    if not past:
        return None
    labels = list(dict.fromkeys(m.cell.period_name for m in past))
    first = past[0].cell
    described = _describe(first).rsplit(",", 1)[0]
    shown = "; ".join(f"{', '.join(str(y) for y in m.cell.years)}: {m.cell.raw}" for m in ordered)
    side = "above" if above else "below"
    return Draft(
        answer=f"{', '.join(labels)} — {described} {side} {format_number(threshold)} ({first.table.label}: {shown}).",
        value=None,
        unit=None,
        citations=[cell_citation(ctx.corpus, m.cell, m.score) for m in past],
        spans=labels,
    )


def _in_table_order(series: list[CellMatch]) -> list[CellMatch]:
    """The cells by period, then as the table prints them (how a series is shown)."""
    return sorted(series, key=lambda m: (m.cell.years, m.cell.row, m.cell.col))


def _other(series: list[CellMatch], m: CellMatch) -> CellMatch:
    """Another cell of the series than `m`: what its label is told apart from."""
    return next(o for o in series if o.cell is not m.cell)


# -- sources ---------------------------------------------------------------------------
def _ref_names(refs: list[Reference], limit: int = 110) -> str:
    names = []
    for ref in refs:
        text = ref.text.split(" Available at")[0]
        names.append(f"[{ref.n}] {text if len(text) <= limit else text[: limit - 1] + '…'}")
    return "; ".join(names)


def _source(ctx: _Context) -> Draft | None:
    q = ctx.q
    citations: list[Citation] = []
    parts: list[str] = []
    statements: list[phrasing.SourcePart] = []  # the same statements, in parts (`phrasing.Sources`)
    first: CellView | None = None  # the figure's first cell: its value, for a check of its source
    if q.numbers:
        cells = [
            m
            for m in ctx.cells(year=q.year, entities=q.entities, open_axes=9)
            if m.cell.value is not None and _equals_any(m.cell.value, q.numbers)
        ]
        tables_seen: set[int] = set()
        for match in cells:
            cell = match.cell
            if id(cell.table) in tables_seen:
                continue  # one cell per table; every table that holds the figure is named
            tables_seen.add(id(cell.table))
            if len(tables_seen) > 3:
                break
            first = first or cell
            citations.append(cell_citation(ctx.corpus, cell, match.score))
            refs = ctx.corpus.refs(cell.table.doc_id, cell.table.refs)
            where = f"{cell.table.label} ({_describe(cell)})"
            note = f"; {cell.table.source_note.rstrip('.')}" if cell.table.source_note else ""
            parts.append(
                f"{where} gives {figure_text(cell.value, cell.raw, cell.unit)}"
                + (f", citing {_ref_names(refs)}" if refs else "")
                + note
            )
            statements.append(
                phrasing.SourcePart(
                    "gives",
                    where=phrasing.Where(cell.table.label),
                    described=_describe(cell),
                    amount=amount_of(cell),
                    refs=_ref_names(refs) if refs else "",
                    note=cell.table.source_note.rstrip(".") if cell.table.source_note else "",
                )
            )
        for passage, score in ctx.passages:
            found = _number_span(passage.text, q.numbers)
            if found:
                citations.append(passage_citation(ctx.corpus, passage, score, sentence_around(passage.text, found)))
                refs = ctx.corpus.refs(passage.doc_id, passage.refs)
                sentence = passage.text[slice(*sentence_around(passage.text, found))]
                parts.append(f"the text says: “{sentence}”" + (f" ({_ref_names(refs)})" if refs else ""))
                statements.append(phrasing.SourcePart("says", quote=sentence, refs=_ref_names(refs) if refs else ""))
                break
    else:
        table = _source_table(ctx)
        if table is not None:
            match, table = table
            citations.append(table_citation(ctx.corpus, table, None, match.score))
            refs = ctx.corpus.refs(table.doc_id, table.refs)
            sources = [s for s in (table.source_note, _ref_names(refs) if refs else None) if s]
            parts.append(f"{table.label} (“{table.caption}”) cites " + "; ".join(sources))
            statements.append(
                phrasing.SourcePart("cites", where=phrasing.Where(table.label, table.caption), refs="; ".join(sources))
            )
        for said in ctx.sentences(need_figure=False)[:1]:
            if said.coverage >= MIN_COVERAGE and said.passage.refs:
                citations.append(passage_citation(ctx.corpus, said.passage, said.score, (said.start, said.end)))
                names = _ref_names(ctx.corpus.refs(said.passage.doc_id, said.passage.refs))
                parts.append(f"the text cites {names}")
                statements.append(phrasing.SourcePart("cites", refs=names))
    if not parts:
        return None
    # a reference entry often ends in a full stop of its own: one is enough
    draft = Draft(
        answer=_capitalize("; ".join(parts)).rstrip(".") + ".", phrase=phrasing.Sources(statements), citations=citations
    )
    if q.checks and first is not None:  # the figure asked about is the cell's
        draft.value, draft.unit = first.value, first.unit
    return draft


def _source_table(ctx: _Context):
    """The table the question is about that names a source: the best match, with a bonus
    when the question's words appear in its source note or cited references."""
    best = None
    seen = set()
    content = ctx.q.content
    if ctx.q.table_label and not content:  # "What source does Table 13 cite?"
        named = ctx.cells(year=None, entities=[], entity_scope="table", open_axes=9)
        return (named[0], named[0].cell.table) if named else None
    for match in ctx.cells(year=None, entity_scope="table", open_axes=9):
        table = match.cell.table
        if match.coverage < MIN_COVERAGE or id(table) in seen:
            continue
        seen.add(id(table))
        info = ctx.matcher.info(table)
        if not (table.refs or table.source_note):
            continue
        source_words = info.ref_context | WordSet(norm_tokens(table.source_note or ""))
        # what the table is about (its coverage) decides; naming the asked words in its sources helps
        named_share = sum(1 for t in content if source_words.has(t)) / max(1, len(content))
        key = (round(match.coverage + 0.25 * named_share, 6), match.score)
        if best is None or key > best[0]:
            best = (key, match, table)
    return (best[1], best[2]) if best else None


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _equals_any(value: float, numbers: list[float]) -> bool:
    return any(abs(value - n) <= 0.005 * max(abs(n), 1e-9) for n in numbers)


def _number_span(text: str, numbers: list[float]) -> tuple[int, int] | None:
    for n in numbers:
        shown = format_number(n)
        for match in re.finditer(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text):
            return match.start(), match.end()
    return None


# -- abstention and context ------------------------------------------------------------
def _abstain(ctx: _Context) -> Draft:
    q = ctx.q
    unknown = [e for e in q.entities if not _anywhere(ctx, e)]
    refusal = phrasing.Refusal(names=[w.capitalize() for w in unknown], years=list(q.years))
    if unknown:
        reason = f"no document mentions {', '.join(w.capitalize() for w in unknown)}"
    elif q.years:
        reason = f"no table cell or sentence gives this for {', '.join(map(str, q.years))}"
    else:
        reason = "no table cell or sentence matches the question"
    return Draft(
        answer=f"The documents do not say: {reason}. The closest evidence is cited below.",
        phrase=refusal,
        answered=False,
    )


def _read_across(
    library: Library, hits: list[Hit], asked: Asked, vector: np.ndarray, depth: int | None = None
) -> Draft | None:
    """The cross-lingual reader over `hits` of the cross-lingual space (`crosslingual`)."""
    return read_across(
        library.corpus,
        hits,
        asked,
        vector,
        library.text_vectors,
        lambda ids: library.searcher.similarity(CROSSLINGUAL, vector, ids),
        library.searcher.language_of,
        library.across,
        depth,
    )


def _worth_reading_across(library: Library, ctx: _Context) -> bool:
    """Whether an unanswered English question asks for a figure that some sentence of the other
    languages' documents may give — read by their words, before the question costs a second
    embedding: it asks for a value (not a comparison, a computation, a label or a source), and
    some sentence of the asked year says as much of it as the model's `least_cover`."""
    model, sentences = library.passage_figures, library.other_language_sentences
    if model is None or sentences is None:
        return True  # no words to judge by: the cross-lingual reader decides alone
    return ctx.q.intent == "value" and sentences.best_cover(ctx.q.text, ctx.q.years) >= model.least_cover


def _read_other_languages(
    library: Library, question: str, hits: list[Hit], asked: Asked, vector: np.ndarray
) -> Draft | None:
    """An English question over documents in other languages: their passages' figures read by
    the words each figure's clause says (a Chinese clause through its dictionary senses,
    `passage_figures`), their table and dataset rows by the cross-lingual reader."""
    if library.passage_figures is None:
        return _read_across(library, hits, asked, vector)
    by_words = read_passages(
        library.corpus, hits, question, asked, vector, library.text_vectors, library.passage_figures,
        library.searcher.language_of,
    )  # fmt: skip
    return by_words or _read_across(library, [h for h in hits if h.kind != "passage"], asked, vector)


def _doc_language(ctx: _Context, doc_id: str) -> str | None:
    doc = ctx.corpus.docs.get(doc_id)
    return doc.language if doc else None


def _keeps_asked(asked: Asked, draft: Draft) -> bool:
    """Whether an answer's evidence holds the years and countries a question asks about (read
    without its words): an answer to another country or year is no answer."""
    cited = draft.citations[0] if draft.citations else None
    said = " ".join([draft.answer, cited.locator, cited.snippet] if cited else [draft.answer])
    named = {m.country.name for m in mentions(said)}
    return all(str(y) in said for y in asked.years) and set(asked.countries) <= named


def _anywhere(ctx: _Context, entity: str) -> bool:
    if ctx.matcher.table_words.has(entity):
        return True
    return any(passage_words(p).has(entity) for p, _ in ctx.passages)


def _add_context_citations(ctx: _Context, draft: Draft, top_k: int) -> None:
    """Fill the remaining citation slots with the best retrieved evidence not cited yet (a
    table or passage already cited is not listed again)."""
    cited_tables = {(c.doc_id, c.table) for c in draft.citations if c.kind == "table_row"}
    for hit in ctx.hits:
        if len(draft.citations) >= top_k:
            break
        if hit.kind == "table_row" and (hit.doc_id, hit.table) in cited_tables:
            continue  # its table is cited already: not worth building the citation to find out
        citation = hit_citation(ctx.corpus, hit).as_citation()
        if not cites(draft.citations, citation):
            draft.citations.append(citation)
            if citation.kind == "table_row":
                cited_tables.add((citation.doc_id, citation.table))
