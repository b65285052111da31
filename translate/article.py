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
MAX_COOKIE_NOTICE_WORDS = 40
MAX_SOCIAL_PROMPT_WORDS = 6
MAX_MENU_LINK_WORDS = 3
MAX_DATELINE_WORDS = 16
MAX_BYLINE_NAME_WORDS = 4
"""``بقلم محمد عبد الله``: without a colon, a byline word is followed by a name of this many words at most."""

# Losing a real line of the article is worse than translating a line of chrome: a list item,
# or a line that reads as a sentence, is never taken for chrome by the phrase rules below
# (but for the comment-form notices and a © line).

CHROME_LINES = (
    "شارك", "مشاركة", "شارك هذا المقال", "شارك الخبر", "شارك المقال", "طباعة", "تابعونا", "تابعنا", "اشترك",
    "فيسبوك", "تويتر", "واتساب", "تيليجرام", "لينكدإن", "إنستغرام", "Share", "Tweet", "Print",
    "Facebook", "Twitter", "WhatsApp", "Telegram", "تخطى إلى المحتوى", "تخطي إلى المحتوى",
    "انتقل إلى المحتوى", "تجاوز إلى المحتوى", "Skip to content", "Skip to main content",
    "قبول الكل", "Accept all", "حجم الخط", "استمع للمقال", "A+ A-", "النهاية", "إعلان", "Advertisement", "انسخ الرابط", "نسخ الرابط", "حفظ", "استمع",
    "البودكاست", "تخطى البودكاست وواصل القراءة", "نهاية", "انتهى", "X", "LinkedIn", "Instagram",
    "YouTube", "يوتيوب", "محتوى مدعوم", "إعلانات", "تابع القراءة أسفل الإعلان", "أدخل بريدك الإلكتروني",
    "ابحث في الموقع", "Getty Images", "شارك هذا الخبر", "مشاركة الخبر", "الإعلانات", "إعلان تجاري",
    "صورة أرشيفية", "صورة تعبيرية", "شارك عبر",
)
"""Chrome when the whole line is the phrase (``اقرأ أيضا`` and ``اقرأ أيضاً:`` fold alike)."""

TOP_LINES = ("زر الذهاب إلى الأعلى", "الذهاب إلى الأعلى", "العودة للأعلى", "العودة إلى الأعلى", "الرجوع للأعلى",
             "الرجوع إلى الأعلى", "Back to top")
"""Chrome when the whole line is the phrase; like a copyright line, it tells a page's footer."""

COMMENT_LINES = (
    "تعليقات", "التعليقات", "اترك تعليقاً", "أضف تعليق", "أضف تعليقاً", "أضف تعليقك", "اترك رداً",
    "تعليقات القراء", "لا توجد تعليقات", "التعليقات مغلقة", "Leave a comment", "Leave a reply",
)
"""Chrome when the whole line is the phrase; like a copyright line, it tells a page's footer."""

CHROME_OPENERS = (
    "تابعونا على", "تابعنا على", "اشترك في النشرة", "اشترك في نشرتنا", "اشترك الآن", "اقرأ أيضاً",
    "اقرأ المزيد", "شاهد أيضا", "طالع أيضا", "للمزيد من الأخبار", "مصدر الصورة", "حقوق الصورة", "مدة القراءة",
    "وقت القراءة", "الرابط المختصر", "رابط مختصر", "اضغط هنا", "للاشتراك في", "اشترك في قناة", "حمل تطبيق",
    "Follow us", "Subscribe", "Share on", "Read more",
)
"""Chrome when a short line (up to MAX_CHROME_OPENER_WORDS words, not a sentence) is or starts with the phrase."""

SOCIAL_OPENERS = ("تابعوا", "تابعونا", "شارك على", "شارك عبر", "شاركوا")
SOCIAL_NAMES = (
    "فيسبوك", "فيس بوك", "تويتر", "إكس", "X", "واتساب", "تيليجرام", "تلغرام", "إنستغرام", "انستغرام",
    "يوتيوب", "تيك توك", "لينكدإن", "البريد الإلكتروني", "Facebook", "Twitter", "WhatsApp", "Telegram",
)
"""``تابعوا`` and ``شارك عبر`` open sentences too: chrome only beside a network's name (``شارك عبر واتساب``)."""
OWN_CHANNELS = ("حساباتنا", "صفحاتنا", "قناتنا", "حسابنا", "صفحتنا")
"""The site's own accounts: ``تابعوا آخر الأخبار عبر حساباتنا على منصات التواصل الاجتماعي`` is a
prompt though it names no network and runs past ``MAX_SOCIAL_PROMPT_WORDS``."""

CHROME_NOTICES = (
    "لن يتم نشر عنوان بريدك الإلكتروني", "الحقول الإلزامية مشار إليها",
    "احفظ اسمي، بريدي الإلكتروني", "Your email address will not be published",
)
"""Chrome when a line of any length starts with the phrase (comment-form notices)."""

COOKIE_OPENERS = (
    "نستخدم", "نحن نستخدم", "يستخدم هذا الموقع", "يستخدم موقعنا", "باستخدامك هذا الموقع",
    "باستخدامك لهذا الموقع", "We use", "This website uses", "This site uses",
)
COOKIE_WORDS = ("ملفات تعريف الارتباط", "ملفات الارتباط", "الكوكيز", "cookies")
BANNER_WORDS = ("تجربتك", "تجربة المستخدم", "توافق", "موافقتك", "بالموافقة", "سياسة الخصوصية", "experience",
                "agree", "consent", "privacy")
"""A cookie banner opens with one of COOKIE_OPENERS and names cookies (up to MAX_COOKIE_NOTICE_WORDS words)."""

SECTION_LABELS = (
    "اقرأ أيضا", "اقرأ المزيد", "شاهد أيضا", "مواضيع ذات صلة", "مقالات ذات صلة", "أخبار ذات صلة",
    "أخبار متعلقة", "ذات صلة", "روابط ذات صلة", "مواد ذات صلة", "طالع أيضا", "الأكثر قراءة", "الأكثر مشاهدة",
    "قصص مقترحة", "مواضيع قد تهمك", "الوسوم", "الأوسمة", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية",
    "كلمات البحث", "كلمات دالة", "قد يعجبك أيضا",
    "اخترنا لك", "اخترنا لكم", "اختيارات المحرر", "المزيد من الأخبار",
    "Related", "Related articles",
    "Read more", "Read also", "More stories", "Most read", "Tags",
)
"""A whole line that opens a block of links or tags: chrome, but before a list (a real
subheading); after the article's last paragraph, the lines under it are chrome too."""

LINK_LIST_OPENERS = ("list", "قائمة")
LINK_LIST_ENDS = ("end of list", "نهاية القائمة")
"""Al Jazeera's related links: ``list 1 of 4`` ... ``end of list`` (``قائمة 1 من 4`` ... ``نهاية القائمة``)."""

SITE_NAMES = (
    "الجزيرة", "الجزيرة نت", "سكاي نيوز عربية", "بي بي سي عربي", "بي بي سي نيوز عربي", "BBC News عربي",
    "BBC عربي", "الشرق الأوسط", "صحيفة الشرق الأوسط", "جريدة الشرق الأوسط", "العربية", "العربية نت",
    "الأهرام", "بوابة الأهرام", "بوابة الأهرام الإلكترونية", "اليوم السابع", "المصري اليوم", "الشروق", "روسيا اليوم", "RT Arabic",
    "RT عربي", "فرانس 24", "فرانس 24 عربي", "مونت كارلو الدولية", "سي إن إن بالعربية", "CNN بالعربية",
    "CNN Arabic", "الحرة", "عربي 21", "عربي21", "اندبندنت عربية", "Independent عربية", "العربي الجديد",
    "القدس العربي", "سبوتنيك عربي", "يورونيوز", "دويتشه فيله", "DW عربية", "هسبريس", "اليوم 24",
)
"""A whole line naming the site (or ``SITE - name``): a site label before the headline, a
menu link in the footer; elsewhere it is content (a subheading ``الشرق الأوسط``)."""

COPYRIGHT_PHRASES = ("جميع الحقوق محفوظة", "حقوق النشر محفوظة", "All rights reserved")
"""A copyright line opens with one of these, or closes with one or carries a year without
being a sentence; a line with ``©`` (or ``Copyright`` and a year) is one."""

PHOTO_SOURCES = ("Getty Images", "Getty", "غيتي", "غيتي إيمجز", "EPA", "Shutterstock", "AP Photo")
"""Besides the agencies: who a photo credit names (``© 2024 Getty Images`` is no footer)."""

AGENCIES = (
    "أ ش أ", "رويترز", "أ ف ب", "أ.ف.ب", "د ب أ", "وام", "واس", "قنا", "كونا", "بنا", "سانا", "بترا", "الأناضول",
    "وكالات", "سبأ", "AFP", "Reuters", "AP", "DPA",
)
"""News agencies, as a dateline names them after the place (``القاهرة - أ ش أ``)."""

TAG_LABELS = ("الوسوم", "الوسم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "الكلمات الدالة", "كلمات دالة", "Tags")
"""Chrome as ``LABEL:`` at the start of a line."""
SOURCE_LABELS = ("المصدر", "المصادر", "الصورة", "Source")
"""Chrome as ``LABEL:`` at the start of a short line that is not a sentence (``المصدر: الجزيرة + وكالات``)."""

SITE_LABEL_OPENERS = ("أخبار",)
"""A two-word line starting with one of these is a label, never a short headline."""

HOME_LABELS = ("الرئيسية", "الصفحة الرئيسية", "Home")
BYLINE_OPENERS = (
    "بقلم", "كتب", "كتبت", "بواسطة", "تحرير", "إعداد", "حاوره", "حاورته", "تصوير",
    "نشر في", "نشر بتاريخ", "آخر تحديث", "By", "Posted", "Published", "Updated",
)
"""A byline: one of these then a colon; ``بقلم`` and ``By`` without one, before a short name."""
NAME_BYLINE_OPENERS = ("بقلم", "By")

MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يونيه", "يوليو", "يوليه", "أغسطس",
    "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين", "السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "ماي", "يوليوز", "غشت", "شتنبر", "نونبر", "دجنبر",
)
"""Month and weekday names (Gregorian, Levantine, Maghrebi, Hijri): what makes digits a date."""
HIJRI_MONTHS = ("محرم", "صفر", "ربيع", "جمادى", "رجب", "شعبان", "رمضان", "شوال")
"""Hijri months that are words too (``رمضان``, ``صفر``): a date only beside ``هـ``."""
DATE_WORDS = (
    "الثاني", "الأول", "الآخر", "الآخرة", "نشر", "في", "بتاريخ", "تاريخ", "النشر", "آخر", "تحديث", "الساعة",
    "منذ", "ساعة", "ساعات", "دقيقة", "دقائق", "يوم", "أيام", "ص", "م", "ه", "هـ", "صباحاً", "مساءً", "رقم",
    "العدد", "تم", "التحديث", "الموافق", "توقيت", "بتوقيت", "مكة", "غرينتش", "جرينتش", "الأولى", "الآخر",
    "اليوم", "أمس", "قبل", "منشور", "ساعتين", "يومين", "دقيقتين", "أسبوع", "أسبوعين", "شهر", "شهرين", "GMT",
    "am", "pm", "on", "Published", "Updated", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb",
    "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
"""The words around a date: a dateline is a date and these words only."""

HEADLINE_STOPS = ".…;؛:،,"
"""A headline may end with ? ؟ ! or an ellipsis, but not with these."""
SENTENCE_STOPS = ".!?؟…"
SUBHEADING_STOPS = HEADLINE_STOPS + "!?؟"
_CLOSERS = "»”\"'’)]›"

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTER_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_NON_WORD = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")
_D = "[0-9٠-٩]"
_NUMERIC_DATE = re.compile(rf"{_D}{{1,4}}[/.-]{_D}{{1,2}}[/.-]{_D}{{1,4}}")
_TIME = re.compile(rf"{_D}{{1,2}}:{_D}{{2}}")
_NUMBERED = re.compile(r"[0-9٠-٩]{1,2}[.)\-]\s")
_CONTINUATION = re.compile(r"و[\u0621-\u064a]{3,}")
_SPEECH = re.compile(r"(?<!\S)(?:قال|قالت|إن)(?!\S)|[﴿﴾]")
"""``وأضاف``, ``وقال``: a line opening with the conjunction and a verb continues the text."""
_CRUMB_SEPARATOR = re.compile(r"\s([>›»/|\\<‹«])\s")
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
_HEX = re.compile(r"[0-9a-fA-F]{20,}")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}")
_CODE_PART = re.compile(r"[A-Za-z0-9]{1,10}")
_YEAR = re.compile(r"(?<![0-9٠-٩])(?:19|20|١٩|٢٠)[0-9٠-٩]{2}(?![0-9٠-٩])")
_COPYRIGHT_YEAR = re.compile(r"\bCopyright\s+(?:©|\(c\)|(?:19|20)\d\d)", re.IGNORECASE)
_ARABIC = re.compile("[\u0621-\u064a]")
_COMMENT_COUNT = re.compile(r"[0-9٠-٩]+ (?:تعليق|تعليقات|comments?)")
_AGENCY_SPLIT = re.compile(r"\s[-–]\s|\s?[-–:]\s*(?=«)")


def fold(text: str) -> str:
    """Text reduced for phrase matching: no diacritics, one alef, no punctuation, lower case."""
    text = _DIACRITICS.sub("", text).translate(_LETTER_FOLDS).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def _fold_all(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(p) for p in phrases)


def _labels(labels: tuple[str, ...], mark: str = r"\s*:") -> re.Pattern[str]:
    """``LABEL:`` (or the label and another ``mark``) at the start of a line."""
    return re.compile(r"^(?:%s)%s" % ("|".join(map(re.escape, labels)), mark), re.IGNORECASE)


_CHROME_LINES = frozenset(_fold_all(CHROME_LINES))
_COMMENT_LINES = frozenset(_fold_all(COMMENT_LINES))
_TOP_LINES = frozenset(_fold_all(TOP_LINES))
_CHROME_OPENERS = _fold_all(CHROME_OPENERS)
_CHROME_NOTICES = _fold_all(CHROME_NOTICES)
_COOKIE_OPENERS = _fold_all(COOKIE_OPENERS)
_COOKIE_WORDS = _fold_all(COOKIE_WORDS)
_BANNER_WORDS = _fold_all(BANNER_WORDS)
_SECTION_LABELS = frozenset(_fold_all(SECTION_LABELS))
_LINK_LIST_START = re.compile(r"^(?:%s) (\d+) (?:of|من) (\d+)$" % "|".join(_fold_all(LINK_LIST_OPENERS)))
_LINK_LIST_HEADER = re.compile(r"^(?:list of \d+ items|%s من \d+ عناصر)$" % fold("قائمة"))
_LINK_LIST_ENDS = frozenset(_fold_all(LINK_LIST_ENDS))
_SITE_NAMES = frozenset(_fold_all(SITE_NAMES))
_AGENCIES = frozenset(_fold_all(AGENCIES))
_PHOTO_SOURCES = _AGENCIES | frozenset(_fold_all(PHOTO_SOURCES))
_COPYRIGHT_PHRASES = _fold_all(COPYRIGHT_PHRASES)
_TAG_LABELS = _labels(TAG_LABELS)
_TAG_SECTION = frozenset(_fold_all(TAG_LABELS + ("كلمات البحث", "كلمات دالة")))
_SOURCE_LABELS = _labels(SOURCE_LABELS)
_BYLINE_LABEL = _labels(BYLINE_OPENERS, r"(?:\s*:|\s+[-–]\s)")  # "كتب: ..." or "كتب - ..."
_SITE_LABEL_OPENERS = _fold_all(SITE_LABEL_OPENERS)
_HOME_LABELS = _fold_all(HOME_LABELS)
_NAME_BYLINE_OPENERS = _fold_all(NAME_BYLINE_OPENERS)
_MONTHS = frozenset(_fold_all(MONTHS))
_HIJRI = frozenset(_fold_all(HIJRI_MONTHS + ("ذو", "القعدة", "الحجة")))
_DATE_WORDS = frozenset(_fold_all(DATE_WORDS)) | _MONTHS | _HIJRI
_ZONE_WORDS = frozenset(_fold_all(("توقيت", "بتوقيت")))
"""A time zone's name follows these (``بتوقيت القدس``, ``بتوقيت مكة المكرمة``): two words of a date."""
_SOCIAL_OPENERS = _fold_all(SOCIAL_OPENERS)
_SOCIAL_NAMES = _fold_all(SOCIAL_NAMES)
_OWN_CHANNELS = _fold_all(OWN_CHANNELS)


def _opener(folded: str, phrases: tuple[str, ...]) -> str | None:
    """The phrase that is the folded line or opens it, word for word."""
    return next((p for p in phrases if folded == p or folded.startswith(p + " ")), None)


def _starts_with_any(folded: str, phrases: tuple[str, ...]) -> bool:
    return _opener(folded, phrases) is not None


def _holds(folded: str, phrase: str) -> bool:
    """The folded line holds the folded phrase as whole words."""
    return f" {phrase} " in f" {folded} "


def _last_char(line: str) -> str:
    """The line's last character, closing quotes and brackets skipped."""
    return line.rstrip().rstrip(_CLOSERS + " ")[-1:]


def _word_count(line: str) -> int:
    return len(line.split())


def is_list_item(line: str) -> bool:
    return LIST_MARKER.match(line) is not None


def has_tracking_token(line: str) -> bool:
    """A long base64 or hex blob (analytics or IP tracking) among the line's words; not a
    product code (``Galaxy-S24-Ultra-5G``) or an IBAN."""
    return any(_is_tracking_token(w.rstrip(".,،;")) for w in line.split())


def _is_tracking_token(word: str) -> bool:
    """Base64 with ``+/=_`` in it, or hex; not an IBAN, a product code or a wallet address
    (``bc1q...``, ``1BoatSLRHt...``), which are content."""
    if not (_TOKEN.fullmatch(word) and _DIGIT.search(word) and re.search("[A-Za-z]", word)):
        return False
    if _IBAN.fullmatch(word) or ("-" in word and all(_CODE_PART.fullmatch(part) for part in word.split("-"))):
        return False
    return bool(re.search("[+/=_]", word) or _HEX.fullmatch(word))


def has_copyright(line: str) -> bool:
    """A copyright line: ``©``, ``Copyright 2024``, a copyright phrase opening a line with a
    year, or opening, closing or beside a year in a line that is not a sentence (``وأكدت
    المحكمة أن جميع الحقوق محفوظة للورثة حتى عام 2056.`` is content)."""
    if "©" in line or _COPYRIGHT_YEAR.search(line):
        return True
    folded = fold(line)
    sentence = looks_like_paragraph(line)
    for phrase in _COPYRIGHT_PHRASES:
        if not _holds(folded, phrase):
            continue
        opens = folded.startswith(phrase)
        if (opens and _YEAR.search(line)) or (not sentence and (opens or folded.endswith(phrase) or _YEAR.search(line))):
            return True
    return False


def is_cookie_notice(folded: str) -> bool:
    """``نستخدم ملفات تعريف الارتباط لتحسين تجربتك``: a cookie banner speaks of the reader's
    experience or consent (``نستخدم الكوكيز يوميا دون أن ننتبه`` is a sentence of an article)."""
    padded = f" {folded} "
    return (_starts_with_any(folded, _COOKIE_OPENERS) and len(folded.split()) <= MAX_COOKIE_NOTICE_WORDS
            and any(f" {word} " in padded for word in _COOKIE_WORDS)
            and any(f" {word}" in padded for word in _BANNER_WORDS))


def is_boilerplate(line: str) -> bool:
    """Site chrome, whatever its place on the page: comment forms, share prompts, cookie
    banners, copyright lines...; never a list item."""
    folded = fold(line)
    if not folded:  # punctuation alone (* * *)
        return True
    if is_list_item(line):
        return False
    words = len(folded.split())
    if folded in _CHROME_LINES or folded in _COMMENT_LINES or folded in _TOP_LINES or _COMMENT_COUNT.fullmatch(folded):
        return True
    if is_section_label(line) or is_link_list_marker(line):
        return True
    if _starts_with_any(folded, _CHROME_NOTICES) or is_cookie_notice(folded):
        return True
    if _TAG_LABELS.match(line.strip()) and _last_char(line) not in SENTENCE_STOPS:  # not a glossary's sentence
        return True
    if words < PARAGRAPH_WORDS and has_copyright(line):
        return True
    if looks_like_paragraph(line):  # a sentence is content
        return False
    if _SOURCE_LABELS.match(line.strip()) or (
            words <= MAX_CHROME_OPENER_WORDS and _starts_with_any(folded, _CHROME_OPENERS)):
        return True
    if _starts_with_any(folded, _SOCIAL_OPENERS) and (
            words <= MAX_SOCIAL_PROMPT_WORDS and any(_holds(folded, name) for name in _SOCIAL_NAMES)
            or words <= MAX_CHROME_OPENER_WORDS and any(_holds(folded, name) for name in _OWN_CHANNELS)):
        return True
    return has_tracking_token(line)


def is_section_label(line: str) -> bool:
    """``اقرأ أيضا``, ``الأكثر قراءة``, ``الوسوم``: a line that opens a block of links or tags."""
    return fold(line) in _SECTION_LABELS


def is_link_list_marker(line: str) -> bool:
    folded = fold(line)
    return bool(_LINK_LIST_START.match(folded) or _LINK_LIST_HEADER.match(folded)) or folded in _LINK_LIST_ENDS


def is_footer_marker(line: str) -> bool:
    """A line that only a page's footer has: copyright, comments, "go to top", a tags label."""
    folded = fold(line)
    return (folded in _COMMENT_LINES or folded in _TOP_LINES or folded in _TAG_SECTION
            or _starts_with_any(folded, _CHROME_NOTICES)
            or (_word_count(line) < PARAGRAPH_WORDS and has_copyright(line) and not names_photo_source(line)
                and bool(_YEAR.search(line) or any(p in folded for p in _COPYRIGHT_PHRASES))))  # not "© AFP"


def names_photo_source(line: str) -> bool:
    """``© 2024 Getty Images``, ``© AFP``: a photo's credit, not the page's footer."""
    folded = fold(line)
    return any(_holds(folded, source) for source in _PHOTO_SOURCES)


def is_breadcrumb(line: str) -> bool:
    """``الرئيسية > أخبار > سياسة`` or ``Home / News``: short parts without digits between
    spaced separators, one separator throughout (``يعلن « حقبة جديدة » مع`` is a quotation);
    ``|`` only after a home label (``فيديو | لحظة الانفجار`` is a headline, ``اليورو | 52.10``
    a table row)."""
    pieces = _CRUMB_SEPARATOR.split(line.strip())
    parts, separators = pieces[::2], set(pieces[1::2])
    if len(parts) < 2 or len(separators) > 1 or _DIGIT.search(line):
        return False
    if _starts_with_any(fold(parts[0]), _HOME_LABELS):
        return True
    sizes = [_word_count(p) for p in parts]
    return not separators & {"|", "/"} and (len(parts) >= 3 and max(sizes) <= 4 or len(parts) == 2 and max(sizes) <= 2)


def is_dateline(line: str) -> bool:
    """A date (a weekday or month with digits, ``12/05/2024``, a Hijri date with ``هـ``), a time
    beside a date word (``10:45 ص``) or ``منذ 3 ساعات``, and nothing but date words: ``ثورة 23
    يوليو``, ``رمضان 2024 في غزة`` and ``ترامب في 100 يوم`` are headlines."""
    folded = fold(line)
    words = folded.split()
    if len(words) > MAX_DATELINE_WORDS or is_list_item(line):
        return False
    zone = {i + k for i, w in enumerate(words) if w in _ZONE_WORDS for k in (1, 2)}  # "بتوقيت أبوظبي"
    if any(not _DIGIT.search(w) and w not in _DATE_WORDS and i not in zone for i, w in enumerate(words)):
        return False
    named = [w for w in words if not _DIGIT.search(w)]
    if not _DIGIT.search(line):  # "منذ ساعتين"
        return len(words) == 2 and words[0] in ("منذ", "قبل")
    hijri = any(w in _HIJRI for w in named) and any(w in ("ه", "هـ") for w in named)
    if named == ["منذ"] and _YEAR.search(line):  # "منذ 2011": a span, not when the page was published
        return False
    return bool(_NUMERIC_DATE.search(line) or hijri or "منذ" in named or "قبل" in named
                or any(w in _MONTHS for w in named) or (_TIME.search(line) and named))


def is_byline(line: str) -> bool:
    """``بقلم: محمد علي``, ``كتب - محمد أحمد``, ``بقلم محمد عبد الله``, ``By Jane Doe``: a byline
    word then a colon or a dash, or ``بقلم``/``By`` then a short name; not a sentence (``كتب الرئيس على منصة
    إكس: سنعزز التعاون.`` is a lead) nor a headline (``كتب ممنوعة تعود للمكتبات``)."""
    words = _word_count(line)
    if words > 10 or looks_like_paragraph(line) or is_list_item(line) or _DIGIT.search(line):
        return False  # "إعداد: 30 دقيقة" is a recipe's time
    if _BYLINE_LABEL.match(line.strip()):
        return True
    opener = _opener(fold(line), _NAME_BYLINE_OPENERS)
    return opener is not None and words - len(opener.split()) <= MAX_BYLINE_NAME_WORDS


def is_page_meta(line: str) -> bool:
    """Breadcrumbs, dates and bylines: page furniture around the headline."""
    return is_breadcrumb(line) or is_dateline(line) or is_byline(line)


def is_site_name(line: str) -> bool:
    """``سكاي نيوز عربية``, or ``هسبريس - محمد الراجي`` (the site, then a name of three words
    at most: ``الشرق الأوسط - صراع النفوذ بين القوى الكبرى`` is a headline)."""
    parts = re.split(r"\s[-–|]\s", line.strip(), maxsplit=1)
    if fold(line) in _SITE_NAMES:
        return True
    return len(parts) == 2 and fold(parts[0]) in _SITE_NAMES and _word_count(parts[1]) <= 3


def is_site_label(line: str) -> bool:
    """A site name or category label (``اخبار لايف``, ``سياسة``) before the headline."""
    return (_word_count(line) < MIN_HEADLINE_WORDS and not _DIGIT.search(line)) or is_site_name(line)


def looks_like_headline(line: str) -> bool:
    """Three to 25 words with no final stop but ? ! or an ellipsis (``... مجددا...``, ``..``), not chrome."""
    return (
        MIN_HEADLINE_WORDS <= _word_count(line) <= MAX_HEADLINE_WORDS and _ARABIC.search(line) is not None
        and (_last_char(line) not in HEADLINE_STOPS or _ends_with_ellipsis(line))
        and not (is_boilerplate(line) or is_page_meta(line) or is_site_label(line))
    )


def _ends_with_ellipsis(line: str) -> bool:
    return line.rstrip().rstrip(_CLOSERS + " ").endswith(("..", "…"))  # ".." too: the headline separator


def looks_like_subheading(line: str) -> bool:
    """Short, with no final stop, not a list item, a numbered item (``1. ...``), a line that
    continues the text (``وأضاف أن ...``) or reports speech or scripture (``قال إن``, ``﴿...﴾``);
    a subheading only where the article has body text."""
    short = _word_count(line) <= MAX_SUBHEADING_WORDS
    return (short and _last_char(line) not in SUBHEADING_STOPS and not is_list_item(line)
            and not _NUMBERED.match(line) and not _CONTINUATION.match(line) and not _SPEECH.search(line)
            and not is_boilerplate(line))


def looks_like_paragraph(line: str) -> bool:
    """A real paragraph: long, or a sentence of a few words ending with a stop."""
    words = _word_count(line)
    return words >= PARAGRAPH_WORDS or (words >= 4 and _last_char(line) in SENTENCE_STOPS)


def find_headline(lines: list[str], mode: str) -> int | None:
    """Index of the headline (auto mode): the first headline-like line before any body text,
    past labels and short kickers (``يورو 2024``); without one, a two-word line that is the
    last before the body and no known label (``زلزال مدمر``: a short headline is not lost, a
    label at worst translated)."""
    if mode != "auto":
        return 0 if mode == "first-line" and lines else None
    short = None
    for i, line in enumerate(lines):
        if looks_like_headline(line) and not is_agency_line(line) or _is_headline_with_stop(lines, i):
            return i
        kicker = _word_count(line) < MIN_HEADLINE_WORDS and not looks_like_paragraph(line)  # يورو 2024
        if not (kicker or is_boilerplate(line) or is_page_meta(line) or is_site_label(line) or is_agency_line(line)):
            return short
        if not (is_page_meta(line) or is_agency_line(line)):  # a date, byline or agency under a two-word headline
            short = i if is_short_headline(line) else None
    return short


def _is_headline_with_stop(lines: list[str], i: int) -> bool:
    """``الرئيس يصدر قرارا بتشكيل الحكومة الجديدة.`` with a byline or date under it: a headline."""
    line = lines[i]
    return (MIN_HEADLINE_WORDS <= _word_count(line) <= MAX_HEADLINE_WORDS and _last_char(line) == "."
            and i + 1 < len(lines) and is_page_meta(lines[i + 1]) and not is_boilerplate(line))


def is_short_headline(line: str) -> bool:
    return (_word_count(line) == MIN_HEADLINE_WORDS - 1 and _last_char(line) not in HEADLINE_STOPS
            and not (is_boilerplate(line) or is_page_meta(line) or is_site_name(line) or is_agency_line(line))
            and not _starts_with_any(fold(line), _SITE_LABEL_OPENERS + _HOME_LABELS))


def is_agency_line(line: str) -> bool:
    """``القاهرة - أ ش أ``, ``لندن: «الشرق الأوسط»``, ``لندن- «القدس العربي»``: a place, then an
    agency, a site or a paper in guillemets; after the headline it stays body, before it it is
    no headline (``الهلال - النصر.. ديربي الحسم`` is one)."""
    parts = _AGENCY_SPLIT.split(line.strip(), maxsplit=1)
    if len(parts) != 2 or _word_count(parts[0]) > 2 or _last_char(line) in SENTENCE_STOPS:
        return False
    source = parts[1].strip()
    quoted = source.startswith("«") and source.endswith("»") and source.count("«") == 1
    return (quoted and _word_count(source) <= 3) or fold(source) in _AGENCIES or is_site_name(source)


def mark_header(lines: list[str], roles: list[Role | None], mode: str) -> int:
    """Mark the headline and the page furniture right after it (past an agency line); return
    the index of the first body line."""
    at = find_headline(lines, mode)
    drop_labels = mode == "auto" and at is None
    start = 0
    if at is not None:
        # above it, labels and chrome; a two-word line that could be a headline stays (a kicker)
        roles[:at] = [None if is_short_headline(line) else "boilerplate" for line in lines[:at]]
        roles[at] = "headline"
        start = at + 1
    i = start
    while i < len(lines):
        line = lines[i]
        if (is_boilerplate(line) or is_page_meta(line) or (drop_labels and is_site_label(line))
                or (at is not None and is_site_name(line))):  # "الجزيرة نت" under the headline
            roles[i] = "boilerplate"
        elif not is_agency_line(line):
            break
        i += 1
    while start < len(lines) and roles[start] == "boilerplate":
        start += 1
    return start


def mark_chrome(lines: list[str], roles: list[Role | None], start: int) -> None:
    """Chrome lines, Al Jazeera's link lists, and in the page's footer (after the last
    paragraph) the menu links and tags right after footer chrome (copyright, comments, "go
    to top", a tags label). The links under other section labels are translated: they
    cannot be told from short lines of the text. A section label before a list item is a
    subheading."""
    links = 0  # lines of an Al Jazeera link list still to come
    for i in range(start, len(lines)):
        line, folded = lines[i], fold(lines[i])
        numbered = _LINK_LIST_START.match(folded)
        if numbered:  # "list 2 of 4": this marker and its link; "list 4 of 4": the last one
            links = 2 if numbered.group(1) == numbered.group(2) else len(lines)
        elif folded in _LINK_LIST_ENDS or _word_count(line) >= PARAGRAPH_WORDS or _last_char(line) in ".…":
            links = 0  # the end marker, or a sentence of the text where the end marker is missing
        if links or (is_boilerplate(line) and not _heads_a_list(lines, i)):
            roles[i] = "boilerplate"
        links = max(0, links - 1)
    last = max((i for i in range(start, len(lines)) if roles[i] is None and looks_like_paragraph(lines[i])),
               default=start - 1)
    after_chrome = False
    for i in range(last + 1, len(lines)):
        line = lines[i]
        if roles[i] == "boilerplate":
            after_chrome = is_footer_marker(line) or (after_chrome and not is_section_label(line))
        elif after_chrome and is_menu_link(line):
            roles[i] = "boilerplate"  # "من نحن" after "العودة للأعلى", a tag after "الوسوم"
        else:
            after_chrome = False


def _heads_a_list(lines: list[str], i: int) -> bool:
    return is_section_label(lines[i]) and i + 1 < len(lines) and is_list_item(lines[i + 1])


def is_menu_link(line: str) -> bool:
    """``من نحن``, ``البريد الإلكتروني *``, a site name: a few words, no digits, no sentence
    stop, not a list item."""
    return (len(fold(line).split()) <= MAX_MENU_LINK_WORDS and not is_list_item(line) and not _DIGIT.search(line)
            and _last_char(line) not in SENTENCE_STOPS + ":؛،" and not _CONTINUATION.match(line)) or is_site_name(line)


def assign_roles(lines: list[str], mode: str) -> list[Role]:
    """The role of each non-empty line, in page order."""
    roles: list[Role | None] = [None] * len(lines)
    start = mark_header(lines, roles, mode)
    mark_chrome(lines, roles, start)
    candidates = {i for i in range(start, len(lines))
                  if roles[i] is None and looks_like_subheading(lines[i])}
    candidates |= {i for i in range(start, len(lines)) if roles[i] is None and _heads_a_list(lines, i)}
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
