"""Renderers: plain text, markdown and JSON for translations; text and JSON for segmentation."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal, get_args

from translate.errors import ConfigError
from translate.segment import segment_blocks
from translate.types import Article, TranslatedArticle, TranslatedBlock

Format = Literal["text", "markdown", "json"]
"""How a translated article is written (``translate article --format``)."""


def article_to_dict(result: TranslatedArticle) -> dict[str, Any]:
    """The JSON structure of a translated article (also what the Python API returns)."""
    return {
        "id": result.id,
        "headline": _headline_dict(result.headline),
        "paragraphs": [_block_dict(b) for b in result.paragraphs],
        "dropped": list(result.dropped),
        "model": _model_dict(result),
        "timings": dict(result.timings),
    }


def segmentation_to_dict(article: Article) -> dict[str, Any]:
    """The structure the pipeline would translate: the same shape, without translations."""
    content = article.content
    sentences: dict[int, list[dict[str, str]]] = {}
    for segment in segment_blocks(content):
        sentences.setdefault(segment.block, []).append({"source": segment.text})
    headline = article.headline
    return {
        "id": article.id,
        "headline": {"source": headline.text, "line": headline.line} if headline else None,
        "paragraphs": [
            {"role": b.role, "source": b.text, "line": b.line, "sentences": sentences.get(i, [])}
            for i, b in enumerate(content)
            if b.role != "headline"
        ],
        "dropped": [b.text for b in article.dropped],
    }


def render(result: TranslatedArticle, fmt: Format) -> str:
    if fmt not in get_args(Format):
        raise ConfigError(f"unknown format {fmt!r}; choose one of: {', '.join(get_args(Format))}")
    if fmt == "json":
        return json.dumps(article_to_dict(result), ensure_ascii=False, indent=2) + "\n"
    markdown = fmt == "markdown"
    parts = []
    if result.headline:
        parts.append(("# " if markdown else "") + result.headline.translation)
    for block in result.paragraphs:
        prefix = "## " if markdown and block.role == "subheading" else ""
        parts.append(prefix + block.translation)
    return "\n\n".join(parts) + "\n"


def render_segmentation(article: Article, fmt: str) -> str:
    data = segmentation_to_dict(article)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    lines = []
    if data["headline"]:
        lines += [f"headline (line {data['headline']['line']}): {data['headline']['source']}", ""]
    for paragraph in data["paragraphs"]:
        lines.append(f"{paragraph['role']} (line {paragraph['line']}):")
        lines += [f"  {n}. {s['source']}" for n, s in enumerate(paragraph["sentences"], 1)]
    lines += ["", f"dropped ({len(data['dropped'])}):"]
    lines += [f"  - {text}" for text in data["dropped"]]
    return "\n".join(lines) + "\n"


def _headline_dict(block: TranslatedBlock | None) -> dict[str, Any] | None:
    if block is None:
        return None
    return {"source": block.source, "translation": block.translation}


def _block_dict(block: TranslatedBlock) -> dict[str, Any]:
    return {
        "role": block.role,
        "source": block.source,
        "translation": block.translation,
        "sentences": [
            {"source": s.source, "translation": s.translation.text}
            | ({"flags": list(s.translation.flags)} if s.translation.flags else {})
            | ({"retried": True} if s.translation.retried else {})
            | ({"split": True} if s.translation.split else {})
            for s in block.sentences
        ],
    }


def _model_dict(result: TranslatedArticle) -> dict[str, Any] | None:
    if result.model is None:
        return None
    return dataclasses.asdict(result.model) | {"signature": result.model.signature()}
