"""The `translate` command: typer commands only, each a thin shell over a library function.

Results go to stdout; progress, warnings and errors to stderr. Library errors
(`translate.errors.TranslateError`) become one line and an exit code; any other
exception too, with the traceback kept behind ``TRANSLATE_DEBUG=1``.

``from translate.cli import app`` gives the typer app with every command registered.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    try:
        app = load_app()
    except KeyboardInterrupt:  # Ctrl-C while the commands load: one line, as later
        print("error: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    app()


def load_app() -> Any:
    """The typer app, its command modules imported (each registers its commands)."""
    from translate.cli import article, convert, corpus, evaluate, models  # noqa: F401
    from translate.cli.common import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return load_app()
    raise AttributeError(f"module 'translate.cli' has no attribute {name!r}")


__all__ = ["app", "main"]
