"""Length-sorted, token-budgeted batches with original indices, and the sentence cache."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

from translate.types import Translation


def make_batches(
    lengths: Sequence[int], budget: int, max_size: int, step_cost: float | None = None
) -> list[list[int]]:
    """Group indices into batches whose padded cost stays under ``budget``.

    Indices are sorted by length, longest first, so each batch pads little; a batch's
    memory is counted as padded cells, ``size * longest``, and kept under ``budget`` and
    ``max_size``. A sentence longer than the budget gets a batch of its own. Every index
    appears exactly once.

    ``step_cost`` is for backends that decode every sentence of a batch until its longest
    is done: a decoding step then costs ``step_cost + size`` sentence-steps (the fixed part
    is what the step costs beyond its rows: reading the weights, the per-step overhead), and
    the batch runs for as many steps as its longest sentence needs, taken as proportional
    to its source length. The sorted order is then cut where the total is smallest. Without
    it, batches are filled in order up to the limits: right for backends that drop each
    sentence from the batch when it ends.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    if step_cost is None:
        return _fill(order, lengths, budget, max_size)
    return _cheapest_cuts(order, lengths, budget, max_size, step_cost)


def _fits(size: int, longest: int, budget: int, max_size: int) -> bool:
    return size == 1 or (size <= max_size and size * longest <= budget)


def _fill(order: list[int], lengths: Sequence[int], budget: int, max_size: int) -> list[list[int]]:
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and not _fits(len(current) + 1, lengths[current[0]], budget, max_size):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def _cheapest_cuts(
    order: list[int], lengths: Sequence[int], budget: int, max_size: int, step_cost: float
) -> list[list[int]]:
    """Contiguous cuts of ``order`` (longest first) minimizing the sum over batches of
    ``longest * (step_cost + size)``, by dynamic programming from the short end."""
    count = len(order)
    best = [0.0] * (count + 1)  # best[i]: cheapest cost of order[i:]
    end = [count] * (count + 1)  # end[i]: where the first batch of that best split ends
    for start in range(count - 1, -1, -1):
        longest = lengths[order[start]]
        best[start] = math.inf
        size = 1
        while start + size <= count and _fits(size, longest, budget, max_size):
            cost = longest * (step_cost + size) + best[start + size]
            if cost < best[start]:
                best[start], end[start] = cost, start + size
            size += 1
    batches, start = [], 0
    while start < count:
        batches.append(order[start:end[start]])
        start = end[start]
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
