"""Read what `translate evaluate` scores (plain text, JSON Lines or Parquet), and align each
hypothesis with the reference.

Alignment of a hypothesis with the reference, first rule that applies:
ids on both sides and the same set: matched by id (sentence level); ids equal to the
reference's document ids, or as many lines as documents: one hypothesis per document;
a document field on both sides: matched per document; no ids and the same line count:
line by line. A system is scored at document level (each document's sentences joined)
when its hypothesis is not sentence-aligned within a document; the result says why.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.io import id_text, loads_json

TEXT_FIELDS = ("translation", "text")
"""Tried in this order when no text field is given."""


@dataclass(frozen=True)
class Fields:
    """Field names in JSON Lines or Parquet files (`translate corpus` output and the like)."""

    id: str | None = None
    """None: ``id`` where the records have one (else they are paired by line); a field named here must exist."""
    text: str | None = None
    """One field, or several joined with commas (``headline,text``): their values joined by a space."""
    doc: str | None = None
    reference: str | None = None
    """The reference's text field(s) where they differ from ``text``."""
    source: str | None = None
    """The source's text field(s); None: ``text`` where given, else ``text`` (what `translate corpus` reads)."""

    def of_reference(self) -> Fields:
        return replace(self, text=self.reference or self.text)

    def of_source(self) -> Fields:
        return replace(self, text=self.source or self.text or "text")


@dataclass(frozen=True)
class Texts:
    """The lines (or records) of one file, with their ids and document ids where it has them."""

    path: str
    texts: tuple[str, ...]
    ids: tuple[str, ...] | None = None
    docs: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()
    places: tuple[str, ...] | None = None
    """Where each record is in its file (``line 4``, ``record 3``); None for plain text, line by line."""

    def located(self, indices: Sequence[int], most: int = 5) -> str:
        """Where the texts at these (0-based) positions are in the file: ``lines 4, 10``."""
        places = [self.places[i] if self.places else f"line {i + 1}" for i in indices]
        kind = places[0].split()[0] if places else "line"
        numbers = [place.split()[-1] for place in places[:most]]
        return f"{kind}{'s' if len(places) > 1 else ''} {', '.join(numbers)}" + (", ..." if len(places) > most else "")


# --- reading ----------------------------------------------------------------------------


RECORD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet")
"""Files of records (fields by name); any other file is plain text, one segment a line."""


def is_record_file(path: Path | str) -> bool:
    return Path(path).suffix.lower() in RECORD_SUFFIXES


def read_texts(path: Path, fields: Fields = Fields(), option: str = "--text-field") -> Texts:
    """Plain text (one segment a line), JSON Lines (``.jsonl``, ``.ndjson``, ``.json``) or, as
    `translate corpus` may write it, Parquet (``.parquet``). ``option`` names the text field in
    messages."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        from translate.corpus_write import read_rows

        records = list(read_rows(Path(path)))
        if not records:
            raise InputError(f"{path}: empty file; give one record per segment")
        return _from_records(str(path), records, fields, [f"record {n}" for n in range(1, len(records) + 1)], option)
    from translate.corpus_io import refuse_wide_text
    from translate.io import byte_line, read_bytes

    data = read_bytes(Path(path))
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        refuse_wide_text(path, data)
        raise InputError(
            f"{path}: line {byte_line(data, exc.start)}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 "
            "(e.g. iconv -f cp1256 -t UTF-8)"
        ) from None
    lines = [line.rstrip() for line in raw.split("\n")]  # as sacreBLEU's command line reads them
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(f"{path}: empty file; give one segment a line (JSON Lines: one object a line)")
    if not is_record_file(path):
        return Texts(str(path), tuple(lines))
    records, places = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = loads_json(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}: line {number}: not a JSON object ({exc.msg}); give one JSON object per line"
            ) from None
        if not isinstance(record, dict):
            raise InputError(f"{path}: line {number}: not a JSON object; give one JSON object per line")
        records.append(record)
        places.append(f"line {number}")
    if not records:
        raise InputError(f"{path}: only blank lines, no JSON records; give one JSON object per line")
    return _from_records(str(path), records, fields, places, option)


def _from_records(
    path: str, records: list[dict[str, Any]], fields: Fields, places: Sequence[str], option: str
) -> Texts:
    """The texts, ids and documents of ``records``; ``places`` name each in messages (``line 5``)."""
    names = (fields.text or next((f for f in TEXT_FIELDS if f in records[0]), TEXT_FIELDS[0])).split(",")

    def column(name: str, option: str | None) -> tuple[str, ...] | None:
        """The field's values as text (``id_text``); None where no record has it and no ``option``
        asked for it."""
        missing = [place for place, r in zip(places, records) if r.get(name) is None]
        if len(missing) == len(records):
            if option is None:
                return None
            raise InputError(
                f"{path}: {option} {name!r}: no record has this field; its fields: {', '.join(records[0])}"
            )
        if missing:
            raise InputError(f"{path}: {missing[0]} has no {name!r} field ({len(missing)} of {len(records)} records); "
                         "give every record one, or none")
        return tuple(id_text(r[name]) for r in records)

    texts = [_text(path, place, record, names, option) for place, record in zip(places, records)]
    ids = column(fields.id or "id", "--id-field" if fields.id else None)
    if ids is not None and len(set(ids)) < len(ids):
        seen: dict[str, str] = {}
        for place, i in zip(places, ids):
            if i in seen:
                raise InputError(f"{path}: {place}: id {i!r} again (first at {seen[i]}); make the ids unique")
            seen[i] = place
    docs = column(fields.doc, "--doc-field") if fields.doc else None
    headlines = sum(1 for r in records if r.get("headline")) if "headline" not in names else 0
    warnings = (f"{path}: {headlines} records have a 'headline' that is not scored; --text-field headline,text "
                "scores it with the text (the reference's too, unless --reference-field names its own)",
                ) if headlines else ()
    return Texts(path, tuple(_one_line(t) for t in texts), ids, docs, warnings, tuple(places))


def _text(path: str, place: str, record: dict[str, Any], names: Sequence[str], option: str) -> str:
    """The record's text fields joined by a space; absent and null fields skipped, but not all of them."""
    values = [record.get(name) for name in names]
    for name, value in zip(names, values):
        if value is not None and not isinstance(value, str):
            raise InputError(f"{path}: {place}: {name!r} must be a string (got {type(value).__name__}); "
                             "give the text as a JSON string")
    if all(value is None for value in values):
        null = next((name for name in names if name in record), None)
        if null:
            raise InputError(f"{path}: {place}: {null!r} is null; give the text as a JSON string")
        raise InputError(f"{path}: {place} has no {' or '.join(map(repr, names))} field (its fields: "
                         f"{', '.join(record) or 'none'}); name the text field with {option}")
    return " ".join(value for value in values if value is not None)


def _one_line(text: str) -> str:
    """Paragraphs of a record (``translate corpus`` joins them with blank lines) as one line."""
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def read_docs(path: Path, reference: Texts) -> tuple[str, ...]:
    """One document id a line, aligned with the reference."""
    docs = read_texts(path).texts
    if len(docs) != len(reference.texts):
        raise InputError(
            f"{path} has {len(docs)} document ids but {reference.path} has {len(reference.texts)} lines; "
            "give one document id a reference line"
        )
    if "" in docs:
        raise InputError(f"{path}: line {docs.index('') + 1}: empty document id; give every line its document")
    return docs


def _listed(items: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(repr(x) for x in list(items)[:most])
    return shown + (f" (+{len(items) - most} more)" if len(items) > most else "")


# --- alignment ----------------------------------------------------------------------------


def group_by_doc(texts: Sequence[str], docs: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for text, doc in zip(texts, docs):
        groups.setdefault(doc, []).append(text)
    return groups


def align(reference: Texts, ref_docs: Sequence[str] | None, hypothesis: Texts) -> tuple[list[str], str | None]:
    """Hypotheses in reference order: one per reference line, or (with a reason) one per document."""
    ref, hyp = reference, hypothesis
    doc_ids = list(dict.fromkeys(ref_docs)) if ref_docs else []
    if ref.ids and hyp.ids and set(ref.ids) == set(hyp.ids):
        by_id = dict(zip(hyp.ids, hyp.texts))
        return [by_id[i] for i in ref.ids], None
    if doc_ids and hyp.ids and set(hyp.ids) == set(doc_ids):
        by_id = dict(zip(hyp.ids, hyp.texts))
        return [by_id[d] for d in doc_ids], "one hypothesis per document (its ids are the document ids)"
    if doc_ids and hyp.docs:
        return _align_by_doc(ref, doc_ids, ref_docs, hyp)  # type: ignore[arg-type]
    if ref.ids and hyp.ids:
        failed = Path(f"{hyp.path}.errors.jsonl")  # a `translate corpus` output's failed rows
        fix = (f"the rows {failed} lists were not translated: fix them and run translate corpus again"
               if failed.is_file() and set(ref.ids) - set(hyp.ids) else "translate or score the same segments")
        raise InputError(
            f"ids differ: in {hyp.path} only: {_listed(sorted(set(hyp.ids) - set(ref.ids))) or 'none'}; "
            f"in {ref.path} only: {_listed(sorted(set(ref.ids) - set(hyp.ids))) or 'none'}; {fix}"
        )
    if len(hyp.texts) == len(ref.texts):
        return list(hyp.texts), None
    if doc_ids and len(hyp.texts) == len(doc_ids):
        return list(hyp.texts), "one hypothesis line per document"
    docs_note = f" ({len(doc_ids)} documents)" if doc_ids else ""
    raise InputError(
        f"{hyp.path} has {len(hyp.texts)} lines but {ref.path} has {len(ref.texts)}{docs_note}; "
        "give one hypothesis a reference line, or ids to match them by"
    )


def _align_by_doc(ref: Texts, doc_ids: list[str], ref_docs: Sequence[str], hyp: Texts) -> tuple[list[str], str | None]:
    hyp_groups = group_by_doc(hyp.texts, hyp.docs or ())
    only_hyp, only_ref = sorted(set(hyp_groups) - set(doc_ids)), sorted(set(doc_ids) - set(hyp_groups))
    if only_hyp or only_ref:
        raise InputError(
            f"document ids differ: in {hyp.path} only: {_listed(only_hyp) or 'none'}; "
            f"in the reference {ref.path} only: {_listed(only_ref) or 'none'}; give both the same documents"
        )
    ref_groups = group_by_doc(ref.texts, ref_docs)
    uneven = [d for d in doc_ids if len(hyp_groups[d]) != len(ref_groups[d])]
    if uneven:
        reason = (f"{len(uneven)} of {len(doc_ids)} documents have a different number of hypothesis "
                  f"than reference lines, e.g. {uneven[0]!r}")
        return [" ".join(hyp_groups[d]) for d in doc_ids], reason
    position = {d: iter(hyp_groups[d]) for d in doc_ids}
    return [next(position[d]) for d in ref_docs], None


def join_by_doc(texts: Sequence[str], docs: Sequence[str] | None) -> list[str]:
    """Each document's lines joined with a space, in order of first appearance."""
    return [" ".join(group) for group in group_by_doc(texts, docs or ()).values()]
