"""The Python API, for notebooks and scripts: the same structures the CLI prints as JSON.

    >>> from translate import translate_article
    >>> result = translate_article(text, model="opus-mt-ar-en")
    >>> print(result["headline"]["translation"])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from translate.backends import load_translator
from translate.backends.base import Translator
from translate.config import Settings, resolve_settings
from translate.errors import ConfigError
from translate.io import parse_article
from translate.normalize import normalize_text
from translate.output import article_to_dict, segmentation_to_dict
from translate.pipeline import translate_articles
from translate.types import Article, Block, Notify


def _translator(
    model: str | None, translator: Translator | None, settings: dict[str, Any], on_message: Notify | None = None
) -> tuple[Translator, Settings]:
    """The translator to use and the settings it was loaded with: the given one, whose settings
    cannot be changed here, or one loaded for ``model`` and ``settings``."""
    if translator is None:
        config = resolve_settings(model=model, **settings)
        return load_translator(config, on_message=on_message), config
    if model or settings:
        raise ConfigError(
            "a loaded translator keeps its model and settings; give them to load(...) instead "
            f"(got {', '.join(([f'model={model!r}'] if model else []) + sorted(settings))})"
        )
    if not all(hasattr(translator, name) for name in ("translate_batches", "count_tokens", "settings", "info")):
        raise ConfigError(f"translator must come from load(...), got {type(translator).__name__}")
    return translator, translator.settings


def _check_text(text: Any) -> None:
    if not isinstance(text, str):
        raise ConfigError(f"the article must be a string, got {type(text).__name__}")


def _check_texts(texts: Any) -> list[str]:
    """``texts`` as a list of strings, or a one-line error saying what is wrong with them."""
    if isinstance(texts, str):
        raise ConfigError("translate_texts takes a list of texts; for one text, pass [text]")
    try:
        items = list(texts)
    except TypeError:
        raise ConfigError(f"texts must be a list of strings, got {type(texts).__name__}") from None
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise ConfigError(f"texts[{index}] must be a string, got {type(item).__name__}")
    return items


def segment_article(text: str, *, headline: str = "auto", id: str = "article") -> dict[str, Any]:
    """The structure the pipeline would translate (headline, paragraphs, sentences, dropped)."""
    _check_text(text)
    return segmentation_to_dict(parse_article(text, name="<text>", id=id, headline=headline))


def translate_article(
    text: str,
    *,
    model: str | None = None,
    translator: Translator | None = None,
    headline: str = "auto",
    keep_boilerplate: bool = False,
    **settings: Any,
) -> dict[str, Any]:
    """Translate one article (plain text or a JSON object with title/text).

    ``settings`` are config keys (``beam_size=1``, ``device="cpu"``, ...). To translate many
    articles with one model load, pass a ``translator`` from ``load(model, **settings)``
    instead: it carries its model and settings.
    """
    _check_text(text)
    article = parse_article(text, name="<text>", id="article", headline=headline)
    started = time.perf_counter()
    translator, config = _translator(model, translator, settings)
    loaded = time.perf_counter()
    (result,) = translate_articles([article], translator, config, keep_boilerplate=keep_boilerplate)
    return article_to_dict(result.timed(started, loaded, time.perf_counter()))


def load(model: str | None = None, **settings: Any) -> Translator:
    """Load a model once, to pass as ``translator=`` to the functions here."""
    return load_translator(resolve_settings(model=model, **settings))


def translate_texts(
    texts: Sequence[str],
    *,
    model: str | None = None,
    translator: Translator | None = None,
    settings: Settings | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_message: Callable[[str], None] | None = None,
) -> list[str]:
    """Translate texts, each as one paragraph (line breaks become spaces), cleaned, split into
    sentences, translated and joined back as ``translate corpus`` does: with ``translator``
    (from ``load``), or with ``settings`` or ``model``, loaded here (``on_message`` then hears
    of a download or conversion)."""
    texts = _check_texts(texts)
    if settings is not None and (model or translator):
        raise ConfigError("give translate_texts settings, or a model, or a translator, not several")
    if settings is not None:
        translator = load_translator(settings, on_message=on_message)
    translator, settings = _translator(model, translator, {}, on_message)
    articles = [
        Article(str(i), (Block("body", " ".join(normalize_text(text).split()), i + 1),))
        for i, text in enumerate(texts)
    ]
    results = translate_articles(
        articles, translator, settings, window=256, on_progress=on_progress, on_warning=on_warning
    )
    return [" ".join(p.translation for p in r.paragraphs) for r in results]
