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
from translate.io import parse_article
from translate.output import article_to_dict, segmentation_to_dict
from translate.pipeline import translate_articles
from translate.types import Article, Block


def segment_article(text: str, *, headline: str = "auto", id: str = "article") -> dict[str, Any]:
    """The structure the pipeline would translate (headline, paragraphs, sentences, dropped)."""
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

    ``settings`` are config keys (``beam_size=1``, ``device="cpu"``, ...). Pass a loaded
    ``translator`` (from ``load(...)``) to translate many articles with one model load.
    """
    article = parse_article(text, name="<text>", id="article", headline=headline)
    config = resolve_settings(model=model, **settings)
    started = time.perf_counter()
    translator = translator or load_translator(config)
    loaded = time.perf_counter()
    (result,) = translate_articles([article], translator, config, keep_boilerplate=keep_boilerplate)
    data = article_to_dict(result)
    data["timings"] |= {"load_s": round(loaded - started, 4), "total_s": round(time.perf_counter() - started, 4)}
    return data


def load(model: str | None = None, **settings: Any) -> Translator:
    """Load a model once, to pass as ``translator=`` to the functions above."""
    return load_translator(resolve_settings(model=model, **settings))


def translate_texts(
    texts: Sequence[str],
    settings: Settings,
    *,
    translator: Translator | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_message: Callable[[str], None] | None = None,
) -> list[str]:
    """Translate line-aligned paragraphs: each text is split, translated and joined back.
    ``on_message`` hears of a model download or conversion when ``translator`` is not given."""
    translator = translator or load_translator(settings, on_message=on_message)
    articles = [Article(str(i), (Block("body", text, i + 1),)) for i, text in enumerate(texts)]
    results = translate_articles(
        articles, translator, settings, window=256, on_progress=on_progress, on_warning=on_warning
    )
    return [" ".join(p.translation for p in r.paragraphs) for r in results]
