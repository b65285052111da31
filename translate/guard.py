"""Checks on model output: nothing at all, repetition loops, runaway length, and numbers that changed."""

from __future__ import annotations

import re


MAX_CHAR_RATIO = 3.0
"""An English output longer than this many times its Arabic source (in characters) is suspect."""
MIN_REPEATS = 4
"""An n-gram (n <= 4) repeated this many times in a row is a repetition loop."""

MIN_LETTER_REPEATS = 8
"""A unit of one to four letters this many times in a row (``ظظظظظظظظ``, ``hahahahahahahaha``)
is a repetition loop inside a word."""

_WORD = re.compile(r"\w+|[^\w\s]")
_LETTER_LOOP = re.compile(r"([^\W\d_]{1,4}?)\1{%d,}" % (MIN_LETTER_REPEATS - 1))


def find_problem(source: str, output: str) -> str | None:
    """Why ``output`` looks like a degenerate translation of ``source``, or None."""
    if not output.strip() and any(ch.isalnum() for ch in source):
        return "empty"
    if len(output) > MAX_CHAR_RATIO * len(source) + 20:
        return "too-long"
    if has_repeated_ngram(output) or (_LETTER_LOOP.search(output) and not _LETTER_LOOP.search(source)):
        return "repetition"  # a loop of letters the source has too (جووووووول, Goooooal) is faithful
    return None


def has_repeated_ngram(text: str, max_n: int = 4, repeats: int = MIN_REPEATS) -> bool:
    """True when some n-gram of words (n <= max_n) occurs ``repeats`` times back to back."""
    words = _WORD.findall(text.lower())
    for n in range(1, max_n + 1):
        for i in range(len(words) - n * repeats + 1):
            gram = words[i:i + n]
            if all(words[i + k * n:i + (k + 1) * n] == gram for k in range(1, repeats)):
                return True
    return False


def number_flags(missing: list[str]) -> tuple[str, ...]:
    """A flag when numbers of the source (``normalize.missing_numbers``) are missing from the translation."""
    return (f"numbers-missing:{','.join(missing)}",) if missing else ()
