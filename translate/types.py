"""Frozen values passed from stage to stage; text is assembled only at output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

Notify = Callable[[str], None]
"""Where a stage sends a one-line message (a warning, a note on what it does); None: nowhere."""

Role = Literal["headline", "subheading", "body", "boilerplate"]
"""What a block of an article is. Boilerplate (site chrome) is never translated."""


@dataclass(frozen=True)
class Block:
    """One line-paragraph of an article, with its role and its 1-based line in the input."""

    role: Role
    text: str
    line: int = 0


@dataclass(frozen=True)
class Article:
    """An article as detected: blocks in document order, chrome included (role boilerplate)."""

    id: str
    blocks: tuple[Block, ...]

    @property
    def headline(self) -> Block | None:
        return next((b for b in self.blocks if b.role == "headline"), None)

    @property
    def content(self) -> tuple[Block, ...]:
        """Blocks that are translated, in document order (headline first when present)."""
        return tuple(b for b in self.blocks if b.role != "boilerplate")

    @property
    def dropped(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.role == "boilerplate")


@dataclass(frozen=True)
class Segment:
    """A sentence of a block: `text == block.text[start:end]`."""

    block: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Translation:
    """A backend's output for one source text.

    `retried` is set when the repetition/length guard rejected the first output,
    `split` when the source was cut at clause boundaries to fit the input limit,
    `flags` carries any remaining warnings (e.g. "numbers-mismatch").
    """

    text: str
    score: float | None = None
    retried: bool = False
    split: bool = False
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranslatedSentence:
    source: str
    translation: Translation


@dataclass(frozen=True)
class TranslatedBlock:
    role: Role
    source: str
    translation: str
    sentences: tuple[TranslatedSentence, ...]


@dataclass(frozen=True)
class ModelInfo:
    """Everything that determines the output: the reproducibility signature."""

    model: str
    backend: str
    family: str
    revision: str | None = None
    version: str = ""
    """The weights': a hub snapshot's commit, or ``local-`` and a digest (``convert.model_version``)."""
    device: str = "cpu"
    compute_type: str = "float32"
    beam_size: int = 4
    package_version: str = ""
    splitter_version: str = ""
    vocabulary: str = "full"
    """The tokens the output layer scores: ``target`` (a MarianMT model's target-language pieces) or ``full``."""

    def signature(self) -> str:
        return (
            f"model:{self.model}|rev:{self.revision or 'none'}|weights:{self.version or 'none'}|backend:{self.backend}"
            f"|device:{self.device}|compute:{self.compute_type}|beam:{self.beam_size}|vocab:{self.vocabulary}"
            f"|splitter:{self.splitter_version}|version:{self.package_version}"
        )


@dataclass(frozen=True)
class TranslatedArticle:
    id: str
    headline: TranslatedBlock | None
    paragraphs: tuple[TranslatedBlock, ...]
    dropped: tuple[str, ...]
    model: ModelInfo | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def timed(self, started: float, loaded: float, finished: float) -> TranslatedArticle:
        """The article with the model load and the whole call (``time.perf_counter`` readings) in its timings."""
        spans = {"load_s": round(loaded - started, 4), "total_s": round(finished - started, 4)}
        return replace(self, timings=self.timings | spans)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(
            f"{flag}: {s.source[:60]}"
            for block in ((self.headline,) if self.headline else ()) + self.paragraphs
            for s in block.sentences
            for flag in s.translation.flags
        )
