"""Options shared by the commands that translate, written once as Annotated aliases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from translate.config import Settings, resolve_settings

MODEL_HELP = (
    "Preset name (see 'translate models'), hub id or local model directory. "
    "Default: opus-mt-tc-big-ar-en."
)

Model = Annotated[Optional[str], typer.Option("--model", "-m", help=MODEL_HELP)]
ConfigFile = Annotated[
    Optional[Path],
    typer.Option("--config", help="A TOML file of settings (same keys as the presets in configs/)."),
]
Backend = Annotated[
    Optional[str], typer.Option("--backend", help="transformers or ctranslate2.")
]
Device = Annotated[
    Optional[str], typer.Option("--device", help="auto (CUDA when present), cpu, cuda or cuda:N.")
]
ComputeType = Annotated[
    Optional[str],
    typer.Option(
        "--compute-type",
        help="transformers: float32/float16/bfloat16; ctranslate2: int8/int8_float16/float16/float32. "
        "Default: auto (per backend and device).",
    ),
]
Beam = Annotated[Optional[int], typer.Option("--beam", min=1, help="Beam size (1 = greedy).")]
Revision = Annotated[Optional[str], typer.Option("--revision", help="Model revision (branch, tag or commit).")]
MaxSentenceTokens = Annotated[
    Optional[int],
    typer.Option(
        "--max-sentence-tokens",
        min=8,
        help="Sentences longer than this many tokens are split at clause boundaries.",
    ),
]
BatchTokens = Annotated[
    Optional[int],
    typer.Option("--batch-tokens", min=1, help="Token budget of a batch (padded cells)."),
]
BatchSize = Annotated[Optional[int], typer.Option("--batch-size", min=1, help="Most sentences in a batch.")]
Threads = Annotated[Optional[int], typer.Option("--threads", min=0, help="CPU threads (0: all cores).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary on stderr.")]


def build_settings(
    model: str | None,
    config: Path | None,
    backend: str | None,
    device: str | None,
    compute_type: str | None,
    beam: int | None,
    revision: str | None = None,
    max_sentence_tokens: int | None = None,
    batch_tokens: int | None = None,
    batch_size: int | None = None,
    threads: int | None = None,
) -> Settings:
    return resolve_settings(
        model=model,
        config=config,
        backend=backend,
        device=device,
        compute_type=compute_type,
        beam_size=beam,
        revision=revision,
        max_sentence_tokens=max_sentence_tokens,
        batch_tokens=batch_tokens,
        batch_size=batch_size,
        threads=threads,
    )
