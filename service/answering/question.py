"""What a question asks for: its years, figures, named entities, the kind of quantity, and
whether it wants a value, a comparison, a derived figure, a label or a source.

Only general English (and a few country-name aliases) lives here: nothing about any
particular document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from index.tokenize import tokenize
from ingest.numbers import parse_number
from ingest.periods import is_period_word
from service.answering import countries
from service.answering.evidence import asked_years
from service.answering.textmatch import name_initials

# each word also as `tokenize` writes it (a Russian word as its stem: `какая` → `как`)
QUESTION_WORDS = frozenset(
    form
    for word in "what which who whom whose where when why how did does do is was were are according in by for compared between "
    "and of the give show list tell find please than or from to on at as a an if has have had can could would will "
    "its it this that these those какой какая какое каким каков какова сколько когда где кто что был была было были "
    "в во и на по me us i you we they our my your their there here".split()
    for form in (word, *tokenize(word))
)
GENERIC = frozenset(
    "value figure figures number amount level many much big large country countries year years "
    "data total overall account accounted accounts use used using make made reach reached get got build built "
    "become became come came see source sources report reports reported figure cite cites cited published "
    "statistics grow grew change changed increase increased decrease decreased rise rose fall fell decline "
    "declined represent represented table tables worth difference differences differ gap times "
    "paper article study document documents author authors publish publishes publisher compile compiles "
    "compiled produce produces produced backs underlie underlies release releases released issued publishers "
    "organisation organisations organization organizations agency agencies institution institutions "
    "improve improved worsen worsened climb climbed drop dropped slip slipped outrank outranked outperform "
    "outperformed up down compare compared comparison versus two both combined cumulative altogether".split()
)

# Words for a country that are not its name (demonyms, short forms); the names themselves, in
# English, Russian and Chinese, come from `countries`.
ALIASES = {
    "russian": "russia",
    "russians": "russia",
    "chinese": "china",
    "american": "usa",
    "america": "usa",
    "americans": "usa",
    "british": "uk",
    "britain": "uk",
    "korean": "korea",
    "japanese": "japan",
    "german": "germany",
    "french": "france",
    "indian": "india",
}

# A few general synonyms for words that name quantities.
SYNONYMS = {
    "size": ("scale", "volume"),
    "scale": ("size", "volume"),
    "volume": ("size", "scale"),
    "share": ("proportion", "ratio", "percentage"),
    "proportion": ("share", "ratio", "percentage"),
    "ratio": ("share", "proportion"),
    "percentage": ("share", "proportion"),
    "revenue": ("sales",),
    "sales": ("revenue",),
    "big": ("scale", "size"),
}


def synonyms(token: str) -> tuple[str, ...]:
    return (token, *SYNONYMS.get(token, ()))


CUES: dict[str, tuple[str, ...]] = {
    "percent": ("share", "proportion", "percentage", "percent", "ratio", "rate", "penetration", "%", "relative to")
    + ("比重", "占比", "比例", "百分比", "率"),
    "rank": ("rank", "ranking", "ranked", "outrank", "outranked", "place", "places", "position", "positions")
    + ("排名", "位居"),
    "score": ("score", "scored", "scores", "得分"),
    "count": ("how many", "number of", "多少个", "数量"),
    "money": ("sales", "size", "scale", "value added", "worth", "dollars", "yuan", "billion", "trillion", "how big")
    + ("规模", "美元", "万亿", "亿元", "销售额", "增加值"),
}
MORE = (
    "more",
    "higher",
    "larger",
    "bigger",
    "greater",
    "better",
    "most",
    "highest",
    "largest",
    "biggest",
    "best",
    "exceed",
    "peak",
    "peaked",
    "maximum",
    "outrank",
    "outranked",
    "outperform",
    "outperformed",
)
LESS = ("less", "lower", "smaller", "fewer", "worse", "least", "lowest", "smallest", "worst", "minimum")

_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2}|2100)(?!\d)")
_NUMBER = re.compile(
    r"(?<![A-Za-z\d.])\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?(?![\dA-Za-z])|(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![\dA-Za-z])"
)
_TABLE_REF = re.compile(r"\b(table|tab\.)\s*(\d+)\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|[А-Яа-яЁё][А-Яа-яЁё'’-]*")


def canonical(text: str) -> str:
    """Country names written in several words or in another script replaced by the one word the
    answerer matches the country by (`Russian Federation`, `России`, `俄罗斯` → `russia`; `United
    States` → `usa`); a name of several words with no such word in English (`Южная Африка` →
    `South Africa`)."""
    out = []
    last = 0
    for mention in countries.mentions(text):
        written = text[mention.start : mention.end]
        replacement = mention.country.word or mention.country.name
        if written.lower() == replacement.lower():
            continue
        # spaced off from letters around it: Chinese has no spaces, `china数字` would be one word
        before = " " if mention.start and text[mention.start - 1].isalnum() else ""
        after = " " if mention.end < len(text) and text[mention.end].isalnum() else ""
        out += [text[last : mention.start], before, replacement, after]
        last = mention.end
    return "".join(out) + text[last:] if out else text


_POSSESSIVE = re.compile(r"'s?$")


@lru_cache(maxsize=65536)  # a question's words repeat across passages and requests
def normalize(token: str) -> str:
    token = _POSSESSIVE.sub("", token.lower().replace("’", "'"))
    if token in ALIASES:
        return ALIASES[token]
    country = countries.country_named(token)
    return country.word if country and country.word else token


_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=1024)
def phrase_pattern(phrases: tuple[str, ...], *, stems: bool = False) -> re.Pattern:
    """One compiled pattern for any of the phrases as whole words (or, with `stems`, as word
    starts); Chinese phrases anywhere (the script has no spaces between words)."""
    spaced = "|".join(re.escape(p) for p in phrases if not _CJK.search(p))
    cjk = "|".join(re.escape(p) for p in phrases if _CJK.search(p))
    words = (rf"\b(?:{spaced})" if stems else rf"(?<!\w)(?:{spaced})(?!\w)") if spaced else ""
    return re.compile("|".join(part for part in (words, cjk and f"(?:{cjk})") if part) or r"(?!x)x")


def norm_tokens(text: str) -> list[str]:
    return list(_norm_tokens(text))


@lru_cache(maxsize=65536)  # the corpus's labels, captions and sentences are read for every question
def _norm_tokens(text: str) -> tuple[str, ...]:
    return tuple(normalize(t) for t in tokenize(canonical(text)))


_ENDINGS = ("ation", "ition", "ions", "ion", "ing", "ed", "es", "e", "s")


@lru_cache(maxsize=65536)
def _stems(word: str) -> frozenset[str]:
    """The word without each ending it may carry, keeping 5+ letters."""
    return frozenset(word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= 5)


def same_word(a: str, b: str) -> bool:
    """`russia` ~ `russian`, `subscription` ~ `subscriptions`: one a prefix of the other, sharing 4+
    letters, or a long suffix of it; or one stem of 5+ letters with another ending (`generated` ~
    `generation`, `connected` ~ `connection`)."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 6 and long_.endswith(short):
        return True  # a compound: `cybersecurity` ~ `security`
    if len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= 4:
        return True
    return not _stems(a).isdisjoint(_stems(b))


TRENDS = {
    "up": ("grow", "grew", "growth", "increas", "rise", "rose", "risen", "up ", "增长", "提升", "上升", "提高", "增加"),
    "down": ("declin", "decreas", "fall", "fell", "drop", "down ", "下降", "减少", "下滑"),
    "change": ("chang",),
}


def trends(text: str) -> set[str]:
    """Directions of change a text speaks of: `up`, `down`, `change`."""
    lowered = text.lower()
    return {name for name, stems in TRENDS.items() if phrase_pattern(stems, stems=True).search(lowered)}


class WordSet:
    """A set of words answering "does any word here match this one?" (`same_word`) quickly:
    candidates come from buckets by first four and last six letters, and answers are memoised."""

    __slots__ = ("words", "_prefix", "_suffix", "_memo")

    def __init__(self, words):
        self.words = frozenset(words)
        self._prefix: dict[str, list[str]] = {}
        self._suffix: dict[str, list[str]] = {}
        for w in self.words:
            self._prefix.setdefault(w[:4], []).append(w)
            if len(w) >= 6:
                self._suffix.setdefault(w[-6:], []).append(w)
        self._memo: dict[str, bool] = {}

    def has(self, token: str) -> bool:
        found = self._memo.get(token)
        if found is None:
            candidates = self._prefix.get(token[:4], []) + self._suffix.get(token[-6:], [])
            found = token in self.words or any(same_word(token, w) for w in candidates)
            if len(self._memo) < 100_000:
                self._memo[token] = found
        return found

    def __or__(self, other) -> WordSet:
        return WordSet(self.words | set(other))

    def __iter__(self):
        return iter(self.words)

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass
class Question:
    text: str
    table_label: str | None
    tokens: list[str]
    years: list[int]
    numbers: list[float]
    entities: list[str]  # named things the answer must be about (capitalised words, acronyms)
    cues: set[str]
    intent: str  # value | compare | derived | label | source
    direction: str | None = None  # more | less, for comparisons and label questions
    operation: str | None = None  # difference | change | percent_change | ratio | sum, for derived figures
    content: list[str] = field(default_factory=list)  # tokens that say what is asked about
    # asks where a figure comes from or whether its source data agrees with it: the answer is
    # the figure's cell, said with its source check (`service.verification`)
    checks: bool = False
    _words: WordSet | None = field(default=None, repr=False)

    @property
    def words(self) -> WordSet:
        if self._words is None:
            self._words = WordSet(self.tokens)
        return self._words

    @property
    def year(self) -> int | None:
        return self.years[0] if len(self.years) == 1 else None


# "the US" is the country (not the pronoun "us"), unless it names the currency ("US$", "US dollars")
_US = re.compile(r"\bU\.?S\.?(?![A-Za-z])(?!\s*\$|\s*dollars?\b)")


_OF_NEXT = re.compile(r"\s+of\b", re.IGNORECASE)
# "who publishes …", "which organisation releases …", "compiled by": a question about a source
# (not "which country produced more")
_ASKS_PUBLISHER = re.compile(
    r"\bwho\s+(?:publish|compile|produce|release|issue)\w*"
    r"|\b(?:which|what)\s+(?:organi[sz]ations?|agenc(?:y|ies)|institutions?|institutes?|bod(?:y|ies)|"
    r"compan(?:y|ies)|publishers?|organs?)\s+(?:\w+\s+)?(?:publish|compile|produce|release|issue|report|rank|run)\w*"
    r"|\b(?:published|compiled|released|issued|produced)\s+by\b",
    re.IGNORECASE,
)
_CODE = re.compile(r"(?<![\w.])(?:\d+[A-Za-z]+|[A-Za-z]+\d+)[A-Za-z\d]*(?![\w.])")
# a check of a figure against its source: a verb of agreement (agree, match, confirm, bear out,
# correspond, tally, be consistent / in line with) that has source data for a side
_AGREEMENT = re.compile(
    r"\b(?:agree|match|confirm|correspond|tall(?:y|ies|ied)|bears?\s+out|borne\s+out|consistent\s+with|"
    r"in\s+line\s+with|line\s+up\s+with|square\s+with)\w*",
    re.IGNORECASE,
)
_SOURCE_SIDE = re.compile(r"\b(?:data(?:sets?|base)?|sources?|series|releases?|statistics|original)\b", re.IGNORECASE)


def asks_check(lowered: str, intent: str, numbers: list[float]) -> bool:
    """The question asks to check a figure against its source: a source question about a figure
    ("where does the 22.52 figure come from"), or one whose verb is agreement with source data
    ("does the World Bank data agree with …", "is 164 confirmed by its source")."""
    if intent == "source" and numbers:
        return True
    return _AGREEMENT.search(lowered) is not None and _SOURCE_SIDE.search(lowered) is not None


def parse_question(text: str) -> Question:
    text = _US.sub("USA", text)
    lowered = text.lower()
    years = asked_years(text)  # `2019`, and `FY19` as 2019
    numbers = []
    for match in _NUMBER.finditer(text):
        value = parse_number(match.group(0))
        if value is not None and not (value.is_integer() and int(value) in years):
            numbers.append(value)
    entities = _entities(text)
    cues = {name for name, words in CUES.items() if phrase_pattern(tuple(words)).search(lowered)}
    if re.search(r"\bhow (much|many)\b", lowered) and not re.search(
        r"\b(grow|grew|increas|decreas|rise|rose|fall|fell|declin|chang)\w*", lowered
    ):
        cues.add("amount")  # an amount, not a percentage
    tokens = norm_tokens(text)
    content = [  # a word said twice asks for no more than once (and a long question costs no more)
        t
        for t in dict.fromkeys(tokens)
        if len(t) > 1
        and t not in QUESTION_WORDS
        and t not in GENERIC
        and t not in MORE
        and t not in LESS
        and not _YEAR.fullmatch(t)
        and parse_number(t) is None
    ]
    intent, direction, operation = _intent(lowered, entities, years)
    if operation == "ratio":
        cues.discard("percent")  # "the ratio of A to B" asks for A / B, not a percentage
    if operation == "change" and _PERCENT_CHANGE.search(lowered):
        # "the percent increase in Internet users": the change of the users told in percent, not
        # the change of a percentage row
        operation = "percent_change"
        cues.discard("percent")
        content = [t for t in content if t not in ("percent", "percentage")] or content
    table = _TABLE_REF.search(text)
    table_label = f"{table.group(1).capitalize()} {table.group(2)}" if table else None
    if table:  # "according to Table 2" names where to look, not what to look for
        text_wo = text[: table.start()] + text[table.end() :]
        entities = _entities(text_wo)
        numbers = [n for n in numbers if n != float(table.group(2))]
    tokens = tokens + acronyms(text)
    checks = asks_check(lowered, intent, numbers)
    return Question(
        text, table_label, tokens, years, numbers, entities, cues, intent, direction, operation, content, checks
    )


_CHANGE_WORD = r"(?:chang|increas|decreas|grow|grew|rise|rose|risen|fall|fell|declin|drop|gain|climb|jump)\w*"
# a percent word bound to the change it measures: "percent increase", "% change", "by what
# percentage did … grow", "grew by how many percent", "increase in percentage terms"
_PERCENT_CHANGE = re.compile(
    rf"(?:percent(?:age)?|%)\s+{_CHANGE_WORD}"
    r"|\bby\s+(?:what|how\s+many|how\s+much\s+of\s+a)\s+(?:percent(?:age)?|%)"
    rf"|{_CHANGE_WORD}\s+(?:in\s+)?percent(?:age)?\s+terms"
)


def acronyms(text: str) -> list[str]:
    """Initials of runs of capitalised words: `E-Participation Index` → `epi`."""
    words = re.findall(r"[A-Za-z]+", text)
    caps = [w for w in words]
    out = []
    for i in range(len(caps)):
        initials = ""
        for word in caps[i : i + 6]:
            if not word[0].isupper():
                break
            initials += word[0].lower()
            if len(initials) >= 2:
                out.append(initials)
    return out


def acronym_words(text: str) -> dict[str, list[str]]:
    """The other side of `acronyms`: the initials of each whole run of capitalised words in a
    name, with the words they stand for (`E-Government Development Index rank` →
    {"egdi": ["e", "government", "development", "index"]})."""
    return {initials: norm_tokens(run) for initials, run in name_initials(text)}


_CLAUSE_END = re.compile(r"[,;:]\s*$")


def _entities(text: str) -> list[str]:
    """Capitalised words and acronyms that are not sentence furniture (`What`, `In`), and
    country names in any script."""
    out: list[str] = []
    text = canonical(text)
    for match in _WORD.finditer(text):
        word = re.sub(r"['’]s?$", "", match.group(0))
        # a lowercase country word is one `canonical` wrote for a name
        named = _is_country_word(word) or word[:1].isupper() or (len(word) > 1 and word.isupper())
        if not named or word.lower() in QUESTION_WORDS or word.lower() in GENERIC:
            continue
        if any(ch.isdigit() for ch in word) and is_period_word(word):
            continue  # `H1`, `Q4`, `FY19` say when, as a year does: a period, not a name
        opens = match.start() == len(text) - len(text.lstrip())
        if opens and not word.isupper() and _OF_NEXT.match(text, match.end()):
            continue  # "Size of …" opens the sentence: capitalised by position, not a name
        opens = opens or bool(_CLAUSE_END.search(text, 0, match.start()))
        if opens and not word.isupper() and word.lower() in ENGLISH_STOP_WORDS and not is_period_word(word):
            # "Among …", "In 2018, Among …": capitalised by its place (a row's `Other liabilities` is a name)
            continue
        for token in norm_tokens(word):
            if len(token) > 1 and token not in out and token not in QUESTION_WORDS:
                out.append(token)
    for token in tokenize(text):
        if token in ALIASES and ALIASES[token] not in out:
            out.append(ALIASES[token])
    for match in _CODE.finditer(text):  # `5G` is not `6G`: a code with a digit is a name
        token = match.group(0).lower()
        if token not in out and not is_period_word(token):
            out.append(token)
    return out


def _is_country_word(word: str) -> bool:
    return countries.country_of_word(word) is not None


def is_country(token: str) -> bool:
    """A country: a name of one in English, Russian or Chinese (`brazil`, `Russian Federation`,
    `России`, `中国`), the word the answerer matches it by (`usa`, `uk`), or an alias of one
    (`russian`, `american`)."""
    return token in ALIASES.values() or token in ALIASES or countries.country_named(token) is not None


def surface_forms(entity: str) -> list[str]:
    """How an entity may be written: itself, every alias that maps to it and, for a country,
    its names (English lower-cased, Russian as stems, Chinese as written)."""
    forms = [entity] + [k for k, v in ALIASES.items() if v == entity] + list(countries.written_forms(entity))
    return list(dict.fromkeys(forms))


# "from" opens a change only where a period follows it ("from 2018 to 2019", "from fiscal 2017");
# "ARPU from on-net …", "loans due from subsidiaries …" name a thing, not a start
_FROM_PERIOD = re.compile(
    r"\bfrom\s+(?:(?:the|fiscal|year|financial|calendar)\s+)*(?:(?:19|20)\d{2}|fy\s?\d{2}|f\d{2})\b"
    # "up on 2018", "down against 2019": the change since the year named
    r"|\b(?:up|down)\s+(?:on|over|against|compared\s+(?:with|to))\s+(?:the\s+)?(?:(?:19|20)\d{2}|fy\s?\d{2})\b"
)
# "how do the two countries compare": the two a table compares, named by none
_THE_TWO = re.compile(r"\b(?:the\s+two|both)\s+(?:countries|economies|nations|states|regions|companies|segments)\b")
# a sum over the years of a range ("the total … from 2018 to 2020", "combined … 2018-2020")
# (not `total` before a noun: "the total expenses" names a row)
_SUM = re.compile(r"\b(?:sum|combined|cumulative|altogether)\b|\btotal\s+of\b")
_YEAR_RANGE = re.compile(
    r"\b(?:from|between)\s+(?:19|20)\d{2}\s+(?:to|and|through)\s+(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\s*[-–—]\s*(?:19|20)\d{2}\b"
)
_OUTDO = ("outrank", "outranked", "outperform", "outperformed")  # "did A outrank B": a comparison
# "above the average", "below Russia's": a comparison with what follows (not "28nm and below")
_ABOVE_BELOW = re.compile(r"\b(above|below)\s+(?:the|that|those|its|their|[a-z]+['’]s?)\b")


def _intent(lowered: str, entities: list[str], years: list[int]) -> tuple[str, str | None, str | None]:
    def has(*words: str) -> bool:
        return phrase_pattern(words).search(lowered) is not None

    direction = "more" if has(*MORE) else "less" if has(*LESS) else None
    beside = _ABOVE_BELOW.search(lowered)
    if direction is None and beside:
        direction = "more" if beside[1] == "above" else "less"
    if has(
        "source",
        "sources",
        "come from",
        "comes from",
        "came from",
        "cited",
        "cite",
        "who reports",
        "according to whom",
        "which report",
        "which dataset",
    ) or _ASKS_PUBLISHER.search(lowered):
        return "source", None, None
    if has(
        "difference",
        "differ",
        "gap",
        "how much more",
        "how much higher",
        "how much lower",
        "how much less",
        "how much bigger",
        "how much larger",
        "how much greater",
        "how much smaller",
        "how many more",
        "how many fewer",
    ):
        return "derived", direction, "difference"
    if has("how many times", "times more", "times larger", "times higher", "times bigger", "times as") or re.search(
        r"ratio of .+ to (?!(?:19|20)\d{2}\b)", lowered
    ):
        return "derived", direction, "ratio"
    if len(years) == 2 and _SUM.search(lowered) and _YEAR_RANGE.search(lowered):
        return "derived", direction, "sum"  # "the total of … from 2018 to 2020": every year of the range
    if len(years) == 2 and (
        has(
            "change",
            "changed",
            "grow",
            "grew",
            "growth",
            "increase",
            "increased",
            "decrease",
            "decreased",
            "rise",
            "rose",
            "fall",
            "fell",
            "improve",
            "improved",
            "worsen",
            "worsened",
            "climb",
            "climbed",
            "drop",
            "dropped",
            "decline",
            "declined",
            "move",
            "moved",
        )
        or _FROM_PERIOD.search(lowered)
    ):
        return "derived", direction, "change"
    if has("which year", "what year", "in which year", "when was", "when did"):
        return "label", direction, None
    if (len(entities) >= 2 or _THE_TWO.search(lowered)) and has("compare", "compared", "comparison"):
        return "compare", direction or "more", None  # "how did A and B compare on X": both, and which is ahead
    if (
        direction
        and (entities or " or " in lowered)  # two things compared; "the largest of the countries compared" names none
        and has("which", "who", "did", "was", "is", "does")
        and (" or " in lowered or beside or has("than", "compared", "vs", "vs.", "versus", *_OUTDO))
    ):
        return "compare", direction, None
    if direction and re.search(r"\b(which|what|who|whose)\b", lowered) and " or " not in lowered and not has("than"):
        return "label", direction, None
    if sum(is_country(e) for e in entities) >= 2:
        # two countries and one thing asked of them ("did A beat B on X", "was A's X above or below
        # B's"): both figures, and which is ahead (no yes or no where the question says no direction)
        return "compare", direction, None
    return "value", direction, None
