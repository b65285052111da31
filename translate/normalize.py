"""Unicode clean-up that never changes meaning, digit folding and the number check.

`normalize_text` removes what is invisible (bidi and zero-width controls, tatweel),
turns exotic spaces into plain ones and tidies line ends, keeping every line.
`missing_numbers` tells which numbers of a source a translation lost.
"""

from __future__ import annotations

import re
from collections import Counter

_INVISIBLE = (
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"  # bidi controls
    "\u200b\u2060\ufeff\u00ad"  # zero-width space, word joiner, BOM, soft hyphen
    "\u0640"  # tatweel (kashida), a stretching stroke
)
_LETTER = r"[\u0620-\u065f\u066e-\u06d3\u06fa-\u06ff]"  # Arabic-script letters and their marks
_FREE_TATWEEL = re.compile(rf"(?<!{_LETTER})\u0640+(?!{_LETTER})")
"""Tatweel touching no letter (``1948 ـ 1967``, ``القاهرة ـ «الشرق الأوسط»``): a dash, not a stroke."""
# ZWNJ (U+200C) and ZWJ (U+200D) are kept: they change how Persian and Urdu words read.
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_SOFT_BREAKS = "\u2028\u2029\u0085\x0b\x0c"
"""Line and paragraph separators, NEL, VT and FF: spaces, as line numbers count only what
editors and ``grep -n`` count (LF, CRLF, CR)."""
_CLEAN = str.maketrans({**{c: None for c in _INVISIBLE}, **{c: " " for c in _SPACES + _SOFT_BREAKS}})
_LINE_BREAKS = re.compile(r"\r\n?")
_SPACE_RUN = re.compile(r" {2,}")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DECIMAL_SEPARATOR = re.compile(r"(?<=[0-9])\u066b|\u066b(?=[0-9])")
_THOUSANDS_SEPARATOR = re.compile(r"(?<=[0-9])\u066c|\u066c(?=[0-9])")

_NUMBER = re.compile(r"[0-9]+(?:[.,:][0-9]+)*")
_COMMA_GROUPS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")  # 1,234,567.89
_DOT_GROUPS = re.compile(r"[0-9]{1,3}(?:(?:\.[0-9]{3}){2,}|(?:\.[0-9]{3})+,[0-9]+)")  # 1.234.567 or 1.234,5
_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}")


def normalize_text(text: str) -> str:
    """Drop invisible controls and tatweel (a tatweel between spaces is a dash, "-"), make
    every space a plain one, tidy lines.

    Line breaks (CRLF, CR) become "\\n"; U+2028, U+2029, NEL, VT and FF become spaces;
    runs of spaces collapse to one; each line is stripped. The number of lines is kept.
    """
    text = _FREE_TATWEEL.sub("-", _LINE_BREAKS.sub("\n", text)).translate(_CLEAN)
    return "\n".join(_SPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))


def to_western_digits(text: str) -> str:
    """Eastern Arabic and Persian digits to 0-9; ٫ and ٬ next to a digit to "." and ","."""
    text = text.translate(_DIGITS)
    text = _DECIMAL_SEPARATOR.sub(".", text)
    return _THOUSANDS_SEPARATOR.sub(",", text)


def extract_numbers(text: str) -> list[str]:
    """The numbers of a text, written so that equal values compare equal.

    Western digits; thousands separators dropped ("1,000" and "1000" give "1000",
    so do "1.000.000" and "1000000"); a comma not followed by groups of three is a
    decimal comma ("4,5" gives "4.5"); leading zeros and trailing decimal zeros go
    ("4.50" gives "4.5"). A time "9:30" is one number "9:30". Dates written with
    dots ("12.05.2024") give their parts ("12", "5", "2024"). Signs, "%" and units
    are not part of a number.
    """
    numbers = []
    for match in _NUMBER.finditer(to_western_digits(text)):
        numbers.extend(_canonical_numbers(match.group()))
    return numbers


def missing_numbers(source: str, translation: str) -> list[str]:
    """Numbers of `source` that `translation` lacks, counted as a multiset, in source order."""
    lacking = Counter(extract_numbers(source)) - Counter(extract_numbers(translation))
    missing = []
    for number in extract_numbers(source):
        if lacking[number] > 0:
            lacking[number] -= 1
            missing.append(number)
    return missing


def _canonical_numbers(token: str) -> list[str]:
    """One matched digit run (with inner separators) as canonical number strings."""
    if _COMMA_GROUPS.fullmatch(token):
        return [_strip_zeros(token.replace(",", ""))]
    if _DOT_GROUPS.fullmatch(token):
        return [_strip_zeros(token.replace(".", "").replace(",", "."))]
    if _TIME.fullmatch(token):
        hours, minutes = token.split(":")
        return [f"{_strip_zeros(hours)}:{minutes}"]
    parts = re.split(r"[.,:]", token)
    if len(parts) == 2 and ":" not in token:
        return [_strip_zeros(f"{parts[0]}.{parts[1]}")]
    return [_strip_zeros(part) for part in parts]


def _strip_zeros(number: str) -> str:
    """"007" -> "7", "4.50" -> "4.5", "4.0" -> "4", "0.5" stays."""
    whole, _, fraction = number.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole
