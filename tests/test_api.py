"""The Python API of the README, on the tiny real model."""

import pytest

from translate import load, segment_article, translate_article, translate_texts
from translate.errors import ConfigError


@pytest.fixture(scope="module")
def translator(tiny_marian_dir):
    return load(str(tiny_marian_dir), beam_size=1, threads=1)


def test_the_readme_example(seed_article_path, translator):
    text = seed_article_path.read_text(encoding="utf-8")
    structure = segment_article(text)
    result = translate_article(text, translator=translator)
    assert result["headline"]["source"] == structure["headline"]["source"]
    assert result["headline"]["translation"]
    assert len(result["paragraphs"]) == len(structure["paragraphs"])
    assert result["model"]["beam_size"] == 1


def test_a_loaded_translator_keeps_its_settings(seed_article_path, translator):
    text = seed_article_path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keeps its model and settings; give them to load\(...\) instead \(got beam_size\)"):
        translate_article(text, translator=translator, beam_size=3)
    with pytest.raises(ConfigError, match="model='opus-mt-ar-en'"):
        translate_texts(["نص"], translator=translator, model="opus-mt-ar-en")


def test_texts_are_cleaned_as_the_corpus_cleans_them(translator):
    plain = "قال الوزير إن الاقتصاد سينمو هذا العام."
    noisy = "قال الوزيـــر\u200f  إن الاقتصاد سينمو\u00a0هذا العام."  # tatweel, a direction mark, odd spaces
    assert translate_texts([plain, noisy], translator=translator) == translate_texts([plain] * 2, translator=translator)


def test_texts_with_a_model_or_settings_load_it(tiny_marian_dir, translator):
    from translate.config import resolve_settings

    settings = resolve_settings(model=str(tiny_marian_dir), beam_size=1, threads=1)
    expected = translate_texts(["نص قصير."], translator=translator)
    assert translate_texts(["نص قصير."], settings=settings) == expected
    with pytest.raises(ConfigError, match="not several"):
        translate_texts(["نص"], settings=settings, translator=translator)


@pytest.mark.parametrize(("call", "message"), [
    (lambda t: translate_texts("مرحبا", translator=t), r"takes a list of texts; for one text, pass \[text\]"),
    (lambda t: translate_texts(["نص", None], translator=t), r"texts\[1\] must be a string, got NoneType"),
    (lambda t: translate_texts(5, translator=t), "texts must be a list of strings, got int"),
    (lambda t: translate_article(None, translator=t), "the article must be a string, got NoneType"),
    (lambda t: segment_article(b"bytes"), "the article must be a string, got bytes"),
    (lambda t: translate_texts(["نص"], translator="opus-mt-ar-en"), r"translator must come from load\(...\), got str"),
])
def test_arguments_of_the_wrong_kind_are_one_clear_error(translator, call, message):
    with pytest.raises(ConfigError, match=message):
        call(translator)
