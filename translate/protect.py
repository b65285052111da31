"""Spans the model must not touch: links, handles, hashtags, encoded blobs, Latin-script runs."""

from __future__ import annotations

import re

_SENTENCE_PUNCTUATION = ".,!?;:،؛؟…"
_CLOSERS = "\"'»”’)]}>"
_URL = re.compile(r"(?:https?://|www\.)[^\s<>«»“”\"]+", re.IGNORECASE)
_TLDS = (
    "com|org|net|edu|gov|int|mil|info|biz|io|co|news|tv|me|ly|app|dev|ai|"
    "ae|sa|eg|qa|kw|bh|om|jo|lb|sy|iq|ps|ye|ma|dz|tn|sd|"
    "uk|us|fr|de|ru|tr|ir|il|cn|jp|in|eu|ch|es|it|nl|be|ca|au"
)
_DOMAIN = re.compile(
    rf"(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>«»“”\"]*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(?<![A-Za-z0-9_@.])@(?=[0-9_]*[A-Za-z])[A-Za-z0-9_]+")
_HASHTAG = re.compile(r"(?<![A-Za-z0-9_#&])#(?=[\w\u064b-\u065f\u0670]*[^\W\d_])[\w\u064b-\u065f\u0670]+")
LIST_MARKER = re.compile(r"[-–—•*·▪●◦‣]\s")
"""A bullet opening a list item (``- بند``): kept as it is, never sent to the model."""
_BLOB = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")

_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_WORD = rf"[0-9]*[{_LETTER}][{_LETTER}0-9]*"
_JOINER = r"(?:[ \t]*[.\-'’&/+]+[ \t]*|[ \t]+)"
_LATIN_RUN = re.compile(
    rf"(?<![{_LETTER}0-9]){_WORD}"
    rf"(?:{_JOINER}(?:[0-9]+(?:[.,:][0-9]+)*{_JOINER})?{_WORD})*"
    rf"(?:-[0-9]+)?"
)
_INITIALISM = re.compile(rf"(?:[{_LETTER}]\.)+[{_LETTER}]")
LATIN_ABBREVIATIONS = frozenset(
    "Dr Mr Mrs Ms Mme Prof St Jr Sr vs Inc Ltd Co Corp No Gen Gov Sen Rep Lt Col Capt Sgt "
    "Mt Ft Ave approx Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Ph.D vol pp fig Fig Dept".split()
)
"""Latin words that take an abbreviation dot (single letters and "U.S"-style initialisms too)."""


def find_links(text: str) -> list[tuple[int, int]]:
    """Spans of URLs (http, www, bare domains with a known TLD) and e-mail addresses."""
    spans = [_trim_link(text, m.start(), m.end()) for m in _URL.finditer(text)]
    spans += [_trim_link(text, m.start(), m.end()) for m in _DOMAIN.finditer(text)]
    spans += [m.span() for m in _EMAIL.finditer(text)]
    return _merge(spans)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans of everything that must reach the output unchanged.

    A list item's bullet, links and e-mails, @handles, #hashtags (Arabic ones too),
    base64/hex blobs of 16+ characters mixing letters with digits (or holding "+", "/",
    "="), and Latin-script
    runs ("Dr. John Smith", "BBC News", "COVID-19"). A Latin run keeps a final dot only
    after an abbreviation ("U.S.", "Inc."). A run of digits alone is never protected.
    Overlapping or touching spans are merged.
    """
    spans = find_links(text)
    spans += [(0, 1)] if LIST_MARKER.match(text) else []
    spans += [m.span() for m in _HANDLE.finditer(text)]
    spans += [m.span() for m in _HASHTAG.finditer(text)]
    spans += [m.span() for m in _BLOB.finditer(text) if _looks_encoded(m.group())]
    spans += [_take_abbreviation_dot(text, m.start(), m.end()) for m in _LATIN_RUN.finditer(text)]
    return _merge(spans)


def split_protected(text: str) -> list[tuple[int, int, bool]]:
    """Cut `text` into (start, end, protected) pieces, in order, whitespace left between them.

    Protected pieces come from `protected_spans`; the text between two of them, stripped,
    is one unprotected piece. Punctuation and digits glued to a protected piece (no
    whitespace between, no letter in them) join it: in `قالت "BBC": الخبر` the pieces are
    `قالت`, `"BBC":` (protected) and `الخبر`. Joining the pieces with the original
    whitespace between them gives back `text`.
    """
    pieces: list[tuple[int, int, bool]] = []
    position = 0
    for start, end in protected_spans(text):
        start = _glue_left(text, position, start)
        end = _glue_right(text, end)
        if pieces and pieces[-1][2] and pieces[-1][1] >= start:
            start = pieces.pop()[0]
        elif start > position:
            pieces += _unprotected(text, position, start)
        pieces.append((start, end, True))
        position = end
    pieces += _unprotected(text, position, len(text))
    return pieces


def _trim_link(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop sentence punctuation and unbalanced closers that end a matched link."""
    while end > start:
        last = text[end - 1]
        if last in _SENTENCE_PUNCTUATION:
            end -= 1
        elif last in _CLOSERS and not _balanced(text[start:end]):
            end -= 1
        else:
            break
    return start, end


def _balanced(link: str) -> bool:
    """True when the link's last character closes a bracket opened inside it."""
    pairs = {")": "(", "]": "[", "}": "{", ">": "<"}
    opener = pairs.get(link[-1])
    return opener is not None and link.count(opener) >= link.count(link[-1])


def _looks_encoded(token: str) -> bool:
    has_digit = any(c.isdigit() for c in token)
    has_letter = any(c.isalpha() for c in token)
    return (has_digit and has_letter) or any(c in "+/=" for c in token)


def _take_abbreviation_dot(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a Latin run over its final dot when its last word is an abbreviation."""
    if end < len(text) and text[end] == ".":
        last_word = re.split(r"[ \t]", text[start:end])[-1]
        if last_word in LATIN_ABBREVIATIONS or _INITIALISM.fullmatch(last_word):
            return start, end + 1
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _glue_left(text: str, floor: int, start: int) -> int:
    """Start of the letterless, whitespace-free run glued to the left of `start`."""
    glued = start
    while glued > floor and not text[glued - 1].isspace():
        glued -= 1
    return glued if not any(c.isalpha() for c in text[glued:start]) else start


def _glue_right(text: str, end: int) -> int:
    """End of the letterless, whitespace-free run glued to the right of `end`."""
    glued = end
    while glued < len(text) and not text[glued].isspace():
        glued += 1
    return glued if not any(c.isalpha() for c in text[end:glued]) else end


def _unprotected(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """The stripped stretch between two protected pieces, if any text is left."""
    start, end = strip_span(text, start, end)
    return [(start, end, False)] if end > start else []


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]``'s span without its leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
