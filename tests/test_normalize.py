"""Unicode clean-up, digit folding, and the numbers check."""

from __future__ import annotations

import pytest

from translate.normalize import extract_numbers, missing_numbers, normalize_text, to_western_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال\u200f الرئيس\u200e", "قال الرئيس"),
        ("\u202bنص\u202c \u2067عربي\u2069 \u061cهنا", "نص عربي هنا"),
        ("كلمة\u200bأخرى\ufeff و\u2060هنا", "كلمةأخرى وهنا"),
        ("\ufeffبداية الملف", "بداية الملف"),
        ("می\u200cخواهم و\u200dهنا", "می\u200cخواهم و\u200dهنا"),
        ("الســـــلام جـميل", "السلام جميل"),
        ("a\u00a0b\u2009c\u202fd\u3000e\u2003f", "a b c d e f"),
        ("كلمة   \t  أخرى", "كلمة أخرى"),
        ("  سطر أول  \n\t سطر ثان \t", "سطر أول\nسطر ثان"),
        ("أ\r\nب\rج\u2028د\u2029هـ\x0bو\x0cي\x85ن", "أ\nب\nج د ه و ي ن"),
        ("فقرة\n\n\nفقرة", "فقرة\n\n\nفقرة"),
        ("soft\u00adhyphen", "softhyphen"),
        ("الفترة 1948 ـ 1967 وفق الخالدي ـــ رحمه الله ـ في\nبيروت ـ «الشرق»",
         "الفترة 1948 - 1967 وفق الخالدي - رحمه الله - في\nبيروت - «الشرق»"),
    ],
    ids=["lrm-rlm", "embeddings-isolates-alm", "zero-width", "bom", "zwnj-zwj-kept", "tatweel",
         "unicode-spaces", "space-runs", "line-ends", "soft-breaks-are-spaces", "blank-lines-kept", "soft-hyphen",
         "free-tatweel-is-a-dash"],
)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


def test_normalize_text_keeps_lines_and_is_idempotent():
    text = "اخبار لايف\r\n\r\n\u200fروسيا\u00a0وكوريا  الشمالية.. العلاقات \n"
    once = normalize_text(text)
    assert once.split("\n") == ["اخبار لايف", "", "روسيا وكوريا الشمالية.. العلاقات", ""]
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("نما ٤٫٥ بالمئة", "نما 4.5 بالمئة"),
        ("بلغ ١٬٢٠٠ شخص", "بلغ 1,200 شخص"),
        ("فاصلة ٫ وحدها ٬ هنا", "فاصلة ٫ وحدها ٬ هنا"),
        ("الساعة ٩:٣٠", "الساعة 9:30"),
    ],
    ids=["eastern", "persian", "decimal-separator", "thousands-separator", "lone-separators", "time"],
)
def test_to_western_digits(text, expected):
    assert to_western_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,000 و1000 و١٠٠٠ و١٬٠٠٠", ["1000", "1000", "1000", "1000"]),
        ("4.5 و٤٫٥ و4,5 و4.50", ["4.5", "4.5", "4.5", "4.5"]),
        ("في فبراير/شباط 2022.", ["2022"]),
        ("بنسبة 15% و١٥٪", ["15", "15"]),
        ("الساعة 9:30 و٩:٣٠ و09:30", ["9:30", "9:30", "9:30"]),
        ("1,234,567.89 و1.234.567 و1.234,5", ["1234567.89", "1234567", "1234.5"]),
        ("بتاريخ 12.05.2024", ["12", "5", "2024"]),
        ("بـ2,220 و2,207 نقطة", ["2220", "2207"]),
        ("COVID-19 و(1469-1539)", ["19", "1469", "1539"]),
        ("(٠٢٣٠ التوقيت العالمي)", ["230"]),
        ("لا أرقام هنا", []),
    ],
    ids=["thousands", "decimals", "year-after-slash", "percent", "times", "grouping", "date", "attached",
         "ranges", "leading-zero", "none"],
)
def test_extract_numbers(text, expected):
    assert extract_numbers(text) == expected


def test_missing_numbers_counts_a_multiset_in_source_order():
    source = "قتل 5 أشخاص و5 جنود في 2022 وبلغت الخسائر ٤٫٥ مليون"
    assert missing_numbers(source, "5 people and 5 soldiers were killed in 2022; losses 4.5 million") == []
    assert missing_numbers(source, "5 people were killed in 2022") == ["5", "4.5"]
    assert missing_numbers(source, "") == ["5", "5", "2022", "4.5"]


def test_missing_numbers_compares_values_not_spellings():
    assert missing_numbers("بلغ العدد ١٬٢٠٠ عند الساعة ٩:٣٠", "it reached 1200 at 9:30 a.m.") == []
    assert missing_numbers("بلغ 10000 شخص", "10,000 people") == []
    assert missing_numbers("في عام 2008", "in 2009") == ["2008"]
