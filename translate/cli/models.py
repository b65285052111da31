"""`translate models` and `translate download`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from translate.cli import options as opt
from translate.cli.common import app, examples, info, reports_errors


@app.command("models", epilog=examples("translate models"))
@reports_errors
def models_command() -> None:
    """List the model presets (use the name with --model)."""
    from translate.config import DEFAULT_PRESET, list_presets

    presets = list_presets()
    width = max(len(name) for name in presets)
    for name, values in presets.items():
        mark = "*" if name == DEFAULT_PRESET else " "
        typer.echo(f"{mark} {name:<{width}}  {values['model']}  ({values.get('backend', 'transformers')})")
        if values.get("description"):
            typer.echo(f"  {'':<{width}}  {values['description']}")
    typer.echo("\n* default. Any hub id (owner/name) or local model directory also works with --model.")


@app.command(
    "download",
    epilog=examples("translate download opus-mt-tc-big-ar-en", "translate download facebook/nllb-200-distilled-600M"),
)
@reports_errors
def download_command(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Preset name or hub id.")],
    revision: Annotated[Optional[str], typer.Option("--revision", metavar="REV", help="Branch, tag or commit.")] = None,
    quiet: opt.Quiet = False,
) -> None:
    """Fetch a model into the local Hugging Face cache, for offline use later."""
    from translate.backends.loading import download_model
    from translate.config import resolve_settings

    path = download_model(resolve_settings(model=model, revision=revision), quiet=quiet)
    if not quiet:
        info(f"{model} is in the local cache: {path}")
    typer.echo(str(path))
