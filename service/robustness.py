"""`citeqa eval-robust`: does the answer survive the small ways users mistype or rephrase?

Every answerable question of the evaluation files (not `abstain`; English only) gets
perturbed variants, generated deterministically from a seed, at most one per kind:

- `typo`: one letter swapped with its neighbour, dropped or doubled, inside one lower-case
  content word of 5+ letters (never a name, an acronym or a word with digits);
- `lower`: the whole question lower-cased;
- `no_apostrophes`: apostrophes removed ("China's" -> "Chinas");
- `abbreviation`: a common English abbreviation for a phrase of the question
  ("per 100 people" -> "per 100 ppl", "percent" -> "pct", "billion" -> "bn", ...);
- `reorder`: a trailing time phrase moved to the front ("What was X in 2019?" -> "In 2019,
  what was X?"), or "according to ..." moved between the front and the end;
- `compare_form`: a "Which/Who ... higher/more/... X, A or B?" question asked as "Did A have
  a higher X than B?", "Whose X was higher, A's or B's?" or "How did A and B compare on X?".

The original and every variant go through `Engine.ask` (the `/ask` code path). A variant is
answered *the same* when the `answered` flag is equal and, when the original has a value, the
variant's value is within 0.5 % of it (an original without a value: the variant has none
either, and their first citations name the same document and table). Original and variant
are also scored against the gold answer with `service.evaluation.score_answer`.

Nothing here knows the questions: the rules are general English rewrites.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from service.evaluation import close, score_answer

DEFAULT_SEED = 13
KINDS = ("typo", "lower", "no_apostrophes", "abbreviation", "reorder", "compare_form")

# -- typo ----------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’\-][A-Za-z0-9]+)*")
_STOPWORDS = frozenset(
    """
    about above across after again against along among another around because before behind
    below beneath beside besides between beyond could during either every further however
    into itself neither other others ought perhaps rather shall should since their theirs
    themselves there these those though through throughout toward towards under until unless
    upon whether which while whom whose within without would yours
    """.split()
)


def typo_candidates(question: str) -> list[tuple[int, str]]:
    """(offset, word) of the words a typo may go in: all lower-case letters, 5+ of them, not a stop word."""
    return [
        (m.start(), m.group())
        for m in _TOKEN.finditer(question)
        if re.fullmatch(r"[a-z]{5,}", m.group()) and m.group() not in _STOPWORDS
    ]


def swap_letters(word: str, i: int) -> str:
    """Letters i and i+1 swapped."""
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def drop_letter(word: str, i: int) -> str:
    return word[:i] + word[i + 1 :]


def double_letter(word: str, i: int) -> str:
    return word[: i + 1] + word[i] + word[i + 1 :]


def typo_word(word: str, rng: random.Random) -> str:
    """One inner-letter typo (the first and last letters stay), always a different word."""
    inner = range(1, len(word) - 1)
    ops: list[tuple[Callable[[str, int], str], int]] = [
        (swap_letters, i) for i in range(1, len(word) - 2) if word[i] != word[i + 1]
    ]
    ops += [(drop_letter, i) for i in inner]
    ops += [(double_letter, i) for i in inner]
    op, i = rng.choice(ops)
    return op(word, i)


def typo(question: str, rng: random.Random) -> str | None:
    candidates = typo_candidates(question)
    if not candidates:
        return None
    start, word = rng.choice(candidates)
    return question[:start] + typo_word(word, rng) + question[start + len(word) :]


# -- lower, apostrophes --------------------------------------------------------------
def lower(question: str) -> str | None:
    out = question.lower()
    return out if out != question else None


def no_apostrophes(question: str) -> str | None:
    out = re.sub(r"['’‘]", "", question)
    return out if out != question else None


# -- abbreviation --------------------------------------------------------------------
# (pattern, replacement), tried in this order; the first that matches is applied (to every
# occurrence). Phrases before single words, so "percentage points" wins over "percentage".
_MONTHS = ["January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December"]  # fmt: skip
ABBREVIATIONS: list[tuple[str, str]] = [
    (r"information and communications? technolog(?:y|ies)", "ICT"),
    (r"research and development", "R&D"),
    (r"gross domestic product", "GDP"),
    (r"artificial intelligence", "AI"),
    (r"internet of things", "IoT"),
    (r"business[- ]to[- ]consumer", "B2C"),
    (r"business[- ]to[- ]business", "B2B"),
    (r"united states of america", "USA"),
    (r"united states", "US"),
    (r"united kingdom", "UK"),
    (r"united arab emirates", "UAE"),
    (r"european union", "EU"),
    (r"u\.?s\.? dollars?", "USD"),
    (r"(?:fiscal|financial) year (?:19|20)(\d\d)", r"FY\1"),
    (r"(?:fiscal|financial) year", "FY"),
    (r"year[- ](?:on|over)[- ]year", "y/y"),
    (r"quarter[- ](?:on|over)[- ]quarter", "q/q"),
    (r"month[- ](?:on|over)[- ]month", "m/m"),
    (r"year[- ]to[- ]date", "YTD"),
    (r"first quarter", "Q1"),
    (r"second quarter", "Q2"),
    (r"third quarter", "Q3"),
    (r"fourth quarter", "Q4"),
    (r"(?:the\s+)?first half of", "H1"),
    (r"(?:the\s+)?second half of", "H2"),
    (r"per (\d+) (?:people|persons|inhabitants)", r"per \1 ppl"),
    (r"percentage points?", "pp"),
    (r"per ?cent(?:age)?", "pct"),
    (r"with respect to", "wrt"),
    (r"for example", "e.g."),
    (r"as soon as possible", "ASAP"),
    (r"millions?", "mn"),
    (r"billions?", "bn"),
    (r"trillions?", "tn"),
    (r"approximately|approximate", "approx."),
    (r"governments", "govts"),
    (r"government", "govt"),
    (r"departments?", "dept"),
    (r"international", "intl"),
    (r"national", "natl"),
    (r"organi[sz]ations?", "org"),
    (r"associations?", "assn"),
    (r"corporations?", "corp"),
    (r"management", "mgmt"),
    (r"manufacturing", "mfg"),
    (r"telecommunications?", "telecom"),
    (r"technolog(?:y|ies)", "tech"),
    (r"information", "info"),
    (r"communications", "comms"),
    (r"infrastructure", "infra"),
    (r"statistics", "stats"),
    (r"population", "pop."),
    (r"subscriptions|subscribers", "subs"),
    (r"averages?", "avg"),
    (r"maximum", "max"),
    (r"minimum", "min"),
    (r"estimated?", "est."),
    (r"versus", "vs"),
    (r"numbers", "nos."),
    (r"number", "no."),
    (r"people", "ppl"),
    (r"development", "dev"),
    (r"economy|economic", "econ"),
    *[(month, month[:3]) for month in _MONTHS],
    (r"quarter", "qtr"),
    (r"years", "yrs"),
    (r"year", "yr"),
    (r"months", "mos"),
    (r"month", "mo"),
    (r"between", "btwn"),
    (r"through", "thru"),
    (r"without", "w/o"),
    (r"with", "w/"),
]
_ABBREVIATIONS = [
    (re.compile(rf"(?<![\w-]){pattern}(?![\w])", re.IGNORECASE), replacement) for pattern, replacement in ABBREVIATIONS
]


def _keep_capital(match: re.Match, replacement: str) -> str:
    out = match.expand(replacement)
    if match.group()[:1].isupper() and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def abbreviation(question: str) -> str | None:
    for pattern, replacement in _ABBREVIATIONS:
        if pattern.search(question):
            return pattern.sub(functools.partial(_keep_capital, replacement=replacement), question)
    return None


# -- reorder -------------------------------------------------------------------------
_YEAR = r"(?:19|20)\d\d"
_PREP = r"(?:in|by|during|since|as of|until)"
# a time phrase closing the question: "in 2019", "by November 2021", "in the first 11 months
# of 2021", "from 2019 to 2020" (words between the preposition and the year: no preposition
# but "of", so the phrase starts at the last one)
_TAIL_TIME = re.compile(
    rf"\s+(?P<phrase>{_PREP}\s+(?:(?!(?:in|by|during|since|as|until|from|to|for|on|at)\b)[\w-]+\s+){{0,5}}{_YEAR}"
    rf"|from\s+{_YEAR}\s+(?:to|until)\s+{_YEAR}|between\s+{_YEAR}\s+and\s+{_YEAR})\s*$",
    re.IGNORECASE,
)
_TAIL_ACCORDING = re.compile(r",?\s+(?P<phrase>according to\s+[^,?]+?)\s*$", re.IGNORECASE)
_HEAD_ACCORDING = re.compile(r"^(?P<phrase>according to\s+[^,?]+?),\s*(?P<rest>.+)$", re.IGNORECASE)
_FUNCTION_WORDS = frozenset(
    """what which who whom whose where when why how did does do was were is are has have had
    can could will would should may might the a an in on by for of to from between during""".split()
)


def _split_end(question: str) -> tuple[str, str]:
    """The question without its closing punctuation, and the punctuation."""
    m = re.match(r"^(.*?)\s*([?.!]*)\s*$", question, re.DOTALL)
    assert m
    return m[1], m[2] or "?"


def _lower_first(text: str) -> str:
    """Lower-case the first word when it is a function word ("What" -> "what"), not a name."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in _FUNCTION_WORDS else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def reorder(question: str) -> str | None:
    body, end = _split_end(question)
    m = _TAIL_TIME.search(body)
    if m and m.start() > 0:
        return f"{_upper_first(m['phrase'])}, {_lower_first(body[: m.start()].rstrip(','))}{end}"
    m = _HEAD_ACCORDING.match(body)
    if m:
        return f"{_upper_first(m['rest'])} {m['phrase'][0].lower()}{m['phrase'][1:]}{end}"
    m = _TAIL_ACCORDING.search(body)
    if m and m.start() > 0:
        return f"{_upper_first(m['phrase'])}, {_lower_first(body[: m.start()])}{end}"
    return None


# -- compare_form --------------------------------------------------------------------
_COMPARATIVES = {
    # comparative: (the direction, the adjective after "was" in "Whose X was ...")
    "higher": ("up", "higher"),
    "more": ("up", "higher"),
    "larger": ("up", "larger"),
    "bigger": ("up", "bigger"),
    "greater": ("up", "greater"),
    "better": ("up", "better"),
    "lower": ("down", "lower"),
    "less": ("down", "lower"),
    "fewer": ("down", "lower"),
    "smaller": ("down", "smaller"),
    "worse": ("down", "worse"),
}
# finite verb of the "Which" question -> (base form, tense)
_VERBS = {
    "had": ("have", "past"),
    "has": ("have", "present"),
    "have": ("have", "present"),
    "was": ("be", "past"),
    "were": ("be", "past"),
    "is": ("be", "present"),
    "are": ("be", "present"),
    "did": ("do", "past"),
    "does": ("do", "present"),
    "do": ("do", "present"),
    "ranked": ("rank", "past"),
    "ranks": ("rank", "present"),
    "scored": ("score", "past"),
    "scores": ("score", "present"),
    "recorded": ("record", "past"),
    "reported": ("report", "past"),
    "saw": ("see", "past"),
    "sees": ("see", "present"),
    "got": ("get", "past"),
    "gets": ("get", "present"),
    "spent": ("spend", "past"),
    "grew": ("grow", "past"),
    "performed": ("perform", "past"),
}
_NAME = r"(?:the\s+)?[A-Z][\w.'’-]*(?:\s+(?:of\s+|and\s+)?[A-Z][\w.'’-]*){0,4}"
_WHICH = re.compile(
    rf"""^(?:which|who)
    (?:\s+(?:country|countries|one|nation|economy|region|city|company|side|of\s+the\s+two|of\s+them))?
    \s+(?P<verb>{"|".join(_VERBS)})
    \s+(?P<body>.+?),?
    \s+(?P<a>{_NAME})\s+or\s+(?P<b>{_NAME})$""",
    re.IGNORECASE | re.VERBOSE,
)
_WHICH_OF = re.compile(
    rf"""^which\s+of\s+(?P<a>{_NAME})\s+and\s+(?P<b>{_NAME})
    \s+(?P<verb>{"|".join(_VERBS)})\s+(?P<body>.+)$""",
    re.IGNORECASE | re.VERBOSE,
)
_LEADING_PREP = re.compile(r"^(?:in|on|at|for|by|among|across|during|from|between|as of)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Comparison:
    """A parsed "Which ... <comparative> <noun> <tail>, A or B?" question."""

    a: str
    b: str
    verb: str  # base form: have, be, rank, ...
    tense: str  # past | present
    article: str  # "a " in "had a higher X", else ""
    comparative: str
    noun: str  # what is compared ("fixed broadband subscriptions per 100 people"), may be empty
    tail: str  # "in 2020", "in the EGDI in 2022", may be empty


def parse_comparison(question: str) -> Comparison | None:
    """The parts of a "Which/Who ... higher/more/... X, A or B?" question; None for other shapes."""
    body_q, _ = _split_end(question.strip())
    m = _WHICH.match(body_q) or _WHICH_OF.match(body_q)
    if not m:
        return None
    verb, tense = _VERBS[m["verb"].lower()]
    body = m["body"].strip().rstrip(",")
    c = re.match(
        rf"^(?P<article>(?:an?|the)\s+)?(?P<cmp>{'|'.join(_COMPARATIVES)})\b\s*(?P<rest>.*)$", body, re.IGNORECASE
    )
    if not c:
        return None
    rest = c["rest"].strip()
    if _LEADING_PREP.match(rest):
        noun, tail = "", rest
    else:
        t = _TAIL_TIME.search(rest) or re.search(r"\s+(?P<phrase>(?:in|on|among|across)\s+the\s+.+)$", rest)
        noun, tail = (rest[: t.start()], t["phrase"]) if t else (rest, "")
    a, b = m["a"].strip(), m["b"].strip()
    if not a or not b or a.lower() == b.lower():
        return None
    return Comparison(a, b, verb, tense, (c["article"] or "").lower(), c["cmp"].lower(), noun.strip(), tail.strip())


def _possessive(name: str) -> str:
    return name + ("’" if name.endswith("’") else "'" if name.endswith("s") else "'s")


def _plural(noun: str) -> bool:
    """Is the head noun plural? (the last word before "per", "of", "in", ..., ending in s)"""
    head = re.split(r"\s+(?:per|of|in|on|for|at|from|with)\s+", noun, maxsplit=1)[0].split()[-1].lower()
    return head.endswith("s") and not head.endswith(("ss", "us", "is"))


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def compare_forms(comp: Comparison) -> dict[str, str]:
    """The question in the other forms that fit: `yes_no`, `whose`, `how_compare`."""
    direction, adjective = _COMPARATIVES[comp.comparative]
    forms = {}
    if comp.verb == "be":
        aux = "Was" if comp.tense == "past" else "Is"
        forms["yes_no"] = _join(aux, comp.a, comp.comparative, comp.noun, "than", comp.b, comp.tail) + "?"
    else:
        aux = "Did" if comp.tense == "past" else "Does"
        forms["yes_no"] = (
            _join(aux, comp.a, comp.verb, comp.article.strip(), comp.comparative, comp.noun, "than", comp.b, comp.tail)
            + "?"
        )
    if comp.noun and comp.verb in ("have", "be"):
        if _plural(comp.noun):
            be = "were" if comp.tense == "past" else "are"
        else:
            be = "was" if comp.tense == "past" else "is"
        forms["whose"] = (
            _join("Whose", comp.noun, be, adjective, comp.tail) + f", {_possessive(comp.a)} or {_possessive(comp.b)}?"
        )
    # "How did A and B compare ...?" asks no direction: only for "higher"-like questions, and
    # only when it still says what is compared (a noun, or "ranked higher in the EGDI")
    if direction == "up" and (comp.noun or (comp.verb != "be" and _LEADING_PREP.match(comp.tail))):
        did = "did" if comp.tense == "past" else "do"
        on = f"on {comp.noun}" if comp.noun else ""
        forms["how_compare"] = _join(f"How {did} {comp.a} and {comp.b} compare", on, comp.tail) + "?"
    return forms


def compare_form(question: str, rng: random.Random) -> str | None:
    comp = parse_comparison(question)
    if comp is None:
        return None
    forms = compare_forms(comp)
    return forms[rng.choice(sorted(forms))] if forms else None


# -- the suite -----------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    kind: str
    question: str


def answerable(item: dict) -> bool:
    """In the suite: not `abstain`, and asked in English."""
    if item.get("kind") == "abstain":
        return False
    return str(item.get("lang") or "en").lower().startswith("en")


def variants(question: str, *, seed: int = DEFAULT_SEED, compare: bool = True) -> list[Variant]:
    """The perturbed variants of one question (same seed and question: same variants)."""
    rng = random.Random(f"{seed}:{question}")
    made = {
        "typo": typo(question, rng),
        "lower": lower(question),
        "no_apostrophes": no_apostrophes(question),
        "abbreviation": abbreviation(question),
        "reorder": reorder(question),
        "compare_form": compare_form(question, rng) if compare else None,
    }
    return [Variant(kind, q) for kind, q in made.items() if q and q != question]


def suite(items: Iterable[dict], *, seed: int = DEFAULT_SEED) -> list[tuple[dict, list[Variant]]]:
    """(item, its variants) for every answerable English question; `compare_form` for `compare` ones."""
    return [
        (item, variants(item["question"], seed=seed, compare=item.get("kind") == "compare"))
        for item in items
        if answerable(item)
    ]


# -- answering the same --------------------------------------------------------------
def _first_source(response: dict) -> tuple[str | None, str | None] | None:
    citations = [c for c in response.get("citations") or [] if isinstance(c, dict)]
    return (citations[0].get("doc_id"), citations[0].get("table")) if citations else None


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def same_answer(original: dict, variant: dict) -> bool:
    """Same `answered`; the same value within 0.5 % (or both none, citing the same document and table first)."""
    if bool(original.get("answered")) != bool(variant.get("answered")):
        return False
    got, want = _number(variant.get("value")), _number(original.get("value"))
    if want is not None:
        return got is not None and close(got, want)
    if got is not None:
        return False
    return _first_source(original) == _first_source(variant)


def short(response: dict, width: int = 90) -> str:
    """One line: what the response claims, and where its first citation points."""
    if not response.get("answered"):
        text = "not answered"
    elif _number(response.get("value")) is not None:
        text = f"{response['value']:g}" + (f" {response['unit']}" if response.get("unit") else "")
    else:
        text = " ".join((response.get("answer") or "").split())
        text = text if len(text) <= width else text[: width - 1] + "…"
    source = _first_source(response)
    if source:
        text += f" [{source[0]}{' · ' + source[1] if source[1] else ''}]"
    return text


@dataclass
class Trial:
    item: dict
    variant: Variant
    original: dict
    response: dict
    same: bool
    original_ok: bool
    variant_ok: bool


@dataclass
class RobustnessReport:
    seed: int
    questions: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    original_ok: dict[str, bool] = field(default_factory=dict)  # by question id
    trials: list[Trial] = field(default_factory=list)

    def summary(self) -> dict:
        def ratio(values: list[bool]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        trials = self.trials
        by_kind = {}
        for kind in KINDS:
            group = [t for t in trials if t.variant.kind == kind]
            if group:
                by_kind[kind] = {
                    "n": len(group),
                    "same": ratio([t.same for t in group]),
                    "original_accuracy": ratio([t.original_ok for t in group]),
                    "variant_accuracy": ratio([t.variant_ok for t in group]),
                }
        return {
            "seed": self.seed,
            "questions": self.questions,
            "skipped": self.skipped,
            "variants": len(trials),
            "same": ratio([t.same for t in trials]),
            "original_accuracy": ratio(list(self.original_ok.values())),
            "variant_accuracy": ratio([t.variant_ok for t in trials]),
            "by_kind": by_kind,
            "changed": [
                {
                    "id": t.item.get("id"),
                    "kind": t.variant.kind,
                    "question": t.item["question"],
                    "variant": t.variant.question,
                    "original_answer": short(t.original),
                    "variant_answer": short(t.response),
                    "original_ok": t.original_ok,
                    "variant_ok": t.variant_ok,
                }
                for t in trials
                if not t.same
            ],
        }


def run_robustness(
    engine, items: list[dict], *, seed: int = DEFAULT_SEED, top_k: int = 5, progress=None
) -> RobustnessReport:
    """Ask every answerable question and its variants through `engine.ask`; compare and score."""
    report = RobustnessReport(seed=seed)
    report.skipped = {
        "abstain": sum(i.get("kind") == "abstain" for i in items),
        "not_english": sum(i.get("kind") != "abstain" and not answerable(i) for i in items),
    }
    planned = suite(items, seed=seed)
    report.questions = len(planned)
    total = sum(1 + len(vs) for _, vs in planned)
    done = 0
    for item, item_variants in planned:
        original = engine.ask(item["question"], top_k=top_k).to_dict()
        original_ok = score_answer(item, original)
        report.original_ok[str(item.get("id"))] = original_ok
        done += 1
        for variant in item_variants:
            response = engine.ask(variant.question, top_k=top_k).to_dict()
            report.trials.append(
                Trial(
                    item,
                    variant,
                    original,
                    response,
                    same_answer(original, response),
                    original_ok,
                    score_answer(item, response),
                )
            )
            done += 1
            if progress:
                progress(done, total)
    return report


def _pct(value: float | None) -> str:
    return "   –  " if value is None else f"{value * 100:5.1f}%"


def render(summary: dict, *, show_changed: bool = False) -> str:
    lines = [
        f"{summary['questions']} questions ({summary['skipped'].get('abstain', 0)} abstain and "
        f"{summary['skipped'].get('not_english', 0)} non-English skipped), {summary['variants']} variants, seed {summary['seed']}",
        "",
        f"{'perturbation':<15} {'n':>4}  {'same':>6}  {'gold orig':>9}  {'gold var':>8}",
    ]
    for kind, s in summary["by_kind"].items():
        lines.append(
            f"{kind:<15} {s['n']:>4}  {_pct(s['same']):>6}  {_pct(s['original_accuracy']):>9}  "
            f"{_pct(s['variant_accuracy']):>8}"
        )
    lines.append(
        f"{'all variants':<15} {summary['variants']:>4}  {_pct(summary['same']):>6}  "
        f"{_pct(summary['original_accuracy']):>9}  {_pct(summary['variant_accuracy']):>8}"
    )
    lines.append("(gold orig on the last line: the originals, once each)")
    changed = summary["changed"]
    lines.append("")
    if not changed:
        lines.append("changed: none")
    elif not show_changed:
        lines.append(f"changed: {len(changed)} (--show-changed lists them)")
    else:
        lines.append(f"changed: {len(changed)}")
        for c in changed:
            marks = f"gold {'ok' if c['original_ok'] else 'wrong'} -> {'ok' if c['variant_ok'] else 'wrong'}"
            lines.append(f"- {c['id']} [{c['kind']}] {marks}")
            lines.append(f"    original: {c['question']}")
            lines.append(f"      -> {c['original_answer']}")
            lines.append(f"    variant:  {c['variant']}")
            lines.append(f"      -> {c['variant_answer']}")
    return "\n".join(lines)
