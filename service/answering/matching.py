"""Matching a question to table cells and dataset facts.

A cell is a candidate only when it satisfies the question's hard constraints:
- year: the cell's row or column year (or, for a table without year coordinates, the
  caption's year or year range) is the asked year;
- entities: every named thing in the question is one of the cell's labels when the table
  has such labels (asking about Russia rules out the China row), or else is mentioned in
  the table's caption, unit, source note, section or cited references.
Candidates are then scored by how much of each cell label the question asks about, how much
of the question the table covers, quantity cues (a share wants `%`, a rank wants a rank
column) and how well retrieval ranked the table's rows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ingest.numbers import is_year
from ingest.periods import YEAR_IN_TEXT, is_period_word, period_year
from ingest.records import Fact
from service.answering.corpus import CellView, Corpus, TableView
from service.answering.facts import FactSeries
from service.answering.question import (
    Question,
    WordSet,
    acronym_words,
    is_country,
    norm_tokens,
    same_word,
    synonyms,
    trends,
)
from service.answering.textmatch import defined_acronyms
from service.answering.textmatch import words as stem_words

_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[—–-]+\s*((?:19|20)\d{2})(?!\d)")
PERCENT_WORDS = {"share", "ratio", "rate", "proportion", "percent", "percentage"}
RANK_WORDS = {"rank", "ranking", "rankings", "ranked", "place", "places", "position", "positions"}
MONEY_WORDS = {
    "dollar",
    "dollars",
    "usd",
    "yuan",
    "rmb",
    "renminbi",
    "ruble",
    "rubles",
    "rouble",
    "roubles",
    "euro",
    "euros",
}
_MONEY = re.compile(rf"[$€£¥₽]|\b(?:{'|'.join(sorted(MONEY_WORDS))})\b", re.IGNORECASE)
QUANTITY_WORDS = PERCENT_WORDS | RANK_WORDS | {"score", "scores", "value", "index", "level", "number", "amount"}
LABEL_STOP = {"of", "the", "and", "in", "with", "per", "by", "for", "to", "a", "an", "s", "total"}


def is_percent_unit(unit: str | None) -> bool:
    """`%`, `% of GDP`, `% of internet users`: a share, not an amount."""
    return (unit or "").startswith("%")


def _content(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in LABEL_STOP and not is_year(t)]


def _label_tokens(label: str) -> list[str]:
    """A label's words, plus its initials when it has several (`The Internet of Things` → `iot`)."""
    tokens = _content(norm_tokens(label))
    words = re.findall(r"[A-Za-z]+", label)
    if words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    if 2 <= len(words) <= 6:
        initials = "".join(w[0] for w in words).lower()
        if initials not in tokens:
            tokens.append(initials)
    return tokens


class CellWords:
    """A cell's label words: the union of its labels' word sets, which the cells of one row or
    column share. Answers what a `WordSet` of the union would."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[WordSet, ...]):
        self.parts = parts

    def has(self, token: str) -> bool:
        return any(part.has(token) for part in self.parts)

    @property
    def words(self) -> frozenset[str]:
        return frozenset().union(*(part.words for part in self.parts))

    def __iter__(self):
        return iter(self.words)

    def __bool__(self) -> bool:
        return any(self.parts)


def _matches(token: str, pool) -> bool:
    if isinstance(pool, (WordSet, CellWords)):
        return pool.has(token)
    return any(same_word(token, p) for p in pool)


def _matches_any(token: str, pool) -> bool:
    """The token or one of its synonyms."""
    return any(_matches(t, pool) for t in synonyms(token))


@dataclass
class LabelInfo:
    text: str
    tokens: list[str]
    axis: tuple  # ("row", level) or ("col", level): labels on one axis are alternatives


@dataclass
class TableInfo:
    table: TableView
    context: WordSet  # caption, stub, unit, source note, section, cited references
    near_context: WordSet  # caption, stub, unit, source note
    ref_context: WordSet  # cited reference entries only
    mention_context: WordSet  # the section and the passages of the same document that mention the table
    label_tokens: WordSet
    pool: WordSet  # near context and labels: what the table is about
    weak: WordSet  # references and mentions: what is said about it
    caption_years: set[int]
    percent_cells: bool
    money_cells: bool  # a unit or label names a currency
    mixed_units: bool  # percent cells beside cells of other units
    rank_columns: bool
    ranking_table: bool  # no rank column, but the caption says every figure is a rank
    name_tokens: WordSet  # tokens of labels that are a single name
    axis_values: dict[tuple, set[str]]
    years: frozenset[int] = frozenset()  # the cells' periods and the caption's years
    stems: frozenset[str] | None = None  # the text's stems, read when first asked
    # pairs of words printed one after the other in the caption, stub, unit or a label
    phrases: frozenset[tuple[str, str]] = frozenset()
    long_forms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # acronyms printed, defined in the text
    # each cell's labels and their words, by the cell's `id` (the table holds its cells)
    cell_labels: dict[int, list[LabelInfo]] = field(default_factory=dict)
    cell_words: dict[int, CellWords] = field(default_factory=dict)


@dataclass
class CellMatch:
    cell: CellView
    score: float
    coverage: float
    label_score: float
    # the coverage from the table's caption, stub, unit and labels alone (not its references)
    strong_coverage: float = 1.0
    # the question names something other tables have and this one lacks ("mobile")
    foreign: bool = False

    @property
    def table(self) -> TableView:
        return self.cell.table


@dataclass
class FactMatch:
    fact: Fact
    score: float


@dataclass(frozen=True)
class SeriesWords:
    """What a dataset series is matched by: its indicator's words, the initials naming it
    (`EGDI` for `E-Government Development Index …`), its words with its unit, its entity's and
    its source's words, and whether it is a change (`Digital economy nominal growth`)."""

    tokens: WordSet
    acronyms: dict[str, list[str]]
    names: WordSet  # the indicator's words and its initials
    described: WordSet  # the indicator and its unit (`score`, `% of population`): what a question may ask for
    entity: WordSet
    source: WordSet  # the source title and the dataset's title
    change: bool


class _SeriesIndex:
    """The datasets' series by entity, indicator and source, with their words made once per
    distinct name (a million-row dataset has a few hundred entities and indicators): a
    question's entities pick the series it can be about without a pass over every row."""

    def __init__(self, corpus: Corpus):
        self._corpus = corpus
        self._by_entity: dict[str, list[int]] = {}
        self._by_indicator: dict[str, list[int]] = {}
        self._by_source: dict[tuple[str, str], list[int]] = {}
        for i, s in enumerate(corpus.facts.series):
            self._by_entity.setdefault(s.entity, []).append(i)
            self._by_indicator.setdefault(s.indicator, []).append(i)
            self._by_source.setdefault(self._source_key(s), []).append(i)
        self._words: dict[FactSeries, SeriesWords] = {}
        self._entities: dict[str, WordSet] = {}
        self._indicators: dict[str, tuple[WordSet, dict[str, list[str]], WordSet]] = {}
        self._sources: dict[tuple[str, str], WordSet] = {}
        self._described: dict[tuple[str, str | None], WordSet] = {}

    def _source_key(self, s: FactSeries) -> tuple[str, str]:
        return s.source_title or "", self._corpus.docs[s.doc_id].title

    def entity_words(self, entity: str) -> WordSet:
        words = self._entities.get(entity)
        if words is None:
            words = self._entities[entity] = WordSet(norm_tokens(entity))
        return words

    def _indicator(self, indicator: str) -> tuple[WordSet, dict[str, list[str]], WordSet]:
        found = self._indicators.get(indicator)
        if found is None:
            tokens, acronyms = WordSet(norm_tokens(indicator)), acronym_words(indicator)
            found = self._indicators[indicator] = (tokens, acronyms, tokens | acronyms.keys())
        return found

    def indicator_words(self, indicator: str) -> WordSet:
        return self._indicator(indicator)[0]

    def _source(self, key: tuple[str, str]) -> WordSet:
        words = self._sources.get(key)
        if words is None:
            words = self._sources[key] = WordSet(norm_tokens(f"{key[0]} {key[1]}"))
        return words

    def words(self, s: FactSeries) -> SeriesWords:
        found = self._words.get(s)
        if found is None:
            tokens, acronyms, names = self._indicator(s.indicator)
            described = self._described.get((s.indicator, s.unit))
            if described is None:
                described = WordSet(norm_tokens(f"{s.indicator} {s.unit or ''}")) | acronyms.keys()
                self._described[(s.indicator, s.unit)] = described
            found = SeriesWords(
                tokens, acronyms, names, described, self.entity_words(s.entity),
                self._source(self._source_key(s)), bool(trends(s.indicator)),
            )  # fmt: skip
            self._words[s] = found
        return found

    def candidates(self, entities: list[str], doc_ids: set[str] | None) -> list[FactSeries]:
        """The series every one of `entities` may name: its entity (a country must be the row's
        own: a dataset titled "… China and Russia" does not make a Russian row China's), or,
        for another name, an acronym naming its indicator (`GCI`) or its source (`CAICT`)."""
        chosen: set[int] | None = None
        for e in entities:
            ids: set[int] = set()
            for entity, members in self._by_entity.items():
                if self.entity_words(entity).has(e):
                    ids.update(members)
            if not is_country(e):
                for indicator, members in self._by_indicator.items():
                    if _matches(e, self._indicator(indicator)[2]):
                        ids.update(members)
                for key, members in self._by_source.items():
                    if _matches(e, self._source(key)):
                        ids.update(members)
            chosen = ids if chosen is None else chosen & ids
            if not chosen:
                return []
        series = self._corpus.facts.series
        return [series[i] for i in sorted(chosen or ()) if doc_ids is None or series[i].doc_id in doc_ids]


PHRASE = 1.0  # the score of a table that prints every pair of adjacent words the question asks about as it does


def word_pairs(tokens: list[str], keep: set[str] | None = None) -> list[tuple[str, str]]:
    """Each word with the next (both among `keep`, when given), by their first four letters: the
    phrases a text says (`digital economy`, and `digital econ` as the same phrase cut short)."""
    return [(a[:4], b[:4]) for a, b in zip(tokens, tokens[1:]) if keep is None or (a in keep and b in keep)]


class Matcher:
    """Scores the cells of the corpus's tables and its dataset series against a question. A
    corpus of at most `corpus.TABLES_HELD` tables has each worked out at load and every question
    scans them all; in a larger one a question scans the tables of the documents retrieval
    ranked (or of the documents it is asked within), each worked out when first read."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.tables: list[TableInfo] = []  # every table's, when the corpus's tables are held
        self._passages_by_doc: dict[str, list] = {}
        # the long form of each acronym a document defines in its running text, as words
        self._long_forms: dict[str, dict[str, tuple[str, ...]]] = {}
        for passage in corpus.passages.values():
            self._passages_by_doc.setdefault(passage.doc_id, []).append(passage)
            defined = self._long_forms.setdefault(passage.doc_id, {})
            for acronym, name in defined_acronyms(passage.text).items():
                defined.setdefault(acronym, tuple(t for t in norm_tokens(name) if t != acronym))
        df: Counter[str] = Counter()
        said: set[str] = set()
        for table in corpus.tables.values():
            if corpus.tables.held:
                info = self.info(table)
                self.tables.append(info)
                context, labels = info.context.words, info.label_tokens.words
            else:  # only the words: the rest is worked out for the tables a question reads
                context, labels = self.said_words(table)
            df.update(context | labels)
            said.update(context, labels)
        self.table_words = WordSet(said)  # every word any table's context or labels say
        n = max(1, len(corpus.tables))
        # flattened idf: a word common to many tables (`digital`) still names what is asked
        top = math.log(1 + n)
        self.idf = {t: 0.5 + math.log(1 + n / (1 + c)) / top for t, c in df.items()}
        self.default_idf = 1.5
        self._facts = _SeriesIndex(corpus)

    def said_words(self, table: TableView) -> tuple[frozenset[str], frozenset[str]]:
        """The words of a table's context and of its labels: what its `TableInfo`'s `context`
        and `label_tokens` hold, read without working out the rest."""
        context = frozenset(norm_tokens(self._context_text(table)))
        texts = {k for c in table.cells for k in (*c.row_keys, *c.column) if period_year(k) is None}
        return context, frozenset(t for text in texts for t in _label_tokens(text))

    def _refs_text(self, table: TableView) -> str:
        return " ".join(r.text + " " + (r.url or "") for r in self.corpus.refs(table.doc_id, table.refs))

    def _context_text(self, table: TableView) -> str:
        """The caption, stub, unit, source note, section and cited references of a table."""
        parts = [
            table.caption,
            " ".join(table.stub),
            table.unit or "",
            table.source_note or "",
            " ".join(table.section),
        ]
        return " ".join([*parts, self._refs_text(table)])

    def _table_info(self, table: TableView) -> TableInfo:
        refs = self._refs_text(table)
        context_text = self._context_text(table)
        axis_values: dict[tuple, set[str]] = {}
        label_tokens: set[str] = set()
        # a row's cells share its labels, a column's cells theirs: one record and one word set
        # per label of the table, not per cell (r + c, not r × c, for r rows and c columns)
        shared: dict[tuple[str, tuple], tuple[LabelInfo, WordSet]] = {}
        cell_labels: dict[int, list[LabelInfo]] = {}
        cell_words: dict[int, CellWords] = {}

        def shared_label(text: str, axis: tuple) -> tuple[LabelInfo, WordSet]:
            found = shared.get((text, axis))
            if found is None:
                tokens = _label_tokens(text)
                found = shared[(text, axis)] = (LabelInfo(text, tokens, axis), WordSet(tokens))
            return found

        for cell in table.cells:
            labelled = []
            # a grouped row's group is no axis of its own: its item is at the level of the
            # ungrouped rows' labels, and a question need not name the group
            grouped = cell.group is not None
            for level, key in enumerate(cell.row_keys):
                if period_year(key) is None:
                    axis = ("group", 0) if grouped and level == 0 else ("row", level - grouped)
                    labelled.append(shared_label(key, axis))
            for level, part in enumerate(cell.column):
                if period_year(part) is None:
                    labelled.append(shared_label(part, ("col", level)))
            labels = cell_labels[id(cell)] = [info for info, _ in labelled]
            cell_words[id(cell)] = CellWords(tuple(words for _, words in labelled if words))
            for label in labels:
                axis_values.setdefault(label.axis, set()).add(label.text)
                label_tokens.update(label.tokens)
        years = {int(y) for y in YEAR_IN_TEXT.findall(table.caption)}
        for a, b in _RANGE.findall(table.caption):
            years.update(range(int(a), int(b) + 1))
        near_text = " ".join([table.caption, " ".join(table.stub), table.unit or "", table.source_note or ""])
        mention = re.compile(rf"\b{re.escape(table.label)}\b", re.IGNORECASE)
        mentions = " ".join(p.text for p in self._passages_by_doc.get(table.doc_id, ()) if mention.search(p.text))
        mentions += " " + " ".join(table.section)
        # labels that are names (`China`, `EGDI`): an entity asked about must be the cell's own
        name_tokens = {
            t for labels in cell_labels.values() for label in labels if len(label.tokens) == 1 for t in label.tokens
        }
        near = set(norm_tokens(near_text))
        # `EPI` on a label or in the caption, defined in the text as `E-Participation Index`:
        # the table says those words too
        long_forms = {
            acronym: words
            for acronym, words in self._long_forms.get(table.doc_id, {}).items()
            if words and (acronym in label_tokens or acronym in near)
        }
        near.update(t for words in long_forms.values() for t in words)
        ref_tokens, mention_tokens = set(norm_tokens(refs)), set(norm_tokens(mentions))
        return TableInfo(
            table=table,
            cell_labels=cell_labels,
            cell_words=cell_words,
            context=WordSet(norm_tokens(context_text)),
            near_context=WordSet(near),
            ref_context=WordSet(ref_tokens),
            mention_context=WordSet(mention_tokens),
            label_tokens=WordSet(label_tokens),
            pool=WordSet(near | label_tokens),
            weak=WordSet(ref_tokens | mention_tokens),
            caption_years=years,
            years=frozenset(years.union(*(cell.years for cell in table.cells))),
            percent_cells=any(is_percent_unit(c.unit) for c in table.cells),
            mixed_units=any(is_percent_unit(c.unit) for c in table.cells)
            and any(c.value is not None and not is_percent_unit(c.unit) for c in table.cells),
            money_cells=bool(
                _MONEY.search(" ".join([table.caption, table.unit or "", *(c.unit or "" for c in table.cells)]))
            ),
            rank_columns=any(t in RANK_WORDS for t in label_tokens),
            ranking_table=not any(t in RANK_WORDS for t in label_tokens)
            and bool(set(norm_tokens(table.caption)) & RANK_WORDS),
            name_tokens=WordSet(name_tokens),
            axis_values=axis_values,
            long_forms=long_forms,
            phrases=frozenset(
                pair
                for text in (
                    table.caption,
                    *table.stub,
                    table.unit or "",
                    *(label for a in axis_values.values() for label in a),
                )
                for pair in word_pairs(norm_tokens(text))
            ),
        )

    def _text_about(self, table: TableView) -> str:
        """The running text of a document that holds this table alone (a report excerpt: one
        table and the paragraphs about it, whose headings and sentences name what the table is
        — "Revenue by Geographic Region"); a document of several tables speaks of each through
        its caption and mentions."""
        if self.corpus.tables.count_of(table.doc_id) != 1:
            return ""
        return " ".join(p.text for p in self._passages_by_doc.get(table.doc_id, ()))

    def info(self, table: TableView) -> TableInfo:
        """What the matcher works out of a table, once per table read (kept with it)."""
        found = table.matched
        if found is None:
            found = table.matched = self._table_info(table)
        return found

    def words_of(self, cell: CellView) -> CellWords:
        """The words of a cell's labels."""
        return self.info(cell.table).cell_words[id(cell)]

    def scanned(self, doc_ids: set[str] | None, ranked_docs: set[str] | None) -> Iterator[TableInfo]:
        """The tables a question's cells are looked for in: every table when the corpus's tables
        are held; else those of the documents it is asked within or, unfiltered, of the
        documents retrieval ranked."""
        if self.corpus.tables.held:
            yield from self.tables
            return
        docs = doc_ids if doc_ids is not None else ranked_docs or set()
        for doc_id in sorted(docs):
            for table in self.corpus.tables.of_document(doc_id):
                yield self.info(table)

    def table_stems(self, table: TableView) -> frozenset[str]:
        """The stems of the table's caption and labels (as the reader's words are stemmed)."""
        info = self.info(table)
        if info.stems is None:
            info.stems = frozenset(stem_words(self.table_text(table)))
        return info.stems

    def table_years(self, table: TableView) -> frozenset[int]:
        """Every period of the table's cells, and the years its caption names."""
        return self.info(table).years

    def table_text(self, table: TableView) -> str:
        """The table's words as text: caption, unit, notes, section, stub, labels and, for a
        document that holds this table alone, its running text (written when asked for: kept,
        it would hold each report's text a second time)."""
        return " ".join(
            [
                self._context_text(table),
                *(k for keys in table.row_keys for k in keys),
                *(c for col in table.columns for c in col),
                self._text_about(table),
            ]
        )

    def entity_words(self, entity: str) -> WordSet:
        """A dataset entity's words (`Russian Federation`)."""
        return self._facts.entity_words(entity)

    def indicator_words(self, indicator: str) -> WordSet:
        """A dataset indicator's words (`Individuals using the Internet (% of population)`)."""
        return self._facts.indicator_words(indicator)

    def weight(self, token: str) -> float:
        return self.idf.get(token, self.default_idf)

    # -- cells -------------------------------------------------------------------------
    @staticmethod
    def ranked(
        candidates: list[CellMatch],
        table_ranks: dict[tuple[str, str], int],
        row_ranks: dict[tuple[str, str, int], int],
    ) -> list[CellMatch]:
        """Candidates scored up by how well retrieval ranked their table and row, best first."""
        out = []
        for m in candidates:
            table = m.cell.table
            score = m.score
            t_rank = table_ranks.get((table.doc_id, table.id))
            if t_rank is not None:
                score += 0.6 / (1 + t_rank / 5)
            r_rank = row_ranks.get((table.doc_id, table.id, m.cell.row))
            if r_rank is not None:
                score += 0.4 / (1 + r_rank / 5)
            out.append(CellMatch(m.cell, score, m.coverage, m.label_score, m.strong_coverage, m.foreign))
        out.sort(key=lambda m: (m.score, max(m.cell.years or [0])), reverse=True)
        return out

    def candidates(
        self,
        q: Question,
        *,
        entities: list[str] | None = None,
        year: int | None | Literal["question"] = "question",
        doc_ids: set[str] | None = None,
        entity_scope: str = "cell",
        open_axes: int = 0,
        ranked_docs: set[str] | None = None,
    ) -> list[CellMatch]:
        """Cells that satisfy the constraints, scored on the question alone (in no order).
        `entities` and `year` override the question's; with `entity_scope="table"` an entity on
        the labels need not be on the cell; `open_axes` is how many label axes the question may
        leave unnamed (the one a "which …?" question asks about); `ranked_docs`, the documents
        retrieval ranked, bound the tables read in a corpus too large to scan (`scanned`)."""
        entities = q.entities if entities is None else entities
        wanted_year = q.year if year == "question" else year
        # several years asked ("in 2017 and 2018"): a cell of another year answers none of them
        several_years = frozenset(q.years) if year == "question" and len(q.years) >= 2 else frozenset()
        content = [t for t in q.content if not any(same_word(t, e) for e in entities)] or q.content
        if q.years:  # `fiscal` of "in fiscal 2018" says when, with the year: a table's period axis says it
            content = [t for t in content if not is_period_word(t)] or content
        content_weight = sum(self.weight(t) for t in content) or 1.0
        # how much of a label the question asks for, per label and document
        fractions: dict[tuple[str, str], float] = {}
        asked_pairs = word_pairs(q.tokens, set(content) - set(QUANTITY_WORDS))
        out: list[CellMatch] = []
        for info in self.scanned(doc_ids, ranked_docs):
            table = info.table
            if doc_ids is not None and table.doc_id not in doc_ids:
                continue
            if q.table_label and table.label.lower() != q.table_label.lower():
                continue
            entity_rules = []
            penalty = 0.0
            named_indicator = False  # a name on the labels or caption that is not a country (`EGDI`)
            for e in entities:
                on_labels = _matches(e, info.label_tokens)
                named_indicator = named_indicator or (on_labels and not is_country(e))
                if not on_labels:
                    if _matches(e, info.near_context):
                        penalty -= 1.0  # named by the caption: as good as a label
                        named_indicator = named_indicator or not is_country(e)
                    elif not is_country(e) and (_matches(e, info.ref_context) or _matches(e, info.mention_context)):
                        penalty += 0.8  # named only by a cited reference or the text about the table: weak
                    else:
                        break
                is_name = _matches(e, info.name_tokens)
                entity_rules.append((e, is_name and entity_scope == "cell"))
            else:
                # a named indicator anchors the table as a word of the question would
                covered = self._coverage(
                    content, info, content_weight, weak_anchor=q.intent == "source", anchored=named_indicator
                )
                if covered is None:
                    continue
                coverage, strong, missing = covered
                foreign = any(t in self.idf and t not in QUANTITY_WORDS for t in missing)
                # "digital economy" said as the table says it, not as two words apart (Table 9's
                # `Economy` column of a digital competitiveness ranking)
                phrased = (
                    PHRASE * sum(p in info.phrases for p in asked_pairs) / len(asked_pairs) if asked_pairs else 0.0
                )
                for cell in table.cells:
                    match = self._score_cell(
                        cell,
                        info,
                        q,
                        content,
                        content_weight,
                        entity_rules,
                        wanted_year,
                        several_years,
                        coverage,
                        open_axes,
                        fractions,
                    )
                    if match:
                        match.score += phrased - penalty
                        match.strong_coverage = strong
                        match.foreign = foreign
                        out.append(match)
        return out

    def _coverage(
        self,
        content: list[str],
        info: TableInfo,
        content_weight: float,
        weak_anchor: bool = False,
        anchored: bool = False,
    ) -> tuple[float, float, list[str]] | None:
        """Share of the question's words the table accounts for: its caption and labels fully,
        its cited references and the text about it by half; the share its caption and labels
        account for alone; and the words it does not account for at all. None when none of the
        words that name the indicator (not `rank`, `share`) is accounted for at all."""
        pool, weak = info.pool, info.weak
        covered = strong = 0.0
        missing: list[str] = []
        anchored = anchored or not any(t not in QUANTITY_WORDS for t in content)
        for t in content:
            if _matches_any(t, pool):
                covered += self.weight(t)
                strong += self.weight(t)
                anchored = anchored or t not in QUANTITY_WORDS
            elif self._cue_met(t, info):
                covered += 0.5 * self.weight(t)
                strong += 0.5 * self.weight(t)
            elif _matches_any(t, weak):
                covered += 0.5 * self.weight(t)
                anchored = anchored or (weak_anchor and t not in QUANTITY_WORDS)
            else:
                missing.append(t)
        if not anchored:
            return None
        # rounded: half of two equal weights must compare equal to 0.5, not fall just short of it
        return round(covered / content_weight, 9), round(strong / content_weight, 9), missing

    @staticmethod
    def _cue_met(token: str, info: TableInfo) -> bool:
        """`share` is answered by a percent cell, `rank` by a ranking table, `dollars` by money."""
        if token in PERCENT_WORDS:
            return info.percent_cells
        if token in MONEY_WORDS:
            return info.money_cells
        if token in RANK_WORDS:
            return info.rank_columns or info.ranking_table
        return False

    def _label_fraction(
        self, label: LabelInfo, q_words: WordSet, long_forms: dict[str, tuple[str, ...]] | None = None
    ) -> float:
        total = sum(self.weight(t) for t in label.tokens)
        long_forms = long_forms or {}
        matched = [
            t
            for t in label.tokens
            if any(q_words.has(s) for s in synonyms(t)) or self._long_form_said(long_forms.get(t), q_words)
        ]
        fraction = sum(self.weight(t) for t in matched) / total
        if matched and all(t in QUANTITY_WORDS for t in matched):
            fraction *= 0.4  # `Score` matched by "score" says less than `Service` matched by "service"
        return fraction

    def _long_form_said(self, words: tuple[str, ...] | None, q_words: WordSet) -> bool:
        """The question says most of an acronym's long form, by weight ("e-participation" for
        `E-Participation Index`, `index` being a common word)."""
        if not words:
            return False
        said = sum(self.weight(t) for t in words if q_words.has(t))
        return said >= 0.5 * sum(self.weight(t) for t in words)

    def _score_cell(
        self, cell, info, q, content, content_weight, entity_rules, year, several_years, coverage, open_axes, fractions
    ):  # fmt: skip
        year_bonus = 0.0
        if several_years and cell.years and several_years.isdisjoint(cell.years):
            return None
        if year is not None:
            if cell.years:
                if year not in cell.years:
                    return None
                year_bonus = 0.5  # the year is the cell's own coordinate, not just the caption's
            elif year not in info.caption_years:
                return None
        labels = info.cell_labels[id(cell)]
        cell_tokens = info.cell_words[id(cell)]
        q_words = q.words
        for e, required in entity_rules:
            if required and not _matches(e, cell_tokens):
                return None
        label_score = 0.0
        unasked_axes = 0
        for label in labels:
            if len(info.axis_values.get(label.axis, ())) < 2 or not label.tokens:
                continue  # a label every cell shares tells nothing
            key = (label.text, info.table.doc_id)  # an acronym is read by its own document's definition
            fraction = fractions.get(key)
            if fraction is None:
                fraction = fractions[key] = self._label_fraction(label, q_words, info.long_forms)
            unasked_axes += fraction == 0 and label.axis[0] != "group"
            label_score += fraction
        if unasked_axes > open_axes:
            return None  # the question picks no row (or column) here: `geothermal` is not `Solar`
        recall = (
            sum(self.weight(t) for t in content if t not in QUANTITY_WORDS and _matches_any(t, cell_tokens))
            / content_weight
        )
        score = label_score + recall + 1.5 * coverage + year_bonus
        score += self._cue_bonus(cell, info, q, cell_tokens)
        return CellMatch(cell, score, coverage, label_score)

    @staticmethod
    def _cue_bonus(cell: CellView, info: TableInfo, q: Question, cell_tokens: CellWords) -> float:
        bonus = 0.0
        is_percent = is_percent_unit(cell.unit) or bool(cell_tokens.words & PERCENT_WORDS)
        is_rank = bool(cell_tokens.words & RANK_WORDS) or info.ranking_table
        if "percent" in q.cues:
            bonus += 1.0 if is_percent else (-0.7 if info.percent_cells else 0.0)
        elif is_percent and ("count" in q.cues or "money" in q.cues or "amount" in q.cues or info.mixed_units):
            bonus -= 0.7  # "Russia's GDP" is the GDP row, not the `GDP ratio, %` beside it
        if "rank" in q.cues:
            bonus += 1.0 if is_rank else (-0.7 if info.rank_columns else 0.0)
        elif is_rank and info.rank_columns and len(cell.table.columns) > 1:
            bonus -= 0.7
        return bonus

    # -- facts -------------------------------------------------------------------------
    def facts(
        self,
        q: Question,
        *,
        entities: list[str] | None = None,
        year: int | None | Literal["question"] = "question",
        doc_ids: set[str] | None = None,
    ) -> list[FactMatch]:
        entities = q.entities if entities is None else entities
        wanted_year = q.year if year == "question" else year
        if not entities:
            return []
        asks_change = bool(trends(q.text))
        index = self._facts
        scored: list[tuple[FactSeries, float]] = []
        for series in index.candidates(entities, doc_ids):
            words = index.words(series)
            if words.change and not asks_change:
                continue  # a growth rate answers a question about growth, not "how large …"
            tokens, names = words.tokens, words.names
            entity_words, source_words = words.entity, words.source
            # what is asked about: the question's words but the names of the row's country and
            # source (a capitalised indicator, `E-Government Development Index`, is asked about)
            named = [
                e
                for e in entities
                if _matches(e, entity_words) or (_matches(e, source_words) and not _matches(e, names))
            ]
            described = words.described
            # where the question names the source, its other words that only the source says
            # describe it, not the figure asked ("… according to the CAICT white paper")
            names_source = any(_matches(e, source_words) and not _matches(e, entity_words) for e in named)
            content = [
                t
                for t in q.content
                if not any(same_word(t, e) for e in named)
                and not (names_source and _matches(t, source_words) and not _matches(t, described))
            ]
            if not content:
                continue
            content_weight = sum(self.weight(t) for t in content)
            covered = sum(self.weight(t) for t in content if _matches(t, described)) / content_weight
            # how much of the indicator's name the question says (an acronym says all its words)
            said = {t for t in tokens if q.words.has(t)}
            for acronym, acronym_said in words.acronyms.items():
                if q.words.has(acronym):
                    said.update(acronym_said)
            precision = len(said & tokens.words) / max(1, len(tokens.words))
            if covered >= 0.6 and precision >= 0.5:
                # as for cells: a share answers "what share", an amount answers the rest
                fit = 0.0 if is_percent_unit(series.unit) == ("percent" in q.cues) else -0.5
                scored.append((series, covered + precision + fit))
        # the facts of the matching series, best first, then in the store's order
        ranked = [
            (-score, series.doc_id, seq, FactMatch(fact, score))
            for series, score in scored
            for seq, fact in self.corpus.facts.of_series(series, wanted_year)
        ]
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked]
