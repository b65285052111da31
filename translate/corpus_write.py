"""Corpus outputs: files that appear complete or not at all, as JSON Lines or Parquet.

Every writer goes through a temporary file in the same folder that is flushed, fsynced
and renamed over the target (then the folder is fsynced), so a crash at any moment
leaves either the old file or the complete new one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from translate.errors import ConfigError, InputError, first_line

OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
Rows = Callable[[], Iterable[dict[str, Any]]]
"""A function that gives a fresh iterator over the rows (Parquet reads them twice)."""


def output_format(path: Path) -> str:
    try:
        return OUTPUT_FORMATS[path.suffix.lower()]
    except KeyError:
        if str(path) == "-":
            raise ConfigError("-: a corpus is written to a file, which a rerun resumes, not to standard output; "
                              "give OUTPUT.jsonl or OUTPUT.parquet") from None
        refuse_folder(path)
        raise ConfigError(
            f"{path}: unknown output format {path.suffix or '(no extension)'!r}; use .jsonl or .parquet"
        ) from None


def prepare_output(path: Path, inputs: Sequence[Path | str | None] = ()) -> None:
    """Make sure ``path`` can be written: a file name, none of the ``inputs`` (``-``: stdin)
    nor inside an input folder, its folder created when missing and writable (a file is
    written beside it first); a device such as /dev/null is written as it is."""
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        if path.is_file() and Path(given).is_file() and path.samefile(given):
            raise ConfigError(f"{path} is the input {given}; write to another file")
        if Path(given).is_dir() and Path(os.path.realpath(path)).is_relative_to(os.path.realpath(given)):
            raise ConfigError(f"{path} is inside the input folder {given}, where it and its run files would "
                              "change the input; write it outside that folder")
    path = link_target(path)
    refuse_folder(path)
    if not path.exists() or path.is_file():
        check_writable_folder(path)


def refuse_folder(path: Path) -> None:
    """Refuse an output that is a folder (whatever its name says: ``out.jsonl/``)."""
    if path.is_dir():
        raise ConfigError(f"{path} is a folder; give a file name to write")


def check_writable_folder(path: Path) -> None:
    """Refuse, up front, a ``path`` whose folder cannot be created or written in."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create its folder {path.parent} ({exc.strerror})") from None
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write in {path.parent} ({exc.strerror}); choose another place") from None


_NO_LOCKS = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL}
"""What ``flock`` raises on a file system that does not lock (Lustre's ``noflock``, NFS without lockd)."""


def take_lock(path: Path, busy: str) -> IO[bytes] | None:
    """An exclusive lock on ``path`` (created when missing), held while the returned file is
    open; ``ConfigError(busy)`` when another process holds it. ``None`` where nothing can be
    locked: no ``flock`` (Windows), or a file system that refuses it."""
    try:
        import fcntl
    except ImportError:
        return None
    for _ in range(3):
        file = open(path, "ab")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            raise ConfigError(busy) from None
        except OSError as exc:
            file.close()
            if exc.errno not in _NO_LOCKS:
                raise
            path.unlink(missing_ok=True)
            return None
        if _still_there(file, path):
            return file
        file.close()  # its holder removed it between our open and our lock: lock the new one
    raise ConfigError(busy)


def release_lock(path: Path, file: IO[bytes] | None) -> None:
    """Let another run take the lock of ``take_lock`` (the file goes while it is still held; a
    run that opened it just before locks the file that stays, see ``take_lock``)."""
    if file is not None:
        try:
            path.unlink(missing_ok=True)
        finally:
            file.close()


def _still_there(file: IO[bytes], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(file.fileno()), os.stat(path))
    except FileNotFoundError:
        return False


def link_target(path: Path) -> Path:
    """``path``, or the file a link there points to (existing or not): an output given as a
    link is written over its target, and the link stays."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """A file that appears at ``path`` (or a link's target) complete (written, fsynced,
    renamed) or not at all."""
    path = link_target(path)
    tmp = path.with_name(f".{path.name}.tmp")
    encoding = None if "b" in mode else "utf-8"
    try:
        with open(tmp, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno and exc.filename is None:  # a write or fsync: name the file
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path: Path, data: Any) -> None:
    with atomic_file(path) as file:
        json.dump(data, file, ensure_ascii=False, indent=2)
        file.write("\n")


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line; values JSON cannot hold (dates, ...) as their text."""
    count = 0
    with atomic_file(path) as file:
        for row in rows:
            file.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
            count += 1
    return count


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object a file holds (a run's record); InputError naming the file when it cannot
    be read as one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read it ({first_line(exc)}); restore it, or remove it to start over") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: holds no JSON object; restore it, or remove it to start over")
    return data


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def write_output(output: Path, errors: Path, rows: Rows, error_rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """A finished run's files: the error rows (no file when none failed), then the output, so
    that the output appears last, once all else is there; (output rows, error rows)."""
    failed = write_jsonl(errors, error_rows)
    if not failed:
        errors.unlink()
    return write_rows(output, rows), failed


def write_rows(path: Path, rows: Rows) -> int:
    """Write output rows as JSON Lines or Parquet (by extension); ``rows`` gives a fresh iterator."""
    if output_format(path) == "jsonl":
        return write_jsonl(path, rows())
    return write_parquet(path, rows)


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSON Lines or Parquet output, streamed."""
    if output_format(path) == "jsonl":
        yield from read_jsonl(path)
        return
    for batch in open_parquet(path).iter_batches(batch_size=512):
        yield from batch.to_pylist()


def open_parquet(path: Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile``; a file that is not Parquet is refused in one line."""
    import pyarrow
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give a Parquet file") from None
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (pyarrow.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({first_line(exc)})") from None


TEXT_COLUMNS = ("id", "headline", "text")


def write_parquet(path: Path, rows: Rows) -> int:
    """Two streaming passes: the columns' types from every row, then row groups of 1024 rows.

    ``row`` is int64, ``id``/``headline``/``text`` strings, ``segments`` a list of
    (source, translation) structs; a kept field whose values are all str, all bool or all
    numbers gets that type, any other mix, or an integer beyond int64, is stored as JSON text.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    seen: dict[str, set[type]] = {name: set() for name in ("row", *TEXT_COLUMNS)}
    for row in rows():
        for name, value in row.items():
            seen.setdefault(name, set()).update(() if value is None else (_value_type(value),))
    schema = pa.schema([(name, _arrow_type(name, types)) for name, types in seen.items()])
    as_text = {name for name in seen if schema.field(name).type == pa.string()}
    count = 0
    with atomic_file(path, "wb") as file, pq.ParquetWriter(file, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows():
            batch.append({name: _as_text(row.get(name)) if name in as_text else row.get(name) for name in seen})
            if len(batch) == 1024:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


class _BigInt:
    """The type noted for an integer that int64 cannot hold (its column becomes JSON text)."""


def _value_type(value: Any) -> type:
    if type(value) is int and not -(2**63) <= value < 2**63:
        return _BigInt
    return type(value)


def _arrow_type(name: str, types: set[type]) -> Any:
    import pyarrow as pa

    if name == "row":
        return pa.int64()
    if name == "segments":
        return pa.list_(pa.struct([("source", pa.string()), ("translation", pa.string())]))
    if name not in TEXT_COLUMNS and types == {bool}:
        return pa.bool_()
    if name not in TEXT_COLUMNS and types == {int}:
        return pa.int64()
    if name not in TEXT_COLUMNS and types and types <= {int, float}:
        return pa.float64()
    return pa.string()


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
