"""The `translate` command: typer commands only, each a thin shell over a library function.

Results go to stdout; progress, warnings and errors to stderr. Library errors
(`translate.errors.TranslateError`) become one line and an exit code; any other
exception too, with the traceback kept behind ``TRANSLATE_DEBUG=1``.
"""

from __future__ import annotations

from translate.cli import article, convert, corpus, evaluate, models  # noqa: F401  (each module registers its commands)
from translate.cli.app import app


def main() -> None:
    """The console script: ``app()``, with a wrong option or argument reported in one line too."""
    import sys

    import typer

    if len(sys.argv) < 2:
        app()  # the overview of the commands
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # a usage error: unknown option, bad value, missing argument
        context = getattr(exc, "ctx", None)
        where = f" (see '{context.command_path} --help')" if context else ""
        typer.echo(f"error: {exc.format_message().rstrip('.')}{where}", err=True)
        code = exc.exit_code
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "main"]
