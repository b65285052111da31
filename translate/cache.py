"""A sentence cache on disk (SQLite), shared across runs and across shard processes.

It follows the ``translate.batching.SentenceCache`` protocol. Entries are keyed by the
source text and a hash of the settings that change translations
(``Settings.generation_key()``), so one file can serve several models without mixing
their outputs. New translations are held in memory until :meth:`SQLiteCache.commit`,
which a corpus run calls just before it commits a chunk of output: a run killed in the
middle of a chunk leaves the cache exactly as it was at the last chunk, so the redone
chunk is batched, and translated, exactly as an uninterrupted run would have done it (one
killed between the two commits finds the whole chunk in the cache).
Write transactions are that one short ``commit``, so several processes can share a file
(WAL mode; a writer waits for another up to ``timeout`` seconds).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from translate.errors import InputError
from translate.types import Translation

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    settings TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    score REAL,
    retried INTEGER NOT NULL,
    split INTEGER NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (settings, source)
) WITHOUT ROWID
"""
_QUERY_SIZE = 500
"""Sources looked up per SELECT (SQLite allows 999 parameters in old builds)."""


def settings_hash(generation_key: dict[str, Any]) -> str:
    """A short, stable hash of the settings that change translations."""
    canonical = json.dumps(generation_key, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


class SQLiteCache:
    """Translations of distinct sentences for one set of generation settings, in a SQLite file."""

    def __init__(self, path: str | Path, generation_key: dict[str, Any], timeout: float = 600.0) -> None:
        self.path = Path(path)
        self.key = settings_hash(generation_key)
        self.hits = 0
        self._pending: dict[str, Translation] = {}
        self._timeout = timeout
        self._connect()

    def _connect(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # durable before the chunk is: one fsync a chunk
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: sqlite3.DatabaseError) -> Exception:
        """SQLite's error as ours: a full disk as the system's (exit 1, the file named), else a
        file that is not a cache."""
        if isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc):
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))
        return InputError(f"{self.path}: not a usable sentence cache ({exc})")

    def get_many(self, sources: Iterable[str]) -> dict[str, Translation]:
        found: dict[str, Translation] = {}
        todo = []
        for source in dict.fromkeys(sources):
            if source in self._pending:
                found[source] = self._pending[source]
            else:
                todo.append(source)
        for start in range(0, len(todo), _QUERY_SIZE):
            part = todo[start:start + _QUERY_SIZE]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                "SELECT source, text, score, retried, split, flags FROM translations "
                f"WHERE settings = ? AND source IN ({marks})",
                [self.key, *part],
            )
            for source, text, score, retried, split, flags in rows:
                found[source] = Translation(text, score, bool(retried), bool(split), tuple(json.loads(flags)))
        self.hits += len(found)
        return found

    def put_many(self, translations: dict[str, Translation]) -> None:
        """Hold new translations until :meth:`commit` (they are already visible to ``get_many``)."""
        self._pending.update(translations)

    def commit(self) -> None:
        """Write the held translations in one short transaction."""
        if not self._pending:
            return
        rows = [
            (self.key, source, t.text, t.score, int(t.retried), int(t.split), json.dumps(list(t.flags)))
            for source, t in self._pending.items()
        ]
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR IGNORE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            except BaseException:
                if self._db.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise self._failure(exc) from None
        self._pending.clear()

    def move(self, path: Path) -> None:
        """Take the place of the cache at ``path`` (committed: no transaction is open)."""
        self._db.close()  # the last connection: SQLite folds the WAL into the file and removes it
        for side in ("-wal", "-shm"):  # a killed run's: they would be applied to this file
            Path(f"{path}{side}").unlink(missing_ok=True)
        os.replace(self.path, path)
        self.path = path
        self._connect()

    def close(self) -> None:
        self._db.close()
