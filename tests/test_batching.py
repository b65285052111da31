import random

import pytest

from translate.batching import MemoryCache, make_batches
from translate.types import Translation


@pytest.mark.parametrize("seed", range(20))
def test_every_index_once_and_budget_respected(seed):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 80) for _ in range(rng.randint(0, 300))]
    budget, max_size = rng.choice([100, 500, 2000]), rng.choice([4, 16, 64])
    batches = make_batches(lengths, budget, max_size)
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


def test_memory_cache_counts_hits():
    cache = MemoryCache()
    cache.put_many({"a": Translation("A")})
    assert cache.get_many(["a", "b"]) == {"a": Translation("A")}
    assert cache.hits == 1
