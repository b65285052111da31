"""The one protocol every backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from translate.config import Settings
from translate.types import ModelInfo, Translation


class Translator(Protocol):
    """Translates batches of sentences. Batching, splitting and caching happen outside.

    A backend subclasses it to inherit ``translate_batches``."""

    info: ModelInfo
    settings: Settings
    """What the model was loaded with (the pipeline's settings when it is passed around loaded)."""
    max_input_tokens: int
    """The longest source, in the model's tokens, that the model accepts (EOS included)."""
    default_batch_tokens: int
    default_batch_size: int
    batch_step_cost: float | None
    """``make_batches``'s ``step_cost``: for a backend that decodes every sentence of a batch until
    the longest ends, what a decoding step costs beyond its sentences, in sentences; ``None`` for
    one that drops each sentence when it ends (or where full batches are measured best)."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source lengths in the model's own tokens (special tokens included)."""
        ...

    def translate_batches(
        self, batches: Sequence[Sequence[str]], *, strict: bool = False
    ) -> Iterator[list[Translation]]:
        """Translate batches in turn, yielding each one's outputs (in input order) as it is done;
        a backend may work on the next batches meanwhile (by default it does not)."""
        for texts in batches:
            yield self.translate(texts, strict=strict)

    def translate(self, texts: Sequence[str], *, strict: bool = False) -> list[Translation]:
        """Translate one batch, outputs in input order.

        ``strict`` asks for the guard's retry settings (repetition penalty, no repeated
        n-grams, tighter length limit) after a first output was rejected.
        """
        ...
