"""A question read against the documents' own words before it is answered: a typo put
right (`econmoy` → `economy`), an abbreviation spelled out (`mfg` → `manufacturing`,
`ppl` → `people`), and the casing the documents use restored (`gdp` → `GDP`, `china` →
`China`), so that a question typed quickly reads as one typed carefully.

Only words that neither the documents nor English use are touched (pyspellchecker's
dictionary says what English uses): a correctly spelled word means what it says, even one
the documents do not use, so that a question about something the documents lack stays
about that thing, and is not answered. (A slip that makes another real word, `sore` for
`score`, is therefore not put right.)
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract
from spellchecker import SpellChecker

from ingest.numbers import scale_named
from service.answering.textmatch import stem

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?:['’][A-Za-z]+)?|[0-9]+[A-Za-z]+[A-Za-z0-9]*")
# a name of two to six capitalised words (`Global Connectivity Index`, `Internet of Things` aside)
_NAME_WORDS = 6
_NAME = re.compile(rf"\b[A-Z][A-Za-z0-9]*(?:[ -][A-Z][A-Za-z0-9]*){{1,{_NAME_WORDS - 1}}}\b")
_LOWER_WORD = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")


class QuestionNormaliser:
    def __init__(self, texts: Iterable[str | tuple[str, int]], running_text: Iterable[str]):
        """`texts`: every text of the documents (their vocabulary), or (text, times printed);
        `running_text`: their sentences, where a word's casing is its own (a label's first
        word is capitalised by convention, so labels do not count for casing)."""
        self._english = SpellChecker(distance=1)
        counts: Counter[str] = Counter()
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        acronyms: set[str] = set()  # `USA`, `GDP` as a table's label prints them
        for item in texts:
            text, times = item if isinstance(item, tuple) else (item, 1)
            for m in _WORD.finditer(text):
                counts[m.group(0).lower()] += times
                if len(m.group(0)) >= 2 and m.group(0).isupper():
                    acronyms.add(m.group(0))
        sentences = list(running_text)
        names: dict[str, Counter[str]] = defaultdict(Counter)
        for text in sentences:
            for match in _WORD.finditer(text):
                if not _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
                    forms[match.group(0).lower()][match.group(0)] += 1
            for run in _NAME.finditer(text):
                if not _SENTENCE_START.search(text[max(0, run.start() - 3) : run.start()]):
                    names[run.group(0).lower()][run.group(0)] += 1
        self.counts = counts
        self._names = self._consistent_names(names, sentences)
        self._vocabulary = [w for w in counts if len(w) >= 3]
        # the casing the documents print a word in, when they agree (`GDP`, `China`, `5G`)
        self._casing = {}
        for lower, seen in forms.items():
            form, n = seen.most_common(1)[0]
            if form != lower and n >= 0.75 * sum(seen.values()):
                self._casing[lower] = form
        # a word in capitals is an acronym wherever it is printed, a label too (a label's first
        # letter is capitalised by convention, its every letter is not): `USA` of Table 3
        for form in acronyms:
            if form.lower() not in forms:  # the running text, where it prints the word, decides
                self._casing.setdefault(form.lower(), form)

    def is_english(self, word: str) -> bool:
        """Whether a word is a common English word (`company`, `board`), not only a name."""
        return bool(self._english.known([word.lower()]))

    def __call__(self, question: str) -> str:
        # casing is restored only in a question typed all in lower case: one that uses capitals
        # anywhere says what its names are
        recase = question[1:] == question[1:].lower()
        if recase and self._names:
            question = self._recase_names(question)
        return _WORD.sub(lambda m: self._word(m.group(0), recase), question)

    def _recase_names(self, question: str) -> str:
        """Each name of several words as the documents print it (`Global Cybersecurity Index`):
        word by word, `global` and `index` are common words, and keep their case. The longest
        name from each word on, looked up by its words (as many lookups as the question has
        words, however many names the documents have)."""
        words = list(_LOWER_WORD.finditer(question))
        out, done, k = [], 0, 0
        while k < len(words):
            for last in range(min(len(words), k + _NAME_WORDS) - 1, k, -1):
                form = self._names.get(question[words[k].start() : words[last].end()])
                if form is not None:
                    out += [question[done : words[k].start()], form]
                    done, k = words[last].end(), last
                    break
            k += 1
        return "".join([*out, question[done:]])

    @staticmethod
    def _consistent_names(names: dict[str, Counter[str]], sentences: list[str]) -> dict[str, str]:
        """Each run of capitalised words the running text prints (not at a sentence's start),
        where it prints those words so nearly always: `Global Connectivity Index`, not the
        `Digital Economy` of a programme's title in a text that mostly writes `digital economy`."""
        by_first: dict[str, list[str]] = defaultdict(list)
        for lower in names:
            by_first[re.split(r"[ -]", lower, maxsplit=1)[0]].append(lower)
        written_lower: Counter[str] = Counter()  # `global connectivity index`, as written
        for text in sentences:
            for word in _LOWER_WORD.finditer(text):
                for name in by_first.get(word.group(0), ()):
                    end = word.start() + len(name)
                    if text.startswith(name, word.start()) and not text[end : end + 1].isalnum():
                        written_lower[name] += 1
        out = {}
        for lower, seen in names.items():
            form, n = seen.most_common(1)[0]
            if n >= 0.75 * (sum(seen.values()) + written_lower[lower]):
                out[lower] = form
        return out

    def _word(self, word: str, recase: bool) -> str:
        lower = word.lower()
        if lower in self.counts or not lower.isalpha():
            return self._case(word, lower) if recase else word
        name = self._casing.get(lower[:-1]) if lower.endswith("s") else None
        if name and name != name.lower():  # `Chinas`, `USAs`: a name's possessive, its apostrophe dropped
            return f"{name if recase or word[0].isupper() else lower[:-1]}'s"
        fixed = (
            self._scale(lower) or self._spelling(lower) or self._abbreviation(lower) or self._english_spelling(lower)
        )
        if fixed is None:
            return word
        return self._case(fixed, fixed) if recase else fixed

    def _scale(self, lower: str) -> str | None:
        """A scale's short form that English does not spell so (`tn` → `trillion`; `bn` and `mn`
        are English words to the spell checker, and the answerer reads them as they are)."""
        if len(lower) < 2 or self._english.known([lower]):
            return None
        return scale_named(lower)

    def _english_spelling(self, lower: str) -> str | None:
        """A word neither the documents nor English use, one slip from an English word (`laarger`)."""
        if len(lower) < 5 or self._english.known([lower]):
            return None
        fixed = self._english.correction(lower)
        return fixed if fixed and fixed != lower else None

    def _case(self, word: str, lower: str) -> str:
        if word != lower:  # the asker chose a casing: keep it
            return word
        return self._casing.get(lower, word)

    def _spelling(self, lower: str) -> str | None:
        if len(lower) < 4 or self._english.known([lower]):
            return None  # a real word means what it says, even one the documents do not use
        limit = 1 if len(lower) < 8 else 2
        close = extract(lower, self._vocabulary, scorer=OSA.distance, score_cutoff=limit, limit=8)
        if not close:
            return None
        # fewest edits, then a typo that keeps the first letter, then the documents' commoner word
        best = min(close, key=lambda c: (c[1], c[0][0] != lower[0], -self.counts[c[0]]))
        if best[0].startswith(lower) or lower.startswith(best[0]) or stem(best[0]) == stem(lower):
            return None  # another form of the word (`organisation`), not a slip
        return best[0]

    def _abbreviation(self, lower: str) -> str | None:
        if self._english.known([lower]) or len(lower) > 5:
            return None
        expansions = [
            w
            for w in self._vocabulary
            if len(w) >= len(lower) + 2 and w[0] == lower[0] and (w.startswith(lower) or _subsequence(lower, w))
        ]
        if not expansions:
            return None
        expansions.sort(key=lambda w: self.counts[w], reverse=True)
        if len(expansions) > 1 and self.counts[expansions[0]] < 2 * self.counts[expansions[1]]:
            return None  # no clear reading
        return expansions[0]


def _subsequence(short: str, long_: str) -> bool:
    letters = iter(long_)
    return all(ch in letters for ch in short)
