"""The answer sentence in the question's language (Russian, Chinese), built from its parts.

A solver describes what it found as a `Phrase` — a looked-up value, a comparison, a computed
figure with its arithmetic, a count, a label, a refusal, a source — whose parts (entity,
indicator as the document prints it, period, figure, unit, where) `render` puts into the
language's template. English keeps the sentence the solvers write themselves (`compose.py`,
`answerer.py`), so an English answer reads exactly as before.

What is translated: the template's own words, common units and country names. What is not:
labels, captions and quoted sentences from the documents (they are cited as printed), and
figures, which keep the document's digits (`18.2`, `7 637`) so that the sentence matches its
cited cell and `service.evaluation.numbers_in` reads it.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from ingest.text import detect_language
from service.answering import operators as ops

LANGUAGES = ("ru", "zh")  # languages with templates; any other answer is written in English


def question_language(question: str) -> str:
    """`ru`, `zh` or `en`: the language the answer sentence is written in."""
    language = detect_language(question)
    return language if language in LANGUAGES else "en"


# -- parts --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Amount:
    """A figure as printed (or computed and formatted), with its unit as the document names it."""

    shown: str
    unit: str | None = None


@dataclass(frozen=True)
class Where:
    """Where a figure is: a table's label (`Table 2`), and a note beside it (a document's
    title, a caption). `dataset`: the label names a dataset, not a table."""

    label: str
    note: str = ""
    dataset: bool = False


@dataclass(frozen=True)
class Lookup:
    """A value read off a cell or a dataset row."""

    entity: str
    indicator: str
    period: str
    amount: Amount
    where: Where
    rank: bool = False
    asked_currency: str = ""  # the currency the question asks for, when the figure is in another


@dataclass(frozen=True)
class Figures:
    """Several figures of one table (a list of spans; the row or period a maximum picks first)."""

    items: list[tuple[str, Amount]]
    where: Where
    picked: str = ""


@dataclass(frozen=True)
class Count:
    shown: str
    where: Where


@dataclass(frozen=True)
class Computed:
    """A figure the reader computed: `op` is one of `operators.ARITHMETIC`."""

    op: str
    what: str
    amount: Amount
    arithmetic: str
    where: Where


@dataclass(frozen=True)
class Difference:
    """A − B (or A / B when `ratio`) of two entities' figures for one indicator and period."""

    name_a: str
    name_b: str
    shown_a: str
    shown_b: str
    result: Amount
    indicator: str
    period: str
    where: Where
    ratio: bool = False


@dataclass(frozen=True)
class Change:
    """One series from one period to another: the later figure less the earlier, or, for a rank
    asked to move up or down (`moved_up`), the places it moved (a lower rank is better)."""

    series: str
    start: str
    start_period: str
    end: str
    end_period: str
    arithmetic: str
    result: Amount
    where: Where
    percent: str = ""  # `+12.3%`, the change relative to the start
    moved_up: bool | None = None


@dataclass(frozen=True)
class Comparison:
    """Which of two entities has the larger (or smaller, or better-ranked) figure."""

    winner: str
    loser: str
    winner_amount: Amount
    loser_amount: Amount
    indicator: str
    period: str
    where: Where
    rank: bool = False
    wants_less: bool = False
    yes: bool | None = None  # a yes-no question's answer; None for an either-or question
    tie: bool = False


@dataclass(frozen=True)
class Superlative:
    """The year or entity with the highest (lowest, best, worst) figure of a series."""

    label: str
    word: str  # highest | lowest | best | worst
    indicator: str
    amount: Amount
    where: Where
    shown: list[tuple[str, str]] = field(default_factory=list)
    is_year: bool = False


@dataclass(frozen=True)
class Refusal:
    """The documents do not say: no document names `names`, or nothing gives it for `years`."""

    names: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Missing:
    """A cell the table marks missing (`raw`); `compare`: a comparison that cannot be made."""

    where: Where
    described: str
    raw: str
    compare: bool = False


@dataclass(frozen=True)
class SourcePart:
    """One source statement: `gives` (a table gives the figure, citing `refs`), `says` (the
    text says `quote`), `cites` (a table, or the text when `where` is None, cites `refs`)."""

    kind: str
    where: Where | None = None
    described: str = ""
    amount: Amount | None = None
    refs: str = ""
    note: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Sources:
    parts: list[SourcePart]


Phrase = (
    Lookup | Figures | Count | Computed | Difference | Change | Comparison | Superlative | Refusal | Missing | Sources
)


# -- countries and units -----------------------------------------------------------------
# How the documents' short country names are said where ISO 3166's translation is the formal
# name (`Российская Федерация`, `俄罗斯联邦`) or ISO has no entry for the short form
_COUNTRY_USAGE = {
    "russia": {"ru": "Россия", "zh": "俄罗斯"},
    "russian federation": {"ru": "Россия", "zh": "俄罗斯"},
    "usa": {"ru": "США", "zh": "美国"},
    "us": {"ru": "США", "zh": "美国"},
    "united states": {"ru": "США", "zh": "美国"},
    "united states of america": {"ru": "США", "zh": "美国"},
    "uk": {"ru": "Великобритания", "zh": "英国"},
    "united kingdom": {"ru": "Великобритания", "zh": "英国"},
    "korea": {"ru": "Республика Корея", "zh": "韩国"},
    "south korea": {"ru": "Республика Корея", "zh": "韩国"},
    "republic of korea": {"ru": "Республика Корея", "zh": "韩国"},
}
_GETTEXT_LANGUAGE = {"ru": "ru", "zh": "zh_CN"}


@lru_cache(maxsize=4)
def _iso_names(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[_GETTEXT_LANGUAGE[language]])


def country_name(name: str, language: str) -> str:
    """A country's name in `language` (`Russia` → `Россия`, `China` → `中国`); any other label
    as the document prints it."""
    if language not in LANGUAGES or not name.strip():
        return name
    usage = _COUNTRY_USAGE.get(name.strip().lower())
    if usage:
        return usage[language]
    try:
        country = pycountry.countries.lookup(name.strip())
    except LookupError:
        return name
    return _iso_names(language).gettext(country.name)


# a scale word, a currency, or both, as the documents print units (`trillion yuan RMB`, `$ billion`)
_SCALES = {
    "thousand": {"ru": "тыс.", "zh": "千"},
    "ten thousand": {"ru": "десятков тыс.", "zh": "万"},
    "million": {"ru": "млн", "zh": "百万"},
    "hundred million": {"ru": "сотен млн", "zh": "亿"},
    "billion": {"ru": "млрд", "zh": "十亿"},
    "trillion": {"ru": "трлн", "zh": "万亿"},
}
_CURRENCIES = {
    "dollar": {"ru": "долларов", "zh": "美元"},
    "yuan": {"ru": "юаней", "zh": "元"},
    "ruble": {"ru": "рублей", "zh": "卢布"},
    "euro": {"ru": "евро", "zh": "欧元"},
}
_CURRENCY_WORDS = {
    "$": "dollar",
    "us$": "dollar",
    "usd": "dollar",
    "dollars": "dollar",
    "dollar": "dollar",
    "us dollars": "dollar",
    "yuan": "yuan",
    "yuan rmb": "yuan",
    "rmb": "yuan",
    "cny": "yuan",
    "¥": "yuan",
    "rubles": "ruble",
    "roubles": "ruble",
    "rub": "ruble",
    "₽": "ruble",
    "euros": "euro",
    "eur": "euro",
    "€": "euro",
}
_UNITS = {
    "percentage points": {"ru": "п.п.", "zh": "个百分点"},
    "per 100 people": {"ru": "на 100 человек", "zh": "每百人"},
    "rank": {"ru": "место", "zh": "排名"},
    "places": {"ru": "мест(а)", "zh": "位"},
    "times": {"ru": "раза", "zh": "倍"},
    "people": {"ru": "человек", "zh": "人"},
    "persons": {"ru": "человек", "zh": "人"},
}
_PERCENT_OF = {"% of gdp": {"ru": "% ВВП", "zh": "%（占GDP）"}}
_SCALE_CURRENCY = re.compile(
    r"^(?P<before>us\$|\$|usd|rmb|¥|€|₽)?\s*"
    r"(?P<scale>ten thousand|hundred million|thousand|million|billion|trillion)?s?\s*"
    r"(?P<after>us dollars|dollars?|yuan rmb|yuan|rmb|usd|us\$|\$|rubles|roubles|rub|euros?|eur)?$"
)


def unit_words(unit: str | None, language: str) -> str:
    """A unit in `language`: `trillion yuan RMB` → `трлн юаней` / `万亿元`, `percentage points` →
    `п.п.` / `个百分点`; `%` stays `%`; a unit it does not know stays as printed."""
    text = (unit or "").strip()
    if not text or language not in LANGUAGES:
        return text
    key = re.sub(r"\s+", " ", text.lower())
    if key in _UNITS:
        return _UNITS[key][language]
    if key.startswith("%"):
        return _PERCENT_OF.get(key, {}).get(language, text)
    found = _SCALE_CURRENCY.match(key)
    if not found or not (found["scale"] or found["before"] or found["after"]):
        return text
    if found["before"] and found["after"]:
        return text  # two currencies: not a unit this knows
    currency = _CURRENCY_WORDS.get(found["before"] or found["after"] or "")
    scale = _SCALES[found["scale"]][language] if found["scale"] else ""
    money = _CURRENCIES[currency][language] if currency else ""
    if language == "zh":
        return f"{scale}{money}"
    return f"{scale} {money}".strip()


def amount_text(amount: Amount, language: str) -> str:
    """`18.2%`, `7 637 млрд долларов`, `7.5万亿美元`: the figure as printed, the unit in words."""
    shown = re.sub(r"^\s*(?:US|A|C|HK|S)?[$€£¥₹₽]\s*|\s*[$€£¥₹₽]\s*$", "", amount.shown.strip())
    unit = (amount.unit or "").strip()
    if not unit:
        return amount.shown.strip()
    if unit.startswith("%") or shown.endswith("%"):
        number = shown.removesuffix("%")
        words = unit_words(unit, language) if unit.startswith("%") else "%"
        # `18.2%`, `18.2% ВВП`; a qualifier it cannot say stays as printed (`12% of retail sales`)
        return f"{number}{words}"
    words = unit_words(unit, language)
    return f"{shown}{words}" if language == "zh" else f"{shown} {words}"


# -- templates ------------------------------------------------------------------------------
def render(phrase: Phrase, language: str) -> str:
    """The sentence for `phrase` in `language` (`ru` or `zh`)."""
    template = _RU if language == "ru" else _ZH
    return template.render(phrase)


def _is_year(period: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", period.strip()))


class _Russian:
    def render(self, phrase: Phrase) -> str:
        match phrase:
            case Lookup():
                return self.lookup(phrase)
            case Figures():
                return self.figures(phrase)
            case Count():
                return f"Всего: {phrase.shown} ({self.where(phrase.where)})."
            case Computed():
                name = _RU_COMPUTED.get(phrase.op, "Результат")
                return (
                    f"{name} ({phrase.what}): {amount_text(phrase.amount, 'ru')} — {phrase.arithmetic} "
                    f"({self.where(phrase.where)})."
                )
            case Difference():
                sign = "/" if phrase.ratio else "−"
                a, b = country_name(phrase.name_a, "ru"), country_name(phrase.name_b, "ru")
                result = amount_text(phrase.result, "ru") if not phrase.ratio else phrase.result.shown
                label = "Отношение" if phrase.ratio else "Разница"
                return (
                    f"{label}: {a} {sign} {b} = {phrase.shown_a} {sign} {phrase.shown_b} = {result} "
                    f"(«{phrase.indicator}»{self.comma_period(phrase.period)}; {self.where(phrase.where)})."
                )
            case Change():
                return self.change(phrase)
            case Comparison():
                return self.comparison(phrase)
            case Superlative():
                return self.superlative(phrase)
            case Refusal():
                names = ", ".join(country_name(n, "ru") for n in phrase.names)
                if names:
                    reason = f"ни в одном документе не упоминается {names}"
                elif phrase.years:
                    years = ", ".join(map(str, phrase.years))
                    reason = f"ни одна ячейка таблицы и ни одно предложение не дают этого за {years} год"
                else:
                    reason = "ни одна ячейка таблицы и ни одно предложение не соответствуют вопросу"
                return f"В документах этого нет: {reason}. Ближайшие источники приведены ниже."
            case Missing():
                start = "Сравнение невозможно: в" if phrase.compare else "В"
                return (
                    f"{start} {phrase.where.label} нет значения для «{phrase.described}»: "
                    f"ячейка отмечена «{phrase.raw or 'пусто'}» (нет данных)."
                )
            case Sources():
                said = "; ".join(self.source(p) for p in phrase.parts)
                return said[:1].upper() + said[1:].rstrip(".") + "."
        raise TypeError(phrase)

    def where(self, where: Where) -> str:
        label = f"набор данных: {where.label}" if where.dataset else where.label
        return f"{label}, {where.note}" if where.note else label

    def period(self, period: str) -> str:
        return f"в {period} году" if _is_year(period) else f"за {period}" if period else ""

    def comma_period(self, period: str) -> str:
        return f", {period} год" if _is_year(period) else f", {period}" if period else ""

    def lookup(self, p: Lookup) -> str:
        entity = country_name(p.entity, "ru")
        whose = f" ({entity})" if entity else ""
        if p.rank:
            what = f"место в рейтинге «{p.indicator}»" if p.indicator else "место в рейтинге"
        else:
            what = f"значение показателя «{p.indicator}»" if p.indicator else "значение"
        when = self.period(p.period)
        start = f"{when[:1].upper()}{when[1:]} {what}" if when else what[:1].upper() + what[1:]
        verb = "составило" if not p.rank else "—"
        note = ""
        if p.asked_currency:
            note = f"В документах это дано в {unit_words(p.amount.unit, 'ru')}, а не в валюте вопроса ({p.asked_currency}): "
            start = start[:1].lower() + start[1:]
        return f"{note}{start}{whose} {verb} {amount_text(p.amount, 'ru')} ({self.where(p.where)})."

    def figures(self, p: Figures) -> str:
        shown = "; ".join(f"{country_name(label, 'ru')}: {amount_text(a, 'ru')}" for label, a in p.items)
        if p.picked:
            return f"{country_name(p.picked, 'ru')} ({self.where(p.where)}: {shown})."
        return f"{shown} ({self.where(p.where)})."

    def change(self, p: Change) -> str:
        series = f"«{p.series}»: {p.start} {self.period(p.start_period)} → {p.end} {self.period(p.end_period)}"
        if p.moved_up is not None:
            move = "поднялся на" if p.moved_up else "опустился на"
            return (
                f"{series}; {move} {p.arithmetic} = {p.result.shown} {unit_words('places', 'ru')} "
                f"(чем меньше место, тем лучше) ({self.where(p.where)})."
            )
        percent = f" ({p.percent})" if p.percent else ""
        return f"{series}; изменение {p.arithmetic} = {amount_text(p.result, 'ru')}{percent} ({self.where(p.where)})."

    def comparison(self, p: Comparison) -> str:
        winner, loser = country_name(p.winner, "ru"), country_name(p.loser, "ru")
        context = f"«{p.indicator}»{self.comma_period(p.period)}; {self.where(p.where)}"
        if p.tie:
            return f"Ни у кого: у {winner} и {loser} одинаково {amount_text(p.winner_amount, 'ru')} ({context})."
        if p.rank:
            verb = "хуже место" if p.wants_less else "лучше место"
            context += "; чем меньше место, тем лучше"
        else:
            verb = "меньше" if p.wants_less else "больше"
        yes = {True: "Да. ", False: "Нет. ", None: ""}[p.yes]
        return (
            f"{yes}{verb[:1].upper()}{verb[1:]} — {winner}: {amount_text(p.winner_amount, 'ru')} против "
            f"{amount_text(p.loser_amount, 'ru')} ({loser}) ({context})."
        )

    def superlative(self, p: Superlative) -> str:
        word = {"highest": "наибольшее", "lowest": "наименьшее", "best": "лучшее", "worst": "худшее"}[p.word]
        shown = "; ".join(f"{country_name(label, 'ru')}: {raw}" for label, raw in p.shown)
        label = f"{p.label} год" if p.is_year and _is_year(p.label) else country_name(p.label, "ru")
        return (
            f"{label} — {word} значение «{p.indicator}»: {amount_text(p.amount, 'ru')} "
            f"({self.where(p.where)}: {shown})."
        )

    def source(self, p: SourcePart) -> str:
        refs = p.refs
        if p.kind == "gives" and p.where is not None and p.amount is not None:
            cites = f", со ссылкой на {refs}" if refs else ""
            note = f"; {p.note}" if p.note else ""
            return f"{p.where.label} ({p.described}) даёт {amount_text(p.amount, 'ru')}{cites}{note}"
        if p.kind == "says":
            return f"в тексте сказано: “{p.quote}”" + (f" ({refs})" if refs else "")
        if p.where is not None:
            return f"{p.where.label} (“{p.where.note}”) ссылается на {refs}"
        return f"текст ссылается на {refs}"


class _Chinese:
    def render(self, phrase: Phrase) -> str:
        match phrase:
            case Lookup():
                return self.lookup(phrase)
            case Figures():
                shown = "；".join(f"{country_name(label, 'zh')}：{amount_text(a, 'zh')}" for label, a in phrase.items)
                if phrase.picked:
                    return f"{country_name(phrase.picked, 'zh')}（{self.where(phrase.where)}：{shown}）。"
                return f"{shown}（{self.where(phrase.where)}）。"
            case Count():
                return f"共{phrase.shown}项（{self.where(phrase.where)}）。"
            case Computed():
                name = _ZH_COMPUTED.get(phrase.op, "结果")
                return (
                    f"{phrase.what}的{name}：{amount_text(phrase.amount, 'zh')}，即 {phrase.arithmetic}"
                    f"（{self.where(phrase.where)}）。"
                )
            case Difference():
                sign = "/" if phrase.ratio else "−"
                a, b = country_name(phrase.name_a, "zh"), country_name(phrase.name_b, "zh")
                result = amount_text(phrase.result, "zh") if not phrase.ratio else phrase.result.shown
                label = "比值" if phrase.ratio else "差值"
                return (
                    f"{label}：{a} {sign} {b} = {phrase.shown_a} {sign} {phrase.shown_b} = {result}"
                    f"（{phrase.indicator}{self.comma_period(phrase.period)}；{self.where(phrase.where)}）。"
                )
            case Change():
                return self.change(phrase)
            case Comparison():
                return self.comparison(phrase)
            case Superlative():
                word = {"highest": "最高", "lowest": "最低", "best": "最好", "worst": "最差"}[phrase.word]
                shown = "；".join(f"{country_name(label, 'zh')}：{raw}" for label, raw in phrase.shown)
                is_year = phrase.is_year and _is_year(phrase.label)
                label = f"{phrase.label}年" if is_year else country_name(phrase.label, "zh")
                return (
                    f"{label}的{phrase.indicator}{word}：{amount_text(phrase.amount, 'zh')}"
                    f"（{self.where(phrase.where)}：{shown}）。"
                )
            case Refusal():
                if phrase.names:
                    reason = f"没有文件提到{'、'.join(country_name(n, 'zh') for n in phrase.names)}"
                elif phrase.years:
                    reason = f"没有表格单元格或句子给出{'、'.join(map(str, phrase.years))}年的数据"
                else:
                    reason = "没有表格单元格或句子与问题相符"
                return f"文件中没有这一信息：{reason}。下面列出最接近的证据。"
            case Missing():
                start = "无法比较：" if phrase.compare else ""
                return (
                    f"{start}{phrase.where.label}中没有“{phrase.described}”的数值："
                    f"该单元格标为“{phrase.raw or '空'}”（缺失）。"
                )
            case Sources():
                return "；".join(self.source(p) for p in phrase.parts).rstrip("。.") + "。"
        raise TypeError(phrase)

    def where(self, where: Where) -> str:
        label = f"数据集：{where.label}" if where.dataset else where.label
        return f"{label}，{where.note}" if where.note else label

    def period(self, period: str) -> str:
        return f"{period}年" if _is_year(period) else period

    def comma_period(self, period: str) -> str:
        return f"，{self.period(period)}" if period else ""

    def lookup(self, p: Lookup) -> str:
        entity = country_name(p.entity, "zh")
        what = f"{p.indicator}排名" if p.rank and "rank" not in p.indicator.lower() else p.indicator
        subject = f"{entity}的{what}" if entity and what else entity or what
        when = f"{self.period(p.period)}，" if p.period else ""
        verb = "为" if not p.rank else "位列第"
        note = ""
        if p.asked_currency:
            note = f"文件中以{unit_words(p.amount.unit, 'zh')}计，而非问题所问的货币（{p.asked_currency}）："
        figure = amount_text(p.amount, "zh") if not p.rank else f"{p.amount.shown}位"
        return f"{note}{when}{subject}{verb}{figure}（{self.where(p.where)}）。"

    def change(self, p: Change) -> str:
        series = f"{p.series}：{self.period(p.start_period)}{p.start} → {self.period(p.end_period)}{p.end}"
        if p.moved_up is not None:
            move = "上升" if p.moved_up else "下降"
            return (
                f"{series}；{move} {p.arithmetic} = {p.result.shown}{unit_words('places', 'zh')}"
                f"（排名越小越好；{self.where(p.where)}）。"
            )
        percent = f"（{p.percent}）" if p.percent else ""
        return f"{series}；变化 {p.arithmetic} = {amount_text(p.result, 'zh')}{percent}（{self.where(p.where)}）。"

    def comparison(self, p: Comparison) -> str:
        winner, loser = country_name(p.winner, "zh"), country_name(p.loser, "zh")
        context = f"{p.indicator}{self.comma_period(p.period)}；{self.where(p.where)}"
        if p.tie:
            return f"两者相同：{winner}和{loser}均为{amount_text(p.winner_amount, 'zh')}（{context}）。"
        if p.rank:
            verb = "排名更差" if p.wants_less else "排名更好"
            context += "；排名越小越好"
        else:
            verb = "更低" if p.wants_less else "更高"
        yes = {True: "是的。", False: "不是。", None: ""}[p.yes]
        return (
            f"{yes}{winner}{verb}：{amount_text(p.winner_amount, 'zh')}，"
            f"{loser}为{amount_text(p.loser_amount, 'zh')}（{context}）。"
        )

    def source(self, p: SourcePart) -> str:
        refs = p.refs
        if p.kind == "gives" and p.where is not None and p.amount is not None:
            cites = f"，引用{refs}" if refs else ""
            note = f"；{p.note}" if p.note else ""
            return f"{p.where.label}（{p.described}）给出{amount_text(p.amount, 'zh')}{cites}{note}"
        if p.kind == "says":
            return f"正文写道：“{p.quote}”" + (f"（{refs}）" if refs else "")
        if p.where is not None:
            return f"{p.where.label}（“{p.where.note}”）引用{refs}"
        return f"正文引用{refs}"


_RU_COMPUTED = {
    ops.DIFF: "Изменение",
    ops.CHANGE_RATIO: "Изменение в процентах",
    ops.AVERAGE: "Среднее значение",
    ops.SUM: "Сумма",
    ops.DIVIDE: "Отношение",
    ops.PERCENT_OF: "Доля в процентах",
}
_ZH_COMPUTED = {
    ops.DIFF: "变化",
    ops.CHANGE_RATIO: "变化百分比",
    ops.AVERAGE: "平均值",
    ops.SUM: "合计",
    ops.DIVIDE: "比值",
    ops.PERCENT_OF: "百分比",
}
_RU = _Russian()
_ZH = _Chinese()
