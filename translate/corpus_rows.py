"""Corpus rows: which rows a shard takes; a chunk of rows translated into flat output rows.

A row with a title gets it as its headline (line 0) and its text detected with headline
mode ``none``; a file of a folder of ``.txt`` articles is read whole, headline detected.
A row that cannot be translated gets the reason as a string instead of an article, and
becomes a row of the error file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from translate.article import detect_structure
from translate.backends.base import Translator
from translate.batching import SentenceCache
from translate.config import Settings
from translate.corpus_io import Record, by_option
from translate.errors import ConfigError, InputError, UnsplittableError
from translate.io import add_title, id_text, read_article
from translate.normalize import normalize_text
from translate.pipeline import SentencePlan, plan_article, translate_articles
from translate.types import Article, Notify, TranslatedArticle

Count = Callable[[int], None]

RESERVED = ("row", "id", "headline", "text", "segments", "error")
"""Output columns and the key of error rows: a kept source field so named is written as ``source_NAME``."""


@dataclass(frozen=True)
class Fields:
    """Which fields of a row hold its id, text and title, and which are copied to the output."""

    id: str = "id"
    text: str = "text"
    title: str | None = "title"
    keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.kept_columns  # two kept fields that would share a column are refused here

    @functools.cached_property
    def kept_columns(self) -> dict[str, str]:
        """Each kept field's output column: its name, or ``source_NAME`` for an output column's
        name; two fields that would share a column are refused."""
        columns: dict[str, str] = {}
        for name in dict.fromkeys(self.keep):
            column = f"source_{name}" if name in RESERVED else name
            if column in columns.values():
                other = next(field for field, taken in columns.items() if taken == column)
                raise ConfigError(f"--keep-fields {other},{name}: both would be the output column {column!r}; "
                                  "keep one of them")
            columns[name] = column
        return columns


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based): the rows whose number modulo ``count`` is ``index - 1``."""

    index: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ConfigError(f"--shard {text!r}: write K/N, e.g. 2/8 (shard 2 of 8)") from None
        if count < 1:
            raise ConfigError(f"--shard {text!r}: N, the number of shards, must be at least 1")
        if not 1 <= index <= count:
            raise ConfigError(f"--shard {text!r}: K must be between 1 and N")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, row: int) -> bool:
        return row % self.count == self.index - 1

    def row(self, position: int) -> int:
        """The input row number of this shard's row at ``position`` (from 0)."""
        return self.index - 1 + position * self.count

    def size(self, rows: int) -> int:
        return max(0, (rows - self.index + self.count) // self.count)


def to_article(record: Record, fields: Fields, keep_boilerplate: bool = False) -> Article | str:
    """The article of a row, or why the row cannot be translated."""
    if record.data is None:
        return record.problem
    data = record.data
    row_id = _row_id(record, fields)
    if record.path is not None:  # a .txt file of a folder: the whole page, headline detected
        try:
            article = read_article(record.path, id=row_id, encoding=record.encoding)
        except InputError as exc:
            return str(exc)
    else:
        text = data.get(fields.text)
        if fields.text not in data:
            return f"no {fields.text!r} field"
        if text is None:
            return f"{fields.text!r} is null"
        if not isinstance(text, str):
            return f"{fields.text!r} is not a string ({type(text).__name__})"
        if not text.strip():
            return f"empty {fields.text!r}"
        title = data.get(fields.title) if fields.title else None
        if title is not None and not isinstance(title, str):
            return f"{fields.title!r} is not a string ({type(title).__name__})"
        article = add_title(detect_structure(normalize_text(text), id=row_id, headline="none"), title or "")
    if not article.content and not keep_boilerplate:
        return "nothing to translate: every line is site chrome (keep such rows untranslated with --keep-boilerplate)"
    return article


def unseen_fields(records: list[Record], asked: Sequence[tuple[str, str]]) -> list[str]:
    """Warnings, one per option, for the fields the user ``asked`` for (``("--keep-fields", "url")``)
    that no readable row of ``records`` has (a misspelt name, in rows whose fields are not known up front)."""
    rows = [record.data for record in records if record.data is not None and record.path is None]
    if not rows:
        return []
    unseen = by_option((option, name) for option, name in asked if not any(name in row for row in rows))
    return [f"{option} {', '.join(map(repr, names))}: none of the first {len(rows)} rows has "
            f"{'this field' if len(names) == 1 else 'these fields'} (the first row's fields: "
            f"{', '.join(rows[0]) or 'none'}); check the name" for option, names in unseen.items()]


def _in_text(message: str) -> str:
    """A pipeline message about a row: its ``line N`` counts the lines of the text field."""
    return "text " + message if message.startswith("line ") else message


def _row_id(record: Record, fields: Fields) -> str:
    """The row's id as text; its row number where it has none (no such field, null or empty)."""
    value = (record.data or {}).get(fields.id)
    return str(record.row) if _blank(value) else id_text(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value)


def blank_id(record: Record, fields: Fields) -> str | None:
    """A warning for a row whose id field is there but null or empty: its row number stands in,
    and may be another row's id."""
    data = record.data if record.path is None else None  # a folder's page: its path is the id
    if not data or fields.id not in data or not _blank(data[fields.id]):
        return None
    state = "null" if data[fields.id] is None else "empty"
    return (f"row {record.row}: {fields.id!r} is {state}: its id is its row number, {record.row}, which may "
            "be another row's id; give every row an id")


def error_row(record: Record, fields: Fields, reason: str) -> dict[str, Any]:
    """A row of the errors file; a row that could not be read has no id (null): its fields cannot
    be trusted, and its row number could be another row's id."""
    line = {"row": record.row, "id": None if record.data is None else _row_id(record, fields), "error": reason}
    return line | ({"line": record.line} if record.line is not None else {})


def output_row(
    record: Record, result: TranslatedArticle, fields: Fields, segments: bool = False
) -> dict[str, Any]:
    """One flat output row: row, id, headline, text, kept fields, and optionally segments."""
    row: dict[str, Any] = {
        "row": record.row,
        "id": result.id,
        "headline": result.headline.translation if result.headline else None,
        "text": "\n\n".join(block.translation for block in result.paragraphs),
    }
    data = record.data or {}
    for name, column in fields.kept_columns.items():
        row[column] = data.get(name)
    if segments:
        blocks = ((result.headline,) if result.headline else ()) + result.paragraphs
        row["segments"] = [
            {"source": s.source, "translation": s.translation.text} for b in blocks for s in b.sentences
        ]
    return row


def translate_chunk(
    records: list[Record], translator: Translator, settings: Settings, cache: SentenceCache, *,
    fields: Fields, segments: bool = False, window: int = 64, keep_boilerplate: bool = False,
    on_rows: Count | None = None, on_sentences: Count | None = None, on_warning: Notify | None = None,
) -> list[dict[str, Any]]:
    """The output rows and error rows (``{"row", "id", "error"}``) of a chunk, in input order.

    Every article is planned first: one holding a piece too long for any splitting is an
    error row before anything is translated. Sentences of ``window`` articles are then
    batched together.
    """
    lines: list[dict[str, Any]] = []
    planned: dict[int, tuple[Article, list[SentencePlan], Notify | None]] = {}
    for record in records:
        if on_warning and (blank := blank_id(record, fields)):
            on_warning(blank)
        article = to_article(record, fields, keep_boilerplate)
        if isinstance(article, Article):
            where = f"row {record.row}, id {_row_id(record, fields)}, "
            warn = (lambda message, where=where: on_warning(where + _in_text(message))) if on_warning else None
            try:  # planned first, so that a piece too long for any splitting is an error row before any work
                planned[record.row] = (article, plan_article(article, translator, settings, warn), warn)
                continue
            except UnsplittableError as exc:
                article = _in_text(str(exc))
        lines.append(error_row(record, fields, article))
        if on_rows:
            on_rows(1)

    translated = translate_articles(
        [article for article, _, _ in planned.values()], translator, settings,
        plans=[plan for _, plan, _ in planned.values()], warnings=[warn for _, _, warn in planned.values()],
        cache=cache, window=window,
        keep_boilerplate=keep_boilerplate, on_progress=on_sentences, on_warning=on_warning,
    )
    by_row = {record.row: record for record in records}
    for row, result in zip(planned, translated, strict=True):
        lines.append(output_row(by_row[row], result, fields, segments))
        if on_rows:
            on_rows(1)
    return sorted(lines, key=lambda line: line["row"])
