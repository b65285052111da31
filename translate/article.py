"""Structure of a scraped news page: headline, subheadings, body paragraphs and site chrome.

Scraped pages put one paragraph per line, so every non-empty line is one block. The
rules are small named predicates over one line (``is_boilerplate``, ``is_page_meta``,
``looks_like_headline``, ...) and a few passes that use them in page order. Phrase
lists are data: extend the tuples below; they are matched on folded text (no
diacritics or tatweel, one alef, ``ى`` as ``ي``, ``ة`` as ``ه``, no punctuation).
"""

from __future__ import annotations

import re
from typing import Literal, get_args

from translate.errors import ConfigError
from translate.protect import LIST_MARKER
from translate.types import Article, Block, Role

HeadlineMode = Literal["auto", "first-line", "none"]
HEADLINE_MODES: tuple[str, ...] = get_args(HeadlineMode)
MIN_HEADLINE_WORDS = 3
MAX_HEADLINE_WORDS = 25
MAX_SUBHEADING_WORDS = 12
PARAGRAPH_WORDS = 15
"""A line this long is a real paragraph whatever its last character."""
MAX_CHROME_OPENER_WORDS = 20

CHROME_LINES = (
    "شارك", "مشاركة", "شارك هذا المقال", "شارك الخبر", "شارك المقال", "طباعة", "تعليقات",
    "التعليقات", "اترك تعليقاً", "أضف تعليق", "أضف تعليقاً", "اترك رداً", "زر الذهاب إلى الأعلى",
    "الذهاب إلى الأعلى", "العودة للأعلى", "العودة إلى الأعلى", "مواضيع ذات صلة", "مقالات ذات صلة",
    "أخبار ذات صلة", "الأكثر قراءة", "الأكثر مشاهدة", "تابعونا", "تابعنا", "اشترك",
    "فيسبوك", "تويتر", "واتساب", "تيليجرام", "لينكدإن", "إنستغرام", "Share", "Tweet", "Print",
    "Facebook", "Twitter", "WhatsApp", "Telegram", "Related", "Related articles", "Back to top",
    "Leave a comment", "Leave a reply", "تخطى إلى المحتوى", "تخطي إلى المحتوى", "انتقل إلى المحتوى",
    "تجاوز إلى المحتوى", "Skip to content", "Skip to main content", "موافق", "أوافق", "قبول",
    "قبول الكل", "Accept", "Accept all",
)
"""Chrome when the whole line is the phrase (``اقرأ أيضا`` and ``اقرأ أيضاً:`` fold alike)."""

CHROME_OPENERS = (
    "تابعونا على", "تابعنا على", "تابعوا", "اشترك في النشرة", "اشترك في نشرتنا", "اشترك الآن",
    "شارك على", "شارك عبر", "اقرأ أيضاً", "اقرأ المزيد", "للمزيد من الأخبار",
    "Follow us", "Subscribe", "Share on", "Read more",
)
"""Chrome when a short line (up to MAX_CHROME_OPENER_WORDS words) is or starts with the phrase."""

CHROME_NOTICES = (
    "لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها",
    "احفظ اسمي، بريدي الإلكتروني", "Your email address will not be published",
)
"""Chrome when a line of any length starts with the phrase (comment-form notices)."""

COOKIE_NOTICES = (
    "ملفات تعريف الارتباط", "ملفات الارتباط", "الكوكيز", "cookies",
)
"""Chrome in a line shorter than a paragraph and opening a cookie banner (``نستخدم ...``)."""
COOKIE_OPENERS = ("نستخدم", "يستخدم", "هذا الموقع", "موقعنا", "باستخدامك", "We use", "This website", "This site")

SECTION_LABELS = (
    "اقرأ أيضا", "اقرأ المزيد", "مواضيع ذات صلة", "مقالات ذات صلة", "أخبار ذات صلة", "ذات صلة",
    "الأكثر قراءة", "الأكثر مشاهدة", "الأكثر تداولا", "قصص مقترحة", "مقترحات", "شاهد أيضا",
    "الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "Related", "Related articles",
    "Read more", "Read also", "More stories", "Most read", "Tags",
)
"""A whole line that opens a block of links or tags: the short lines after it, up to the
next sentence, are chrome too (the related headlines under ``اقرأ أيضا``)."""

SITE_NAMES = (
    "الجزيرة", "الجزيرة نت", "سكاي نيوز عربية", "بي بي سي عربي", "BBC News عربي", "BBC عربي",
    "الشرق الأوسط", "جريدة الشرق الأوسط", "العربية", "العربية نت", "الأهرام", "بوابة الأهرام",
    "اليوم السابع", "المصري اليوم", "الشروق", "روسيا اليوم", "RT Arabic", "فرانس 24",
    "سي إن إن بالعربية", "CNN بالعربية", "الحرة", "عربي 21", "عربي21", "اندبندنت عربية",
    "العربي الجديد", "القدس العربي", "سبوتنيك عربي", "يورونيوز", "دويتشه فيله", "DW عربية",
)
"""A whole line naming the site: chrome wherever it is."""

COPYRIGHT_MARKS = ("©", "جميع الحقوق محفوظة", "حقوق النشر محفوظة", "All rights reserved", "Copyright")
"""Chrome anywhere in a line shorter than a paragraph."""

TAG_LABELS = ("الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "Tags")
"""Chrome as ``LABEL:`` at the start of a line."""
SOURCE_LABELS = ("المصدر", "المصادر", "Source")
"""Chrome as ``LABEL:`` at the start of a line shorter than a paragraph (``المصدر: الجزيرة + وكالات``)."""

SITE_LABEL_OPENERS = ("أخبار",)
"""A line of up to three words starting with one of these, before the headline, is a site label."""

HOME_LABELS = ("الرئيسية", "الصفحة الرئيسية", "Home")
BYLINE_OPENERS = (
    "بقلم", "كتب", "كتبت", "بواسطة", "تحرير", "إعداد", "نشر في", "نشر بتاريخ", "آخر تحديث",
    "By", "Posted", "Published", "Updated",
)
DATE_WORDS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يونيه", "يوليو", "يوليه", "أغسطس",
    "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين", "الثاني", "الأول", "السبت", "الأحد", "الاثنين", "الثلاثاء",
    "الأربعاء", "الخميس", "الجمعة", "نشر", "في", "بتاريخ", "تاريخ", "النشر", "آخر", "تحديث",
    "الساعة", "منذ", "ساعة", "ساعات", "دقيقة", "دقائق", "يوم", "أيام", "ص", "م", "صباحاً", "مساءً",
    "هـ", "GMT", "am", "pm", "on", "Published", "Updated", "January", "February", "March", "April",
    "May", "June", "July", "August", "September", "October", "November", "December", "Saturday",
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
)
"""Months, weekdays and the words around a date: a dateline is digits and these (one other word)."""

HEADLINE_STOPS = ".…;؛:،,"
"""A headline may end with ? ؟ ! but not with these."""
SENTENCE_STOPS = ".!?؟…"
SUBHEADING_STOPS = HEADLINE_STOPS + "!?؟"
_CLOSERS = "»”\"'’)]›"

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTER_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_NON_WORD = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")
_CRUMB_SEPARATOR = re.compile(r"\s([>›»/|\\<‹«])\s")
_TOKEN = re.compile(r"[A-Za-z0-9+/=]{20,}")
_HEX = re.compile(r"[0-9a-fA-F]{20,}")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_URL = re.compile(r"(?:https?://|www\.)\S+")


def fold(text: str) -> str:
    """Text reduced for phrase matching: no diacritics, one alef, no punctuation, lower case."""
    text = _DIACRITICS.sub("", text).translate(_LETTER_FOLDS).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def _fold_all(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(p) for p in phrases)


_CHROME_LINES = frozenset(_fold_all(CHROME_LINES))
_CHROME_OPENERS = _fold_all(CHROME_OPENERS)
_CHROME_NOTICES = _fold_all(CHROME_NOTICES)
_COPYRIGHT_MARKS = tuple(zip(COPYRIGHT_MARKS, _fold_all(COPYRIGHT_MARKS)))
_TAG_LABELS = re.compile(r"^(?:%s)\s*:" % "|".join(map(re.escape, TAG_LABELS)), re.IGNORECASE)
_SOURCE_LABELS = re.compile(r"^(?:%s)\s*:" % "|".join(map(re.escape, SOURCE_LABELS)), re.IGNORECASE)
_COOKIE_NOTICES = _fold_all(COOKIE_NOTICES)
_COOKIE_OPENERS = _fold_all(COOKIE_OPENERS)
_SECTION_LABELS = frozenset(_fold_all(SECTION_LABELS))
_SITE_NAMES = frozenset(_fold_all(SITE_NAMES))
_SITE_LABEL_OPENERS = _fold_all(SITE_LABEL_OPENERS)
_HOME_LABELS = _fold_all(HOME_LABELS)
_BYLINE_OPENERS = _fold_all(BYLINE_OPENERS)
_BYLINE_COLON = re.compile(r"^(?:%s)\s*:" % "|".join(map(re.escape, BYLINE_OPENERS)), re.IGNORECASE)
MAX_BYLINE_NAME_WORDS = 4
"""``كتب محمد عبد الله``: without a colon, a byline word is followed by a name of this many words at most."""
_DATE_WORDS = frozenset(_fold_all(DATE_WORDS))


def _starts_with_any(folded: str, phrases: tuple[str, ...]) -> bool:
    return any(folded == p or folded.startswith(p + " ") for p in phrases)


def _last_char(line: str) -> str:
    """The line's last character, closing quotes and brackets skipped."""
    return line.rstrip().rstrip(_CLOSERS + " ")[-1:]


def _word_count(line: str) -> int:
    return len(line.split())


def has_tracking_token(line: str) -> bool:
    """A long base64 or hex blob (analytics or IP tracking) among the line's words; not a
    product code (``Galaxy-S24-Ultra``) or an IBAN (capitals and digits)."""
    return any(_is_tracking_token(w) for w in line.split())


def _is_tracking_token(word: str) -> bool:
    if _HEX.fullmatch(word):
        return bool(re.search("[a-fA-F]", word) and _DIGIT.search(word))
    return bool(_TOKEN.fullmatch(word) and _DIGIT.search(word) and re.search("[a-z]", word)
                and re.search("[A-Z]", word))


def has_copyright(line: str) -> bool:
    """A copyright footer: ``©``, or a copyright phrase opening or closing the line or beside a
    year (``جميع الحقوق محفوظة لموقع ...``); not a sentence that mentions copyright."""
    if "©" in line:
        return True
    folded = fold(line)
    padded = f" {folded} "
    for mark, phrase in _COPYRIGHT_MARKS:
        if phrase and f" {phrase} " in padded and (
            folded.startswith(phrase) or folded.endswith(phrase) or _YEAR.search(line)
        ):
            return True
    return False


def is_boilerplate(line: str) -> bool:
    """Site chrome, whatever its place on the page: comment forms, share prompts, copyright..."""
    folded = fold(line)
    words = len(folded.split())
    if not folded or folded in _CHROME_LINES or _URL.fullmatch(line.strip()):
        return True
    if folded in _SECTION_LABELS or folded in _SITE_NAMES:
        return True
    if _starts_with_any(folded, _CHROME_NOTICES) or _TAG_LABELS.match(line.strip()):
        return True
    if words < PARAGRAPH_WORDS and (_SOURCE_LABELS.match(line.strip()) or is_cookie_notice(folded)):
        return True
    if words <= MAX_CHROME_OPENER_WORDS and _starts_with_any(folded, _CHROME_OPENERS):
        return True
    if words < PARAGRAPH_WORDS and has_copyright(line):
        return True
    return has_tracking_token(line) and not looks_like_paragraph(line)  # an IBAN in a sentence is content


def is_cookie_notice(folded: str) -> bool:
    return _starts_with_any(folded, _COOKIE_OPENERS) and any(f" {c} " in f" {folded} " for c in _COOKIE_NOTICES)


def is_section_label(line: str) -> bool:
    """``اقرأ أيضا``, ``الأكثر قراءة``, ``الوسوم``: a line that opens a block of links or tags."""
    return fold(line) in _SECTION_LABELS


def is_breadcrumb(line: str) -> bool:
    """``الرئيسية > أخبار > سياسة`` or ``Home / News``: short parts between spaced separators,
    one separator throughout (``يعلن « حقبة جديدة » مع`` is a quotation)."""
    pieces = _CRUMB_SEPARATOR.split(line.strip())
    parts, separators = pieces[::2], set(pieces[1::2])
    if len(separators) > 1:
        return False
    sizes = [_word_count(p) for p in parts]
    if len(parts) >= 3 and max(sizes) <= 4 or len(parts) == 2 and max(sizes) <= 2:
        return True
    return len(parts) >= 2 and _starts_with_any(fold(parts[0]), _HOME_LABELS)


def is_dateline(line: str) -> bool:
    """A date or time, with at most one word that is not a month, weekday or date word."""
    words = fold(line).split()
    if not _DIGIT.search(line) or len(words) > 12:
        return False
    return sum(1 for w in words if not _DIGIT.search(w) and w not in _DATE_WORDS) <= 1


def is_byline(line: str) -> bool:
    """``بقلم: محمد علي``, ``كتب محمد عبد الله``, ``By Jane Doe``: a byline word then a colon or
    a name of a few words; not a sentence (``كتب الرئيس على منصة إكس: سنعزز التعاون.`` is a
    lead) nor a standfirst (``تحرير سعر صرف الجنيه يدخل حيز التنفيذ``)."""
    words = _word_count(line)
    if words > 10 or looks_like_paragraph(line):
        return False
    if _BYLINE_COLON.match(line.strip()):
        return True
    folded = fold(line)
    opener = next((p for p in _BYLINE_OPENERS if folded == p or folded.startswith(p + " ")), None)
    return opener is not None and words - len(opener.split()) <= MAX_BYLINE_NAME_WORDS


def is_page_meta(line: str) -> bool:
    """Breadcrumbs, dates and bylines: page furniture around the headline."""
    return is_breadcrumb(line) or is_dateline(line) or is_byline(line)


def is_site_label(line: str) -> bool:
    """A site name or category label (``اخبار لايف``, ``سياسة``): too short to be a headline."""
    words = _word_count(line)
    return words < MIN_HEADLINE_WORDS or (
        words <= 3 and _starts_with_any(fold(line), _SITE_LABEL_OPENERS))


def looks_like_headline(line: str) -> bool:
    """Three to 25 words with no final stop but ? ! or an ellipsis (``... مجددا...``), not chrome."""
    return (
        MIN_HEADLINE_WORDS <= _word_count(line) <= MAX_HEADLINE_WORDS
        and (_last_char(line) not in HEADLINE_STOPS or _ends_with_ellipsis(line))
        and not (is_boilerplate(line) or is_page_meta(line) or is_site_label(line))
    )


def _ends_with_ellipsis(line: str) -> bool:
    return line.rstrip().rstrip(_CLOSERS + " ").endswith(("...", "…"))


def looks_like_subheading(line: str) -> bool:
    """Short, with no final stop, not a list item; a subheading only where the article has body text."""
    short = _word_count(line) <= MAX_SUBHEADING_WORDS
    return (short and _last_char(line) not in SUBHEADING_STOPS and not LIST_MARKER.match(line)
            and not is_boilerplate(line))


def looks_like_paragraph(line: str) -> bool:
    """A real paragraph: long, or a sentence of a few words ending with a stop."""
    words = _word_count(line)
    return words >= PARAGRAPH_WORDS or (words >= 4 and _last_char(line) in SENTENCE_STOPS)


def find_headline(lines: list[str], mode: str) -> int | None:
    """Index of the headline (auto mode): the first headline-like line before any body text;
    without one, a two-word line that is the last before the body and no known label
    (``زلزال مدمر``: a short headline is not lost, a label at worst translated)."""
    if mode != "auto":
        return 0 if mode == "first-line" and lines else None
    short = None
    for i, line in enumerate(lines):
        if looks_like_headline(line):
            return i
        if not (is_boilerplate(line) or is_page_meta(line) or is_site_label(line)):
            return short
        short = i if is_short_headline(line) else None
    return None


def is_short_headline(line: str) -> bool:
    return (_word_count(line) == MIN_HEADLINE_WORDS - 1 and _last_char(line) not in HEADLINE_STOPS
            and not (is_boilerplate(line) or is_page_meta(line))
            and not _starts_with_any(fold(line), _SITE_LABEL_OPENERS + _HOME_LABELS))


def mark_header(lines: list[str], roles: list[Role | None], mode: str) -> int:
    """Mark the headline and the page furniture around it; return the index of the first body
    line. Breadcrumbs, dates and bylines are furniture anywhere before the first paragraph
    (``القاهرة - أ ش أ`` between the headline and the date stays body)."""
    at = find_headline(lines, mode)
    drop_labels = mode == "auto" and at is None
    start = 0
    if at is not None:
        roles[:at] = ["boilerplate"] * at
        roles[at] = "headline"
        start = at + 1
    while start < len(lines) and (
        is_boilerplate(lines[start]) or is_page_meta(lines[start])
        or (drop_labels and is_site_label(lines[start]))
    ):
        roles[start] = "boilerplate"
        start += 1
    for i in range(start, len(lines)):
        if looks_like_paragraph(lines[i]):
            break
        if is_page_meta(lines[i]):
            roles[i] = "boilerplate"
    return start


def find_trailing_chrome(lines: list[str], start: int) -> int:
    """Index of the footer: the first chrome line after the last real paragraph when every
    line from there on is chrome or a menu link (``من نحن``, ``اتصل بنا``); else len(lines),
    and only the chrome lines of the page's end are dropped."""
    first = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        if is_boilerplate(lines[i]):
            first = i
        elif looks_like_paragraph(lines[i]):
            break
    footer = lines[first:]
    if all(is_boilerplate(line) or is_menu_link(line) for line in footer):
        return first
    return len(lines)


MAX_MENU_LINK_WORDS = 3


def is_menu_link(line: str) -> bool:
    """``من نحن``, ``البريد الإلكتروني *``: a few words, no digits, not a list item."""
    return (len(fold(line).split()) <= MAX_MENU_LINK_WORDS and not LIST_MARKER.match(line)
            and not _DIGIT.search(line))


def mark_link_blocks(lines: list[str], roles: list[Role | None], start: int) -> None:
    """After a section label (``اقرأ أيضا``, ``الوسوم``), the short lines up to the next
    sentence or long paragraph are links or tags: chrome."""
    inside = False
    for i in range(start, len(lines)):
        line = lines[i]
        if is_section_label(line):
            inside = True
        elif inside and (_word_count(line) >= PARAGRAPH_WORDS or _last_char(line) in ".…:"):
            inside = False
        elif inside:
            roles[i] = "boilerplate"


def assign_roles(lines: list[str], mode: str) -> list[Role]:
    """The role of each non-empty line, in page order."""
    roles: list[Role | None] = [None] * len(lines)
    start = mark_header(lines, roles, mode)
    footer = find_trailing_chrome(lines, start)
    mark_link_blocks(lines, roles, start)
    for i in range(start, len(lines)):
        if i >= footer or is_boilerplate(lines[i]):
            roles[i] = "boilerplate"
    candidates = {i for i in range(start, len(lines))
                  if roles[i] is None and looks_like_subheading(lines[i])}
    has_body = any(roles[i] is None and i not in candidates for i in range(start, len(lines)))
    for i in candidates if has_body else ():
        roles[i] = "subheading"
    return [role or "body" for role in roles]


def split_lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines, stripped, with their 1-based line numbers (\\n, \\r\\n or \\r ends a line)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(n, line.strip()) for n, line in enumerate(raw, 1) if line.strip()]


def check_headline_mode(mode: str) -> None:
    if mode not in HEADLINE_MODES:
        raise ConfigError(f"unknown headline mode {mode!r}; use one of: {', '.join(HEADLINE_MODES)}")


def detect_structure(text: str, *, id: str = "", headline: str = "auto") -> Article:
    """The page's blocks in document order, each with its role and 1-based input line.

    ``headline``: ``auto`` (the first headline-like line before the body, site labels
    and breadcrumbs before it dropped), ``first-line`` or ``none``.
    """
    check_headline_mode(headline)
    numbered = split_lines(text)
    roles = assign_roles([line for _, line in numbered], headline)
    blocks = tuple(Block(role, line, n) for (n, line), role in zip(numbered, roles))
    return Article(id=id, blocks=blocks)
