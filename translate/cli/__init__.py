"""The `translate` command: typer commands only, each a thin shell over a library function.

Results go to stdout; progress, warnings and errors to stderr. Library errors
(`translate.errors.TranslateError`) become one line and an exit code; any other
exception too, with the traceback kept behind ``TRANSLATE_DEBUG=1``.
"""

from __future__ import annotations

from translate.cli import article, convert, corpus, evaluate, models  # noqa: F401  (each module registers its commands)
from translate.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
