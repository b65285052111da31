"""Joining the outputs of ``translate corpus --shard K/N`` runs back into one, in input order.

Each shard's output is sorted by its ``row`` column, and so is its error file, so the
merge streams them all through one k-way merge: memory stays flat. Before anything is
written, the merge checks that the shards are the complete runs 1..N of one corpus with
the same settings, and that every input row appears exactly once, as an output row or
as an error row.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.corpus import COMPUTED, ERRORS, OUTPUT_KEYS, RECORD, VERSION, beside, describe_change, differs
from translate.corpus_rows import Shard
from translate.corpus_write import (
    output_format, prepare_output, read_json_object, read_jsonl, read_rows, release_lock, take_lock, write_json,
    write_output,
)
from translate.errors import ConfigError, InputError, first_line

SAME = (*(key for key in OUTPUT_KEYS if key != "shard"), COMPUTED, VERSION)
"""What every shard of one corpus must have recorded alike."""


@dataclass(frozen=True)
class ShardRun:
    output: Path
    record: dict[str, Any]

    @property
    def errors(self) -> Path:
        return beside(self.output, ERRORS)


@dataclass
class MergeSummary:
    output: Path
    shards: int
    rows: int
    failed: int
    errors: Path | None


def find_shard_runs(paths: Sequence[Path]) -> list[ShardRun]:
    """The shard outputs named, or found in the folders named (by their ``.run.json`` records)."""
    outputs: dict[Path, bool] = {}  # each output, and whether it was found in a folder
    for path in paths:
        if path.is_dir():
            found = sorted(p.with_name(p.name[: -len(RECORD)]) for p in path.glob(f"*{RECORD}"))
            if not found:
                raise InputError(f"{path}: no corpus run outputs (OUTPUT.run.json files) in this folder")
            outputs.update((output, outputs.get(output, True)) for output in found)
        else:
            outputs[path] = False
    runs = []
    for output, in_folder in outputs.items():
        record_file = beside(output, RECORD)
        if not output.exists() and not record_file.exists():
            raise InputError(f"{output}: no such file")
        if not record_file.exists():
            raise InputError(
                f"{output}: no {record_file.name} next to it; merge the outputs of 'translate corpus' runs")
        record = read_json_object(record_file)
        if in_folder and "merged_from" in record:  # an earlier merge written beside its shards
            continue
        if record.get("status") != "complete" or not output.exists():
            raise InputError(
                f"{output}: the run is not complete; rerun its 'translate corpus' command to finish it")
        runs.append(ShardRun(output, record))
    if not runs:
        raise InputError(f"{', '.join(map(str, paths))}: no shard outputs here, only earlier merges; "
                         "name the outputs of 'translate corpus --shard K/N'")
    return runs


def check_shards(runs: list[ShardRun]) -> int:
    """The corpus's number of input rows, once the runs are shown to be shards 1..N of it."""
    first = runs[0]
    for run in runs[1:]:
        changed = [f"{key}: {describe_change(first.record.get(key), run.record.get(key))}"
                   for key in SAME if differs(key, first.record.get(key), run.record.get(key), by_computed=True)]
        if changed:
            raise InputError(
                f"{run.output} and {first.output} differ ({'; '.join(changed)}); merge shards of one run only"
            )
    shards = [Shard.parse(run.record["shard"]) for run in runs]
    counts = {shard.count for shard in shards}
    if len(counts) > 1:
        named = {shard.count: run.output for shard, run in zip(shards, runs)}
        raise InputError("the outputs come from different shard counts ("
                         + ", ".join(f"{count} for {run}" for count, run in sorted(named.items()))
                         + "); merge the shards of one run only (name their files, where a folder holds others)")
    count = counts.pop()
    indexes = [shard.index for shard in shards]
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    repeated = sorted({i for i in indexes if indexes.count(i) > 1})
    if missing or repeated:
        problems = ([f"missing shard(s) {', '.join(f'{i}/{count}' for i in missing)}"] if missing else []) + (
            [f"shard(s) given twice {', '.join(f'{i}/{count}' for i in repeated)}"] if repeated else [])
        raise InputError(f"cannot merge: {'; '.join(problems)}; give the output of every shard once (run a "
                         "missing one with 'translate corpus ... --shard K/N' and the same settings)")
    totals = {run.record["counts"]["input_rows"] for run in runs}
    if len(totals) > 1:
        raise InputError(f"the shards saw different numbers of input rows ({', '.join(map(str, sorted(totals)))})")
    return totals.pop()


def merged(runs: list[ShardRun]) -> Iterator[tuple[int, bool, dict[str, Any]]]:
    """``(row, is_error, row_dict)`` from every output and error file, in row order."""
    def tagged(path: Path, rows: Iterator[dict[str, Any]], error: bool) -> Iterator[tuple[int, bool, dict[str, Any]]]:
        good = 0
        try:
            for row in rows:
                if not isinstance(row.get("row"), int):
                    raise ValueError("no row number")
                good += 1
                yield row["row"], error, row
        except (OSError, ValueError, AttributeError) as exc:  # damaged or edited since its run wrote it
            raise InputError(f"{path}: record {good + 1}: not a row its run wrote ({first_line(exc)}); "
                             "restore the file, or run that shard again with --overwrite") from None

    streams = [tagged(run.output, read_rows(run.output), False) for run in runs]
    streams += [tagged(run.errors, read_jsonl(run.errors), True) for run in runs if run.errors.exists()]
    return heapq.merge(*streams, key=lambda item: item[0])


def check_rows(runs: list[ShardRun], total: int) -> None:
    """Raise InputError naming rows missing, present twice, or past the input's end."""
    found = {"missing rows": Tally(), "rows present twice": Tally(), "rows past the input's end": Tally()}
    missing, repeated, beyond = found.values()
    expected = 0
    for row, _, _ in merged(runs):
        if row >= total:
            beyond.add(row)
        elif row < expected:
            repeated.add(row)
        else:
            missing.add_range(expected, row)
            expected = row + 1
    missing.add_range(expected, total)
    problems = [f"{what} {tally}" for what, tally in found.items() if tally.count]
    if problems:
        raise InputError(f"the shard outputs do not hold every input row exactly once: {'; '.join(problems)}")


class Tally:
    """A count of row numbers and the first few of them, for a message."""

    def __init__(self, most: int = 10) -> None:
        self.count, self.first, self.most = 0, [], most

    def add(self, row: int) -> None:
        self.add_range(row, row + 1)

    def add_range(self, start: int, end: int) -> None:
        self.first += range(start, min(end, start + self.most - len(self.first)))
        self.count += max(0, end - start)

    def __str__(self) -> str:
        shown = ", ".join(map(str, self.first))
        return f"{shown}, ... ({self.count} in all)" if self.count > len(self.first) else shown


def merge_shards(paths: Sequence[Path], output: Path) -> MergeSummary:
    """Write ``output`` (and ``output.errors.jsonl``) from complete shard runs, in input order."""
    output_format(output)
    runs = find_shard_runs(paths)
    if any(run.output.resolve() == output.resolve() for run in runs):
        raise ConfigError(f"{output} is one of the shard outputs; write the merge to another file")
    total = check_shards(runs)
    check_rows(runs, total)
    record_file = beside(output, RECORD)
    earlier_merge = record_file.exists() and "merged_from" in read_json_object(record_file)
    if (output.exists() or record_file.exists()) and not earlier_merge:
        raise ConfigError(
            f"{output} (or its .run.json) exists and is not an earlier merge; remove it or write the merge elsewhere"
        )
    prepare_output(output)
    lock_file = beside(output, ".lock")
    lock = take_lock(lock_file, f"{output} is being written by another run or merge (it holds {lock_file}); "
                     "wait for it to finish")
    try:
        # recorded as a merge first: a merge stopped while it writes is redone by the same command
        record = {key: runs[0].record.get(key) for key in SAME} | {
            "shard": "1/1", "merged_from": [str(run.output) for run in runs]}
        write_json(record_file, record | {"status": "running"})
        errors = beside(output, ERRORS)
        rows, failed = write_output(output, errors, lambda: (row for _, error, row in merged(runs) if not error),
                                    (row for _, error, row in merged(runs) if error))
        counts = {"rows": rows + failed, "failed": failed, "input_rows": total}
        write_json(record_file, record | {"status": "complete", "counts": counts})
    finally:
        release_lock(lock_file, lock)
    return MergeSummary(output, len(runs), rows + failed, failed, errors if failed else None)
