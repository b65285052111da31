"""`translate convert`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from translate.cli import options as opt
from translate.cli.common import app, examples, info, reports_errors


@app.command(
    "convert",
    epilog=examples(
        "translate convert opus-mt-ar-en",
        "translate convert facebook/nllb-200-distilled-600M --quantization int8_float16",
        "translate convert ./my-model --quantization float32 -o ./my-model-ct2   # then --model ./my-model-ct2",
    ),
)
@reports_errors
def convert_command(
    model: Annotated[str, typer.Argument(metavar="MODEL",
        help="Preset name, hub id or local transformers model directory.")],
    quantization: Annotated[
        str,
        typer.Option(
            "--quantization",
            metavar="TYPE",
            help="Weight type stored: int8, int8_float16, float16, float32, ... A directory written with -o "
                 "computes as stored where the device supports that type (--compute-type overrides).",
        ),
    ] = "int8",
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="DIR",
            help="A new or empty folder to write to (usable as --model). Default: the conversion cache."),
    ] = None,
    revision: Annotated[Optional[str], typer.Option("--revision", metavar="REV", help="Branch, tag or commit.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Convert again even when already converted.")] = False,
    quiet: opt.Quiet = False,
) -> None:
    """Convert a model for the CTranslate2 backend, once (--backend ctranslate2 also does it on first use)."""
    from translate.convert import convert

    path = convert(model, quantization=quantization, output=output, revision=revision, force=force,
                   on_message=None if quiet else info)
    typer.echo(str(path))
