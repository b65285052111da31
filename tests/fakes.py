"""A fake translator for pure pipeline logic: marks each source so outputs are checkable."""

from __future__ import annotations

from collections.abc import Sequence

from translate.backends.base import Translator
from translate.config import Settings
from translate.types import ModelInfo, Translation


class FakeTranslator(Translator):
    """Counts a token per word (plus EOS) and 'translates' text to ``EN<text>``."""

    info = ModelInfo(model="fake", backend="fake", family="fake")

    def __init__(self, max_input_tokens: int = 512, degenerate: Sequence[str] = ()) -> None:
        self.settings = Settings(model="fake")
        self.max_input_tokens = max_input_tokens
        self.default_batch_tokens = 64
        self.default_batch_size = 8
        self.batch_step_cost = None
        self.degenerate = set(degenerate)
        self.calls: list[list[str]] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def translate(self, texts: Sequence[str], *, strict: bool = False) -> list[Translation]:
        self.calls.append(list(texts))
        return [
            Translation("loop " * 10 if t in self.degenerate and not strict else f"EN<{t}>")
            for t in texts
        ]
