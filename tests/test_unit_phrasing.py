"""The answer sentence in Russian and Chinese (service/answering/phrasing.py): each kind of
sentence from its parts, units and country names in words, and figures the scorer still reads."""

from __future__ import annotations

import re

import pytest

from service.answering import operators as ops
from service.answering.compose import caption_indicator
from service.answering.phrasing import (
    Amount,
    Change,
    Comparison,
    Computed,
    Count,
    Difference,
    Figures,
    Lookup,
    Missing,
    Refusal,
    SourcePart,
    Sources,
    Superlative,
    Where,
    amount_text,
    country_name,
    question_language,
    render,
    unit_words,
)
from service.evaluation import numbers_in, sentence_matches

pytestmark = pytest.mark.unit

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CJK = re.compile(r"[\u3400-\u9fff]")
SOURCE = Where("Table 2", "“International Comparison…”")


@pytest.mark.parametrize(
    "question, language",
    [
        ("Какой была доля цифровой экономики в ВВП России в 2019 году?", "ru"),
        ("Какой был ВВП США?", "ru"),
        ("2022年中国数字经济规模是多少万亿美元？", "zh"),
        ("2022年全球51个主要经济体数字经济占GDP比重是多少？", "zh"),
        ("What share of GDP did China's digital economy account for in 2017?", "en"),
        ("Was ist das BIP?", "en"),  # no template for German: English
        ("", "en"),
    ],
)
def test_question_language(question, language):
    assert question_language(question) == language


@pytest.mark.parametrize(
    "name, ru, zh",
    [
        ("Russia", "Россия", "俄罗斯"),  # ISO says `Russian Federation`: the usage table
        ("China", "Китай", "中国"),  # ISO 3166's translation
        ("USA", "США", "美国"),
        ("Republic of Korea", "Республика Корея", "韩国"),
        ("Germany", "Германия", "德国"),
        ("GDP", "GDP", "GDP"),  # not a country: as printed
        ("Digital economy", "Digital economy", "Digital economy"),
    ],
)
def test_country_names(name, ru, zh):
    assert country_name(name, "ru") == ru
    assert country_name(name, "zh") == zh
    assert country_name(name, "en") == name


@pytest.mark.parametrize(
    "unit, ru, zh",
    [
        ("%", "%", "%"),
        ("trillion yuan", "трлн юаней", "万亿元"),
        ("trillion yuan RMB", "трлн юаней", "万亿元"),
        ("billion dollars", "млрд долларов", "十亿美元"),
        ("$ billion", "млрд долларов", "十亿美元"),
        ("trillion US$", "трлн долларов", "万亿美元"),
        ("million", "млн", "百万"),
        ("percentage points", "п.п.", "个百分点"),
        ("rank", "место", "排名"),
        ("per 100 people", "на 100 человек", "每百人"),
        ("% of GDP", "% ВВП", "%（占GDP）"),
        ("score 0-1", "score 0-1", "score 0-1"),  # unknown: as printed
        ("万亿美元", "万亿美元", "万亿美元"),
    ],
)
def test_units_in_words(unit, ru, zh):
    assert unit_words(unit, "ru") == ru
    assert unit_words(unit, "zh") == zh


def test_amounts_keep_the_documents_digits():
    assert amount_text(Amount("18.2", "%"), "ru") == "18.2%"
    assert amount_text(Amount("$1,539", "$ billion"), "ru") == "1,539 млрд долларов"
    assert amount_text(Amount("7.5", "trillion US$"), "zh") == "7.5万亿美元"
    assert amount_text(Amount("7 637", "billion dollars"), "zh") == "7 637十亿美元"
    assert amount_text(Amount("45", None), "zh") == "45"
    assert amount_text(Amount("3.2", "% of GDP"), "ru") == "3.2% ВВП"
    assert amount_text(Amount("12%", "% of retail sales"), "zh") == "12% of retail sales"  # unknown: as printed


def _is(language: str, sentence: str) -> bool:
    return bool((_CYRILLIC if language == "ru" else _CJK).search(sentence))


RUSSIA_2019 = Lookup("Russia", "GDP ratio", "2019", Amount("18.2", "%"), SOURCE)
PHRASES = {
    "lookup": (
        RUSSIA_2019,
        "В 2019 году значение показателя «GDP ratio» (Россия) составило 18.2% (Table 2, “International Comparison…”).",
        "2019年，俄罗斯的GDP ratio为18.2%（Table 2，“International Comparison…”）。",
    ),
    "rank": (
        Lookup("Russia", "EGDI", "2014", Amount("27", None), Where("Table 7"), rank=True),
        "В 2014 году место в рейтинге «EGDI» (Россия) — 27 (Table 7).",
        "2014年，俄罗斯的EGDI排名位列第27位（Table 7）。",
    ),
    "dataset": (
        Lookup("China", "Digital economy", "2022", Amount("7.5", "trillion US$"), Where("CAICT", dataset=True)),
        "В 2022 году значение показателя «Digital economy» (Китай) составило 7.5 трлн долларов (набор данных: CAICT).",
        "2022年，中国的Digital economy为7.5万亿美元（数据集：CAICT）。",
    ),
    "currency": (
        Lookup("China", "Digital economy", "2020", Amount("39.2", "trillion yuan"), Where("Table 1"), asked_currency="USD"),
        "В документах это дано в трлн юаней, а не в валюте вопроса (USD): в 2020 году значение показателя "
        "«Digital economy» (Китай) составило 39.2 трлн юаней (Table 1).",
        "文件中以万亿元计，而非问题所问的货币（USD）：2020年，中国的Digital economy为39.2万亿元（Table 1）。",
    ),
    "comparison": (
        Comparison("China", "Russia", Amount("38.6", "%"), Amount("18.2", "%"), "GDP ratio", "2019", SOURCE, yes=True),
        "Да. Больше — Китай: 38.6% против 18.2% (Россия) («GDP ratio», 2019 год; Table 2, “International Comparison…”).",
        "是的。中国更高：38.6%，俄罗斯为18.2%（GDP ratio，2019年；Table 2，“International Comparison…”）。",
    ),
    "rank comparison": (
        Comparison("Russia", "China", Amount("36"), Amount("45"), "EGDI", "2020", Where("Table 7"), rank=True),
        "Лучше место — Россия: 36 против 45 (Китай) («EGDI», 2020 год; Table 7; чем меньше место, тем лучше).",
        "俄罗斯排名更好：36，中国为45（EGDI，2020年；Table 7；排名越小越好）。",
    ),
    "difference": (
        Difference(
            "China", "Russia", "33.60", "23.23", Amount("10.37", "per 100 people"), "Fixed broadband", "2020",
            Where("Table 6"),
        ),
        "Разница: Китай − Россия = 33.60 − 23.23 = 10.37 на 100 человек («Fixed broadband», 2020 год; Table 6).",
        "差值：中国 − 俄罗斯 = 33.60 − 23.23 = 10.37每百人（Fixed broadband，2020年；Table 6）。",
    ),
    "ratio": (
        Difference("China", "Russia", "38.6", "18.2", Amount("2.12", "times"), "GDP ratio", "2019", SOURCE, ratio=True),
        "Отношение: Китай / Россия = 38.6 / 18.2 = 2.12 («GDP ratio», 2019 год; Table 2, “International Comparison…”).",
        "比值：中国 / 俄罗斯 = 38.6 / 18.2 = 2.12（GDP ratio，2019年；Table 2，“International Comparison…”）。",
    ),
    "change": (
        Change(
            "Russia, GDP ratio", "17.9", "2018", "18.2", "2019", "18.2 − 17.9", Amount("0.3", "percentage points"),
            Where("Table 2"), percent="+1.7%",
        ),
        "«Russia, GDP ratio»: 17.9 в 2018 году → 18.2 в 2019 году; изменение 18.2 − 17.9 = 0.3 п.п. (+1.7%) (Table 2).",
        "Russia, GDP ratio：2018年17.9 → 2019年18.2；变化 18.2 − 17.9 = 0.3个百分点（+1.7%）（Table 2）。",
    ),
    "rank move": (
        Change("Russia, EGDI", "36", "2018", "32", "2020", "36 − 32", Amount("4", "places"), Where("Table 7"), moved_up=True),
        "«Russia, EGDI»: 36 в 2018 году → 32 в 2020 году; поднялся на 36 − 32 = 4 мест(а) (чем меньше место, тем лучше) "
        "(Table 7).",
        "Russia, EGDI：2018年36 → 2020年32；上升 36 − 32 = 4位（排名越小越好；Table 7）。",
    ),
    "computed": (
        Computed(ops.AVERAGE, "GDP ratio", Amount("17.5", "%"), "(16.8 + 18.2) / 2 = 17.5", Where("Table 2")),
        "Среднее значение (GDP ratio): 17.5% — (16.8 + 18.2) / 2 = 17.5 (Table 2).",
        "GDP ratio的平均值：17.5%，即 (16.8 + 18.2) / 2 = 17.5（Table 2）。",
    ),
    "percent change": (
        Computed(ops.CHANGE_RATIO, "GDP", Amount("4.2", "%"), "(16573 − 15906) / 15906 × 100", Where("Table 2")),
        "Изменение в процентах (GDP): 4.2% — (16573 − 15906) / 15906 × 100 (Table 2).",
        "GDP的变化百分比：4.2%，即 (16573 − 15906) / 15906 × 100（Table 2）。",
    ),
    "sum": (
        Computed(ops.SUM, "Sales", Amount("30", "million"), "10 + 20 = 30", Where("Table 1")),
        "Сумма (Sales): 30 млн — 10 + 20 = 30 (Table 1).",
        "Sales的合计：30百万，即 10 + 20 = 30（Table 1）。",
    ),
    "count": (
        Count("3", Where("Table 4")),
        "Всего: 3 (Table 4).",
        "共3项（Table 4）。",
    ),
    "year label": (
        Superlative(
            "2021", "highest", "Russia, GDP ratio", Amount("19.1", "%"), Where("Table 2"),
            shown=[("2019", "18.2"), ("2021", "19.1")], is_year=True,
        ),
        "2021 год — наибольшее значение «Russia, GDP ratio»: 19.1% (Table 2: 2019: 18.2; 2021: 19.1).",
        "2021年的Russia, GDP ratio最高：19.1%（Table 2：2019：18.2；2021：19.1）。",
    ),
    "entity label": (
        Superlative(
            "China", "highest", "GDP ratio, 2019", Amount("38.6", "%"), Where("Table 2"),
            shown=[("China", "38.6"), ("Russia", "18.2")],
        ),
        "Китай — наибольшее значение «GDP ratio, 2019»: 38.6% (Table 2: Китай: 38.6; Россия: 18.2).",
        "中国的GDP ratio, 2019最高：38.6%（Table 2：中国：38.6；俄罗斯：18.2）。",
    ),
    "figures": (
        Figures([("China", Amount("38.6", "%")), ("Russia", Amount("18.2", "%"))], Where("Table 2"), picked="China"),
        "Китай (Table 2: Китай: 38.6%; Россия: 18.2%).",
        "中国（Table 2：中国：38.6%；俄罗斯：18.2%）。",
    ),
    "refusal names": (
        Refusal(names=["Brazil"], years=[2021]),
        "В документах этого нет: ни в одном документе не упоминается Бразилия. Ближайшие источники приведены ниже.",
        "文件中没有这一信息：没有文件提到巴西。下面列出最接近的证据。",
    ),
    "refusal years": (
        Refusal(years=[2021]),
        "В документах этого нет: ни одна ячейка таблицы и ни одно предложение не дают этого за 2021 год. "
        "Ближайшие источники приведены ниже.",
        "文件中没有这一信息：没有表格单元格或句子给出2021年的数据。下面列出最接近的证据。",
    ),
    "refusal": (
        Refusal(),
        "В документах этого нет: ни одна ячейка таблицы и ни одно предложение не соответствуют вопросу. "
        "Ближайшие источники приведены ниже.",
        "文件中没有这一信息：没有表格单元格或句子与问题相符。下面列出最接近的证据。",
    ),
    "missing": (
        Missing(Where("Table 5"), "Russia, 5G, 2021", "—"),
        "В Table 5 нет значения для «Russia, 5G, 2021»: ячейка отмечена «—» (нет данных).",
        "Table 5中没有“Russia, 5G, 2021”的数值：该单元格标为“—”（缺失）。",
    ),
    "source": (
        Sources(
            [
                SourcePart("gives", Where("Table 6"), "Russia, 2019", Amount("22.52", "per 100 people"), refs="[6] World Bank"),
                SourcePart("says", quote="Russia had 22.52 subscriptions.", refs="[6] World Bank"),
            ]
        ),
        "Table 6 (Russia, 2019) даёт 22.52 на 100 человек, со ссылкой на [6] World Bank; "
        "в тексте сказано: “Russia had 22.52 subscriptions.” ([6] World Bank).",
        "Table 6（Russia, 2019）给出22.52每百人，引用[6] World Bank；正文写道：“Russia had 22.52 subscriptions.”（[6] World Bank）。",
    ),
    "table source": (
        Sources([SourcePart("cites", Where("Table 11", "Cybersecurity index"), refs="[7] GCI")]),
        "Table 11 (“Cybersecurity index”) ссылается на [7] GCI.",
        "Table 11（“Cybersecurity index”）引用[7] GCI。",
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", PHRASES)
def test_each_kind_of_sentence_in_russian_and_chinese(kind):
    phrase, russian, chinese = PHRASES[kind]
    assert render(phrase, "ru") == russian
    assert render(phrase, "zh") == chinese
    assert _is("ru", russian) and _is("zh", chinese)


@pytest.mark.parametrize("language", ["ru", "zh"])
def test_the_scorer_reads_the_figure_of_a_localised_sentence(language):
    sentence = render(RUSSIA_2019, language)
    assert sentence_matches(sentence, [18.2])
    assert [f.value for f in numbers_in(sentence) if not f.is_year] == [18.2]
    big = render(Lookup("Germany", "Digital economy", "2021", Amount("7 637", "billion dollars"), SOURCE), language)
    assert sentence_matches(big, [7637])


def test_the_scorer_reads_a_decimal_comma():
    """A Russian figure printed with a decimal comma (`18,2 %`) reads as 18.2, not 182."""
    assert sentence_matches("Доля составила 18,2 % в 2019 году.", [18.2])
    assert not sentence_matches("Доля составила 18,2 % в 2019 году.", [182])


@pytest.mark.parametrize(
    ("caption", "indicator"),
    [
        (
            "The scale of digital economy in the world's leading countries in 2016—2021 (unit: billion dollars)",
            "scale of digital economy in the world's leading countries",
        ),
        ("Output of Ruritania's mills, 2014-2020 [3; 4] (unit: tonnes)", "Output of Ruritania's mills"),
        ("Lakes of Ruritania", "Lakes of Ruritania"),  # nothing to leave out
        ("Rainfall in 2021", "Rainfall in 2021"),  # one year is no span of years
    ],
)
def test_a_caption_read_as_what_its_figures_measure(caption, indicator):
    # the unit, the span of years and the references are said elsewhere in an answer
    assert caption_indicator(caption) == indicator
