"""Shared fixtures. Tests run offline: the Hugging Face hub is never contacted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports huggingface_hub, which reads these once at import time.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

FIXTURES = Path(__file__).parent / "fixtures"


def read_tokenizer_corpus() -> tuple[list[str], list[str]]:
    """The Arabic and the English lines of ``fixtures/tokenizer_corpus.txt`` (FLORES-200 dev)."""
    lines = (FIXTURES / "tokenizer_corpus.txt").read_text(encoding="utf-8").splitlines()
    text = [line for line in lines if line.strip() and not line.startswith("#")]
    arabic = [line for line in text if any("\u0600" <= ch <= "\u06ff" for ch in line)]
    english = [line for line in text if line not in set(arabic)]
    return arabic, english


TINY_MODEL = {"init_std": 1.0}
"""Tiny models get large random weights so that their outputs differ from input to input."""


@pytest.fixture(autouse=True)
def exit_as_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command interrupted by Ctrl-C ends with ``os._exit`` (``exit_at_once``); run in
    this process by ``CliRunner``, it raises ``SystemExit`` instead of ending pytest."""

    def exit_(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", exit_)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def seed_article_path() -> Path:
    return FIXTURES / "seed-article.ar.txt"


@pytest.fixture(scope="session")
def tiny_marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight OPUS-MT-shaped model directory (d_model 32, 2+2 layers, ~930 tokens)."""
    from translate.toymodels import build_marian

    return build_marian(tmp_path_factory.mktemp("tiny-marian"), *read_tokenizer_corpus(), **TINY_MODEL)


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight NLLB-200-shaped model directory (d_model 32, 2+2 layers, ~700 tokens)."""
    from translate.toymodels import build_nllb

    return build_nllb(tmp_path_factory.mktemp("tiny-nllb"), *read_tokenizer_corpus(), **TINY_MODEL)


def rebuild_in_place(model_dir: Path) -> None:
    """Other weights in the same files, as a model retrained and saved over itself."""
    from safetensors.numpy import load_file, save_file

    weights = Path(model_dir) / "model.safetensors"
    save_file({name: tensor * 1.5 for name, tensor in load_file(weights).items()}, weights, metadata={"format": "pt"})
