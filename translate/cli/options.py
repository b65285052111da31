"""Options shared by the commands that translate: Annotated aliases, and ``takes_model_options``,
which gives a command the model options as one value."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import typer

from translate.config import LEAST, MOST, Settings, resolve_settings

MODEL_HELP = (
    "Preset name (see 'translate models'), hub id or local model directory. "
    "Default: opus-mt-tc-big-ar-en."
)

Model = Annotated[Optional[str], typer.Option("--model", "-m", metavar="NAME|DIR", help=MODEL_HELP)]
ConfigFile = Annotated[
    Optional[Path],
    typer.Option("--config", metavar="FILE", help="A TOML file of settings (same keys as the presets in configs/)."),
]
Backend = Annotated[
    Optional[Literal["transformers", "ctranslate2"]],
    typer.Option("--backend", help="Default: the preset's (transformers), or ctranslate2 for a converted --model."),
]
Device = Annotated[
    Optional[str],
    typer.Option("--device", metavar="auto|cpu|cuda|cuda:N", help="auto (the default): CUDA when present, else CPU."),
]
ComputeType = Annotated[
    Optional[str],
    typer.Option(
        "--compute-type",
        metavar="TYPE",
        help="transformers: float32/float16/bfloat16; ctranslate2: int8/int8_float32/int8_float16/"
        "int8_bfloat16/int16/float16/bfloat16/float32, those the device supports. Default: auto (per backend "
        "and device).",
    ),
]
Beam = Annotated[
    Optional[int],
    typer.Option("--beam", min=LEAST["beam_size"], metavar="N", help="Beam size, 1 = greedy. Default: the preset's (4)."),
]
Revision = Annotated[
    Optional[str], typer.Option("--revision", metavar="REV", help="Model revision (branch, tag or commit).")
]
MaxSentenceTokens = Annotated[
    Optional[int],
    typer.Option(
        "--max-sentence-tokens",
        min=LEAST["max_sentence_tokens"],
        metavar="N",
        help="Sentences longer than this many tokens are split at clause boundaries. Default: the preset's (200).",
    ),
]
BatchTokens = Annotated[
    Optional[int],
    typer.Option(
        "--batch-tokens", min=LEAST["batch_tokens"], metavar="N",
        help="Token budget of a batch (padded cells). Default (0): the backend's.",
    ),
]
BatchSize = Annotated[
    Optional[int],
    typer.Option(
        "--batch-size", min=LEAST["batch_size"], metavar="N", help="Most sentences in a batch. Default (0): the backend's."
    ),
]
Threads = Annotated[
    Optional[int],
    typer.Option("--threads", min=LEAST["threads"], max=MOST["threads"], metavar="N",
                 help="CPU threads. Default: 0, all cores."),
]
KeepBoilerplate = Annotated[bool, typer.Option(
    "--keep-boilerplate", help="Keep site chrome untranslated among the paragraphs, in page order (the headline "
    "still first).")]
Encoding = Annotated[
    Optional[str],
    typer.Option(
        "--encoding", metavar="CODEC",
        help="The input's text encoding, e.g. cp1256 or utf-16. Default: UTF-8 "
        "(articles and .txt pages: UTF-16 and Windows-1256 are detected too).",
    ),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Nothing on stderr but errors: no progress bar, summary or warnings.")
]

MODEL_OPTIONS = {
    "config": ConfigFile,
    "backend": Backend,
    "device": Device,
    "compute_type": ComputeType,
    "beam_size": Beam,
    "revision": Revision,
    "max_sentence_tokens": MaxSentenceTokens,
    "batch_tokens": BatchTokens,
    "batch_size": BatchSize,
    "threads": Threads,
}
"""The options every translating command takes besides its model, by ``resolve_settings`` keyword."""


@dataclass(frozen=True)
class ModelOptions:
    """The model options given on one command line."""

    values: dict[str, Any]

    def settings(self, model: str | None) -> Settings:
        """The settings for ``model`` (a preset, hub id or directory; None: the config's or the default)."""
        return resolve_settings(model=model, **self.values)

    def given(self) -> list[str]:
        """The options given, as typed (``--beam``), for a command where they would be ignored."""
        return ["--beam" if name == "beam_size" else "--" + name.replace("_", "-")
                for name, value in self.values.items() if value is not None]


def takes_model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the model options: they appear in its ``--help`` where it declares its
    keyword-only ``model_options: ModelOptions`` parameter, and reach it bundled in that value."""
    signature = inspect.signature(command, eval_str=True)
    assert "model_options" in signature.parameters, f"{command.__name__} declares no model_options parameter"
    parameters: list[inspect.Parameter] = []
    for parameter in signature.parameters.values():
        if parameter.name != "model_options":
            parameters.append(parameter)
            continue
        parameters += [
            inspect.Parameter(name, parameter.kind, default=None, annotation=alias)
            for name, alias in MODEL_OPTIONS.items()
        ]

    @functools.wraps(command)
    def run(**values: Any) -> Any:
        options = ModelOptions({name: values.pop(name) for name in MODEL_OPTIONS})
        return command(**values, model_options=options)

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run
