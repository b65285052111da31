"""Streaming corpus runs: chunks committed atomically, resume, shards, the error file.

A run of ``translate corpus INPUT -o OUT`` keeps, next to ``OUT``:

- ``OUT.run.json``: the settings that change translations, the input's fingerprint,
  the options that shape the rows, and the status (``running`` or ``complete``);
- ``OUT.parts/``: one file per committed chunk of ``chunk_size`` rows (``00000000.jsonl``,
  ...; output rows and error rows in input order), written to a temporary file, fsynced and
  renamed, and the run's sentence cache (``cache.sqlite``, unless ``--cache`` names one; an
  ``--overwrite`` run's is ``cache.next.sqlite`` until its first chunk replaces the earlier
  run's chunks and cache, so that an earlier run it never replaced resumes with its own cache);
- at the end ``OUT`` itself and ``OUT.errors.jsonl`` (when any row failed), assembled from
  the chunks, after which ``OUT.parts/`` is removed;
- while the run lasts, ``OUT.lock``, locked, so that a second run on ``OUT`` (the same shard
  started twice, a resume while the first run is alive) is refused before it touches a file.

The sentence cache is committed just before each chunk, so a run killed at any moment
resumes from the last committed chunk with the cache as it was then (the redone chunk is
batched and translated exactly as before), or, killed between the two commits, with every
sentence of the redone chunk in the cache: either way every row comes out once and the
translations equal those of an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from translate.backends.base import Translator
from translate.backends.loading import check_local_model
from translate.cache import SQLiteCache
from translate.convert import model_version
from translate.config import Settings
from translate.corpus_io import Source, check_dataset, check_source, count_rows, fingerprint, iter_records
from translate.corpus_rows import Count, Fields, Notify, Shard, translate_chunk, unseen_fields
from translate.corpus_write import (
    link_target,
    output_format,
    prepare_output,
    read_json_object,
    read_jsonl,
    release_lock,
    take_lock,
    write_json,
    write_jsonl,
    write_output,
)
from translate.errors import ConfigError, InputError, first_line
from translate.types import ModelInfo

OUTPUT_KEYS = ("settings", "input", "fields", "shard", "segments", "keep_boilerplate")
"""What ``OUT.run.json`` records that decides the output; the rest only has to match to resume."""
RUN_CACHE, NEXT_CACHE = "cache.sqlite", "cache.next.sqlite"
"""A run's own sentence cache in ``OUT.parts``, and an ``--overwrite`` run's before its first chunk."""
RECORD, ERRORS = ".run.json", ".errors.jsonl"
"""What ``OUT``'s run record and error file add to its name."""
COMPUTED, VERSION = "compute_type", "model_version"
"""Recorded once the model is loaded: what ``compute_type`` (``auto`` by default) resolved to on
the device, e.g. ``int8_float32`` on CPU or ``float16`` on CUDA, and the weights' version
(``ModelInfo.version``); a resume must compute alike with the same weights."""


@dataclass(frozen=True)
class Options:
    fields: Fields = Fields()
    shard: Shard = Shard()
    chunk_size: int = 256
    window: int = 64
    """Articles whose sentences are sorted by length and batched together. Measured with
    ``scripts/benchmark.py --tune --budgets 0 --sizes 0 --windows 1,4,16,64`` (opus-mt-ar-en
    shape, 360 sentences in articles of 12, default budgets, 2-core CPU): CTranslate2 int8
    greedy 669/1098/1201/1301 tokens/s, beam 4 339/398/478/450; transformers greedy
    184/260/425/471, beam 4 74/111/159/154. A window of one article leaves batches short;
    the gain levels off from 16 articles (about 200 sentences), and 64 stays past that
    point for articles shorter than these."""
    segments: bool = False
    keep_boilerplate: bool = False
    cache: Path | None = None
    overwrite: bool = False
    named_fields: tuple[tuple[str, str], ...] = ()
    """The id and title fields the user named (``("--id-field", "key")``); a default field that is
    absent just means none."""

    @property
    def asked_fields(self) -> list[tuple[str, str]]:
        """Every field the user asked for, with its option: the kept ones and ``named_fields``.
        Where a CSV header, a Parquet schema or a dataset lacks one the input is refused; where no
        row of the first chunk has one, a warning says so."""
        return [("--keep-fields", name) for name in self.fields.keep] + list(self.named_fields)


@dataclass
class Summary:
    output: Path
    errors: Path | None = None
    rows: int = 0
    """Rows of the input (of this shard) accounted for: ``translated + resumed + failed``."""
    translated: int = 0
    resumed: int = 0
    """Rows translated by an earlier, interrupted run."""
    failed: int = 0
    """Rows that failed, in this run or an earlier one."""
    sentences: int = 0
    """Distinct sentences (or pieces of long ones) of each window, translated or from the cache."""
    cache_hits: int = 0
    wall_s: float = 0.0
    already_complete: bool = False


@dataclass
class Run:
    """A prepared run: its files, what it records, and where an earlier run stopped."""

    source: Source
    output: Path
    settings: Settings
    options: Options
    record: dict[str, Any]
    done_chunks: int = 0
    done_rows: int = 0
    done_failed: int = 0
    total: int | None = None
    """Rows of this shard, when the input size is known up front."""
    complete: bool = False
    record_pending: bool = False
    """An --overwrite run's record is written with its first chunk: until then the earlier run's
    record and chunks, and so its finished output or its resume, stay in force (a model that
    cannot load, or Ctrl-C while it loads, leaves them as they were)."""
    fresh: bool = False
    """This run wrote a new record (no earlier run to resume or to keep in force)."""
    summary: Summary = field(init=False)
    lock: IO[bytes] | None = None
    """``OUT.lock``, held from ``open_run`` until ``close``; None where the system cannot lock."""

    def __post_init__(self) -> None:
        self.summary = Summary(self.output)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let another run take ``OUT``. A fresh run, or an ``--overwrite`` run before its first
        chunk, that left nothing in ``OUT.parts`` (its model could not load, say) leaves no files
        behind (the earlier run's record stays for the second)."""
        if (self.fresh or self.record_pending) and self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()
            if self.fresh:
                self.run_file.unlink(missing_ok=True)
        lock, self.lock = self.lock, None
        release_lock(self.lock_file, lock)

    @property
    def lock_file(self) -> Path:
        return beside(self.output, ".lock")

    @property
    def parts(self) -> Path:
        return beside(self.output, ".parts")

    @property
    def run_file(self) -> Path:
        return beside(self.output, RECORD)

    @property
    def errors_file(self) -> Path:
        return beside(self.output, ERRORS)

    def chunk(self, index: int) -> Path:
        return self.parts / f"{index:08d}.jsonl"


def beside(output: Path, suffix: str) -> Path:
    """A file the run keeps next to ``OUT``: ``OUT`` + ``suffix``."""
    return output.with_name(output.name + suffix)


def describe(source: Source, settings: Settings, options: Options) -> dict[str, Any]:
    """What ``OUT.run.json`` records; a resume must match it (``source``, status and counts aside)."""
    return {
        "source": str(source.path.resolve()) if source.path else str(source),
        "settings": settings.generation_key(),
        "input": fingerprint(source),
        "fields": asdict(options.fields),
        "shard": str(options.shard),
        "chunk_size": options.chunk_size,
        "window": options.window,
        "batching": {"batch_tokens": settings.batch_tokens, "batch_size": settings.batch_size},
        "segments": options.segments,
        "keep_boilerplate": options.keep_boilerplate,
    }


def open_run(source: Source, output: Path, settings: Settings, options: Options = Options()) -> Run:
    """Check the input and an earlier run's record; resume it, refuse it, or start afresh.

    The run holds ``OUT.lock`` until it is closed (``with open_run(...) as run:``)."""
    check_source(source, options.fields.text, options.asked_fields)
    output = link_target(output)  # a link and its target are one output, with one lock
    output_format(output)
    local = source.local_path
    prepare_output(output, [local])
    record = json.loads(json.dumps(describe(source, settings, options)))  # as it reads back from disk
    run = Run(source, output, settings, options, record)
    for side in (run.run_file, run.errors_file, run.lock_file, run.parts):
        if source.path is not None and source.path.resolve() == side.resolve():
            raise ConfigError(f"{source.path} is where the run on {output} keeps its "
                              f"{side.name.removeprefix(output.name)} file; name the output otherwise")
    if options.cache is not None:
        cache = options.cache.resolve()
        taken = [output, run.run_file, run.errors_file, run.lock_file, *([local] if local else [])]
        inside = [run.parts, *([local] if local and local.is_dir() else [])]
        if any(cache == path.resolve() for path in taken) or any(cache.is_relative_to(d.resolve()) for d in inside):
            raise ConfigError(f"--cache {options.cache} is the input, the output or one of the run's files, or "
                              "inside the input folder or OUTPUT.parts; give the sentence cache a file of its own")
        if options.cache.exists():  # a file that is no cache is refused before the model loads
            SQLiteCache(options.cache, {}).close()
    run.lock = take_lock(run.lock_file, f"{output} is being written by another run (it holds {run.lock_file}); "
                         "wait for it to finish, or stop it and rerun to resume")
    try:
        _open(run)
    except BaseException:
        run.close()
        raise
    return run


def _open(run: Run) -> None:
    """Resume, refuse or start afresh ``run``, under its lock."""
    source, output, options = run.source, run.output, run.options
    # --overwrite: the earlier run (its output, errors, record and chunks) stays until the new run's first chunk
    recorded = read_json_object(run.run_file) if run.run_file.exists() and not options.overwrite else None
    complete = recorded is not None and recorded.get("status") == "complete"
    if complete and not output.exists():
        recorded = None  # the output of a finished run was removed: start afresh
    interrupted = recorded is not None and not complete  # a run started on this output, --overwrite or not
    if interrupted and not run.chunk(0).exists():
        recorded = None  # nothing committed (e.g. the model could not load): the settings may change
    if recorded is None and output.exists() and not options.overwrite and not interrupted:
        raise ConfigError(
            f"{output} exists and no interrupted run of it is recorded; use --overwrite to replace it")
    if source.kind == "hub" and not (complete and recorded is not None):  # work to do
        check_dataset(source, options.fields.text, options.asked_fields)
    if recorded is None:
        run.record_pending = options.overwrite
        if run.record_pending:  # an earlier run's chunks and cache stay until the first chunk
            _remove(*run.parts.glob(f"{NEXT_CACHE}*"))
        else:
            _remove(run.parts)
            run.fresh = True
        save_record(run)
    else:
        run.record.update({key: recorded[key] for key in (COMPUTED, VERSION) if key in recorded})
        if recorded.get("input") != run.record["input"] and recorded.get("input") == fingerprint(source, legacy=True):
            run.record["input"] = recorded["input"]  # the same input, fingerprinted by an earlier version
        keys = OUTPUT_KEYS if complete else tuple(k for k in run.record if k != "source")
        changed = [f"{k}: {describe_change(recorded.get(k), run.record[k])}"
                   for k in keys if differs(k, recorded.get(k), run.record[k], by_computed=not complete,
                                            computed=recorded.get(COMPUTED))]
        if complete and _local(run.record["settings"]) and recorded.get(VERSION):  # not loaded: its weights
            model = check_local_model(Path(run.settings.model).expanduser(), run.settings.model)  # or: missing
            version = model_version(model)
            if version != recorded[VERSION]:
                changed.append(f"{VERSION}: {describe_change(recorded[VERSION], version)}")
        if changed:
            raise ConfigError(
                f"{output} was {'written' if complete else 'started'} with other settings or input "
                f"({'; '.join(changed)}); rerun with the same ones to resume, or add --overwrite to start again"
            )
        if complete:
            counts = recorded.get("counts", {})
            run.complete, run.summary = True, Summary(
                output, run.errors_file if counts.get("failed") else None, rows=counts.get("rows", 0),
                failed=counts.get("failed", 0), already_complete=True)
            _remove(run.parts)
            return
    run.parts.mkdir(exist_ok=True)
    for stale in run.parts.glob(".*.tmp"):
        stale.unlink()
    while not run.record_pending and run.chunk(run.done_chunks).exists():
        chunk = run.chunk(run.done_chunks)
        try:
            lines = list(read_jsonl(chunk))
            expected = [options.shard.row(run.done_rows + i) for i in range(len(lines))]
            if [line.get("row") if isinstance(line, dict) else None for line in lines] != expected:
                raise ValueError(f"its rows are not the next {len(lines)} rows of the input")
        except (ValueError, UnicodeDecodeError) as exc:  # written atomically: damaged since
            raise InputError(f"{chunk}: a committed chunk that cannot be read ({first_line(exc)}); "
                             "remove it and the chunks after it, and the rerun translates their rows again") from None
        run.done_rows += len(lines)
        run.done_failed += sum("error" in line for line in lines)
        run.done_chunks += 1
    rows = count_rows(source)
    run.total = None if rows is None else options.shard.size(rows)


def translate_corpus(
    run: Run,
    translator: Translator,
    *,
    on_rows: Count | None = None,
    on_sentences: Count | None = None,
    on_warning: Notify | None = None,
) -> Summary:
    """Translate the rows not yet committed, chunk by chunk, then assemble the outputs."""
    started = time.perf_counter()
    summary, options = run.summary, run.options
    summary.resumed, summary.failed = run.done_rows - run.done_failed, run.done_failed
    seen = 0

    def wanted(row: int) -> bool:
        nonlocal seen
        seen = row + 1
        return options.shard.owns(row) and row // options.shard.count >= run.done_rows

    def sentences(n: int) -> None:
        summary.sentences += n
        if on_sentences:
            on_sentences(n)

    key = run.settings.generation_key() | check_loaded(run, translator.info)
    cache = SQLiteCache(options.cache or run.parts / (NEXT_CACHE if run.record_pending else RUN_CACHE), key)
    records = iter_records(run.source, wanted)
    with contextlib.closing(cache), contextlib.closing(records):  # type: ignore[type-var]
        index = run.done_chunks
        while chunk := list(islice(records, options.chunk_size)):
            if index == run.done_chunks and on_warning:  # before the chunk's own warnings fill the limit
                for message in unseen_fields(chunk, options.asked_fields):
                    on_warning(message)
            lines = translate_chunk(
                chunk, translator, run.settings, cache, fields=options.fields, segments=options.segments,
                window=options.window, keep_boilerplate=options.keep_boilerplate,
                on_rows=on_rows, on_sentences=sentences, on_warning=on_warning,
            )
            cache.commit()
            if run.record_pending:  # an --overwrite run's first chunk: it replaces the earlier run's
                for earlier in run.parts.glob("*.jsonl"):
                    earlier.unlink()
                if options.cache is None:
                    cache.move(run.parts / RUN_CACHE)
                run.record_pending = False
                save_record(run)
            write_jsonl(run.chunk(index), lines)
            index += 1
            summary.translated += sum("error" not in line for line in lines)
            summary.failed += sum("error" in line for line in lines)
        summary.cache_hits = cache.hits
    finish(run, index, seen)
    summary.wall_s = round(time.perf_counter() - started, 3)
    return summary


def check_loaded(run: Run, info: ModelInfo) -> dict[str, str]:
    """Record what the loaded model computes in and which weights it has, or refuse to resume a
    run that computed otherwise (another device or ``--compute-type``) or with other weights
    (a model directory rebuilt in place, another hub commit); returns them."""
    loaded = {COMPUTED: info.compute_type, VERSION: info.version}
    recorded = {key: run.record[key] for key in loaded if key in run.record}
    if recorded.get(COMPUTED, info.compute_type) != info.compute_type:
        raise ConfigError(
            f"{run.output} was started computing in {recorded[COMPUTED]} and this run computes in "
            f"{info.compute_type} (another device or --compute-type); resume it where it computes alike, "
            "or add --overwrite to start again"
        )
    if recorded.get(VERSION, info.version) != info.version:
        raise ConfigError(
            f"{run.output} was started with other weights of {info.model} ({recorded[VERSION]}, now "
            f"{info.version}); resume it with those weights, or add --overwrite to start again"
        )
    if recorded != loaded:
        run.record.update(loaded)
        save_record(run)
    return loaded


def save_record(run: Run) -> None:
    """Write the record of a running run, unless it waits for its first chunk (``record_pending``)."""
    if not run.record_pending:
        write_json(run.run_file, run.record | {"status": "running"})


def finish(run: Run, chunks: int, input_rows: int) -> None:
    """Assemble ``OUT`` and ``OUT.errors.jsonl`` from the chunks, mark the run complete, tidy up."""
    def lines() -> Iterator[dict[str, Any]]:
        for index in range(chunks):
            yield from read_jsonl(run.chunk(index))

    summary = run.summary
    rows, failed = write_output(run.output, run.errors_file, lambda: (line for line in lines() if "error" not in line),
                                (line for line in lines() if "error" in line))
    summary.rows = rows + failed
    summary.errors = run.errors_file if failed else None
    counts = {"rows": summary.rows, "failed": failed, "input_rows": input_rows}
    write_json(run.run_file, run.record | {"status": "complete", "counts": counts})
    _remove(run.parts)


def differs(key: str, old: Any, new: Any, *, by_computed: bool = False, computed: str | None = None) -> bool:
    """Whether two runs' records differ at ``key``. A local model directory's path does not
    count (its weights' version is compared), so shards may mount the model elsewhere; nor
    does a hub dataset's commit when one of the runs could not learn it, nor the batching or
    the output vocabulary where an earlier version did not record it, nor the path of a local
    ``--dataset`` folder whose files are fingerprinted (shards may mount it elsewhere, as an input file). Where the
    compute type computed is compared instead (``by_computed``: ``check_loaded`` on a resume,
    ``COMPUTED`` among the keys a merge compares), the compute type asked for does not count
    either, so ``auto`` and the type it stands for are alike; nor does it for a finished run
    that ``computed`` in a type, when the new run asks for ``auto`` or for that type."""
    if key == "settings" and isinstance(old, dict) and isinstance(new, dict):
        ignored = {"model": None} if _local(old) and _local(new) else {}
        if "output_vocabulary" not in old or "output_vocabulary" not in new:  # recorded before the setting was
            ignored["output_vocabulary"] = None
        if by_computed or _asks_for(new.get("compute_type"), computed):
            ignored["compute_type"] = None
        old, new = {**old, **ignored}, {**new, **ignored}
    if key == "batching" and old is None:  # recorded before batching was
        return False
    if key == "input" and isinstance(old, dict) and isinstance(new, dict):
        if None in (old.get("revision", 0), new.get("revision", 0)):  # a hub dataset's commit the hub did not tell
            old, new = {**old, "revision": None}, {**new, "revision": None}
        if "sha256_listing" in old and "sha256_listing" in new:  # a local --dataset folder: its files, not its path
            old, new = {**old, "dataset": None}, {**new, "dataset": None}
    return old != new


def _asks_for(asked: Any, computed: str | None) -> bool:
    """Whether ``asked`` (``auto``, ``int8``) asks for what a run ``computed`` in (``int8_float32``:
    CTranslate2 names the type its int8 weights compute in)."""
    return computed is not None and (asked in ("auto", computed) or computed.startswith(f"{asked}_"))


def _local(settings: dict[str, Any]) -> bool:
    return Path(str(settings.get("model", ""))).is_absolute()


def describe_change(old: Any, new: Any) -> str:
    """What changed between two recorded values (for a dict: the keys that differ)."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = (k for k in {**old, **new} if old.get(k) != new.get(k))
        return ", ".join(f"{k} {_shown(old.get(k))} -> {_shown(new.get(k))}" for k in keys)
    return f"{_shown(old)} -> {_shown(new)}"


def _shown(value: Any) -> str:
    """A recorded value as a message shows it: ``(none)``, ``on``/``off``, a list's items, text quoted."""
    if value is None or value == [] or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(_shown, value))
    return repr(value) if isinstance(value, (str, int, float)) else json.dumps(value, ensure_ascii=False)


def _remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


