"""The CTranslate2 backend: MarianMT and NLLB-200 models converted for CTranslate2.

``CT2Translator(settings)`` finds the transformers model (a preset, hub id or directory,
exactly as the transformers backend does), takes its CTranslate2 conversion from the
cache in ``translate.convert`` (converting it on first use, with a message on stderr)
and translates one batch per ``translate_batch`` call. A directory written by
``translate convert -o DIR`` is used as it is.

Both backends see the same tokens: sources are tokenized the way the model's own
transformers tokenizer does it, and outputs decoded the same way. For MarianMT
(sentencepiece + ``vocab.json``) and NLLB (``tokenizer.json``) that is done here with
``sentencepiece`` / ``tokenizers`` directly, because importing transformers imports
torch, which alone takes longer than loading and running an int8 model on a short
article; the tests check token for token that the two agree. Other tokenizers go
through ``transformers.AutoTokenizer``.

Inputs are never truncated (``max_input_length=0``); the output limit, the strict
retry settings and NLLB's target language match the transformers backend, so with
float32 weights greedy decoding gives the same tokens.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from translate.backends.loading import (
    STRICT_NO_REPEAT_NGRAM_SIZE,
    STRICT_REPETITION_PENALTY,
    default_batch,
    detect_family,
    first_line,
    nllb_code,
    output_limit,
    package_version,
    resolve_model_dir,
    splitter_version,
)
from translate.config import Settings
from translate.convert import converted_model, is_converted, read_marker
from translate.errors import BackendError, ConfigError, ModelUnavailableError
from translate.types import ModelInfo, Translation

DEFAULT_COMPUTE = {"cpu": "int8", "cuda": "float16"}
"""``compute_type = "auto"``: int8 weights on CPU; float16 on CUDA (int8_float16 halves memory again)."""

BATCH_DEFAULTS = {"cpu": (3072, 128, 4096), "cuda": (16384, 256, 65536)}
"""Per device: the token budget of a greedy batch (padded source cells), the most sentences in a
greedy batch, and the budget in hypothesis cells that beam search divides by its beam size: each
hypothesis costs about what a sentence costs in greedy decoding, in time and in memory (the
decoder's caches and the logits over the whole vocabulary are per hypothesis).

Measured with ``scripts/benchmark.py --tune`` (opus-mt-ar-en shape, int8, 2-core AVX2 CPU):
greedy 603/642/683/700 tokens/s at 1024/2048/3072/4096 cells, peak RSS 242/356/434/518 MB;
beam 4 171/206/219/182 tokens/s at 256/512/1024/2048 cells. 3072 keeps the peak RSS near half
of the transformers baseline's."""


class CT2Translator:
    """A CTranslate2 translator behind the ``Translator`` protocol."""

    def __init__(self, settings: Settings, *, on_message: Callable[[str], None] | None = None) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise BackendError(f"the ctranslate2 backend needs the ctranslate2 package ({exc})") from None

        self.settings = settings
        device, index = _select_device(settings.device, ctranslate2.get_cuda_device_count())
        supported = ctranslate2.get_supported_compute_types(device)

        given = Path(settings.model).expanduser()
        if is_converted(given):  # a directory written by `translate convert -o DIR`: computed as stored
            marker = read_marker(given)
            model_dir = converted = given.resolve()
            family, positions = marker["family"], marker.get("max_position_embeddings")
            stored = marker.get("quantization")
            requested = stored if settings.compute_type == "auto" and stored in supported else settings.compute_type
            compute_type = _compute_type(requested, device, supported)
        else:
            compute_type = _compute_type(settings.compute_type, device, supported)
            model_dir = Path(resolve_model_dir(settings))
            family = detect_family(model_dir)
            positions = _read_json(model_dir / "config.json").get("max_position_embeddings")
            converted = converted_model(
                settings.model, model_dir, settings.revision, _weights_for(compute_type), on_message=on_message
            )
        if settings.family is not None and settings.family != family:
            raise ConfigError(
                f"model {settings.model!r} is a {family} model, but the settings say family {settings.family!r}"
            )

        self.tokenizer = load_tokenizer(model_dir, family, settings.source_lang)
        self.target_prefix: list[str] = []
        if family == "nllb":
            self.target_prefix = [nllb_code(settings.target_lang)]
            self.tokenizer.check_token(self.target_prefix[0], settings.model)

        threads = settings.threads or (_cpu_count() if device == "cpu" else 0)
        try:
            self.translator = ctranslate2.Translator(
                str(converted),
                device=device,
                device_index=index,
                compute_type=compute_type,
                intra_threads=threads,
                inter_threads=max(1, settings.inter_threads),
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelUnavailableError(f"{converted}: CTranslate2 cannot load the model ({first_line(exc)})") from None

        limits = [n for n in (positions, self.tokenizer.model_max_length) if isinstance(n, int) and 0 < n < 1_000_000]
        self.max_input_tokens = min(limits) if limits else 1024
        self._max_new_tokens = (positions or 1024) - 1  # as transformers: the decoder start takes one position
        self.default_batch_tokens, self.default_batch_size = default_batch(BATCH_DEFAULTS[device], settings.beam_size)
        self.info = ModelInfo(
            model=settings.model,
            backend="ctranslate2",
            family=family,
            revision=settings.revision,
            device=device if device == "cpu" else f"cuda:{index}",
            compute_type=self.translator.compute_type,
            beam_size=settings.beam_size,
            package_version=package_version(),
            splitter_version=splitter_version(),
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source lengths in the model's tokens, special tokens included, nothing truncated."""
        return [len(tokens) for tokens in self.tokenizer.encode(texts)] if texts else []

    def translate(self, texts: Sequence[str], *, strict: bool = False) -> list[Translation]:
        """Translate one batch; outputs in input order, with CTranslate2's (length-normalized) scores."""
        if not texts:
            return []
        sources = self.tokenizer.encode(texts)
        lengths = [len(tokens) for tokens in sources]
        for index, length in enumerate(lengths):
            if length > self.max_input_tokens:
                raise BackendError(
                    f"source {index} of the batch has {length} tokens, over the model's limit of "
                    f"{self.max_input_tokens}; split it before translating (it is never truncated)"
                )
        limits = [self.output_limit(length, strict=strict) for length in lengths]
        prefix = [list(self.target_prefix) for _ in sources] if self.target_prefix else None
        try:
            results = self.translator.translate_batch(sources, prefix, **self.decoding_options(sources, limits, strict))
        except RuntimeError as exc:  # e.g. a CUDA library CTranslate2 was built against is missing
            raise BackendError(
                f"CTranslate2 failed on {self.info.device}: {first_line(exc)}; on CUDA its wheels need "
                "CUDA 12 cuBLAS (pip install nvidia-cublas-cu12), or use --backend transformers or --device cpu"
            ) from None
        skip = len(self.target_prefix)
        # A sequence that reaches its own limit ends there (the limit's last place is EOS),
        # whatever the other sentences of the batch: the transformers backend's rule.
        return [
            Translation(text=self.tokenizer.decode(r.hypotheses[0][: limit - 1][skip:]).strip(), score=r.scores[0])
            for r, limit in zip(results, limits)
        ]

    def output_limit(self, source_tokens: int, *, strict: bool = False) -> int:
        """Most tokens generated for a source of this length (EOS and NLLB's language code
        included), as in the transformers backend."""
        return output_limit(self.settings, source_tokens, self._max_new_tokens, strict=strict)

    def decoding_options(self, sources: Sequence[Sequence[str]], limits: Sequence[int], strict: bool) -> dict[str, Any]:
        """``translate_batch`` options for one batch of tokenized sources and their output limits.

        CTranslate2 takes one length limit per batch, counting NLLB's language prefix but
        not EOS: the batch decodes up to its largest limit and each output is cut to its
        own afterwards.
        """
        s = self.settings
        options: dict[str, Any] = {
            "beam_size": s.beam_size,
            "max_input_length": 0,
            "max_decoding_length": max(limits) - 1,
            "return_scores": True,
        }
        if s.inter_threads > 1:  # let CTranslate2 run parts of the batch in parallel
            options["max_batch_size"] = math.ceil(len(sources) / s.inter_threads)
        if strict:
            options["repetition_penalty"] = STRICT_REPETITION_PENALTY
            options["no_repeat_ngram_size"] = STRICT_NO_REPEAT_NGRAM_SIZE
        return options


# ---------------------------------------------------------------- tokenizers


class Tokenizer(Protocol):
    model_max_length: int | None

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Source tokens, special tokens included: ``convert_ids_to_tokens(tokenizer(text).input_ids)``."""
        ...

    def decode(self, tokens: Sequence[str]) -> str:
        """``tokenizer.decode(ids, skip_special_tokens=True)`` of the tokens' ids."""
        ...

    def check_token(self, token: str, model: str) -> None:
        """Raise BackendError when ``token`` is not in the vocabulary."""
        ...


def load_tokenizer(model_dir: str | Path, family: str, source_lang: str, *, light: bool = True) -> Tokenizer:
    """The model's tokenizer: read directly from its files when they are the usual
    Marian / NLLB ones (``light``), else through ``transformers.AutoTokenizer``."""
    model_dir = Path(model_dir)
    config = _read_json(model_dir / "tokenizer_config.json")
    kind = str(config.get("tokenizer_class", "")).removesuffix("Fast")
    if light and family == "marian" and kind == "MarianTokenizer" and not config.get("separate_vocabs") and all(
        (model_dir / name).is_file() for name in ("source.spm", "vocab.json")
    ):
        return MarianTokenizer(model_dir, config)
    if light and family == "nllb" and kind == "NllbTokenizer" and (model_dir / "tokenizer.json").is_file():
        return NllbTokenizer(model_dir, config, nllb_code(source_lang))
    return TransformersTokenizer(model_dir, family, source_lang)


class MarianTokenizer:
    """transformers' ``MarianTokenizer`` (shared vocabulary) with sentencepiece alone.

    Encoding: a leading ``>>xx<<`` code kept whole, special tokens written in the text
    kept whole, the rest split by ``source.spm``; pieces outside ``vocab.json`` become
    ``<unk>``; ``</s>`` appended. Decoding: special tokens dropped, pieces joined by the
    source sentencepiece model (as transformers does for a shared vocabulary).
    """

    def __init__(self, model_dir: Path, config: dict[str, Any]) -> None:
        import sentencepiece

        self.vocab: dict[str, int] = _read_json(model_dir / "vocab.json")
        self.spm = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
        self.eos = _content(config.get("eos_token", "</s>"))
        self.unk = _content(config.get("unk_token", "<unk>"))
        self.special = {self.eos, self.unk, _content(config.get("pad_token", "<pad>"))}
        self.special |= {_content(t) for t in config.get("additional_special_tokens") or ()}
        self.special |= {
            t["content"] for t in (config.get("added_tokens_decoder") or {}).values() if t.get("special")
        }
        self._special_re = re.compile("(" + "|".join(map(re.escape, sorted(self.special, key=len, reverse=True))) + ")")
        self.clean_up = bool(config.get("clean_up_tokenization_spaces", False))
        self.model_max_length = config.get("model_max_length")

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._encode(text) for text in texts]

    def _encode(self, text: str) -> list[str]:
        tokens: list[str] = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            tokens.append(text[: end + 2])
            text = text[end + 2:]
        for i, part in enumerate(self._special_re.split(text)):
            if i % 2:
                tokens.append(part)
            elif part:
                tokens += self.spm.encode(part, out_type=str)
        return [t if t in self.vocab else self.unk for t in tokens] + [self.eos]

    def decode(self, tokens: Sequence[str]) -> str:
        text = self.spm.decode_pieces([t for t in tokens if t not in self.special])
        text = text.replace("\u2581", " ").strip()
        return _clean_up(text) if self.clean_up else text

    def check_token(self, token: str, model: str) -> None:
        if token not in self.vocab:
            raise BackendError(f"model {model!r}: its vocabulary has no token {token!r}")


class NllbTokenizer:
    """transformers' ``NllbTokenizer`` with the ``tokenizers`` library alone.

    Encoding: ``tokenizer.json`` without its template, then the source language code
    before and ``</s>`` after (legacy mode: ``</s>`` and the code after). Decoding:
    ``tokenizer.json``'s decoder, special tokens skipped (transformers never applies its
    space clean-up to a BPE tokenizer).
    """

    def __init__(self, model_dir: Path, config: dict[str, Any], source_code: str) -> None:
        from tokenizers import Tokenizer as RustTokenizer

        self.tokenizer = RustTokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        eos = _content(config.get("eos_token", "</s>"))
        self.check_token(source_code, str(model_dir))
        legacy = bool(config.get("legacy_behaviour", False))
        self.prefix, self.suffix = ([], [eos, source_code]) if legacy else ([source_code], [eos])
        self.model_max_length = config.get("model_max_length")

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [self.prefix + e.tokens + self.suffix for e in encodings]

    def decode(self, tokens: Sequence[str]) -> str:
        return self.tokenizer.decode([self.tokenizer.token_to_id(t) for t in tokens], skip_special_tokens=True)

    def check_token(self, token: str, model: str) -> None:
        if self.tokenizer.token_to_id(token) is None:
            raise BackendError(
                f"model {model!r}: its tokenizer has no language code {token!r}; is this an NLLB-200 tokenizer?"
            )


class TransformersTokenizer:
    """Any tokenizer, through ``transformers.AutoTokenizer`` (imports torch)."""

    def __init__(self, model_dir: Path, family: str, source_lang: str) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as exc:
            raise BackendError(f"this model's tokenizer needs transformers ({exc})") from None
        options = {"src_lang": nllb_code(source_lang)} if family == "nllb" else {}
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), **options)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(f"{model_dir}: cannot load the tokenizer ({first_line(exc)})") from None
        self.model_max_length = self.tokenizer.model_max_length

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded["input_ids"]]

    def decode(self, tokens: Sequence[str]) -> str:
        return self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(list(tokens)), skip_special_tokens=True)

    def check_token(self, token: str, model: str) -> None:
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise BackendError(
                f"model {model!r}: its tokenizer has no language code {token!r}; is this an NLLB-200 tokenizer?"
            )


# ---------------------------------------------------------------- helpers


def _select_device(requested: str, cuda_count: int) -> tuple[str, int]:
    """(device, index) as CTranslate2 takes them; the same rules and messages as ``select_device``."""
    if requested == "auto":
        return ("cuda", 0) if cuda_count else ("cpu", 0)
    if requested == "cpu":
        return "cpu", 0
    match = re.fullmatch(r"cuda(?::(\d+))?", requested)
    if match is None:
        raise ConfigError(f"unknown device {requested!r}; choose one of: auto, cpu, cuda, cuda:N")
    if cuda_count == 0:
        raise ConfigError(f"device {requested!r} requested but no CUDA GPU is available; use --device cpu")
    index = int(match.group(1) or 0)
    if index >= cuda_count:
        raise ConfigError(
            f"device {requested!r} does not exist: {cuda_count} CUDA GPU(s) visible (cuda:0 to cuda:{cuda_count - 1})"
        )
    return "cuda", index


def _compute_type(requested: str, device: str, supported: set[str]) -> str:
    compute_type = DEFAULT_COMPUTE[device] if requested == "auto" else requested
    if compute_type not in supported:
        raise ConfigError(
            f"compute type {compute_type!r} is not available with CTranslate2 on this {device}; "
            f"choose one of: auto, {', '.join(sorted(supported))}"
        )
    return compute_type


def _weights_for(compute_type: str) -> str:
    """The conversion's quantization for a compute type: the weights are stored as they are computed."""
    return compute_type


def _content(token: Any) -> str:
    return token["content"] if isinstance(token, dict) else str(token)


def _clean_up(text: str) -> str:
    """transformers' ``clean_up_tokenization``."""
    for before, after in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                          (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(before, after)
    return text


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"{path}: cannot read it ({exc})") from None


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
