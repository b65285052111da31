"""Corpus readers: rows streamed from files, folders and datasets, numbered in input order.

Every reader yields :class:`Record` values numbered 0, 1, 2, ... in input order and
never holds the corpus in memory. JSON Lines and CSV are read line by line with the
standard library, so one malformed line becomes one bad record (the ``datasets`` JSON
and CSV builders fail the whole file on it); Parquet files, ``save_to_disk`` folders and
hub datasets are streamed with ``datasets``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from translate.corpus_write import open_parquet
from translate.errors import ConfigError, InputError, first_line
from translate.io import loads_json, text_codec

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
Wanted = Callable[[int], bool]


@dataclass(frozen=True)
class Source:
    """Where a corpus comes from: a file or folder (``path``), or a hub dataset (``dataset``)."""

    path: Path | None = None
    dataset: str | None = None
    config: str | None = None
    split: str | None = None
    encoding: str | None = None
    """The text encoding of a JSON Lines, CSV/TSV or ``.txt`` input; None: UTF-8 (pages: detected)."""

    @property
    def kind(self) -> str:
        if self.dataset:
            return "hub"
        assert self.path is not None
        if self.path.is_dir():
            saved = ("state.json", "dataset_dict.json", "dataset_info.json")
            return "saved" if any((self.path / name).exists() for name in saved) else "txt"
        suffix = self.path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            return "jsonl"
        if suffix in (".csv", ".tsv"):
            return suffix[1:]
        if suffix == ".parquet":
            return "parquet"
        raise ConfigError(
            f"{self.path}: unknown corpus format {suffix or '(no extension)'!r}; use .jsonl, .csv, .tsv, "
            ".parquet, a folder of .txt files, a save_to_disk folder, or --dataset NAME"
        )

    @property
    def local_path(self) -> Path | None:
        """The file or folder the input is on this machine: ``path``, or a local ``--dataset``."""
        if self.path is not None:
            return self.path
        local = Path(self.dataset or "").expanduser()
        return local if self.dataset and local.exists() else None

    def __str__(self) -> str:
        return f"dataset {self.dataset}" if self.dataset else str(self.path)


@dataclass(frozen=True)
class Record:
    """One input row: its fields, or why it could not be read (``data`` is then None)."""

    row: int
    data: dict[str, Any] | None
    problem: str = ""
    line: int | None = None
    """1-based line where the row starts, for JSON Lines and CSV."""
    path: Path | None = None
    """The file of a row of a folder of ``.txt`` articles (``data`` holds ``id`` and ``path``)."""
    encoding: str | None = None
    """That file's encoding, when one was given."""


def check_source(source: Source, text_field: str | None = None, asked: Sequence[tuple[str, str]] = ()) -> None:
    """Raise InputError or ConfigError now for an input that cannot be read at all: missing,
    empty, not of its format, or (where the columns are known up front) without ``text_field``
    or one of the fields the user ``asked`` for (``("--keep-fields", "url")``)."""
    path = source.path
    if path is not None and not path.exists():
        if str(path) == "-":
            raise InputError("-: a corpus is read from a file or folder (its fingerprint lets a rerun resume), not "
                             "from standard input; save it to a file first")
        raise InputError(f"{path}: no such file or folder")
    if path is not None and not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
        raise InputError(f"{path}: permission denied; check its permissions")
    kind = source.kind
    if source.encoding:
        text_codec(source.encoding)
        try:
            sample = b"a\n".decode(source.encoding)
        except UnicodeDecodeError:  # a wide encoding (UTF-32)
            sample = ""
        if kind not in ("jsonl", "csv", "tsv", "txt"):
            raise ConfigError(f"--encoding is for text inputs (JSON Lines, CSV/TSV, .txt pages), not for {source}")
        if kind == "jsonl" and sample != "a\n":  # JSON Lines are cut at the byte b"\n"
            raise ConfigError(f"--encoding {source.encoding} cannot be read line by line; convert {path} to UTF-8")
    if source.config and kind != "hub":
        raise ConfigError(f"--dataset-config {source.config!r} is for --dataset NAME, not for {path}")
    if source.split and kind != "hub" and not (kind == "saved" and _is_dataset_dict(path)):  # type: ignore[arg-type]
        raise ConfigError(
            f"--split {source.split!r}: {path} has no splits; --split is for --dataset or a saved DatasetDict"
        )
    if kind == "jsonl":
        start = _first_bytes(path)  # type: ignore[arg-type]
        if not source.encoding:
            refuse_wide_text(path, start)  # type: ignore[arg-type]
        if not start:
            raise InputError(f"{path}: empty file; give one JSON object per line")
        if start.startswith(b"["):
            raise InputError(f"{path}: holds a JSON array; give JSON Lines (one object per line)")
        rows = _first_rows(source)
        if not any(not decoded or isinstance(data, dict) for decoded, data in rows[:_PROBE_LINES]):
            if b"\r" in start and b"\n" not in start:
                raise InputError(f"{path}: its lines end with a lone CR (classic Mac text); convert them to LF "
                                 f"(e.g. tr '\\r' '\\n' < {path.name} > fixed.jsonl)")
            raise InputError(
                f"{path}: none of its first {_PROBE_LINES} lines is a JSON object (pretty-printed JSON, or not "
                "JSON at all?); give JSON Lines, one object per line"
            )
        _refuse_unusable_rows(source, text_field, rows)
    elif kind == "txt" and next(iter_text_files(path), None) is None:  # type: ignore[arg-type]
        raise InputError(f"{path}: no .txt files in this folder; give a folder of .txt pages or a corpus file")
    _check_columns(source, source_columns(source), text_field, asked)


def check_dataset(source: Source, text_field: str | None = None, asked: Sequence[tuple[str, str]] = ()) -> None:
    """Open a ``--dataset`` (streaming: no rows read) to refuse a wrong split or configuration, or
    a field its features lack, before any work. Only for a run with work to do: a finished
    run's output is there without the hub."""
    names = _open_dataset(source).column_names
    _check_columns(source, None if names is None else list(names), text_field, asked)


def by_option(asked: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``(option, field)`` pairs as each option's fields, in order."""
    grouped: dict[str, list[str]] = {}
    for option, name in asked:
        grouped.setdefault(option, []).append(name)
    return grouped


def _check_columns(source: Source, columns: list[str] | None, text_field: str | None,
                   asked: Sequence[tuple[str, str]]) -> None:
    if columns is None:  # rows need not share fields
        return
    if text_field and text_field not in columns:
        raise InputError(
            f"{source}: no {text_field!r} column (columns: {', '.join(columns)}); name the text column with --text-field"
        )
    for option, missing in by_option((option, name) for option, name in asked if name not in columns).items():
        raise InputError(f"{source}: no {', '.join(map(repr, missing))} column for {option} "
                         f"(columns: {', '.join(columns)}); check the name")


_PROBE_LINES = 5
"""A JSON Lines input is refused when none of this many first lines is a JSON object, or cannot
be decoded (one bad row among them is reported and skipped like any other)."""
_PROBE_ROWS = 256
"""... and when none of this many first rows can be decoded, or none has the text field: a
wrong --encoding or --text-field, which would fail every row."""


def _first_rows(source: Source) -> list[tuple[bool, Any]]:
    """The first ``_PROBE_ROWS`` rows of a JSON Lines file: (decoded, its JSON value or None)."""
    codec = _reading_codec(source.encoding)
    rows: list[tuple[bool, Any]] = []
    with open(source.path, "rb") as file:  # type: ignore[arg-type]
        for raw in islice((raw for raw in file if raw.strip()), _PROBE_ROWS):
            try:
                rows.append((True, loads_json(raw.decode(codec))))
            except UnicodeDecodeError:
                rows.append((False, None))
            except ValueError:
                rows.append((True, None))
    return rows


def _refuse_unusable_rows(source: Source, text_field: str | None, rows: list[tuple[bool, Any]]) -> None:
    """Refuse a JSON Lines file whose first rows all fail for one cause the user can fix
    (checked before the model loads: a finished run of failed rows would have to be overwritten)."""
    if not any(decoded for decoded, _ in rows):
        encoding = f"as {source.encoding}" if source.encoding else "as UTF-8"
        raise InputError(f"{source.path}: none of its first {len(rows)} rows can be read {encoding}; give the "
                         "file's encoding with --encoding (e.g. cp1256), or convert it to UTF-8")
    objects = [data for _, data in rows if isinstance(data, dict)]
    if text_field and objects and not any(text_field in data for data in objects):
        fields = ", ".join(dict.fromkeys(name for data in objects for name in data))
        raise InputError(f"{source.path}: none of its first {len(objects)} records has a {text_field!r} field "
                         f"(fields: {fields}); name the text field with --text-field")


def _first_bytes(path: Path) -> bytes:
    """The start of a file after its UTF-8 BOM and any blank lines (empty for a blank file)."""
    with open(path, "rb") as file:
        while chunk := file.read(1 << 16):
            chunk = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
            if chunk:
                return chunk
    return b""


def source_columns(source: Source) -> list[str] | None:
    """The column names of a CSV/TSV header, a Parquet schema or a saved dataset; None where rows
    need not share fields, or (a ``--dataset``: ``check_dataset``) cannot be known without opening it."""
    if source.kind in ("csv", "tsv"):
        with _open_csv(source) as file:
            return _csv_header(_csv_records(file, source.kind), source.path)  # type: ignore[arg-type]
    if source.kind == "parquet":
        return list(open_parquet(source.path).schema_arrow.names)  # type: ignore[arg-type]
    if source.kind == "saved":
        return list(_load_saved(source).column_names)
    return None


def iter_records(source: Source, wanted: Wanted = lambda row: True) -> Iterator[Record]:
    """The rows for which ``wanted(row)`` is true, in input order (all rows are numbered), of an
    input that ``check_source`` accepted."""
    readers = {"jsonl": _jsonl, "csv": _csv, "tsv": _csv, "txt": _txt, "parquet": _datasets,
               "saved": _datasets, "hub": _datasets}
    return readers[source.kind](source, wanted)


def _jsonl(source: Source, wanted: Wanted) -> Iterator[Record]:
    codec = _reading_codec(source.encoding)
    row = 0
    with open(source.path, "rb") as file:  # type: ignore[arg-type]
        for number, raw in enumerate(file, 1):
            if not raw.strip():
                continue
            if wanted(row):
                yield _parse_json_line(raw, row, number, codec, source.encoding)
            row += 1


def _parse_json_line(raw: bytes, row: int, line: int, codec: str, encoding: str | None) -> Record:
    """One JSON Lines row, decoded with ``codec`` (from ``_reading_codec(encoding)``)."""
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        return Record(row, None, _undecodable(encoding, f"{exc.reason} at byte {exc.start}"), line)
    try:
        data = loads_json(text.rstrip("\r\n"))  # a line cut short is wrong at its end, not on the next line
    except json.JSONDecodeError as exc:
        return Record(row, None, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})", line)
    if not isinstance(data, dict):
        return Record(row, None, f"not a JSON object ({type(data).__name__})", line)
    if "\\u" in text and not _is_unicode(json.dumps(data, ensure_ascii=False)):
        return Record(row, None, "a \\u escape is half of a UTF-16 surrogate pair (e.g. \\ud83d alone), which "
                      "is not a character; write the character itself or its whole pair", line)
    return Record(row, data, "", line)


_DIALECTS: dict[str, dict[str, Any]] = {
    "csv": {"delimiter": ",", "strict": True},
    "tsv": {"delimiter": "\t", "quoting": csv.QUOTE_NONE},
}
"""CSV with its quoting, strictly; TSV as MT corpora write it: a tab between fields, no
quoting, so a quotation mark at the start of a text (common in news) is text."""
MAX_RECORD_CHARS = 1 << 24
"""A CSV record (a quoted field may hold many lines) may be this long; a quote left open
longer is taken as never closed."""


def _open_csv(source: Source) -> IO[str]:
    """A CSV/TSV file opened for ``_csv_records``; a UTF-16 file is refused up front (its
    header would read as noise). Undecodable bytes stay as surrogates, so that one bad row
    is reported and the next ones read. TSV lines end at LF only (a CR inside is text)."""
    if not source.encoding and _starts_wide(source.path):  # type: ignore[arg-type]
        raise InputError(f"{source.path}: UTF-16 text; give --encoding utf-16, or save it as UTF-8")
    encoding = _reading_codec(source.encoding)
    newline = "\n" if source.kind == "tsv" else ""
    return open(source.path, encoding=encoding, newline=newline, errors="surrogateescape")  # type: ignore[arg-type]


_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
"""The byte order marks of UTF-16 text (UTF-32-LE's starts with the first)."""


def _starts_wide(path: Path) -> bool:
    """The file starts with a UTF-16 (or UTF-32) byte order mark."""
    with open(path, "rb") as file:
        return file.read(2) in _WIDE_BOMS


def refuse_wide_text(path: Path | str, start: bytes) -> None:
    """Refuse text that starts with a UTF-16 (or UTF-32) byte order mark where UTF-8 is read."""
    if start[:2] in _WIDE_BOMS:
        raise InputError(f"{path}: UTF-16 or UTF-32 text; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)")


def _reading_codec(encoding: str | None) -> str:
    """The codec a text input is read with: UTF-8 by default, a byte order mark skipped."""
    name = codecs.lookup(encoding).name if encoding else "utf-8"
    return "utf-8-sig" if name == "utf-8" else name


def _csv_header(records: Iterator[tuple[int, list[str] | None, str]], path: Path) -> list[str]:
    try:
        _, header, problem = next(records)
    except StopIteration:
        raise InputError(f"{path}: empty file; give a header row and one article a row") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read the CSV header ({exc.reason}); check --encoding") from None
    if header is None:
        raise InputError(f"{path}: cannot read the CSV header ({problem.split(';')[0]}); fix the first line")
    if not any(name.strip() for name in header):
        raise InputError(f"{path}: the first line, the header row, is blank; put the column names there")
    if not _is_unicode("".join(header)):
        raise InputError(f"{path}: the header row is not UTF-8; give the file's encoding with --encoding "
                         "(e.g. cp1256), or convert it to UTF-8")
    repeated = sorted({name for name in header if name.strip() and header.count(name) > 1})
    if repeated:
        raise InputError(f"{path}: the header names column(s) {', '.join(map(repr, repeated))} twice; rename one")
    return header


def _csv_records(file: IO[str], kind: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """Each record of a CSV/TSV file as ``(first line, values, "")``, or ``(first line, None,
    why)`` for one that cannot be read; a blank line gives ``[]``.

    A TSV record is a line (a CR inside it is text). A CSV record is cut from the lines by
    following its quotes, so that a bad one costs only itself: when a record of several
    lines cannot be read (a quote never closed, one not doubled), its first line is the bad
    record and the lines after it are read again as records of their own.
    """
    if kind == "tsv":
        for number, line in enumerate(file, 1):
            text = line.removesuffix("\n").removesuffix("\r")
            yield number, text.split("\t") if text else [], ""
        return
    dialect = _DIALECTS[kind]
    lines = _Lines(file)
    while (first := lines.take()) is not None:
        start, record, size = lines.number, [first], len(first)
        inside = _inside_quotes(first, dialect["delimiter"], False)
        while inside and (line := lines.take()) is not None:
            size += len(line)
            if size <= MAX_RECORD_CHARS:
                record.append(line)
            inside = _inside_quotes(line, dialect["delimiter"], True)
        if size > MAX_RECORD_CHARS and not inside:
            yield start, None, f"a field longer than {MAX_RECORD_CHARS:,} characters; split the article"
            continue
        values, problem = None, "unexpected end of data"
        try:
            values = None if inside else next(csv.reader(record, **dialect), [])
        except csv.Error as exc:
            problem = str(exc)
        if values is None and lines.number > start:  # read the lines after the first one again
            lines.rewind(start, record[1:] if size <= MAX_RECORD_CHARS else None)
            try:
                values = next(csv.reader([first], **dialect), [])
            except csv.Error as exc:
                problem = str(exc)
        yield (start, values, "") if values is not None else (start, None, _csv_problem(problem, start))


class _Lines:
    """A text file's lines, numbered from 1, that can be read again from a given line."""

    def __init__(self, file: IO[str]) -> None:
        self.file, self.number = file, 0
        self._given_back: list[str] = []  # lines to read again, the next one last

    def take(self) -> str | None:
        line = self._given_back.pop() if self._given_back else self.file.readline()
        if not line:
            return None
        self.number += 1
        return line

    def rewind(self, number: int, following: list[str] | None) -> None:
        """Read again from the line after ``number``: ``following`` are the lines read since
        (None where they were too many to keep: the file is then read again up to there)."""
        if following is None:
            self.file.seek(0)
            self._given_back, self.number = [], 0
            while self.number < number and self.take() is not None:
                pass
        else:
            self._given_back.extend(reversed(following))
            self.number = number


def _inside_quotes(line: str, delimiter: str, inside: bool) -> bool:
    """Whether a CSV quoted field is still open at the end of ``line``, given whether one was
    at its start: a quote opens a field only at the field's start; inside one, ``""`` is a
    quote and any other quote closes it."""
    position = 0
    while (at := line.find('"', position)) >= 0:
        if inside and line.startswith('""', at):
            position = at + 2
            continue
        if inside or at == 0 or line[at - 1] == delimiter:
            inside = not inside
        position = at + 1
    return inside


def _csv(source: Source, wanted: Wanted) -> Iterator[Record]:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS))
    with _open_csv(source) as file:
        records = _csv_records(file, source.kind)  # type: ignore[arg-type]
        header = _csv_header(records, source.path)  # type: ignore[arg-type]
        row = 0
        while True:
            try:
                line, values, problem = next(records)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:  # a wide encoding cannot keep bad bytes aside: the file is not it
                raise InputError(
                    f"{source.path}: not {source.encoding or 'UTF-8'} text ({exc.reason}); check --encoding"
                ) from None
            if values == []:
                continue
            if values is not None:
                problem = "" if len(values) == len(header) else (
                    f"{len(values)} fields where the header has {len(header)}")
                if not problem and not _is_unicode("".join(values)):
                    problem = _undecodable(source.encoding)
            if wanted(row):
                yield Record(row, dict(zip(header, values)) if values and not problem else None, problem, line)
            row += 1


def _csv_problem(error: str, line: int) -> str:
    """A CSV record the reader refused, and the fix."""
    if error == "unexpected end of data":
        return (f"a quoted field opened on line {line} does not close where CSV allows: close it, and "
                "double each quote inside it (\"\"); the lines after it were read as rows of their own")
    if "expected after '\"'" in error:
        return f"not valid CSV ({error}); a quote inside a quoted field is written twice (\"\")"
    return f"not valid CSV ({error}); put the field in quotes, doubling the quotes inside it"


def _undecodable(encoding: str | None, detail: str = "") -> str:
    """Why a row's bytes could not be read, and the fix."""
    where = f" ({detail})" if detail else ""
    if encoding:
        return f"not {encoding} text{where}"
    return f"not UTF-8{where}; give the file's encoding with --encoding (e.g. cp1256)"


def _is_unicode(text: str) -> bool:
    """No lone surrogate in ``text``: an undecodable byte kept aside, or half of a pair."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_text_files(folder: Path) -> Iterator[Path]:
    """The ``.txt`` files under ``folder``, recursively, in a stable (sorted) order."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir():
            yield from iter_text_files(Path(entry.path))
        elif entry.name.lower().endswith(".txt") and entry.is_file():
            yield Path(entry.path)


def _txt(source: Source, wanted: Wanted) -> Iterator[Record]:
    for row, path in enumerate(iter_text_files(source.path)):  # type: ignore[arg-type]
        if wanted(row):
            name = path.relative_to(source.path).as_posix()  # type: ignore[arg-type]
            yield Record(row, {"id": name, "path": str(path)}, path=path, encoding=source.encoding)


def _datasets(source: Source, wanted: Wanted) -> Iterator[Record]:
    rows = iter(_open_dataset(source))
    row = 0
    while True:
        try:
            data = next(rows)
        except StopIteration:
            return
        except ValueError as exc:  # a file of the dataset that its builder cannot read
            culprit = _unreadable_file(source)
            where = f"{culprit}: " if culprit else ""
            raise InputError(f"{source}: cannot read the dataset from row {row} on ({where}{first_line(exc)}); fix "
                             "the file, then run again with --overwrite (fixed files are another input)") from None
        except OSError as exc:  # the hub or the disk failed: the same input, later
            raise InputError(f"{source}: cannot read the dataset from row {row} on ({first_line(exc)}); "
                             "rerun to resume") from None
        if wanted(row):
            yield Record(row, dict(data))
        row += 1


def _open_dataset(source: Source) -> Iterable[dict[str, Any]]:
    if source.kind == "saved":
        saved = _load_saved(source)
        return (row for batch in saved.iter(batch_size=256) for row in _unbatch(batch))
    import datasets

    try:
        if source.kind == "parquet":
            if not open_parquet(source.path).metadata.num_rows:  # type: ignore[arg-type]
                return iter(())  # streaming cannot read a file of no rows
            return datasets.load_dataset("parquet", data_files=str(source.path), split="train", streaming=True)
        return datasets.load_dataset(source.dataset, source.config, split=source.split or "train", streaming=True)
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise InputError(f"{source}: cannot open the dataset ({first_line(exc)})") from None


def _unreadable_file(source: Source) -> str | None:
    """The first file of a local dataset that its builder cannot read on its own (the reader's
    errors name a row of the file, not the file), or None: a hub dataset, or no file alone fails.
    Read only after a failure, file by file, up to the one at fault."""
    import datasets

    if not source.dataset or source.local_path is None:
        return None
    try:
        builder = datasets.load_dataset_builder(source.dataset, source.config)
        files = builder.config.data_files[source.split or "train"]
    except (KeyError, ValueError, OSError):
        return None
    for file in files:
        try:
            for _ in datasets.load_dataset(builder.name, data_files=[file], split="train", streaming=True):
                pass
        except (ValueError, OSError):
            return str(file)
    return None


def _is_dataset_dict(path: Path) -> bool:
    return (path / "dataset_dict.json").is_file()


def _load_saved(source: Source) -> Any:
    """A ``save_to_disk`` dataset (memory-mapped, not read into memory); one split of a DatasetDict."""
    import datasets

    try:
        loaded = datasets.load_from_disk(str(source.path))
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise InputError(f"{source}: cannot open the saved dataset ({first_line(exc)})") from None
    if isinstance(loaded, datasets.DatasetDict):
        split = source.split or ("train" if "train" in loaded else None)
        if split not in loaded:
            raise InputError(f"{source}: choose a split with --split: {', '.join(loaded)}")
        loaded = loaded[split]
    return loaded


def _unbatch(batch: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    columns = list(batch)
    for values in zip(*(batch[c] for c in columns)):
        yield dict(zip(columns, values))


def count_rows(source: Source) -> int | None:
    """How many rows the input has, when that can be known without translating (else None)."""
    kind = source.kind
    if kind == "jsonl":
        with open(source.path, "rb") as file:  # type: ignore[arg-type]
            return sum(1 for raw in file if raw.strip())
    if kind == "parquet":
        return open_parquet(source.path).metadata.num_rows  # type: ignore[arg-type]
    if kind == "saved":
        return len(_load_saved(source))
    if kind == "hub":
        return None
    count = 0

    def seen(row: int) -> bool:  # CSV and folders: a reader pass that keeps nothing
        nonlocal count
        count = row + 1
        return False

    for _ in iter_records(source, seen):
        pass
    return count


def fingerprint(source: Source, *, legacy: bool = False) -> dict[str, Any]:
    """What identifies the input's content (not its path: shards may run on machines that mount
    it elsewhere). ``legacy``: as version 0.1 recorded it (a file's first and last MiB, a
    folder's files' first and last 64 KiB), so that a run it started can be resumed."""
    if source.dataset:
        named = {"dataset": source.dataset, "config": source.config, "split": source.split}
        local = source.local_path
        if legacy:
            return named
        if local is not None:  # a folder or file that load_dataset reads: its contents
            files = _all_files(local) if local.is_dir() else [local]
            return {**named, **_listing(local if local.is_dir() else local.parent, files)}
        return {**named, "revision": hub_dataset_revision(source.dataset)}
    if source.encoding and not _reads_as_default(source):  # the same bytes read otherwise: another input
        encoding = codecs.lookup(source.encoding).name
        return {**fingerprint(Source(source.path, split=source.split), legacy=legacy), "encoding": encoding}
    path = source.path
    assert path is not None
    digest = hashlib.sha256()
    if path.is_file():
        size = _digest_file(digest, path, 1 << 20 if legacy else None)
        return {"size": size, "sha256_ends" if legacy else "sha256": digest.hexdigest()}
    files = iter_text_files(path) if source.kind == "txt" else _all_files(path)
    if source.kind == "saved" and _is_dataset_dict(path):  # one folder, an input per split
        digest.update(f"split {source.split or 'train'}\n".encode())
    return _listing(path, files, digest, legacy=legacy)


def _reads_as_default(source: Source) -> bool:
    """An explicit UTF-8 reads a JSON Lines or CSV/TSV file as no ``--encoding`` does (a folder
    of pages without one has each page's encoding detected)."""
    return codecs.lookup(source.encoding or "utf-8").name == "utf-8" and source.kind in ("jsonl", "csv", "tsv")


def _all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _listing(folder: Path, files: Iterable[Path], digest: Any = None, *, legacy: bool = False) -> dict[str, Any]:
    """The fingerprint of ``files`` under ``folder``: their relative names and contents. A file
    that cannot be read counts as such (its row, a page, is an error row that says why)."""
    digest = digest or hashlib.sha256()
    count = 0
    for file_path in files:
        digest.update(f"{file_path.relative_to(folder).as_posix()}\0".encode())
        try:
            size = _digest_file(digest, file_path, 1 << 16 if legacy else None)
        except OSError as exc:
            digest.update(f"\0unreadable {exc.errno}\n".encode())
        else:
            digest.update(f"\0{size}\n".encode())
        count += 1
    return {"files": count, "sha256_listing": digest.hexdigest()}


def hub_dataset_revision(name: str) -> str | None:
    """The commit of a hub dataset's main branch, so that a run resumed after the dataset
    changed is refused; None where the hub cannot tell (offline: the dataset cannot be
    streamed then either)."""
    from huggingface_hub import HfApi

    try:
        return HfApi().dataset_info(name, timeout=10).sha
    except Exception:  # offline, unreachable, unknown: nothing more to record than the name
        return None


def _digest_file(digest: Any, path: Path, ends: int | None = None) -> int:
    """Add all of the file's bytes to ``digest`` (1.3 GB/s: a second for a corpus that takes
    days to translate, and an edit anywhere is seen), or only its first and last ``ends``
    bytes (the legacy fingerprint); its size."""
    if ends is not None:
        size = path.stat().st_size
        with open(path, "rb") as file:
            digest.update(file.read(ends))
            file.seek(max(0, size - ends))
            digest.update(file.read(ends))
        return size
    size = 0
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size
