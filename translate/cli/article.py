"""`translate article` and `translate segment`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from translate.cli import options as opt
from translate.cli.common import (
    Progress, app, check_output, examples, info, limited_warnings, plural, reports_errors, write_output,
)
from translate.article import HeadlineMode
from translate.errors import InputError, UnsplittableError
from translate.output import Format

Source = Annotated[str, typer.Argument(help="Article file (UTF-8/16 text or a JSON object with title/text), or - for stdin.", metavar="FILE|-")]
Headline = Annotated[
    HeadlineMode,
    typer.Option("--headline", help="auto: detect it (site labels skipped); first-line; none."),
]
Output = Annotated[
    Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here instead of stdout.")
]


@app.command(
    "article",
    epilog=examples(
        "translate article news.txt",
        "cat news.txt | translate article - --format markdown -o news.en.md",
        "translate article news.json --model nllb-200-distilled-600M --format json",
        "translate article news.txt --backend ctranslate2 --beam 2",
    ),
)
@reports_errors
@opt.takes_model_options
def article_command(
    source: Source,
    fmt: Annotated[Format, typer.Option(
        "--format", "-f", help="text: headline, blank line, paragraphs; markdown; json: the full structure.")] = "text",
    output: Output = None,
    headline: Headline = "auto",
    keep_boilerplate: opt.KeepBoilerplate = False,
    encoding: opt.Encoding = None,
    *,
    model: opt.Model = None,
    model_options: opt.ModelOptions,
    quiet: opt.Quiet = False,
) -> None:
    """Translate one Arabic news article: headline first, subheadings and paragraphs in place, site chrome left out."""
    from translate.backends import load_translator
    from translate.io import name_source, read_article
    from translate.output import render
    from translate.pipeline import translate_articles

    started = time.perf_counter()
    settings = model_options.settings(model)
    check_output(output, inputs=[source])
    article = read_article(source, encoding=encoding, headline=headline)
    if not article.content and not keep_boilerplate:
        raise InputError(
            f"{name_source(source)}: nothing to translate: every line is site chrome "
            f"({plural(len(article.dropped), 'line')}; see them with 'translate segment', "
            "or keep them untranslated with --keep-boilerplate)"
        )
    translator = load_translator(settings, on_message=None if quiet else info)
    loaded = time.perf_counter()
    try:
        with Progress(None, "sentence", quiet, desc="translating") as progress:
            (result,) = translate_articles(
                [article], translator, settings, keep_boilerplate=keep_boilerplate,
                on_progress=progress.update, on_warning=limited_warnings(quiet),
            )
    except UnsplittableError as exc:
        raise InputError(f"{name_source(source)}: {exc}") from None
    write_output(render(result.timed(started, loaded, time.perf_counter()), fmt), output)


@app.command(
    "segment",
    epilog=examples("translate segment news.txt", "translate segment news.txt --format json"),
)
@reports_errors
def segment_command(
    source: Source,
    fmt: Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="Output format.")] = "text",
    output: Output = None,
    headline: Headline = "auto",
    encoding: opt.Encoding = None,
) -> None:
    """Show what would be translated (headline, paragraphs with roles, sentences, dropped lines), without loading a model."""
    from translate.io import read_article
    from translate.output import render_segmentation

    check_output(output, inputs=[source])
    article = read_article(source, encoding=encoding, headline=headline)
    write_output(render_segmentation(article, fmt), output)

