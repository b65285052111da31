"""COMET scores (the optional ``comet`` extra), with one-line errors when it cannot run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate.errors import BackendError, ModelUnavailableError, first_line


def load_comet(model_name: str) -> Any:
    """The COMET model, or a one-line error saying what to install or download."""
    try:
        import comet
    except ImportError:
        raise BackendError(
            "COMET scores need the unbabel-comet package: pip install -e '.[comet]' in the project, or pip install unbabel-comet"
        ) from None
    try:
        checkpoint = model_name if Path(model_name).is_file() else comet.download_model(model_name)
        return comet.load_from_checkpoint(checkpoint)
    except Exception as exc:  # hub and checkpoint errors come in many types
        if Path(model_name).is_file():
            raise ModelUnavailableError(
                f"{model_name}: cannot load the COMET checkpoint ({type(exc).__name__}: {first_line(exc)}); "
                "give a complete checkpoint file to --comet-model"
            ) from None
        raise ModelUnavailableError(
            f"COMET model {model_name!r} is not available ({type(exc).__name__}); download it where there is "
            f"network access with: python -c \"import comet; comet.download_model('{model_name}')\", "
            "or pass a checkpoint file to --comet-model"
        ) from None


def comet_scores(
    model: Any, model_name: str, sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]
) -> tuple[float, list[float], str]:
    """(system score, segment scores, signature) of one system's hypotheses."""
    import comet
    import torch

    data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
    output = model.predict(data, batch_size=16, gpus=1 if torch.cuda.is_available() else 0, progress_bar=False)
    signature = f"model:{model_name}|version:{getattr(comet, '__version__', 'unknown')}"
    return float(output.system_score), [float(v) for v in output.scores], signature
