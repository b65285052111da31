"""The Arabic sentence splitter, the clause splitter for over-long sentences, and block segmentation.

Every function returns character spans into its input, never strings: the text
between two spans is whitespace only, so a paragraph is rebuilt exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from translate.protect import LATIN_ABBREVIATIONS, find_links, strip_span
from translate.types import Block, Segment

SPLITTER_VERSION = "4"
"""Changes when the text sent to the model may change: sentence ends, and the structure and
normalization in front of them (3: free-standing tatweel as a dash, kickers, chrome under the headline;
4: an inline list's first number after a colon)."""

Span = tuple[int, int]
CountTokens = Callable[[list[str]], list[int]]

_STRONG = "!?؟‼⁉⁈"
_CLOSERS = "»”\"'’)]}›"
_RUN = re.compile(r"[.!?؟…‼⁉⁈]+(?:[»”\"'’)\]}›]+[.!?؟…‼⁉⁈]*)*")
_SPACED_CLOSERS = re.compile(r"\s+([»”)\]]+|\")(?=\s|$)")
_OPENERS = "«“"
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640]")  # harakat and tatweel
_SINGLE_LETTER = re.compile(r"[^\W\d_]")
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_ARABIC_CLITIC = re.compile(r"^[\u0621-\u064a]{1,2}(?=[A-Za-z])")
_LOWERCASE_LATIN = re.compile(r"[a-z]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_LIST_NUMBER = re.compile(r"[0-9٠-٩]{1,2}")

_CLAUSE_ENDS = (
    re.compile(r"[;؛][»”\"')\]]*(?=\s)"),
    re.compile(r"[,،][»”\"')\]]*(?=\s)"),
)
_BEFORE_WA = re.compile(r"\s(?=و(?:[^\W\d_]|\s))")
_NOT_CONJUNCTION = ("وزير", "وزراء", "وزار", "وكال", "وقت", "وفق", "وسط", "ولاي", "واشنطن")
"""Words that start with و without it being the conjunction: no clause cut before them."""


def split_sentences(text: str) -> list[Span]:
    """Spans of the sentences of one paragraph, surrounding whitespace excluded.

    A sentence ends at . ! ? ؟ … (or a run of them) followed by whitespace or the end;
    closing quotes and brackets after the mark stay with it. Never an end: ، ؛ : ,
    a mark not followed by whitespace (4.5, 12.05.2024, www.example.com), the ".."
    of headlines, a dot inside a link, a dot after an abbreviation (a single letter of
    any script, as in "د." "ج. بوش" "J." "v."; initialisms "ق.م." "U.S." "e.g.";
    "Dr." "Inc." and the like), after the first number of an inline list ("ما يلي: 1. خفض")
    or, after a Latin word, before a lowercase Latin word. An ellipsis ("...",
    "…") ends a sentence only when a closing quote follows it, at the end of the
    paragraph, or before an opening quote (« “ or an opening "). A piece with no
    letter joins a neighbour: punctuation the sentence before, a number ("1.") the
    sentence after.
    Newlines count as plain whitespace.
    """
    links = find_links(text)
    runs = (run for run in _RUN.finditer(text) if _ends_sentence(text, run, links))
    ends = [_take_spaced_closers(text, run.end()) for run in runs]
    return _attach_fragments(text, _cut(text, ends))


def split_clauses(text: str, max_tokens: int, count_tokens: CountTokens) -> list[Span]:
    """Cut a sentence longer than `max_tokens` into the fewest pieces that fit.

    Cuts after ؛ ; first, then after ، , then before a word starting with the
    conjunction و, and last at the whitespace nearest the middle, each level only
    for pieces still too long; clauses are packed greedily. Punctuation stays at the
    end of the left piece. Nothing is dropped: a piece without whitespace that is
    still too long is returned as it is. `count_tokens` maps texts to token counts.
    """
    start, end = strip_span(text, 0, len(text))
    if end == start:
        return []

    def fits(span: Span) -> bool:
        return count_tokens([text[span[0] : span[1]]])[0] <= max_tokens

    return _split_span(text, (start, end), 0, fits)


def segment_blocks(blocks: Sequence[Block]) -> list[Segment]:
    """The segments of every block: headlines and subheadings whole, other blocks by sentence."""
    segments = []
    for index, block in enumerate(blocks):
        if block.role in ("headline", "subheading"):
            start, end = strip_span(block.text, 0, len(block.text))
            spans = [(start, end)] if end > start else []
        else:
            spans = split_sentences(block.text)
        segments += [Segment(index, start, end, block.text[start:end]) for start, end in spans]
    return segments


def _ends_sentence(text: str, run: re.Match, links: list[Span]) -> bool:
    if run.end() < len(text) and not text[run.end()].isspace():
        return False
    marks = run.group()
    if any(c in _STRONG for c in marks):
        return True
    if any(start <= run.start() < end for start, end in links):
        return False
    dots = re.match(r"[.…]+", marks).group()
    if dots == "..":
        return False
    if "…" in dots or len(dots) >= 3:
        return _ends_ellipsis(text, run)
    following = text[run.end() :].lstrip()[:1]
    # a lowercase Latin word opens a sentence after an Arabic word ("أمس. iPhone"), not after a
    # Latin one ("approx. twenty")
    lowercase_after_latin = _LOWERCASE_LATIN.match(following) and not _ARABIC_LETTER.fullmatch(
        _word_before(text, run.start()).rstrip(")»”\"'")[-1:])
    return not (_follows_abbreviation(text, run.start()) or lowercase_after_latin or _numbers_a_list(text, run.start()))


def _ends_ellipsis(text: str, run: re.Match) -> bool:
    """An ellipsis closes a quotation, ends the paragraph, or comes before an opener."""
    if any(c in _CLOSERS for c in run.group()):
        return True
    rest = text[run.end() :].lstrip()
    if not rest:
        return True
    if rest[0] == '"':
        return text[: len(text) - len(rest)].count('"') % 2 == 0
    return rest[0] in _OPENERS


def _follows_abbreviation(text: str, dot: int) -> bool:
    """True when the word before the dot at `dot` is an abbreviation or an initial."""
    word = _ARABIC_CLITIC.sub("", _word_before(text, dot))  # وDr. وU.S.: the conjunction glued to a Latin one
    return bool(
        _SINGLE_LETTER.fullmatch(word) or _INITIALISM.fullmatch(word) or word in LATIN_ABBREVIATIONS
    )


def _numbers_a_list(text: str, dot: int) -> bool:
    """True for the dot of ``1.`` right after a colon (``ما يلي: 1. خفض الضرائب``): the first
    marker of a list run into the paragraph (the later ones open their sentences)."""
    start = _word_start(text, dot)
    return bool(_LIST_NUMBER.fullmatch(text[start:dot])) and text[:start].rstrip().endswith(":")


def _word_before(text: str, dot: int) -> str:
    """The word that ends at `dot`, without harakat, tatweel or opening quotes and brackets."""
    return _MARKS.sub("", text[_word_start(text, dot):dot]).lstrip("«“\"'([")


def _word_start(text: str, end: int) -> int:
    """Where the word that ends at `end` begins: after the whitespace before it, or at 0."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return start


def _take_spaced_closers(text: str, end: int) -> int:
    """Move a sentence end over closing quotes or brackets set off by a space ("نظري. »")."""
    match = _SPACED_CLOSERS.match(text, end)
    if match is None:
        return end
    if match.group(1) == '"' and text[: match.start(1)].count('"') % 2 == 0:
        return end
    return match.end()


def _cut(text: str, ends: list[int]) -> list[Span]:
    spans = []
    start = 0
    for end in [*ends, len(text)]:
        if end <= start:
            continue
        span = strip_span(text, start, end)
        if span[1] > span[0]:
            spans.append(span)
        start = end
    return spans


def _attach_fragments(text: str, spans: list[Span]) -> list[Span]:
    """Join letterless pieces to a neighbour: punctuation backwards, numbers forwards."""
    sentences: list[Span] = []
    carried: int | None = None
    for start, end in spans:
        if carried is not None:
            start, carried = carried, None
        piece = text[start:end]
        if any(c.isalpha() for c in piece):
            sentences.append((start, end))
        elif sentences and not any(c.isdigit() for c in piece):
            sentences[-1] = (sentences[-1][0], end)
        else:
            carried = start
    if carried is not None:
        start = sentences.pop()[0] if sentences else carried
        sentences.append((start, spans[-1][1]))
    return sentences


def _split_span(text: str, span: Span, level: int, fits: Callable[[Span], bool]) -> list[Span]:
    """Split a span at the clause marks of `level` or beyond until every piece fits."""
    if fits(span):
        return [span]
    if level == len(_CLAUSE_ENDS) + 1:
        return _halve(text, span, fits)
    clauses = _cut_clauses(text, span, level)
    if len(clauses) == 1:
        return _split_span(text, span, level + 1, fits)
    pieces = [clauses[0]]
    for clause in clauses[1:]:
        joined = (pieces[-1][0], clause[1])
        if fits(joined):
            pieces[-1] = joined
        else:
            pieces.append(clause)
    return [part for piece in pieces for part in _split_span(text, piece, level + 1, fits)]


def _cut_clauses(text: str, span: Span, level: int) -> list[Span]:
    """Clauses of a span: after ؛/; (level 0), after ،/, (level 1), before a و word (level 2)."""
    start, end = span
    if level < len(_CLAUSE_ENDS):
        cuts = [m.end() for m in _CLAUSE_ENDS[level].finditer(text, start, end)]
    else:
        cuts = [
            m.start()
            for m in _BEFORE_WA.finditer(text, start, end)
            if not text.startswith(_NOT_CONJUNCTION, m.end())
        ]
    return _cut_between(text, start, end, cuts)


def _cut_between(text: str, start: int, end: int, cuts: list[int]) -> list[Span]:
    spans = []
    for cut in [*cuts, end]:
        piece = strip_span(text, start, cut)
        if piece[1] > piece[0]:
            spans.append(piece)
        start = cut
    return spans


def _halve(text: str, span: Span, fits: Callable[[Span], bool]) -> list[Span]:
    """Cut at the whitespace nearest the middle, again and again, until the pieces fit."""
    if fits(span):
        return [span]
    start, end = span
    gaps = [i for i in range(start + 1, end - 1) if text[i].isspace()]
    if not gaps:
        return [span]
    middle = min(gaps, key=lambda i: abs(2 * i - start - end))
    halves = _cut_between(text, start, end, [middle])
    return [part for half in halves for part in _halve(text, half, fits)]
