"""The typer application, the error mapping every command shares, and stderr helpers."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from translate.errors import TranslateError, first_line

MAX_WARNINGS = 20
"""Warnings shown per command; a note says when more were left out."""
INTERRUPTED_EXIT = 130
"""Ctrl-C, as a shell reports a command stopped by SIGINT."""
BROKEN_PIPE_EXIT = 141
"""What a shell reports for a command stopped by SIGPIPE (``cat big | head``)."""


def examples(*commands: str, note: str = "") -> str:
    """A command's ``--help`` epilog: its example command lines, kept unwrapped so that they
    can be copied (click's ``\\b`` marker), then an optional note."""
    block = "Examples:\n\n\b\n" + "\n".join(f"  {command}" for command in commands)
    return block + (f"\n\n{note}" if note else "")


class OneLineErrors(typer.core.TyperGroup):
    """The command group (given to typer with ``cls=``), reporting a wrong option, value or
    argument in one line (``error: ... (see 'translate CMD --help')``, exit code 2), as
    every other error."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        given = sys.argv[1:] if args is None else args
        if not standalone_mode or not given:  # no arguments: the overview of the commands
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            if code == INTERRUPTED_EXIT:  # Ctrl-C before a command took over (typer makes it this code)
                typer.echo("error: interrupted", err=True)
        except typer.TyperException as exc:  # a usage error
            context = getattr(exc, "ctx", None)
            if context:
                command = context.command_path
            else:  # an option of a command that click could not read: that command's help
                command = " ".join(("translate", given[0]) if given[0] in self.commands else ("translate",))
            message = exc.format_message().rstrip(".").replace(": Value error, ", ": ")  # typer's validation wording
            typer.echo(f"error: {message} (see '{command} --help')", err=True)
            code = exc.exit_code
        except typer.Abort:  # input ended where a prompt waited
            typer.echo("error: aborted", err=True)
            code = 1
        except OSError as exc:  # --help or --version where stdout cannot be written
            code = system_error(exc)
        sys.exit(code if isinstance(code, int) else 0)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """The command, as click finds it; an option it takes once but was given more often is
        refused here, where click would keep the last value without a word (``-r a -r b``)."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            repeated = repeated_option(command, rest)
            if repeated:
                raise typer.BadParameter("given more than once; give it once (the command takes one value)",
                                         ctx=type(ctx)(command, info_name=name, parent=ctx),
                                         param_hint=" / ".join(f"'{opt}'" for opt in repeated))
        return name, command, rest


def repeated_option(command: Any, args: Sequence[str]) -> list[str] | None:
    """The names (``["--reference", "-r"]``) of an option of a (click) command that takes one value
    but is given twice in ``args``."""
    options = {name: p for p in command.params if p.param_type_name == "option" for name in p.opts}
    seen: set[Any] = set()
    tokens = iter(args)
    for token in tokens:
        if token == "--":
            break
        name = token.split("=", 1)[0] if token.startswith("--") else token[:2]
        option = options.get(name) if token.startswith("-") else None
        if option is None or option.is_flag or option.count:
            continue
        attached = "=" in token if token.startswith("--") else len(token) > 2
        if not attached:
            next(tokens, None)  # the value, even one that starts with "-"
        if option in seen and not option.multiple:
            return list(option.opts)
        seen.add(option)
    return None


app = typer.Typer(
    name="translate",
    help=(
        "Translate Arabic news into English: one article, a whole corpus, or an evaluation "
        "against reference translations.\n\n"
        + examples(
            "translate article article.txt",
            "translate corpus news.jsonl -o news.en.jsonl",
            "translate evaluate --reference ref.en --hypothesis hyp.en",
        )
    ),
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(shown: bool) -> None:
    if shown:
        from translate import __version__

        typer.echo(f"translate {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_show_version, help="Show the version and exit.")
    ] = False,
) -> None:
    """The options of ``translate`` itself (before a command)."""


def warn(message: str) -> None:
    """A warning line on stderr (never on stdout, which carries results), above any progress bar."""
    from tqdm import tqdm

    tqdm.write(f"warning: {message}", file=sys.stderr)


def limited_warnings(quiet: bool, subject: Callable[[str], str] | None = None) -> Callable[[str], None]:
    """Each distinct warning once (a sentence that recurs is translated once, and may be
    assembled many times), and at most ``MAX_WARNINGS`` of them, or of each ``subject`` that
    the messages are about (``subject(message)``: a model's name); none when quiet."""
    shown: dict[str, int] = {}
    seen: set[str] = set()

    def show(message: str) -> None:
        about = subject(message) if subject else ""
        count = shown.get(about, 0)
        if quiet or count > MAX_WARNINGS or message in seen:
            return
        seen.add(message)
        shown[about] = count = count + 1
        if count <= MAX_WARNINGS:
            warn(message)
        else:
            prefix = f"{about}: " if about else ""
            warn(f"{prefix}more than {MAX_WARNINGS} warnings; the rest are not shown")

    return show


def info(message: str) -> None:
    typer.echo(message, err=True)


def plural(number: int, noun: str) -> str:
    """``1 row``, ``2 rows``: a number and its noun, for messages."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def exit_at_once(code: int) -> NoReturn:
    """End the process now, stdout and stderr flushed, without the interpreter's teardown.

    For Ctrl-C: a CTranslate2 translator holds the batches already handed to its workers
    and, when freed, waits until every one is decoded, which can take a minute. Called
    while the interrupted command's frame (and so its translator) is still alive.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def system_error(exc: OSError, resumes: bool = False) -> int:
    """The exit code for an error of the system, after one line saying it: a full disk, a
    permission, a file gone, stdout that cannot be written; a reader of stdout that went away
    (``| head``) ends it quietly, as ``cat`` does."""
    unwritable = isinstance(exc, BrokenPipeError)
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        unwritable = True
    if unwritable:  # so that the exit's flush does not fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if isinstance(exc, BrokenPipeError):
        return BROKEN_PIPE_EXIT
    if os.environ.get("TRANSLATE_DEBUG"):
        traceback.print_exc(file=sys.stderr)
    where = f"{exc.filename}: " if exc.filename else ("stdout: " if unwritable else "")
    fix = ""
    if exc.errno == errno.ENOSPC:
        fix = "; free some space and run the command again" + (" (the run resumes)" if resumes else "")
    typer.echo(f"error: {where}{exc.strerror or first_line(exc)}{fix}", err=True)
    return 1


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except TranslateError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("error: interrupted", err=True)
            exit_at_once(INTERRUPTED_EXIT)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except OSError as exc:
            raise typer.Exit(system_error(exc, resumes=command.__name__ == "corpus_command")) from None
        except Exception as exc:  # the last line of defence: one line unless debugging
            debugging = bool(os.environ.get("TRANSLATE_DEBUG"))
            if debugging:
                traceback.print_exc(file=sys.stderr)
            hint = "please report it" if debugging else "set TRANSLATE_DEBUG=1 for the traceback and report it"
            typer.echo(f"error: unexpected {type(exc).__name__}: {first_line(exc)} ({hint})", err=True)
            raise typer.Exit(1) from None

    return wrapper


class Progress:
    """A progress bar on stderr, shown only on a terminal and unless quiet."""

    def __init__(self, total: int | None, unit: str, quiet: bool = False, desc: str | None = None) -> None:
        self._bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def set_postfix(self, **values: Any) -> None:
        if self._bar is not None:
            self._bar.set_postfix(**values, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_output(*outputs: Path | None, inputs: Sequence[Path | str | None] = ()) -> None:
    """Refuse, before any work is done, an output that cannot be written (see ``write_output``)
    or that is one of the ``inputs``."""
    from translate.corpus_write import prepare_output

    for output in outputs:
        if output is not None and str(output) != "-":
            prepare_output(output, inputs)


def write_output(text: str, output: Path | None) -> None:
    """Write to stdout (no output, or ``-``), or atomically to a file: its folder created when
    missing, a symbolic link's target replaced. A device or pipe (``/dev/null``) is written as it is."""
    if output is None or str(output) == "-":
        _write_stdout(text)
        return
    from translate.corpus_write import atomic_file

    special = output.parts[:2] in (("/", "dev"), ("/", "proc")) or (output.exists() and not output.is_file())
    target = output if special else output.resolve()
    check_output(target)
    try:
        if special:  # a device or pipe: no temporary file beside it
            with open(target, "w", encoding="utf-8") as file:
                file.write(text)
            return
        with atomic_file(target) as file:
            file.write(text)
    except OSError as exc:
        exc.filename = exc.filename or str(output)  # a full disk is named by the file it stopped
        raise


def _write_stdout(text: str) -> None:
    """Write the result to stdout. A pipe's reader that goes away (``| head``) gives a
    BrokenPipeError, as it must for the exit code 141: a single large write to a pipe is cut
    short there without one, so the text goes in pieces."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        sys.stdout.flush()
        data = memoryview(text.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict"))
        while data:
            data = data[os.write(descriptor, data[:PIECE]):]
    except OSError as exc:
        exc.filename = exc.filename or "stdout"
        raise


PIECE = 1 << 16
"""Bytes per write to stdout: one pipe buffer."""
