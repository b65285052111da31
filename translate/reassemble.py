"""Rebuilds translated articles from their sentences, keeping roles, order and dropped chrome."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from translate.types import (
    Article,
    ModelInfo,
    TranslatedArticle,
    TranslatedBlock,
    TranslatedSentence,
    Translation,
)

if TYPE_CHECKING:
    from translate.pipeline import SentencePlan


def build_article(
    article: Article,
    plans: Sequence[SentencePlan],
    translations: Sequence[Translation],
    info: ModelInfo | None,
    keep_boilerplate: bool = False,
    timings: dict[str, float] | None = None,
) -> TranslatedArticle:
    """Put each sentence's translation back in its block, blocks in document order.

    Sentences of a block are joined with one space. Boilerplate blocks are listed in
    ``dropped``, or, with ``keep_boilerplate``, kept in place untranslated.
    """
    by_block: dict[int, list[TranslatedSentence]] = {}
    for plan, translation in zip(plans, translations, strict=True):
        by_block.setdefault(plan.segment.block, []).append(TranslatedSentence(plan.segment.text, translation))
    content = iter(range(len(article.content)))
    blocks: list[TranslatedBlock] = []
    for block in article.blocks:
        if block.role == "boilerplate":
            if keep_boilerplate:
                blocks.append(TranslatedBlock("boilerplate", block.text, block.text, ()))
            continue
        sentences = tuple(by_block.get(next(content), ()))
        text = " ".join(s.translation.text for s in sentences)
        blocks.append(TranslatedBlock(block.role, block.text, text, sentences))
    headline = next((b for b in blocks if b.role == "headline"), None)
    return TranslatedArticle(
        id=article.id,
        headline=headline,
        paragraphs=tuple(b for b in blocks if b is not headline),
        dropped=() if keep_boilerplate else tuple(b.text for b in article.dropped),
        model=info,
        timings=dict(timings or {}),
    )
