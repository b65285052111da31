"""`translate evaluate`: score translations against references; a thin shell over `translate.evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from translate.cli import options as opt
from translate.cli.common import (
    Progress, app, check_output, examples, info, limited_warnings, reports_errors, warn, write_output,
)
from translate.errors import ConfigError

DEFAULT_COMET = "Unbabel/wmt22-comet-da"

EXAMPLES = examples(
    "translate evaluate -r flores.en -H system-a.en -H system-b.en",
    "translate evaluate -r ref.jsonl --reference-field en -H out.jsonl --format json",
    "translate evaluate -r flores.en --docs flores.docs -H articles.en --report report.html",
    "translate evaluate -s flores.ar -r flores.en -m opus-mt-tc-big-ar-en -m nllb-200-distilled-600M "
    "--report eval/report.html",
    "translate evaluate -s flores.ar -r flores.en -H system.en --comet",
)


Reference = Annotated[Path, typer.Option(
    "--reference", "-r", metavar="FILE", help="Reference translations: text (a segment a line), JSON Lines or Parquet.")]
Hypotheses = Annotated[Optional[list[Path]], typer.Option(
    "--hypothesis", "-H", metavar="FILE",
    help="A system's translations (text, JSON Lines or Parquet); repeat to compare systems.")]
Source = Annotated[Optional[Path], typer.Option(
    "--source", "-s", metavar="FILE",
        help="Source text aligned with the reference: what --model translates, COMET's input.")]
Models = Annotated[Optional[list[str]], typer.Option(
    "--model", "-m", metavar="NAME",
    help="Translate --source with this preset, hub id or local model; repeat to compare models.")]
Docs = Annotated[Optional[Path], typer.Option("--docs", metavar="FILE",
    help="Document ids, one a line aligned with the reference.")]
IdField = Annotated[Optional[str], typer.Option("--id-field", metavar="FIELD",
    help="JSON Lines/Parquet: the field that matches records by id. "
    "Default: id, where the records have it (else they are paired by line).")]
TextField = Annotated[Optional[str], typer.Option(
    "--text-field", metavar="FIELD[,FIELD]",
    help="JSON Lines/Parquet: the text field of every file (but as --reference-field and --source-field "
    "say), or fields joined by commas (headline,text). "
    "Default: each file's translation field, else its text field (a source's: text).")]
ReferenceField = Annotated[Optional[str], typer.Option(
    "--reference-field", metavar="FIELD[,FIELD]",
    help="The reference's text field(s), where they are not --text-field's (e.g. en).")]
SourceField = Annotated[Optional[str], typer.Option(
    "--source-field", metavar="FIELD[,FIELD]",
    help="The source's text field(s), where they are not --text-field's. Default: text.")]
DocField = Annotated[Optional[str], typer.Option("--doc-field", metavar="FIELD",
    help="JSON Lines/Parquet: each record's document id.")]
Level = Annotated[Literal["auto", "sentence", "document"], typer.Option(
    "--level",
    help="auto: line by line, or per document when a hypothesis is not sentence-aligned "
    "within a document; sentence; document.")]
TranslateDocs = Annotated[bool, typer.Option(
    "--translate-docs", help="With --model: translate each document's joined source lines as one paragraph.")]
SaveDir = Annotated[Optional[Path], typer.Option(
    "--save-dir", metavar="DIR",
    help="Where model translations are saved and reused. Default: translations/ beside --report or --output.")]
Bootstrap = Annotated[int, typer.Option(
    "--bootstrap", min=0, metavar="N",
        help="Paired bootstrap resamples for 95% confidence intervals and p-values (0: none).")]
Seed = Annotated[int, typer.Option("--seed", min=1, metavar="N", help="Bootstrap seed.")]
Comet = Annotated[bool, typer.Option(
    "--comet", help="Add COMET scores (needs the unbabel-comet package, the model and --source).")]
CometModel = Annotated[Optional[str], typer.Option(
    "--comet-model", metavar="NAME|CKPT", help=f"COMET model (implies --comet). Default: {DEFAULT_COMET}.")]
Format = Annotated[Literal["text", "json"], typer.Option("--format", "-f", help="Output format.")]
Output = Annotated[Optional[Path], typer.Option(
    "--output", "-o", metavar="FILE", help="Write the table or JSON here instead of stdout.")]
Report = Annotated[Optional[Path], typer.Option(
    "--report", metavar="FILE",
        help="Also write a report with tables and plots: FILE.md or FILE.html (self-contained).")]


@app.command(
    "evaluate",
    help=(
        "Score translations against references with sacreBLEU (BLEU, chrF++, TER, with signatures), "
        "per document, with paired bootstrap resampling between systems; or translate the source "
        "with each --model first (the pipeline of 'translate corpus') and score that."
    ),
    epilog=EXAMPLES,
)
@reports_errors
@opt.takes_model_options
def evaluate_command(
    reference: Reference,
    hypothesis: Hypotheses = None,
    source: Source = None,
    model: Models = None,
    docs: Docs = None,
    id_field: IdField = None,
    text_field: TextField = None,
    reference_field: ReferenceField = None,
    source_field: SourceField = None,
    doc_field: DocField = None,
    level: Level = "auto",
    translate_docs: TranslateDocs = False,
    save_dir: SaveDir = None,
    bootstrap: Bootstrap = 1000,
    seed: Seed = 12345,
    comet: Comet = False,
    comet_model: CometModel = None,
    fmt: Format = "text",
    output: Output = None,
    report: Report = None,
    *,
    model_options: opt.ModelOptions,
    quiet: opt.Quiet = False,
) -> None:
    """Score translations (or translate, then score) and print a table or JSON."""
    from translate.evaluate import evaluate
    from translate.evaluate_inputs import Fields
    from translate.evaluate_models import model_names, saved_files, warning_subject
    from translate.report import REPORT_SUFFIXES, check_plotting, format_json, format_text, report_files, write_report

    if report and report.suffix.lower() not in REPORT_SUFFIXES:
        raise ConfigError(f"--report {report}: use a .md or .html file name")
    if save_dir and not model:
        raise ConfigError("--save-dir is where the translations of -m/--model are saved: give -m NAME, or leave it out")
    if not model and model_options.given():
        raise ConfigError(f"{', '.join(model_options.given())}: model options apply only when translating "
                          "with -m/--model")
    reported = report_files(report) if report else []
    if output and any(output.resolve() == f.resolve() for f in reported):
        raise ConfigError(f"-o {output} is a file the report {report} writes; give the report another name")
    if report:
        check_plotting()
    check_output(output, *reported, inputs=[reference, *(hypothesis or ()), source, docs])
    models = [model_options.settings(m) for m in model or ()]
    beside = report or output
    save_dir = save_dir or (beside.parent if beside else Path(".")) / "translations"
    saved = {p.resolve(): p for name in model_names(models) for p in saved_files(name, save_dir, translate_docs)}
    for written in (output, *reported):
        if written and models and save_dir.resolve().is_relative_to(written.resolve()):
            raise ConfigError(f"{written} is the folder where the model translations are saved ({save_dir}); "
                              "write it elsewhere, or give another --save-dir")
        if written and written.resolve() in saved:
            raise ConfigError(f"{written} is where the model translations are saved ({saved[written.resolve()]}); "
                              "write it elsewhere, or give another --save-dir")
    with Progress(None, "sentence", quiet, desc="translating") as progress:
        result = evaluate(
            reference, hypothesis or (), source=source, models=models,
            save_dir=save_dir,
            translate_documents=translate_docs, docs=docs,
            fields=Fields(id=id_field, text=text_field, doc=doc_field, reference=reference_field,
                          source=source_field),
            level=level,  # type: ignore[arg-type]
            bootstrap=bootstrap, seed=seed,
            comet=comet_model or (DEFAULT_COMET if comet else None),
            on_info=None if quiet else info, on_progress=progress.update,
            on_warning=limited_warnings(quiet, subject=warning_subject),
        )
    for message in () if quiet else result.warnings:
        warn(message)
    write_output(format_json(result) if fmt == "json" else format_text(result), output)
    if report:
        written = write_report(result, report)
        if not quiet:
            info(f"report: {', '.join(map(str, written))}")
