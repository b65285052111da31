"""The sentence splitter against a golden table of real Arabic news paragraphs, plus rebuild properties.

tests/fixtures/splitter_golden.jsonl holds one case a line: `paragraph`, expected
`sentences`, `source` and, for known-hard cases, an `xfail` reason. FLORES-200 cases
(CC BY-SA 4.0) are consecutive dev sentences of one source article joined with a space.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from translate.segment import SPLITTER_VERSION, segment_blocks, split_clauses, split_sentences
from translate.types import Block

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = [json.loads(line) for line in (FIXTURES / "splitter_golden.jsonl").read_text(encoding="utf-8").splitlines()]
GOLDEN_IDS = [case["id"] for case in GOLDEN]

VOCABULARY = [
    "قال", "الرئيس", "وقال", "و", "إن", "المفاوضات", "غزة", "بوتين", "د.", "م.", "ج.", "ق.م.", "هـ.",
    "4.5", "٤٫٥", "4,5", "9:30", "12.05.2024", "2022", "١٢", "U.S.", "Dr.", "e.g.", "BBC", "v.",
    "www.example.com", "https://a.org/x?y=1", "a@b.com", "#غزة", "@UN",
    ".", "..", "...", "…", "؟", "?", "!", "?!", "،", ",", "؛", ";", ":", "«", "»", "“", "”", '"', "'",
    "(", ")", "[", "]", "-", "*", "٪",
]
SEPARATORS = ["", " ", " ", " ", "  ", "\t", "\u00a0"]


def random_paragraph(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, k=rng.randint(0, 40))
    return "".join(word + rng.choice(SEPARATORS) for word in words)


RANDOM_PARAGRAPHS = [random_paragraph(random.Random(seed)) for seed in range(400)]


def count_words(texts: list[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def assert_rebuilds(text: str, spans: list[tuple[int, int]]) -> None:
    """Spans in order, trimmed, with only whitespace around and between them."""
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""
        assert text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""


def golden_cases():
    for case in GOLDEN:
        marks = [pytest.mark.xfail(strict=False, reason=case["xfail"])] if "xfail" in case else []
        yield pytest.param(case["paragraph"], case["sentences"], id=case["id"], marks=marks)


@pytest.mark.parametrize(("paragraph", "expected"), list(golden_cases()))
def test_golden(paragraph, expected):
    assert [paragraph[start:end] for start, end in split_sentences(paragraph)] == expected


def test_golden_table_is_sound():
    assert len(GOLDEN_IDS) >= 60
    assert len(set(GOLDEN_IDS)) == len(GOLDEN_IDS)
    for case in GOLDEN:
        assert " ".join(case["sentences"]) == case["paragraph"], case["id"]


@pytest.mark.parametrize("paragraph", [case["paragraph"] for case in GOLDEN], ids=GOLDEN_IDS)
def test_golden_paragraphs_rebuild(paragraph):
    spans = split_sentences(paragraph)
    assert_rebuilds(paragraph, spans)
    assert all(any(c.isalnum() for c in paragraph[start:end]) for start, end in spans)


@pytest.mark.parametrize("paragraph", RANDOM_PARAGRAPHS)
def test_random_paragraphs_rebuild(paragraph):
    spans = split_sentences(paragraph)
    assert_rebuilds(paragraph, spans)
    if any(c.isalnum() for c in paragraph):
        assert all(any(c.isalnum() for c in paragraph[start:end]) for start, end in spans)


def test_rebuild_keeps_outer_whitespace_out():
    text = "  قال الرئيس.  وأضاف: نعم!  "
    assert [text[s:e] for s, e in split_sentences(text)] == ["قال الرئيس.", "وأضاف: نعم!"]


def test_blank_and_markless_paragraphs():
    assert split_sentences("") == []
    assert split_sentences("   ") == []
    assert split_sentences(" *** ") == [(1, 4)]


def test_splitter_version_is_a_string():
    assert isinstance(SPLITTER_VERSION, str) and SPLITTER_VERSION


LONG = (
    "وقال المتحدث باسم الوزارة إن المفاوضات مستمرة منذ أسابيع؛ "
    "لكن الطرفين لم يتفقا بعد على جدول زمني، ولا على آلية للمراقبة، "
    "وأضاف أن الوسطاء سيعودون إلى المنطقة الأسبوع المقبل وسيلتقون بالقادة في العاصمة."
)


def test_split_clauses_leaves_a_short_sentence_whole():
    assert split_clauses("  قال الرئيس.  ", 10, count_words) == [(2, 13)]


def test_split_clauses_cuts_at_the_semicolon_first():
    pieces = [LONG[s:e] for s, e in split_clauses(LONG, 25, count_words)]
    assert pieces == [LONG[: LONG.index("؛") + 1], LONG[LONG.index("؛") + 2 :]]


def test_split_clauses_packs_commas_greedily():
    pieces = [LONG[s:e] for s, e in split_clauses(LONG, 14, count_words)]
    assert pieces[0].endswith("؛")
    assert pieces[1] == "لكن الطرفين لم يتفقا بعد على جدول زمني، ولا على آلية للمراقبة،"
    assert all(n <= 14 for n in count_words(pieces))


def test_split_clauses_cuts_before_wa_then_in_the_middle():
    spans = split_clauses(LONG, 6, count_words)
    pieces = [LONG[s:e] for s, e in spans]
    assert_rebuilds(LONG, spans)
    assert "وسيلتقون بالقادة في العاصمة." in pieces
    assert all(n <= 6 for n in count_words(pieces))


def test_split_clauses_halves_text_without_marks():
    text = " ".join(f"كلمة{i}" for i in range(25))
    spans = split_clauses(text, 10, count_words)
    assert_rebuilds(text, spans)
    assert all(n <= 10 for n in count_words([text[s:e] for s, e in spans]))


def test_split_clauses_never_truncates_a_long_word():
    text = "ا" * 50
    assert split_clauses(text, 0, count_words) == [(0, 50)]


@pytest.mark.parametrize("paragraph", RANDOM_PARAGRAPHS[:200])
def test_split_clauses_rebuilds_and_fits(paragraph):
    limit = len(paragraph) % 7 + 1
    spans = split_clauses(paragraph, limit, count_words)
    assert_rebuilds(paragraph, spans)
    for start, end in spans:
        piece = paragraph[start:end]
        assert count_words([piece])[0] <= limit or not any(c.isspace() for c in piece)


def test_segment_blocks_keeps_headlines_and_subheadings_whole():
    blocks = [
        Block("headline", " روسيا وكوريا الشمالية.. العلاقات. نحو «حقبة جديدة»؟ نعم ", 3),
        Block("body", "قال د. محمد إن النمو بلغ 4.5%. وأضاف أن الحكومة ستتدخل.", 6),
        Block("subheading", "استقبال حافل. لبوتين في كوريا الشمالية", 20),
        Block("body", "   ", 22),
        Block("body", "هل تنجح المفاوضات؟ يقول مراقبون إن الفرص ضئيلة.", 24),
    ]
    segments = segment_blocks(blocks)
    assert [(s.block, s.text) for s in segments] == [
        (0, "روسيا وكوريا الشمالية.. العلاقات. نحو «حقبة جديدة»؟ نعم"),
        (1, "قال د. محمد إن النمو بلغ 4.5%."),
        (1, "وأضاف أن الحكومة ستتدخل."),
        (2, "استقبال حافل. لبوتين في كوريا الشمالية"),
        (4, "هل تنجح المفاوضات؟"),
        (4, "يقول مراقبون إن الفرص ضئيلة."),
    ]
    assert all(s.text == blocks[s.block].text[s.start : s.end] for s in segments)


@pytest.mark.parametrize("text", [
    "التقى الوزير بالسفير الأمريكي وDr. John Smith في القاهرة أمس.",
    "وقالت الخارجية إن العلاقات مع وU.S. Army قوية.",
])
def test_a_latin_abbreviation_after_the_conjunction_does_not_end_a_sentence(text):
    assert [s.text for s in segment_blocks((Block("body", text),))] == [text]
