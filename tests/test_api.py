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
