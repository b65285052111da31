"""Length-sorted, token-budgeted batches with original indices, and the sentence cache."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from translate.types import Translation


def make_batches(lengths: Sequence[int], budget: int, max_size: int) -> list[list[int]]:
    """Group indices into batches whose padded cost stays under ``budget``.

    Indices are sorted by length, longest first, so each batch pads little. A batch's
    cost is counted as padded cells, ``size * longest``; a batch is closed when one more
    sentence would pass ``budget`` or ``max_size``. A sentence longer than the budget
    gets a batch of its own. Every index appears exactly once.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]
        if current and ((len(current) + 1) * longest > budget or len(current) >= max_size):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


class SentenceCache(Protocol):
    """Translations of distinct source sentences, for one set of generation settings."""

    def get_many(self, sources: Iterable[str]) -> dict[str, Translation]: ...

    def put_many(self, translations: dict[str, Translation]) -> None: ...


class MemoryCache:
    """The default cache: lives as long as the run."""

    def __init__(self) -> None:
        self._store: dict[str, Translation] = {}
        self.hits = 0

    def get_many(self, sources: Iterable[str]) -> dict[str, Translation]:
        found = {s: self._store[s] for s in sources if s in self._store}
        self.hits += len(found)
        return found

    def put_many(self, translations: dict[str, Translation]) -> None:
        self._store.update(translations)
