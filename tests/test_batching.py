import random

import pytest

from translate.batching import MemoryCache, make_batches
from translate.types import Translation


@pytest.mark.parametrize("step_cost", [None, 0, 3, 12.5])
@pytest.mark.parametrize("seed", range(20))
def test_every_index_once_and_budget_respected(seed, step_cost):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 80) for _ in range(rng.randint(0, 300))]
    budget, max_size = rng.choice([100, 500, 2000]), rng.choice([4, 16, 64])
    batches = make_batches(lengths, budget, max_size, step_cost)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= max_size
        padded = len(batch) * max(lengths[i] for i in batch)
        assert padded <= budget or len(batch) == 1


def test_batches_are_sorted_by_length():
    lengths = [3, 50, 7, 49, 8, 2]
    batches = make_batches(lengths, budget=100, max_size=2)
    assert batches == [[1, 3], [4, 2], [0, 5]]


def test_overlong_sentence_gets_its_own_batch():
    assert make_batches([500, 2, 2], budget=100, max_size=8) == [[0], [1, 2]]


def decoding_cost(batches, lengths, step_cost):
    return sum(max(lengths[i] for i in batch) * (step_cost + len(batch)) for batch in batches)


def all_cuts(items):
    """Every split of ``items`` into contiguous non-empty runs."""
    if not items:
        yield []
        return
    for size in range(1, len(items) + 1):
        for rest in all_cuts(items[size:]):
            yield [items[:size], *rest]


@pytest.mark.parametrize("seed", range(30))
def test_step_cost_cuts_are_the_cheapest(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 60) for _ in range(rng.randint(1, 8))]
    budget, max_size, step_cost = rng.choice([60, 150, 400]), rng.choice([2, 3, 8]), rng.choice([0, 1, 4, 16])
    batches = make_batches(lengths, budget, max_size, step_cost)
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    allowed = [
        cuts for cuts in all_cuts(order)
        if all(len(c) == 1 or (len(c) <= max_size and len(c) * lengths[c[0]] <= budget) for c in cuts)
    ]
    assert [i for b in batches for i in b] == order
    assert decoding_cost(batches, lengths, step_cost) == min(decoding_cost(c, lengths, step_cost) for c in allowed)


def test_step_cost_keeps_a_long_sentence_from_holding_up_short_ones():
    lengths = [100, 10, 10, 10]
    assert make_batches(lengths, budget=1000, max_size=8) == [[0, 1, 2, 3]]
    assert make_batches(lengths, budget=1000, max_size=8, step_cost=2) == [[0], [1, 2, 3]]


def test_a_large_step_cost_keeps_similar_lengths_together():
    assert make_batches([40, 38, 39, 41], budget=1000, max_size=8, step_cost=20) == [[3, 0, 2, 1]]


def test_memory_cache_counts_hits():
    cache = MemoryCache()
    cache.put_many({"a": Translation("A")})
    assert cache.get_many(["a", "b"]) == {"a": Translation("A")}
    assert cache.hits == 1
