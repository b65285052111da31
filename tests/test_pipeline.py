"""Pipeline logic with a fake translator: order, deduplication, splitting, guard, pass-through."""

from fakes import FakeTranslator

from translate.config import Settings
from translate.pipeline import translate_articles
from translate.types import Article, Block, Translation

SETTINGS = Settings(model="fake", batch_tokens=40, batch_size=4)


def run(articles, translator=None, **kwargs):
    translator = translator or FakeTranslator()
    return list(translate_articles(articles, translator, SETTINGS, **kwargs)), translator


def article(*blocks, id="a"):
    return Article(id, tuple(Block(role, text, n + 1) for n, (role, text) in enumerate(blocks)))


def test_headline_first_and_paragraphs_in_place():
    doc = article(
        ("boilerplate", "اخبار لايف"),
        ("headline", "روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة»"),
        ("body", "وصل بوتين إلى بيونغ يانغ. وحضر مراسم كبرى."),
        ("subheading", "استقبال حافل لبوتين"),
        ("body", "وأشاد بالتعاون بين البلدين."),
        ("boilerplate", "زر الذهاب إلى الأعلى"),
    )
    (result,), _ = run([doc])
    assert result.headline.translation == "EN<روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة»>"
    assert [p.role for p in result.paragraphs] == ["body", "subheading", "body"]
    assert result.paragraphs[0].translation == "EN<وصل بوتين إلى بيونغ يانغ.> EN<وحضر مراسم كبرى.>"
    assert [s.source for s in result.paragraphs[0].sentences] == ["وصل بوتين إلى بيونغ يانغ.", "وحضر مراسم كبرى."]
    assert result.dropped == ("اخبار لايف", "زر الذهاب إلى الأعلى")


def test_keep_boilerplate_keeps_chrome_in_place_untranslated():
    doc = article(("headline", "عنوان الخبر"), ("body", "نص الخبر."), ("boilerplate", "اترك تعليقاً"))
    (result,), _ = run([doc], keep_boilerplate=True)
    assert [(p.role, p.translation) for p in result.paragraphs] == [
        ("body", "EN<نص الخبر.>"), ("boilerplate", "اترك تعليقاً")]
    assert result.dropped == ()


def test_many_articles_keep_their_order_and_repeats_are_translated_once():
    docs = [article(("body", f"الجملة رقم {i} هنا."), ("subheading", "استقبال حافل"), id=str(i)) for i in range(30)]
    results, fake = run(docs, window=7)
    assert [r.id for r in results] == [str(i) for i in range(30)]
    for i, r in enumerate(results):
        assert r.paragraphs[0].translation == f"EN<الجملة رقم {i} هنا.>"
    sent = [t for call in fake.calls for t in call]
    assert sent.count("استقبال حافل") == 1
    assert len(sent) == len(set(sent))


def test_batches_respect_the_token_budget():
    docs = [article(("body", " ".join(["كلمة"] * (i % 9 + 1)) + ".")) for i in range(40)]
    _, fake = run(docs)
    for call in fake.calls:
        longest = max(len(t.split()) + 1 for t in call)
        assert len(call) <= SETTINGS.batch_size
        assert len(call) * longest <= SETTINGS.batch_tokens or len(call) == 1


def test_the_translators_step_cost_cuts_the_batches():
    long = "وصل الرئيس إلى العاصمة صباح اليوم في زيارة رسمية تستمر ثلاثة أيام كاملة"
    texts = [long, "بيت كبير", "باب مفتوح", "قلم جديد"]  # all four fit one batch
    docs = [article(("body", text + ".")) for text in texts]
    settings = Settings(model="fake", batch_tokens=100, batch_size=8)
    filled, padded = FakeTranslator(), FakeTranslator()
    padded.batch_step_cost = 1
    list(translate_articles(docs, filled, settings))
    list(translate_articles(docs, padded, settings))
    assert [len(call) for call in filled.calls] == [4]
    assert [len(call) for call in padded.calls] == [1, 3]


def test_long_sentence_is_split_at_clauses_never_truncated():
    places = ["القاهرة", "دمشق", "بغداد", "عمان", "الرباط", "تونس"]
    sentence = "، ".join(f"وقال المتحدث باسم الوزارة في {p} إن الاجتماع كان مثمرا" for p in places) + "."
    warnings = []
    (result,), fake = run([article(("body", sentence))], FakeTranslator(max_input_tokens=20),
                          on_warning=warnings.append)
    pieces = [t for call in fake.calls for t in call]
    assert all(len(p.split()) + 1 <= 20 for p in pieces)
    translation = result.paragraphs[0].sentences[0].translation
    assert translation.split
    assert "".join(p for p in pieces).replace(" ", "") == sentence.replace(" ", "")
    assert any("split into" in w for w in warnings)


class Rambles(FakeTranslator):
    def translate(self, texts, *, strict=False):
        return [Translation("x" * 300) for _ in texts]


def test_a_flag_of_many_pieces_of_one_sentence_is_given_once():
    sentence = "، ".join(f"وقال المتحدث باسم الوزارة في المدينة {n} إن الاجتماع كان مثمرا" for n in range(6)) + "."
    (result,), _ = run([article(("body", sentence))], Rambles(max_input_tokens=20))
    translation = result.paragraphs[0].sentences[0].translation
    assert translation.split and translation.flags[0] == "too-long" and translation.flags.count("too-long") == 1


def test_protected_spans_pass_through_unchanged():
    text = "للمزيد زوروا https://example.com/news?id=42 أو راسلونا على info@example.org اليوم."
    (result,), fake = run([article(("body", text))])
    output = result.paragraphs[0].translation
    assert "https://example.com/news?id=42" in output
    assert "info@example.org" in output
    assert not any("https://" in t or "@" in t for call in fake.calls for t in call)


def test_arabic_punctuation_glued_to_a_kept_span_reaches_english():
    text = "نقلت BBC، عن «CNN»؟ وقال Google؛ لا"
    (result,), _ = run([article(("body", text))])
    output = result.paragraphs[0].translation
    assert "BBC," in output and '"CNN"?' in output and "Google;" in output
    assert not any(mark in output for mark in "،؟؛«»")


def test_an_arabic_clitic_on_a_latin_name_leaves_a_space_in_english():
    (result,), fake = run([article(("body", "قال مسؤول لCNN إن الوضع هادئ."))])
    assert result.paragraphs[0].translation == "EN<قال مسؤول ل> CNN EN<إن الوضع هادئ.>"
    (result,), _ = run([article(("body", "ذكرت BBC-عربي ذلك"))])
    assert result.paragraphs[0].translation == "EN<ذكرت> BBCEN<-عربي ذلك>"  # joined as in the source


def test_eastern_digits_reach_the_model_in_western_digits():
    (result,), fake = run([article(("body", "ارتفع المؤشر ٤٫٥ بالمئة في ٢٠٢٤."))])
    sent = [t for call in fake.calls for t in call]
    assert any("4.5" in t and "2024" in t for t in sent)
    assert not result.paragraphs[0].sentences[0].translation.flags


class DropsNumbers(FakeTranslator):
    def translate(self, texts, *, strict=False):
        return [Translation("EN<" + "".join(c for c in t if not c.isdigit()) + ">") for t in texts]


def test_a_number_missing_from_the_output_is_flagged():
    warnings = []
    (result,), _ = run([article(("body", "قتل ١٢ شخصا."))], DropsNumbers(), on_warning=warnings.append)
    assert result.paragraphs[0].sentences[0].translation.flags == ("numbers-missing:12",)
    assert warnings == ["line 1: number(s) 12 missing from the translation of: قتل ١٢ شخصا."]


def test_degenerate_output_is_retried_strictly():
    warnings = []
    fake = FakeTranslator(degenerate=["جملة تدور في حلقة."])
    (result,), _ = run([article(("body", "جملة تدور في حلقة."))], fake, on_warning=warnings.append)
    sentence = result.paragraphs[0].sentences[0].translation
    assert sentence.retried and sentence.text == "EN<جملة تدور في حلقة.>"
    assert warnings == ["line 1: degenerate output retried with stricter settings (fixed): جملة تدور في حلقة."]


def test_a_retry_is_reported_once_to_the_article_where_its_sentence_first_is():
    """Each distinct sentence is translated, and retried, once: the warning names the first
    article that holds it, through that article's own warning function."""
    heard: dict[str, list[str]] = {"a": [], "b": []}
    loop = "جملة تدور في حلقة."
    articles = [article(("body", "نص أول."), ("body", loop)), article(("body", loop))]
    results, _ = run(articles, FakeTranslator(degenerate=[loop]),
                     warnings=[heard["a"].append, heard["b"].append], on_warning=None)
    assert heard == {"a": [f"line 2: degenerate output retried with stricter settings (fixed): {loop}"], "b": []}
    assert all(r.paragraphs[-1].sentences[0].translation.retried for r in results)


def test_empty_article_gives_empty_result():
    (result,), fake = run([Article("e", ())])
    assert result.headline is None and result.paragraphs == () and fake.calls == []


def test_a_list_bullet_reaches_the_translation_unchanged():
    (result,), translator = run([article(("body", "وتشمل الإجراءات:"), ("body", "- خفض الضرائب على الشركات"))])
    assert result.paragraphs[1].translation == "- EN<خفض الضرائب على الشركات>"
    assert ["خفض الضرائب على الشركات"] in [[t for t in call if "خفض" in t] for call in translator.calls]


class SaysNothing(FakeTranslator):
    def translate(self, texts, *, strict=False):
        self.calls.append(list(texts))
        return [Translation("") for _ in texts]


def test_an_empty_output_is_retried_and_flagged():
    warnings = []
    (result,), fake = run([article(("body", "مصر وقطر تقودان جهود وساطة جديدة."))], SaysNothing(),
                          on_warning=warnings.append)
    translation = result.paragraphs[0].sentences[0].translation
    assert translation.retried and translation.flags[0] == "empty"
    assert len(fake.calls) == 2 and any("still empty" in w for w in warnings)


def test_a_split_title_is_named_as_the_title_not_line_0():
    title = "، ".join(f"وقال المتحدث باسم الوزارة في المدينة {n} إن الاجتماع كان مثمرا" for n in range(6))
    warnings = []
    run([Article("t", (Block("headline", title, 0), Block("body", "نص الخبر.", 1)))],
        FakeTranslator(max_input_tokens=20), on_warning=warnings.append)
    assert warnings and warnings[0].startswith("the title: a sentence of ")
