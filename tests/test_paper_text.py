"""The paper's prose, sections and reference list."""

from __future__ import annotations


def test_reference_list_has_28_numbered_entries(paper):
    assert [r.n for r in paper.references] == list(range(1, 29))
    assert paper.references[4].text.startswith("Fixed Broadband Subscriptions (per 100 People)")


def test_urls_cut_by_a_page_break_are_mended(paper):
    refs = {r.n: r for r in paper.references}
    assert refs[6].url == (
        "https://data.worldbank.org.cn/indicator/IT.NET.BBND.P2?end=2020&locations=RU&most_recent_year_desc=true&start=2005"
    )
    assert refs[21].url == "https://www.askci.com/news/chanye/20210513/0931171443562.shtml"
    assert refs[15].url.endswith("(Full%20Report).pdf")
    assert refs[19].url is None


def test_passage_markers_resolve(paper):
    known = {r.n for r in paper.references}
    cited = [p for p in paper.passages if p.refs]
    assert cited, "some passages cite references"
    for p in cited:
        assert set(p.refs) <= known
    lo_si = next(p for p in paper.passages if "LOSI" in p.text)
    assert lo_si.refs == [14, 15, 16]
    intro = next(p for p in paper.passages if "43.7%" in p.text)
    assert intro.refs == [18]


def test_sections_and_title(paper):
    assert (
        paper.title == "International Comparison and Competitive Prospects of Digital Economy between China and Russia"
    )
    five_g = next(p for p in paper.passages if "1.396 million 5G base stations" in p.text)
    assert five_g.section[-1] == "II. Digital Upgrading of Manufacturing Industry"
    # a bold-only line that a page break split is still a heading
    ict = next(p for p in paper.passages if p.text.startswith("The ICT industry has become a persistent"))
    assert ict.section[-1] == "V. International Comparison of Information and Communication Technology (ICT) Industry"


def test_paragraph_split_by_page_break_is_joined(paper):
    joined = [p for p in paper.passages if "this paper compares the relevant indicators" in p.text]
    assert len(joined) == 1


def test_passages_keep_source_offsets(paper, tmp_path):
    from tests.conftest import PAPER

    source = PAPER.read_text(encoding="utf-8")
    five_g = next(p for p in paper.passages if "1.396 million" in p.text)
    assert "1.396 million" in source[five_g.char_start : five_g.char_end]


def test_repeated_paragraph_gets_distinct_ids(paper):
    ids = [p.id for p in paper.passages]
    assert len(ids) == len(set(ids))
