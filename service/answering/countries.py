"""Country names in English, Russian and Chinese, each read as one country with one English
name (the one documents use: `Russia`, `China`, `United States`, `South Korea`).

The names come from ISO 3166 (pycountry: name, common name, official name) and pycountry's
Russian and Chinese translations of them. Russian names match in any case form (`России`,
`Россией`, `Китая`) by Snowball stem; Chinese names match anywhere in a text (the script has
no spaces between words), longest first (`印度尼西亚` is not `印度`).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import pycountry
import Stemmer

# Where ISO 3166's name is not what reports write, the name they do (pycountry's common name
# covers the rest: `Korea, Republic of` → `South Korea`, `Viet Nam` → `Vietnam`).
CONVENTIONAL_NAMES = {"RUS": "Russia"}

# Names that no ISO name or translation gives: abbreviations and the usual short forms.
EXTRA_FORMS = {
    "USA": ("USA", "U.S.A.", "U.S.", "США"),
    "GBR": ("UK", "Great Britain", "Великобритания", "Британия"),
    "KOR": ("Korea", "Korea, Rep.", "Republic of Korea", "Корея", "Южная Корея"),
    "RUS": ("Россия", "РФ"),
    "CHN": ("КНР",),
}

# The one lowercase word the answerer matches a country by where its name has several words.
_SHORT_WORDS = {"USA": "usa", "GBR": "uk", "KOR": "korea"}


@dataclass(frozen=True)
class Country:
    name: str  # in English, as documents write it
    alpha_3: str

    @property
    def word(self) -> str | None:
        """The lowercase word that stands for the country in matched text (`russia`, `usa`),
        or None when its name has several words and no short form (`South Africa`)."""
        if self.alpha_3 in _SHORT_WORDS:
            return _SHORT_WORDS[self.alpha_3]
        return self.name.lower() if " " not in self.name else None


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    country: Country


_STEMMER = Stemmer.Stemmer("russian")
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
_LATIN_WORD = re.compile(r"[A-Za-z]+")  # `Federation's` is `Federation` and `s`
_CJK = re.compile(r"[\u3400-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# between the words of one name: spaces, a comma, a full stop or an apostrophe (`Korea, Rep.`,
# `U.S.A.`, `People's`)
_NAME_GAP = re.compile(r"[\s,.'’]*")
# a short name ending so is not declined in Russian (`Того`, `Перу`, `Мали`): it matches as
# written, not by a stem as short as `тог` or `мал` that common words share
_INDECLINABLE_ENDINGS = tuple("оуиеэю")


def _ru(word: str) -> str:
    return word.lower().replace("ё", "е")


@dataclass(frozen=True)
class _RussianWord:
    form: str  # lower-cased, ё as е
    stem: str
    short: bool  # a stem of under four letters: the word must be capitalised to match
    exact: bool  # an abbreviation or a short undeclined name: it matches only as written

    @classmethod
    def of(cls, word: str) -> _RussianWord:
        form = _ru(word)
        stem = _STEMMER.stemWord(form)
        short = len(stem) < 4
        return cls(form, stem, short, word.isupper() or (short and form.endswith(_INDECLINABLE_ENDINGS)))

    def matches(self, word: str) -> bool:
        """`word` is a case form of this one: the same Snowball stem, or stems one a prefix of
        the other where the longer starts both words (`Китая` (кит) ~ `Китай` (кита); `Ирана`
        ~ `Иран`; not `кит` or `Ирак`). A short stem (`мал`, `тог`, `куб`) also needs a capital
        letter, and an undeclined name its own form, so `мало` and `того` are not countries."""
        form = _ru(word)
        if self.short and not word[:1].isupper():
            return False
        if self.exact:
            return form == self.form
        stem = _STEMMER.stemWord(form)
        if stem == self.stem:
            return True
        longer = max(stem, self.stem, key=len)
        shorter = min(stem, self.stem, key=len)
        return (
            len(shorter) >= 3
            and longer.startswith(shorter)
            and form.startswith(longer)
            and self.form.startswith(longer)
        )


@dataclass
class _Names:
    english: dict[str, Country]  # casefolded name → country
    english_phrases: dict[str, list[tuple[tuple[str, ...], Country]]]  # first word → (words, country)
    russian: dict[str, list[tuple[tuple[_RussianWord, ...], Country]]]  # first two letters → (words, country)
    chinese: dict[str, list[tuple[str, Country]]]  # first character → (name, country), longest first


def _iso_forms(country) -> list[str]:
    return [
        n for n in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)) if n
    ]


def _english_words(name: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _LATIN_WORD.findall(name))


@lru_cache(maxsize=1)
def _names() -> _Names:
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    names = _Names({}, {}, {}, {})
    for iso in pycountry.countries:
        english_name = CONVENTIONAL_NAMES.get(iso.alpha_3) or getattr(iso, "common_name", None) or iso.name
        country = Country(english_name, iso.alpha_3)
        iso_forms = _iso_forms(iso)
        extra = EXTRA_FORMS.get(iso.alpha_3, ())
        forms = {english_name, *iso_forms, *extra}
        forms |= {ru.gettext(f) for f in iso_forms} | {zh.gettext(f) for f in iso_forms}
        for form in forms:
            form = form.replace("\u0301", "")  # a stress mark in a Russian translation
            if _CJK.search(form):
                if len(form) >= 2:
                    names.chinese.setdefault(form[0], []).append((form, country))
            elif _CYRILLIC.search(form):
                russian = tuple(_RussianWord.of(w) for w in _CYRILLIC_WORD.findall(form))
                names.russian.setdefault(russian[0].form[:2], []).append((russian, country))
            else:
                names.english.setdefault(form.casefold(), country)
                english = _english_words(form)
                names.english_phrases.setdefault(english[0], []).append((english, country))
    # longest first: `Korea, Democratic People's Republic of` before `Korea`
    for english_candidates in names.english_phrases.values():
        english_candidates.sort(key=lambda item: len(item[0]), reverse=True)
    for russian_candidates in names.russian.values():
        russian_candidates.sort(key=lambda item: len(item[0]), reverse=True)
    for chinese in names.chinese.values():
        chinese.sort(key=lambda item: len(item[0]), reverse=True)
    return names


def _spaced_words(words: list[re.Match], i: int, n: int, text: str) -> bool:
    """Words i … i+n-1 follow one another with only spaces or punctuation of a name between."""
    return all(_NAME_GAP.fullmatch(text, words[j - 1].end(), words[j].start()) for j in range(i + 1, i + n))


def _word_mentions(
    text: str,
    words: list[re.Match],
    candidates: Callable[[re.Match], Iterable[tuple[tuple, Country]]],
    says: Callable[[tuple, list[re.Match]], bool],
) -> Iterator[Mention]:
    """Names of one or more words, walking the words: at each, the names `candidates` offers for
    it (longest first) are tried, and the first that `says` the words there say is a mention."""
    i = 0
    while i < len(words):
        for name_words, country in candidates(words[i]):
            n = len(name_words)
            if i + n <= len(words) and says(name_words, words[i : i + n]) and _spaced_words(words, i, n, text):
                yield Mention(words[i].start(), words[i + n - 1].end(), country)
                i += n
                break
        else:
            i += 1


def _english_mentions(text: str, names: _Names) -> Iterator[Mention]:
    def says(name_words: tuple, found: list[re.Match]) -> bool:
        # a name of one word is capitalised (`Chad`, not `chad`); one of several is a name in any case
        capitalised = found[0].group(0)[:1].isupper()
        return (capitalised or len(name_words) > 1) and tuple(w.group(0).lower() for w in found) == name_words

    words = list(_LATIN_WORD.finditer(text))
    yield from _word_mentions(text, words, lambda w: names.english_phrases.get(w.group(0).lower(), ()), says)


def _russian_mentions(text: str, names: _Names) -> Iterator[Mention]:
    def says(name_words: tuple, found: list[re.Match]) -> bool:
        return all(nw.matches(w.group(0)) for nw, w in zip(name_words, found))

    words = list(_CYRILLIC_WORD.finditer(text))
    yield from _word_mentions(text, words, lambda w: names.russian.get(_ru(w.group(0))[:2], ()), says)


def _chinese_mentions(text: str, names: _Names) -> Iterator[Mention]:
    i = 0
    while i < len(text):
        found = next((m for m in names.chinese.get(text[i], ()) if text.startswith(m[0], i)), None)
        if found:
            yield Mention(i, i + len(found[0]), found[1])
            i += len(found[0])
        else:
            i += 1


def mentions(text: str) -> list[Mention]:
    """Every country `text` names, in English (a one-word name capitalised), Russian or Chinese,
    in order."""
    names = _names()
    found = list(_english_mentions(text, names))
    if _CYRILLIC.search(text):
        found += _russian_mentions(text, names)
    if _CJK.search(text):
        found += _chinese_mentions(text, names)
    return sorted(found, key=lambda m: m.start)


@lru_cache(maxsize=8192)
def country_named(text: str) -> Country | None:
    """The country `text` is a name of, in any of the three languages (`Russian Federation`,
    `russia`, `России`, `俄罗斯`), else None. English names match in any case."""
    text = text.strip()
    if not text:
        return None
    english = _names().english.get(text.casefold())
    if english:
        return english
    found = mentions(text)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text):
        return found[0].country
    return None


@lru_cache(maxsize=1)
def _by_word() -> dict[str, Country]:
    out: dict[str, Country] = {}
    for country in set(_names().english.values()):
        if country.word:
            out.setdefault(country.word, country)
    return out


def country_of_word(word: str) -> Country | None:
    """The country a lowercase matching word stands for (`usa`, `russia`, `korea`)."""
    return _by_word().get(word)


@lru_cache(maxsize=1)
def _forms_by_word() -> dict[str, tuple[str, ...]]:
    """Every written form of each country, by its matching word: English names lower-cased,
    Russian names as the stems of their words, Chinese names as written."""
    out: dict[str, list[str]] = {}
    names = _names()
    for name, country in names.english.items():
        if country.word:
            out.setdefault(country.word, []).append(name)
    for candidates in names.russian.values():
        for words, country in candidates:
            if country.word and len(words) == 1:  # a stem is found inside its case forms; a phrase's are not
                out.setdefault(country.word, []).append(words[0].stem)
    for chinese in names.chinese.values():
        for name, country in chinese:
            if country.word:
                out.setdefault(country.word, []).append(name)
    return {word: tuple(dict.fromkeys(forms)) for word, forms in out.items()}


def written_forms(word: str) -> tuple[str, ...]:
    """How the country a matching word stands for is written (`usa` → `united states`, `сша`,
    `美国`, …); Russian names of one word as their stems. Empty for a word that is no country's."""
    return _forms_by_word().get(word, ())


def names_in_all_languages(text: str) -> list[str]:
    """Each country `text` names, as written in every language the names are known in (`英国`
    → `United Kingdom`, `uk`, `британ`, `великобритан`, `英国`): words a search of another
    language's documents can find. Official long forms are left out: their words (`kingdom`,
    `republic`) would find any country."""
    out: list[str] = []
    for mention in mentions(text):
        country = mention.country
        forms = written_forms(country.word) if country.word else ()
        out += [country.name, *(f for f in forms if len(f.split()) <= 2 and len(f) <= 12)]
    return list(dict.fromkeys(out))
