"""`translate corpus` and `translate corpus-merge`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from translate.cli import options as opt
from translate.cli.common import (
    INTERRUPTED_EXIT,
    Progress,
    app,
    examples,
    exit_at_once,
    info,
    limited_warnings,
    plural,
    reports_errors,
    warn,
)
from translate.errors import ConfigError

ROWS_FAILED_EXIT = 5
"""Exit code of a run that finished but wrote some rows to the error file."""

CORPUS_EPILOG = examples(
    "translate corpus news.jsonl -o news.en.jsonl",
    "translate corpus news.csv -o news.en.parquet --keep-fields url,date --segments",
    "translate corpus articles/ -o articles.en.jsonl      # a folder of .txt pages",
    "translate corpus --dataset owner/arabic-news --split test -o test.en.parquet",
    "translate corpus news.jsonl -o part2.jsonl --shard 2/4 --device cuda:1",
    note="Rerun the same command after an interruption to resume; --overwrite starts again. "
    "Rows that cannot be translated go to OUTPUT.errors.jsonl; the exit code is then 5.",
)


Input = Annotated[Optional[Path], typer.Argument(
    help="JSON Lines, CSV/TSV or Parquet file, a folder of .txt articles, or a save_to_disk folder.",
    metavar="INPUT", show_default=False)]
Output = Annotated[Path, typer.Option("--output", "-o", metavar="OUTPUT", help="OUTPUT.jsonl or OUTPUT.parquet.")]
Dataset = Annotated[Optional[str], typer.Option("--dataset", metavar="NAME", help="A hub dataset (owner/name) or a local folder of data files, instead of INPUT.")]
DatasetConfig = Annotated[Optional[str], typer.Option("--dataset-config", metavar="NAME",
    help="The hub dataset's configuration.")]
Split = Annotated[Optional[str], typer.Option("--split", metavar="NAME", help="Dataset split (default: train).")]
IdField = Annotated[Optional[str], typer.Option("--id-field", metavar="FIELD", show_default=False,
    help="Field with the row's id (else the row number). Default: id.")]
TextField = Annotated[str, typer.Option("--text-field", metavar="FIELD", help="Field with the article text.")]
TitleField = Annotated[Optional[str], typer.Option("--title-field", metavar="FIELD", show_default=False,
    help="Field with the headline ('' for none). Default: title, where the rows have it.")]
KeepFields = Annotated[Optional[list[str]], typer.Option(
    "--keep-fields", metavar="FIELDS", help="Source fields copied to the output, comma-separated or repeated.")]
Segments = Annotated[bool, typer.Option("--segments", help="Add the sentence pairs (source, translation).")]
ShardSpec = Annotated[str, typer.Option("--shard", metavar="K/N",
    help="K/N: translate the rows whose number modulo N is K-1.")]
Cache = Annotated[Optional[Path], typer.Option("--cache", metavar="FILE",
    help="SQLite sentence cache kept across runs.")]
ChunkSize = Annotated[int, typer.Option(
    "--chunk-size", min=1, metavar="N", help="Rows per committed chunk (at most this much is redone after a crash).")]
Window = Annotated[int, typer.Option("--window", min=1, metavar="N",
    help="Articles whose sentences are batched together.")]
Overwrite = Annotated[bool, typer.Option(
    "--overwrite", help="Start again: an interrupted run of OUTPUT is discarded, and OUTPUT is replaced when "
    "the new run ends.")]


@app.command("corpus", epilog=CORPUS_EPILOG)
@reports_errors
@opt.takes_model_options
def corpus_command(
    source: Input = None,
    output: Output = ...,  # type: ignore[assignment]  (required)
    dataset: Dataset = None,
    dataset_config: DatasetConfig = None,
    split: Split = None,
    id_field: IdField = None,
    text_field: TextField = "text",
    title_field: TitleField = None,
    keep_fields: KeepFields = None,
    segments: Segments = False,
    keep_boilerplate: opt.KeepBoilerplate = False,
    shard: ShardSpec = "1/1",
    cache: Cache = None,
    chunk_size: ChunkSize = 256,
    window: Window = 64,
    overwrite: Overwrite = False,
    encoding: opt.Encoding = None,
    *,
    model: opt.Model = None,
    model_options: opt.ModelOptions,
    quiet: opt.Quiet = False,
) -> None:
    """Translate a corpus of Arabic news articles, one output row per input row, resumable after a crash."""
    from translate.backends import load_translator
    from translate.corpus import Fields, Options, Shard, Source, open_run, translate_corpus

    if source is None and dataset is None:
        raise ConfigError("give the corpus to translate: an INPUT file or folder, or --dataset NAME")
    if source is not None and dataset is not None:
        raise ConfigError("give either INPUT or --dataset NAME, not both")
    settings = model_options.settings(model)
    keep = tuple(name.strip() for value in keep_fields or () for name in value.split(",") if name.strip())
    named = tuple((option, name) for option, name in (("--id-field", id_field), ("--title-field", title_field)) if name)
    default = Fields()  # '' names no field: the row number is the id, no title is the headline
    options = Options(
        fields=Fields(default.id if id_field is None else id_field, text_field,
                      default.title if title_field is None else title_field or None, keep),
        shard=Shard.parse(shard), chunk_size=chunk_size, window=window, segments=segments,
        keep_boilerplate=keep_boilerplate, cache=cache, overwrite=overwrite, named_fields=named,
    )
    corpus = Source(source, dataset, dataset_config, split, encoding)
    if dataset or (source is not None and source.exists() and corpus.kind in ("saved", "parquet")):
        _silence_datasets()
    run = None
    try:
        with open_run(corpus, output, settings, options) as run:
            if run.lock is None and not quiet:
                warn(f"{output}: this system cannot lock files; start no other run on {output} while this one lasts")
            if run.complete:
                summary = run.summary
            else:
                if run.done_rows and not quiet:
                    info(f"resuming {output}: {plural(run.done_rows, 'row')} already done")
                translator = load_translator(settings, on_message=None if quiet else info)
                total = None if run.total is None else max(0, run.total - run.done_rows)
                with Progress(total, "article", quiet, desc="translating") as progress:
                    summary = translate_corpus(
                        run, translator, on_rows=progress.update,
                        on_sentences=_sentence_rate(progress), on_warning=limited_warnings(quiet),
                    )
    except KeyboardInterrupt:  # one line, even when quiet: the run did not finish (the lock is released)
        if overwrite and (run is None or run.record_pending):
            message = f"interrupted before the first chunk; {output} is as it was: rerun the same command to start again"
        else:
            rerun = "the same command without --overwrite" if overwrite else "the same command"
            message = f"interrupted; the chunks committed so far are kept: rerun {rerun} to resume"
        typer.echo(f"error: {message}", err=True)
        exit_at_once(INTERRUPTED_EXIT)
    if not quiet:
        info(_describe(summary))
    if summary.failed:
        raise typer.Exit(ROWS_FAILED_EXIT)


@app.command("corpus-merge", epilog=examples(
    "translate corpus-merge part1.jsonl part2.jsonl part3.jsonl -o news.en.jsonl",
    "translate corpus-merge shards/ -o news.en.parquet      # every OUTPUT.run.json in the folder",
))
@reports_errors
def corpus_merge_command(
    shards: Annotated[list[Path], typer.Argument(
        metavar="SHARD", help="Outputs of 'translate corpus --shard K/N', or folders of them.")],
    output: Output = ...,  # type: ignore[assignment]  (required)
    quiet: opt.Quiet = False,
) -> None:
    """Join shard outputs in input order, checking that every input row is there exactly once."""
    from translate.corpus_merge import merge_shards

    summary = merge_shards(shards, output)
    if not quiet:
        failed = f"; {plural(summary.failed, 'failed row')} in {summary.errors}" if summary.failed else ""
        info(f"merged {plural(summary.shards, 'shard')}: {plural(summary.rows, 'row')} -> {summary.output}{failed}")
    if summary.failed:
        raise typer.Exit(ROWS_FAILED_EXIT)


def _silence_datasets() -> None:
    """datasets logs a file it cannot read before raising the error that is our one line."""
    import datasets

    datasets.utils.logging.set_verbosity(datasets.utils.logging.CRITICAL)


def _sentence_rate(progress: Progress):
    started, done = time.perf_counter(), 0

    def update(n: int) -> None:
        nonlocal done
        done += n
        progress.set_postfix(sentences_per_s=f"{done / max(time.perf_counter() - started, 1e-9):.1f}")

    return update


def _describe(summary) -> str:
    if summary.already_complete:
        return f"{summary.output} is already complete ({plural(summary.rows, 'row')}, {summary.failed} failed)"
    modelled = summary.sentences - summary.cache_hits
    seconds = summary.wall_s or float("inf")
    lines = [
        f"done: {plural(summary.rows, 'row')} -> {summary.output}",
        f"  translated {summary.translated}, by an earlier run {summary.resumed}, failed {summary.failed}"
        + (f" (see {summary.errors})" if summary.errors else ""),
        f"  sentences translated by the model {modelled}, taken from the cache {summary.cache_hits}",
        f"  {summary.translated / seconds:.2f} articles/s, {modelled / seconds:.1f} model sentences/s, "
        f"translating {summary.wall_s:.1f} s (model load not included)",
    ]
    return "\n".join(lines)
