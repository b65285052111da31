"""Protected spans: every category, and the pieces of split_protected rebuild the text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from translate.protect import find_links, protected_spans, split_protected

SEED = (Path(__file__).parent / "fixtures" / "seed-article.ar.txt").read_text(encoding="utf-8")


def protected(text: str) -> list[str]:
    return [text[start:end] for start, end in protected_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("زوروا https://example.com/a?b=1. ثم", ["https://example.com/a?b=1"]),
        ("الرابط http://x.org/page!", ["http://x.org/page"]),
        ("(انظر https://ar.wikipedia.org/wiki/غزة)، ثم", ["https://ar.wikipedia.org/wiki/غزة"]),
        ("صفحة https://en.wikipedia.org/wiki/Foo_(bar) هنا", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("للمزيد زوروا www.aljazeera.net؛ أو", ["www.aljazeera.net"]),
        ("موقع example.com. ثم", ["example.com"]),
        ("موقع news.bbc.co.uk/arabic اليوم", ["news.bbc.co.uk/arabic"]),
    ],
    ids=["https-dot", "http-exclamation", "arabic-path-in-brackets", "balanced-bracket", "www-semicolon",
         "bare-domain", "bare-domain-path"],
)
def test_urls(text, expected):
    assert protected(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("راسلونا على info@health.gov.sa، أو", ["info@health.gov.sa"]),
        ("البريد first.last+news@mail.example.org.", ["first.last+news@mail.example.org"]),
        ("تابعوا @AJArabic و@UN_News", ["@AJArabic", "@UN_News"]),
        ("وسم #غزة_تحت_القصف و#GazaUnderAttack", ["#غزة_تحت_القصف", "#GazaUnderAttack"]),
        ("الرقم #1 في الترتيب", []),
    ],
    ids=["email", "email-dots-plus", "handles", "hashtags", "hash-number"],
)
def test_mail_handles_hashtags(text, expected):
    assert protected(text) == expected


def test_links_alone():
    text = "تابعوا @x على www.site.com وراسلوا a@b.org مع BBC"
    assert [text[s:e] for s, e in find_links(text)] == ["www.site.com", "a@b.org"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA= جزيرة ام اند امز GB",
            ["aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA=", "GB"],
        ),
        ("المعرّف ٣ 9f86d081884c7d659a2feaa0c55ad015 انتهى", ["9f86d081884c7d659a2feaa0c55ad015"]),
        ("الرمز QUJDREVGR0hJSktMTU5PUA== فقط", ["QUJDREVGR0hJSktMTU5PUA=="]),
    ],
    ids=["seed-base64", "hex", "base64-padding"],
)
def test_blobs(text, expected):
    assert protected(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال Dr. John Smith إن", ["Dr. John Smith"]),
        ("شبكة BBC News اليوم", ["BBC News"]),
        ("فيروس COVID-19 انتشر", ["COVID-19"]),
        ("في U.S. ثم", ["U.S."]),
        ('شركة "HK Management Inc." سبب', ["HK Management Inc."]),
        ("طائرة Boeing 737 MAX سقطت", ["Boeing 737 MAX"]),
        ("مطعم Barnes & Noble وO'Brien", ["Barnes & Noble", "O'Brien"]),
        ("قالت CNN. ثم", ["CNN"]),
        ("قناة Õ/õ الجديدة", ["Õ/õ"]),
    ],
    ids=["name-with-title", "brand", "hyphen-number", "initialism-dot", "inc-dot", "number-inside",
         "ampersand-apostrophe", "no-final-dot", "latin-1-letters"],
)
def test_latin_runs(text, expected):
    assert protected(text) == expected


@pytest.mark.parametrize("text", ["في عام 2022 قتل 1,200 شخص", "الساعة ٩:٣٠ و4.5%", "قال الرئيس"])
def test_numbers_and_arabic_are_not_protected(text):
    assert protected_spans(text) == []


@pytest.mark.parametrize("text", ["- خفض الضرائب", "• دعم الصادرات"])
def test_a_list_bullet_is_kept(text):
    assert protected_spans(text) == [(0, 1)]
    assert protected_spans("خفض - الضرائب") == []


def test_split_protected_pieces():
    text = 'قالت "BBC": الخبر aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA= جزيرة GB.'
    pieces = [(text[s:e], p) for s, e, p in split_protected(text)]
    assert pieces == [
        ("قالت", False),
        ('"BBC":', True),
        ("الخبر", False),
        ("aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA=", True),
        ("جزيرة", False),
        ("GB.", True),
    ]


def test_split_protected_keeps_prefixes_and_spaced_digits_apart():
    text = "وCOVID-19 في 2022 ، @x"
    pieces = [(text[s:e], p) for s, e, p in split_protected(text)]
    assert pieces == [("و", False), ("COVID-19", True), ("في 2022 ،", False), ("@x", True)]


def test_split_protected_plain_text_is_one_piece():
    assert split_protected("  قال الرئيس.  ") == [(2, 13, False)]
    assert split_protected("   ") == []


VOCABULARY = [
    "قال", "الرئيس", "و", "غزة", "BBC", "News", "Dr.", "U.S.", "COVID-19", "4.5", "2022", "٢٠٢٢",
    "https://a.org/x?y=1", "www.b.com", "c.net", "a@b.com", "@UN", "#غزة", "#Gaza",
    "aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA=", "deadbeef0123456789",
    ".", ",", "،", "؛", ":", "!", "؟", "(", ")", "«", "»", '"', "'", "-", "&", "/",
]


@pytest.mark.parametrize("seed", range(300))
def test_random_text_rebuilds(seed):
    rng = random.Random(seed)
    words = rng.choices(VOCABULARY, k=rng.randint(0, 30))
    text = "".join(word + rng.choice(["", " ", " ", "  ", "\t"]) for word in words)
    spans = protected_spans(text)
    assert all(start < end for start, end in spans)
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))
    pieces = split_protected(text)
    position = 0
    for start, end, _ in pieces:
        assert text[position:start].strip() == ""
        assert start < end and text[start:end] == text[start:end].strip()
        position = end
    assert text[position:].strip() == ""
    for start, end in spans:
        assert any(p and s <= start and end <= e for s, e, p in pieces)


def test_seed_article_chrome():
    chrome = SEED.splitlines()[37]
    assert protected(chrome) == ["aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA=", "GB"]
    assert protected(SEED.splitlines()[41]) == []
