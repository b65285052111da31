"""Arabic-to-English news translation: articles, corpora and evaluation.

The package imports nothing heavy: torch, transformers and ctranslate2 are loaded
only when a backend is chosen.

    >>> from translate import translate_article
    >>> result = translate_article(open("article.txt").read(), model="opus-mt-ar-en")
    >>> result["headline"]["translation"]
"""

__version__ = "0.2.0"

__all__ = ["__version__", "load", "segment_article", "translate_article", "translate_texts"]


def __getattr__(name: str):
    if name in __all__:
        from translate import api

        return getattr(api, name)
    raise AttributeError(f"module 'translate' has no attribute {name!r}")
