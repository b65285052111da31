"""Structure detection on real and realistic scraped pages: golden tables of (line, role, text)."""

from pathlib import Path

import pytest

from translate.article import (
    detect_structure,
    is_boilerplate,
    is_page_meta,
    looks_like_headline,
    looks_like_subheading,
)
from translate.errors import ConfigError
from translate.normalize import normalize_text

FIXTURES = Path(__file__).parent / "fixtures"
SEED_HEADLINE = "روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة من الازدهار»"
SEED_SUBHEADING = "استقبال حافل لبوتين في كوريا الشمالية"


def detect_file(name: str, headline: str = "auto"):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return detect_structure(text, id=Path(name).stem, headline=headline)


def roles_by_line(article) -> list[tuple[int, str]]:
    return [(b.line, b.role) for b in article.blocks]


# --- the seed article -------------------------------------------------------------------------


def test_seed_headline_is_the_title_not_the_site_label():
    article = detect_file("seed-article.ar.txt")
    assert article.headline.text == SEED_HEADLINE
    assert article.headline.line == 3
    assert article.content[0] == article.headline


def test_seed_content_after_the_headline():
    article = detect_file("seed-article.ar.txt")
    after = article.content[1:]
    assert [(b.line, b.role) for b in after] == [
        (6, "body"), (8, "body"), (10, "body"), (12, "body"), (14, "body"), (16, "body"),
        (18, "body"), (20, "subheading"), (22, "body"), (24, "body"), (26, "body"), (28, "body"),
        (30, "subheading"), (32, "body"), (34, "body"), (36, "body"),
    ]
    assert [b.text for b in after if b.role == "subheading"] == [SEED_SUBHEADING, SEED_SUBHEADING]
    assert after[0].text.startswith("“العلاقات مع روسيا تدخل طور ازدهار جديدا”")
    assert after[-1].text.endswith("صواريخ بالستية كورية شمالية في أوكرانيا.")


def test_seed_dropped_chrome_in_document_order():
    article = detect_file("seed-article.ar.txt")
    assert [(b.line, b.text) for b in article.dropped] == [
        (1, "اخبار لايف"),
        (38, "aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA= جزيرة ام اند امز GB"),
        (40, "اترك تعليقاً"),
        (42, "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *"),
        (44, "زر الذهاب إلى الأعلى"),
    ]


def test_seed_blocks_keep_document_order_and_id():
    article = detect_file("seed-article.ar.txt")
    lines = [b.line for b in article.blocks]
    assert lines == sorted(lines) and len(article.blocks) == 22
    assert article.id == "seed-article.ar"


def test_seed_first_line_mode_takes_the_site_label():
    article = detect_file("seed-article.ar.txt", headline="first-line")
    assert (article.headline.line, article.headline.text) == (1, "اخبار لايف")
    assert article.blocks[1].line == 3 and article.blocks[1].role != "boilerplate"
    assert [b.line for b in article.dropped] == [38, 40, 42, 44]


def test_seed_none_mode_has_no_headline_and_drops_nothing_before_the_body():
    article = detect_file("seed-article.ar.txt", headline="none")
    assert article.headline is None
    assert [b.line for b in article.content][:3] == [1, 3, 6]
    assert [b.line for b in article.dropped] == [38, 40, 42, 44]


def test_unknown_headline_mode_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="auto, first-line, none"):
        detect_structure("نص", headline="title")


# --- more scraped pages ------------------------------------------------------------------------

PAGES = {
    "breadcrumbs-date-share.ar.txt": [
        (1, "boilerplate"), (2, "boilerplate"), (4, "headline"), (5, "boilerplate"), (7, "body"),
        (9, "body"), (11, "subheading"), (13, "body"), (15, "boilerplate"), (16, "boilerplate"),
        (17, "boilerplate"), (18, "boilerplate"), (20, "boilerplate"),
        (21, "subheading"),  # a related link: translated, as it cannot be told from a short line of the text
        (23, "boilerplate"),
    ],
    "question-headline.ar.txt": [
        (1, "boilerplate"), (3, "headline"), (5, "body"), (7, "body"), (9, "body"), (11, "body"),
        (13, "boilerplate"), (15, "body"), (17, "boilerplate"),
    ],
    "no-chrome.ar.txt": [(1, "headline"), (3, "body"), (5, "body"), (7, "subheading"), (9, "body")],
    "footer-links.ar.txt": [
        (1, "boilerplate"), (2, "boilerplate"), (4, "headline"), (6, "body"), (8, "boilerplate"),
        (10, "body"), (12, "body"), (14, "boilerplate"), (15, "boilerplate"), (16, "boilerplate"),
        (17, "boilerplate"), (18, "boilerplate"),
    ],
    "comment-form.ar.txt": [
        (1, "boilerplate"), (2, "headline"), (3, "subheading"), (5, "body"), (7, "body"),
        (9, "boilerplate"), (10, "boilerplate"), (11, "boilerplate"), (12, "boilerplate"),
        (13, "boilerplate"), (14, "boilerplate"),
    ],
}
HEADLINES = {
    "breadcrumbs-date-share.ar.txt": "البنك المركزي المصري يثبت أسعار الفائدة للمرة الثالثة على التوالي",
    "question-headline.ar.txt": "هل تنجح مفاوضات وقف إطلاق النار في غزة هذه المرة؟",
    "no-chrome.ar.txt": "ارتفاع أسعار النفط بعد قرار أوبك+ تمديد خفض الإنتاج",
    "footer-links.ar.txt": "المغرب يتأهل إلى نهائي كأس أمم أفريقيا للمرة الأولى منذ 2004!",
    "comment-form.ar.txt": "زلزال بقوة 6.1 درجة يضرب جنوب تركيا ولا أنباء عن إصابات",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_scraped_page_structure(name):
    article = detect_file(f"pages/{name}")
    assert roles_by_line(article) == PAGES[name]
    assert article.headline.text == HEADLINES[name]


def test_real_paragraph_after_chrome_stays_body():
    article = detect_file("pages/question-headline.ar.txt")
    assert article.content[-1].text.startswith("ومن المقرر أن تستأنف المحادثات")


def test_body_paragraph_starting_like_a_share_prompt_is_kept():
    article = detect_file("pages/question-headline.ar.txt")
    assert article.content[1].text.startswith("شارك وفد مصري وقطري")


def test_short_question_between_paragraphs_is_body_not_subheading():
    article = detect_file("pages/question-headline.ar.txt")
    assert [b.role for b in article.blocks if b.text == "فما الذي تغير هذه المرة؟"] == ["body"]


def test_crlf_and_blank_lines_keep_line_numbers():
    text = "عنوان الخبر الرئيسي اليوم\r\n\r\nفقرة أولى من نص الخبر تنتهي هنا.\r\n"
    article = detect_structure(text)
    assert roles_by_line(article) == [(1, "headline"), (3, "body")]


def test_line_separators_inside_a_paragraph_keep_it_whole_and_the_line_numbers():
    text = "عنوان الخبر الرئيسي اليوم\n\nفقرة أولى\u2028تكملها هذه الكلمات هنا.\n\nفقرة ثانية من نص الخبر تنتهي هنا.\n"
    article = detect_structure(normalize_text(text))
    assert roles_by_line(article) == [(1, "headline"), (3, "body"), (5, "body")]
    assert article.blocks[1].text == "فقرة أولى تكملها هذه الكلمات هنا."


LEAD = "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد الوطني بقيمة خمسة مليارات دولار."


@pytest.mark.parametrize("paragraph", [
    "وطلبت الجمعية من المتبرعين تحويل المبالغ إلى الحساب SA0380000000608010167519 لدى البنك الأهلي قبل "
    "نهاية الشهر الجاري، مؤكدة أن كل التبرعات ستصل.",
    "أطلقت الشركة نموذج GPT-4-Turbo-2024-04-09 الجديد.",
])
def test_a_paragraph_holding_a_long_code_is_content_not_a_tracking_blob(paragraph):
    article = detect_structure(f"عنوان الخبر الرئيسي اليوم\n\n{LEAD}\n\n{paragraph}\n")
    assert [b.role for b in article.blocks] == ["headline", "body", "body"]


@pytest.mark.parametrize("footer", ["Copyright © 2024 Al Jazeera Media Network.", "© 2024 قناة الجزيرة. جميع الحقوق محفوظة."])
def test_a_copyright_footer_that_ends_with_a_stop_is_still_chrome(footer):
    article = detect_structure(f"عنوان الخبر الرئيسي اليوم\n\n{LEAD}\n\n{footer}\n")
    assert [b.role for b in article.blocks] == ["headline", "body", "boilerplate"]


def test_a_lead_that_opens_with_a_byline_word_is_body_and_a_byline_is_dropped():
    lead = "كتب الرئيس على منصة إكس: سنعزز التعاون."
    article = detect_structure(f"الرئيس يزور فرنسا اليوم\n\nبقلم: محمد علي\n\n{lead}\n\n{LEAD}\n")
    assert [(b.role, b.text) for b in article.blocks][1:3] == [("boilerplate", "بقلم: محمد علي"), ("body", lead)]


def test_a_two_word_headline_right_before_the_body_is_the_headline():
    article = detect_structure(f"اخبار لايف\n\nزلزال مدمر\n\n{LEAD}\n")
    assert [b.role for b in article.blocks] == ["boilerplate", "headline", "body"]
    assert article.headline.text == "زلزال مدمر"
    assert detect_structure(f"سياسة\n\n{LEAD}\n").headline is None


def test_list_items_are_body_not_subheadings():
    items = ["- خفض الضرائب على الشركات الصغيرة", "• دعم الصادرات الزراعية"]
    article = detect_structure("\n".join(["عنوان الخبر الرئيسي اليوم", LEAD, "وتشمل الإجراءات:", *items, LEAD]))
    assert [b.role for b in article.blocks] == ["headline"] + ["body"] * 5


def test_empty_text_has_no_blocks():
    assert detect_structure("\n  \n").blocks == ()


# --- single-line rules --------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    "اترك تعليقاً", "اترك تعليقا", "أضف تعليق", "زر الذهاب إلى الأعلى", "العودة للأعلى",
    "شارك", "شارك هذا المقال", "تابعونا على", "تابعنا على فيسبوك", "اشترك في النشرة البريدية",
    "تابعوا آخر الأخبار عبر حساباتنا على منصات التواصل الاجتماعي",
    "© 2024 موقع الأخبار", "جميع الحقوق محفوظة لموقع الأخبار 2024", "All rights reserved.",
    "اقرأ أيضا", "اقرأ أيضاً:", "مواضيع ذات صلة", "الأكثر قراءة", "الوسوم: روسيا، كوريا الشمالية",
    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
    "aXA6IDJhMDI6NDc4MDphOjE0NTE6MDoxN2IzOjljNmY6MiA= جزيرة ام اند امز GB",
    "ref 5f2b9c0e7a1d4b3c8e6f0a9b12", "* * *", "0 تعليق", "حجم الخط", "A+ A-", "مدة القراءة: 2 دقائق",
    "تخطى إلى المحتوى", "Skip to main content",
    "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا", "We use cookies to improve your experience",
    "المصدر: الجزيرة + وكالات", "الوسوم", "قصص مقترحة", "الجزيرة نت - جميع الحقوق محفوظة",
    "gclid=Cj0KCQiA5rGuBhCnARIsAN11vgTgxK3_wcB", "fbclid=IwAR3xK9_pQ7-Lm2Nz8aQw5",
    "شبكة الجزيرة الإعلامية جميع الحقوق محفوظة ٢٠٢٤", "نحن نستخدم ملفات تعريف الارتباط لتحسين تجربتك.",
    "مصدر الصورة، Getty Images", "-انتهى-", "list 1 of 4", "end of list",
    "شارك هذا الخبر", "شارك عبر", "مشاركة الخبر", "الرابط المختصر: https://youm7.com/s/123456", "طالع أيضا",
    "روابط ذات صلة", "مواد ذات صلة", "اخترنا لكم", "المزيد من الأخبار", "الكلمات الدالة: آبل، آيفون",
    "الوسم: مصر", "الرجوع للأعلى", "حقوق الصورة: AFP", "الإعلانات", "إعلان تجاري", "(صورة أرشيفية)",
    "تعليقات القراء", "لا توجد تعليقات", "حمل تطبيق الجزيرة نت", "للاشتراك في النشرة البريدية اضغط هنا",
])
def test_chrome_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    SEED_HEADLINE, SEED_SUBHEADING,
    "شارك الآلاف في مسيرة حاشدة وسط العاصمة للمطالبة بوقف الحرب.",
    "وقال إن الشركة تابعت على مدى سنوات تطور السوق، مؤكدا أن جميع الحقوق محفوظة للمستثمرين وفق القانون المعمول به.",
    "وأضاف أن 40 شخصا على الأقل أصيبوا في الحادث.",
    "وتستند الدعوى إلى قانون Copyright الأمريكي.", "وقالت الصحيفة إن جميع الحقوق محفوظة لصحفييها.",
    "سامسونج تطلق هاتف Galaxy-S24-Ultra-5G-512GB في الأسواق العربية", "للتبرع: SA0380000000608010167519",
    "وقال إن الموقع يستخدم ملفات تعريف الارتباط لجمع بيانات المستخدمين دون علمهم.",
    "للاشتراك في البرنامج يجب على المواطنين تقديم طلب عبر الموقع الرسمي للوزارة.",
])
def test_content_lines_are_not_chrome(line):
    assert not is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "الرئيسية > أخبار > سياسة", "Home / News", "الرئيسية / أخبار عربية / مصر",
    "الأربعاء 19 يونيو 2024 - 10:30 ص", "12/06/2024", "نشر في: 3 أيار 2024",
    "بقلم: محمد علي", "By Jane Doe", "آخر تحديث: 14:05", "بقلم محمد عبد الله", "كتب: محمد عبد الله",
    "Home » News » Politics", "الخميس - 16 ذو القعدة 1445 ه - 23 مايو 2024 م رقم العدد [16612]", "منذ 3 ساعات",
    "نشر في: 12 مايو 2024 - 10:30 بتوقيت أبوظبي", "آخر تحديث: 14:05 بتوقيت مكة المكرمة",
])
def test_page_meta_lines(line):
    assert is_page_meta(line)


@pytest.mark.parametrize("line", [
    "بوتين يعلن « حقبة جديدة » مع كوريا الشمالية", "قال الرئيس « لن نتراجع » أمام الضغوط الغربية",
    "تحرير سعر صرف الجنيه يدخل حيز التنفيذ رسميا", "نشر في الجريدة الرسمية قرار رفع الأسعار",
    "By the numbers: the war in five charts", "غزة في 100 يوم بتوقيت الحرب",
])
def test_quotations_and_standfirsts_are_not_page_meta(line):
    assert not is_page_meta(line)


REVIEWED_PAGES = {
    # a headline quoting with spaced guillemets is no breadcrumb
    "بوتين يعلن « حقبة جديدة » مع كوريا الشمالية\n" + "وصل الرئيس الروسي إلى بيونغ يانغ في أول زيارة له منذ 24 عاما.\n":
        ["headline", "body"],
    # a sentence that mentions copyright is content
    "محكمة أمريكية تنظر في دعوى ضد شركة OpenAI\nوتستند الدعوى إلى قانون Copyright الأمريكي.\n"
    "وقالت الصحيفة إن جميع الحقوق محفوظة لصحفييها.\n": ["headline", "body", "body"],
    # a share button before the end does not take the results and last line with it
    "نتائج الجولة العاشرة من الدوري السعودي للمحترفين\n"
    "أسفرت مباريات الجولة العاشرة من دوري روشن عن النتائج التالية وسط منافسة قوية على الصدارة بين الأندية.\n"
    "شارك\n- الهلال 3 النصر 1\n- الاتحاد 2 الأهلي 2\nويتصدر الهلال الترتيب برصيد 28 نقطة\n":
        ["headline", "body", "boilerplate", "body", "body", "body"],
    # a standfirst opening with a byline word, a headline with a product code
    "الحكومة المصرية تتخذ قرارات اقتصادية جديدة\nتحرير سعر صرف الجنيه يدخل حيز التنفيذ رسميا\n"
    "قررت الحكومة المصرية اليوم اتخاذ حزمة من القرارات الاقتصادية الجديدة لتحسين الأوضاع المعيشية.\n":
        ["headline", "subheading", "body"],
    "سامسونج تطلق هاتف Galaxy-S24-Ultra-5G-512GB في الأسواق العربية\n"
    "أطلقت شركة سامسونج هاتفها الجديد في أسواق الشرق الأوسط اليوم بسعر يبدأ من 4,500 ريال.\n":
        ["headline", "body"],
    # site name, skip link, menu, cookie banner before the headline
    "سكاي نيوز عربية\nعالم\nالإمارات تستضيف مؤتمرا دوليا حول تغير المناخ\n"
    "تستضيف دولة الإمارات الأسبوع المقبل مؤتمرا دوليا حول تغير المناخ بمشاركة أكثر من 1,200 خبير.\n":
        ["boilerplate", "boilerplate", "headline", "body"],
    "تخطى إلى المحتوى\nالرئيسية\nأخبار\nسياسة\nالبرلمان يقر قانون الموازنة العامة الجديدة\n"
    "أقر البرلمان اليوم بأغلبية أعضائه قانون الموازنة العامة للدولة للعام المالي المقبل.\n":
        ["boilerplate"] * 4 + ["headline", "body"],
    "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا\nموافق\n"
    "البرلمان يقر قانون الموازنة العامة الجديدة\nأقر البرلمان اليوم قانون الموازنة العامة للدولة.\n":
        ["boilerplate", "boilerplate", "headline", "body"],
    # a date and a byline after the agency line, before the first paragraph
    "الرئيس السيسي يستقبل رئيس وزراء اليونان في القاهرة\nكتب: محمد عبد الله\nالقاهرة - أ ش أ\n"
    "الأحد 12 مايو 2024 10:45 ص\nبقلم: أحمد علي\nاستقبل الرئيس اليوم رئيس وزراء اليونان في قصر الاتحادية.\n":
        ["headline", "boilerplate", "subheading", "boilerplate", "boilerplate", "body"],
    # the links under a section label, tags under a label without a colon, the source line
    "عنوان عن الأوضاع الإنسانية في غزة اليوم\nحذرت منظمات إغاثة دولية من تدهور الأوضاع في قطاع غزة.\n"
    "اقرأ أيضا\nالأمم المتحدة تحذر من مجاعة وشيكة في غزة\nهل تنجح الهدنة هذه المرة؟\n"
    "وتقول الأمم المتحدة إن أكثر من مليون شخص يواجهون الجوع في القطاع.\nالمصدر: الجزيرة + وكالات\n":
        ["headline", "body", "boilerplate", "subheading", "body", "body", "boilerplate"],
    # Al Jazeera's link list is chrome from its first marker to its last
    "عنوان عن الأوضاع الإنسانية في غزة اليوم\nحذرت منظمات إغاثة دولية من تدهور الأوضاع في قطاع غزة.\n"
    "اقرأ أيضا\nlist 1 of 2\nالأمم المتحدة تحذر من مجاعة وشيكة في غزة\nهل تنجح الهدنة هذه المرة؟\n"
    "end of list\nوتقول الأمم المتحدة إن أكثر من مليون شخص يواجهون الجوع في القطاع.\n":
        ["headline", "body"] + ["boilerplate"] * 5 + ["body"],
    "السعودية تطلق مشروعا جديدا للطاقة الشمسية في تبوك\n"
    "أطلقت المملكة العربية السعودية اليوم مشروعا للطاقة الشمسية بقدرة 4.5 غيغاواط.\nالوسوم\nالسعودية\n"
    "الطاقة المتجددة\n": ["headline", "body", "boilerplate", "boilerplate", "boilerplate"],
    # a photo credit with a year is no footer: the list after it is the article's
    "الأمم المتحدة تحذر من مجاعة وشيكة في السودان\n"
    "حذرت الأمم المتحدة اليوم من أن ملايين السودانيين يواجهون خطر المجاعة"
    " بسبب استمرار الحرب بين الجيش وقوات الدعم السريع.\n"
    "© 2024 Getty Images\n"
    "أبرز الاحتياجات\n"
    "الغذاء\n"
    "المياه النظيفة\n"
    "الأدوية\n"
    "المأوى\n":
        ["headline", "body", "boilerplate"] + ["subheading"] * 5,
    # a kicker with a number above the headline
    "يورو 2024\n"
    "إسبانيا تهزم إنجلترا وتتوج باللقب الرابع\n"
    "برلين - رويترز\n"
    "توجت إسبانيا بطلة لأوروبا للمرة الرابعة في تاريخها بعد فوزها على إنجلترا 2-1 في المباراة النهائية.\n":
        ["body", "headline", "subheading", "body"],
    # a headline ending with the separator ..
    "السيسي يستقبل بلينكن في القاهرة..\n"
    "القاهرة - أ ش أ\n"
    "استقبل الرئيس عبد الفتاح السيسي اليوم وزير الخارجية الأمريكي أنتوني بلينكن في قصر الاتحادية.\n":
        ["headline", "subheading", "body"],
    # the site and author, the date under the headline
    "الحكومة تصادق على مشروع قانون المالية الجديد\n"
    "هسبريس - عبد الرحيم العسري\n"
    "الأحد 12 ماي 2024 - 14:20\n"
    "صادق مجلس الحكومة، المنعقد يوم الخميس برئاسة عزيز أخنوش، على مشروع القانون رقم 55.23 المتعلق بالمالية.\n":
        ["headline", "boilerplate", "boilerplate", "body"],
    # the site, publication and update times (with the time zone) under the headline
    "مجلس الأمن يصوت اليوم على مشروع قرار لوقف إطلاق النار في غزة\n"
    "الجزيرة نت\n"
    "نشر في 12/5/2024\n"
    "آخر تحديث: 12/5/2024 10:30 (توقيت مكة)\n"
    "نيويورك- يصوت مجلس الأمن الدولي اليوم على مشروع قرار جديد تقدمت به"
    " الجزائر يدعو إلى وقف فوري لإطلاق النار في قطاع غزة.\n":
        ["headline", "boilerplate", "boilerplate", "boilerplate", "body"],
    # the site and place, a relative time
    "ترامب يتقدم في الولايات المتأرجحة\n"
    "بي بي سي نيوز عربي - واشنطن\n"
    "منذ 3 ساعات\n"
    "أظهر استطلاع أجرته شبكة CNN بالتعاون مع جامعة Harvard أن ترامب يتقدم بنسبة 48% مقابل 44% لبايدن.\n":
        ["headline", "boilerplate", "boilerplate", "body"],
    # a byline with a dash, then a date
    "محافظ القاهرة يتفقد أعمال تطوير ميدان التحرير\n"
    "كتب - محمد أحمد\n"
    "الأحد، 12 مايو 2024 10:30 ص\n"
    "تفقد محافظ القاهرة اليوم أعمال تطوير ميدان التحرير، واستمع إلى شرح"
    " مفصل عن مراحل التنفيذ والجدول الزمني للانتهاء من المشروع.\n":
        ["headline", "boilerplate", "boilerplate", "body"],
    # a teaser headline ending with an ellipsis
    "ترامب يعلن ترشحه للرئاسة مجددا...\nضرب زلزال بقوة 6 درجات جنوب تركيا اليوم الأحد.\n": ["headline", "body"],
}


@pytest.mark.parametrize("page", list(REVIEWED_PAGES), ids=range(len(REVIEWED_PAGES)))
def test_reviewed_pages(page):
    assert [b.role for b in detect_structure(page).blocks] == REVIEWED_PAGES[page]


@pytest.mark.parametrize("line", [
    SEED_HEADLINE,
    "ارتفاع التضخم في مصر إلى 30% في يونيو",
    "بوتين في بيونغ يانغ | صور",
])
def test_headlines_are_not_page_meta(line):
    assert not is_page_meta(line)


@pytest.mark.parametrize(("line", "expected"), [
    (SEED_HEADLINE, True),
    ("هل تنجح مفاوضات وقف إطلاق النار؟", True),
    ("المغرب بطلا لأفريقيا!", True),
    ("اخبار لايف", False),
    ("أخبار سارة للمتقاعدين", True),  # three words: a headline may open with أخبار
    ("سكاي نيوز عربية", False),
    ("فيديو | لحظة الانفجار", True),
    ("ترامب في 100 يوم", True),
    ("كتب ممنوعة تعود للمكتبات", True),
    ("تحرير مدينة الفاشر بالكامل", True),
    ("الرئيسية > أخبار > سياسة", False),
    ("وأكد الرئيس الروسي للزعيم الكوري الشمالي تثمينه دعم كوريا الشمالية.", False),
    (" ".join(["كلمة"] * 26), False),
])
def test_looks_like_headline(line, expected):
    assert looks_like_headline(line) is expected


@pytest.mark.parametrize(("line", "expected"), [
    (SEED_SUBHEADING, True),
    ("توقعات المحللين", True),
    ("فما الذي تغير هذه المرة؟", False),
    ("وقال الوزير:", False),
    ("وصل بوتين إلى بيونغ يانغ.", False),
    (" ".join(["كلمة"] * 13), False),
])
def test_looks_like_subheading(line, expected):
    assert looks_like_subheading(line) is expected


KEPT_WHOLE = {
    "list items named like chrome or sites":
        "السلطات تحجب منصات التواصل الاجتماعي قبيل الانتخابات\nأعلنت الهيئة حجب عدد من المنصات حتى إشعار آخر.\n"
        "- فيسبوك\n- واتساب\n- الجزيرة\nوانتقدت منظمات حقوقية القرار واعتبرته تقييدا لحرية التعبير.\n",
    "a section label heading a list":
        "مؤشر السوق السعودية يغلق مرتفعا بدعم من أسهم البنوك\nأغلق المؤشر جلسة اليوم مرتفعا بنسبة 0.8 في المئة.\n"
        "الأكثر تداولا\n- سهم أرامكو بقيمة 850 مليون ريال\n- سهم الأهلي بقيمة 420 مليون ريال\n"
        "وتراجعت أسهم قطاع الاتصالات بشكل طفيف في ختام التعاملات.\n",
    "questions and a subheading after a link label":
        "وزير الطاقة الأردني: لا زيادة على أسعار الكهرباء هذا العام\nأكد الوزير أن الحكومة لن ترفع الأسعار.\n"
        "اقرأ أيضا\nس: ماذا عن مشاريع الطاقة المتجددة؟\nج: نعمل على رفع حصتها إلى 50 في المئة بحلول 2030!\n"
        "مشروع الهيدروجين الأخضر\nوقعت الوزارة مذكرات تفاهم مع ثلاث شركات دولية لإنتاج الهيدروجين الأخضر.\n",
    "dates after a lead ending with a colon":
        "مواعيد مباريات الأهلي المقبلة في الدوري ودوري الأبطال\nيخوض الأهلي سلسلة من المباريات، وجاءت المواعيد كالتالي:\n"
        "السبت 18 مايو\nالأهلي × الترجي في ذهاب نهائي دوري الأبطال\nالأربعاء 22 مايو\n"
        "ويأمل الأهلي في التتويج باللقب الأفريقي للمرة الثانية عشرة في تاريخه.\n",
    "figures listed before the first paragraph":
        "حصيلة الهجوم على السوق المركزي\nحصيلة الهجوم حتى الآن:\n- 30 قتيلا\n- 100 جريح\n"
        "وقال مسؤولون إن الحصيلة مرشحة للارتفاع مع استمرار عمليات البحث.\n",
    "sentences opening like share or follow prompts":
        "اجتماع وزاري خليجي يبحث أمن الملاحة في البحر الأحمر\nعقد المجلس الوزاري اجتماعه الدوري في الرياض أمس.\n"
        "شارك عبر الاتصال المرئي وزير الخارجية العماني، فيما حضر بقية الوزراء شخصيا.\n"
        "تابعوا الجلسة الختامية من مقر الأمانة العامة حتى ساعة متأخرة من الليل، وفق مصادر مطلعة.\n",
    "sentences about cookies and copyright":
        "غوغل تتراجع عن إلغاء ملفات تعريف الارتباط في كروم\nأعلنت غوغل أنها لن تلغي ملفات تعريف الارتباط في كروم.\n"
        "يستخدم المعلنون ملفات تعريف الارتباط لتتبع المستخدمين عبر المواقع.\n"
        "وقالت المحكمة في حيثياتها إن جميع الحقوق محفوظة.\nCopyright infringement cases rose sharply.\n"
        "المصدر: لا يوجد اتفاق حتى الآن.\n",
    "site names as subheadings":
        "صندوق النقد يخفض توقعات النمو العالمي لعام 2025\nخفض الصندوق توقعاته للنمو في معظم المناطق.\n"
        "الشرق الأوسط\nيتوقع الصندوق نموا بنسبة 2.7 في المئة في المنطقة.\nأوروبا\nيتوقع الصندوق نموا ضعيفا.\n",
    "short closing lines after a share button":
        "مباشر: ريال مدريد ضد برشلونة في الكلاسيكو\nانطلقت المباراة على ملعب سانتياغو برنابيو وسط حضور جماهيري كبير.\n"
        "شارك\nصافرة النهاية!\nريال مدريد بطلا\n",
    "a link, a vote label, a recipe's time, places after the headline":
        "طريقة عمل الكسكسي الجزائري بالخضار\nإعداد: 30 دقيقة\nالشلف / تيبازة / البليدة / الجزائر العاصمة\n"
        "ويمكن تقديم العروض عبر البوابة الإلكترونية:\nhttps://etendering.tenderboard.gov.om\n"
        "نتائج التصويت\nموافق\n98\nالكسكسي طبق تقليدي لا تخلو منه مائدة جزائرية في المناسبات.\n",
    "facts after a photo credit": "الخضر يعودون بفوز ثمين من ياوندي\nحقق المنتخب الجزائري فوزا ثمينا على "
        "مضيفه الكاميروني بهدفين مقابل هدف.\n© AFP\nالحكم: جاني سيكازوي\nالملعب: أحمدو أهيدجو\n",
    "a subheading and a sentence after a mid-page link box":
        "الكويت: مجلس الأمة يقر قانون الانتخاب الجديد\nوافق مجلس الأمة الكويتي اليوم على مشروع القانون.\n"
        "اقرأ أيضا\nرئيس المجلس يشيد بروح التعاون\nأشاد رئيس المجلس بروح التعاون بين السلطتين\nالتعليقات\n",
}


@pytest.mark.parametrize("name", list(KEPT_WHOLE))
def test_no_line_of_the_article_is_taken_for_chrome(name):
    article = detect_structure(KEPT_WHOLE[name])
    assert article.headline is not None and article.headline.line == 1
    assert [b.text for b in article.dropped if b.text not in ("اقرأ أيضا", "شارك", "© AFP", "التعليقات")] == []


REVIEWED_FILES = {  # page: (the headline's line, the lines dropped as chrome)
    "copyright-sentence.ar.txt": (1, []),
    "dates-after-colon.ar.txt": (2, ["اليوم السابع"]),
    "headline-with-stop.ar.txt": (1, ["بقلم: أحمد علي", "الأحد 12 مايو 2024"]),
    "label-heads-list.ar.txt": (1, []),
    "lead-in-list.ar.txt": (1, ["© 2024 العربية"]),
    "link-list-unclosed.ar.txt": (1, ["list 1 of 2", "مراسل الجزيرة: قصف مدفعي على شرق رفح", "list 2 of 2",
                                      "حماس: لن نقبل باتفاق لا يضمن وقف الحرب"]),
    "masthead.ar.txt": (3, ["بوابة الأهرام الإلكترونية", "الرئيسية > اقتصاد"]),
    "no-stops.ar.txt": (1, []),
    "read-also-no-stops.ar.txt": (1, ["اقرأ أيضا"]),
    "social-verbs.ar.txt": (1, []),
    "squad-list.ar.txt": (1, ["الوسوم", "منتخب مصر", "حسام حسن", "© 2024 اليوم السابع"]),
    "table-rows.ar.txt": (1, []),
    "g-R1.ar.txt": (1, ["اقرأ أيضا"]),  # a weather table after a mid-page link box
    "g-R2.ar.txt": (1, ["إعلان", "التعليقات"]),  # names after an ad label
    "g-R3.ar.txt": (1, ["شارك", "شارك", "شارك", "التعليقات"]),  # live entries between share buttons
    "g-R4.ar.txt": (1, []),  # a headline opening with قناة over a deck
    "g-R5.ar.txt": (1, []),  # a two-word headline over an agency line
    "g-R5b.ar.txt": (1, []),
    "g-R5c.ar.txt": (1, []),  # a score headline
    "g-R6.ar.txt": (1, []),  # a sentence with a copyright phrase and a year
    "g-R7.ar.txt": (1, []),  # sentences about cookies, a glossary's "الكلمات المفتاحية:"
    "g-R8.ar.txt": (1, []),  # a wallet address
    "g-dateline-dual.ar.txt": (2, ["هسبريس", "منذ ساعتين", "كتب: عبد الرحيم العسري"]),
    "g-schedule.ar.txt": (1, ["شاهد أيضا", "التعليقات"]),
    "g-stock-table.ar.txt": (1, ["اقرأ أيضا", "جميع الحقوق محفوظة © 2024"]),
}


@pytest.mark.parametrize("name", sorted(REVIEWED_FILES))
def test_reviewed_page_files_lose_no_line_of_the_article(name):
    article = detect_file(f"pages/reviewed/{name}")
    line, dropped = REVIEWED_FILES[name]
    assert article.headline.line == line and [b.text for b in article.dropped] == dropped


@pytest.mark.parametrize("page", [
    "رمضان 2024 في غزة\nيستقبل سكان قطاع غزة شهر رمضان هذا العام وسط الدمار والجوع.\n",
    "ثورة 23 يوليو\nتحل اليوم ذكرى ثورة الثالث والعشرين من يوليو التي غيرت وجه مصر الحديثة.\n",
    "زلزال مدمر\nالأحد 12 مايو 2024\nضرب زلزال بقوة 7.2 درجة جنوب تركيا فجر اليوم.\n",
    "الذهب يسجل مستوى قياسيا | اقتصاد | المصري اليوم\nسجلت أسعار الذهب مستوى قياسيا جديدا اليوم.\n",
    "الشرق الأوسط - صراع النفوذ بين القوى الكبرى يشتد\nتتصاعد المنافسة بين القوى الكبرى على النفوذ في المنطقة.\n",
    "تابعوا دراستهم تحت القصف: طلاب غزة ينجحون في الثانوية العامة\nنجح آلاف الطلاب في امتحانات الثانوية.\n",
    "تابعوا قرعة كأس أمم أفريقيا 2025 مباشرة على يوتيوب\nتسحب مساء اليوم في الرباط قرعة النهائيات.\n",
    "اليمن: «الحوثي» يتبنى الهجوم\nأعلنت جماعة الحوثي مسؤوليتها عن استهداف سفينة تجارية.\n",
])
def test_headlines_that_look_like_dates_crumbs_or_prompts_are_kept(page):
    article = detect_structure(page)
    assert article.headline is not None and article.headline.text == page.split("\n")[0] and not article.dropped[1:]


def test_a_two_word_line_above_the_headline_is_kept_as_a_kicker():
    article = detect_structure("حرائق اللاذقية\nالنيران تلتهم آلاف الهكتارات من الغابات في ريف اللاذقية\n"
                               "تواصل فرق الدفاع المدني لليوم الخامس جهودها لإخماد الحرائق.\n")
    assert article.headline.line == 2 and not article.dropped
