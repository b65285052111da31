"""The CTranslate2 backend: MarianMT and NLLB-200 models converted for CTranslate2.

``CT2Translator(settings)`` finds the transformers model (a preset, hub id or directory,
exactly as the transformers backend does), takes its CTranslate2 conversion from the
cache in ``translate.convert`` (converting it on first use, with a message on stderr)
and hands it the batches a few ahead, so that its workers never wait for Python. A
directory written by ``translate convert -o DIR`` is used as it is.

Both backends see the same tokens: sources are tokenized the way the model's own
transformers tokenizer does it, and outputs decoded the same way, without importing
torch (``translate.backends.model_tokenizers``).

Inputs are never truncated (``max_input_length=0``); the output limit, the strict
retry settings and NLLB's target language match the transformers backend, so with
float32 weights greedy decoding gives the same tokens.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate.backends.base import Translator
from translate.backends.loading import (
    STRICT_NO_REPEAT_NGRAM_SIZE,
    STRICT_REPETITION_PENALTY,
    check_family,
    check_lengths,
    cpu_count,
    default_batch,
    detect_family,
    nllb_code,
    output_limit,
    package_version,
    parse_device,
    refuse_revision,
    resolve_model_dir,
    splitter_version,
)
from translate.backends.model_tokenizers import load_tokenizer
from translate.config import Settings
from translate.convert import (
    converted_model,
    is_converted,
    model_version,
    read_marker,
    read_model_json,
    write_vocabulary_map,
)
from translate.errors import BackendError, ConfigError, ModelUnavailableError, first_line
from translate.types import ModelInfo, Notify, Translation

DEFAULT_COMPUTE = {"cpu": "int8", "cuda": "float16"}
"""``compute_type = "auto"``: int8 weights on CPU; float16 on CUDA (int8_float16 halves memory again)."""

BATCH_DEFAULTS = {"cpu": (1024, 64, 1024), "cuda": (16384, 256, 65536)}
"""Per device, as ``loading.default_batch`` reads them: greedy budget in padded source cells,
most sentences in a greedy batch, beam-search budget in hypothesis cells. Each worker decodes
batches of this size, and the CPU default has two.

Measured with ``scripts/benchmark.py --tune --inter-threads 2`` (opus-mt-ar-en shape, int8,
2-core AVX-512 VNNI CPU): greedy 1488/1807/1489/1888 tokens/s at 1024/1536/2048/3072 cells,
peak RSS 370/416/498/675 MB (one worker on two threads: 1193/1139/1216/1174 tokens/s, RSS
277/323/375/410 MB); beam 4 428/419/406 tokens/s at 256/512/768 cells, RSS 312/457/643 MB
(one worker, 1024 cells: 349). Past 1024 cells the gains are within this CPU's drift while
the memory grows; ``--quick`` runs at 1024 read 1474 and 1543 tokens/s, RSS 340-348 MB.
Beam 4 again, each budget twice (``--budgets 128,256,512,1024,128,256,512,1024 --sizes 64``):
339/316 tokens/s at 128 source cells, 416/372 at 256 (the default), 360/370 at 512, 306/371
at 1024, RSS 238/301-314/463-500/746-785 MB. Two settings of CTranslate2 itself gave nothing
beyond the drift at beam 4: ``CT2_PACKED_GEMM=1`` (the name in CTranslate2 4.8; a profile
shows MKL still copying the int8 weights into its own layout at every call, 16.7 % of the time,
as without it), ``CT2_USE_MKL=0`` (oneDNN's GEMM: 274-316 against MKL's 255-299 tokens/s in
two interleaved pairs) and ``CT2_FORCE_CPU_ISA=AVX512``; nor did pinning the workers to cores
(``CT2_TRANSLATORS_CORE_OFFSET=0``). The workers wait for Python 0.2 % of the time.

CUDA, ``--tune --device cuda --methods ctranslate2-float16`` on an H200 (opus-mt-ar-en shape,
360 sentences, one run each): greedy 15.6/20.5k tokens/s at 4096 cells and 256/1024
sentences, 18.4/21.8k at 16384, 23.0/24.2k at 65536; beam 4 19.6-22.3k at every point. A run
is under a second there, and the benchmark's own greedy run at the default read 23.5k, so the
differences are within the noise and the default stays: bigger batches cost GPU memory that a
large model on a small GPU does not have.

All of these were measured with the whole output vocabulary. With a MarianMT model's target
pieces alone (``output_vocabulary``), beam 4 again, each budget twice (``--tune --methods
ctranslate2-int8 --beams 4 --budgets 128,256,512,128,256,512 --sizes 64``): 491/500 tokens/s at
128 source cells, 512/598 at 256, 499/527 at 512 (RSS 265/315/451 MB); greedy (``--beams 1
--budgets 1024,2048,1024,2048 --sizes 64``): 1676/1635 at 1024 cells, 1655/2069 at 2048 (RSS
356/503 MB), within the drift. The defaults stay."""

CUBLAS_FIX = (
    "CTranslate2's wheels load CUDA 12's libcublas.so.12: pip install nvidia-cublas-cu12 and put its "
    "lib folder on LD_LIBRARY_PATH, or, where only CUDA 13 is installed, put a link named "
    "libcublas.so.12 to libcublas.so.13 in a folder on LD_LIBRARY_PATH"
)
"""What to do when CTranslate2 cannot load cuBLAS. The link to cuBLAS 13 ran every compute type
of ``scripts/gpu_check.py`` and the GPU benchmark with CTranslate2 4.8.5 on an H200 (driver 580,
CUDA 13 only): CTranslate2 calls nine cuBLAS functions, all of them still in cuBLAS 13."""

CPU_WORKERS = 2
"""Workers on a CPU with two or more threads (``inter_threads = 0``): on a 2-core CPU, two
workers on one thread each decoded 25-55 % more tokens/s than one worker on both threads
(AVX-512 VNNI; 0-12 % on an AVX2 CPU), for the memory of the batch each one holds."""


POLL_S = 0.05
"""How often a wait for CTranslate2's results looks whether they are there: the workers
have the next batch meanwhile, so only the last batch of a job waits this long for Python,
and the waiting thread seldom takes a core from CTranslate2's."""


@dataclass(frozen=True)
class Pending:
    """A batch handed to CTranslate2: its tokens, output limits and the results to wait for."""

    sources: list[list[str]]
    limits: list[int]
    results: list[Any]


class CT2Translator(Translator):
    """A CTranslate2 translator behind the ``Translator`` protocol."""

    def __init__(self, settings: Settings, *, on_message: Notify | None = None) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise BackendError(f"the ctranslate2 backend needs the ctranslate2 package ({exc})") from None

        self.settings = settings
        device, index = parse_device(settings.device, ctranslate2.get_cuda_device_count())
        supported = ctranslate2.get_supported_compute_types(device)

        given = Path(settings.model).expanduser()
        if is_converted(given):  # a directory written by `translate convert -o DIR`: computed as stored
            refuse_revision(settings)
            marker = read_marker(given)
            model_dir = converted = given.resolve()
            family, positions = marker["family"], marker.get("max_position_embeddings")
            stored = marker.get("quantization")
            requested = stored if settings.compute_type == "auto" and stored in supported else settings.compute_type
            compute_type = _compute_type(requested, device, supported)
        else:
            compute_type = _compute_type(settings.compute_type, device, supported)
            model_dir = Path(resolve_model_dir(settings, on_message=on_message))
            family = detect_family(model_dir)
            positions = read_model_json(model_dir / "config.json").get("max_position_embeddings")
            converted = converted_model(
                settings.model, model_dir, settings.revision, compute_type, on_message=on_message
            )
        check_family(settings, family)

        self.tokenizer = load_tokenizer(model_dir, family, settings.source_lang)
        self.target_prefix: list[str] = []
        if family == "nllb":
            self.target_prefix = [nllb_code(settings.target_lang)]
            self.tokenizer.check_token(self.target_prefix[0], settings.model)

        # CTranslate2 reads the map when it loads the model, and uses it where a batch asks
        self.use_vmap = settings.output_vocabulary == "target" and write_vocabulary_map(converted, family)
        threads = settings.threads or (cpu_count() if device == "cpu" else 0)
        self.workers = settings.inter_threads or default_workers(device, threads)
        self.device = device if device == "cpu" else f"cuda:{index}"
        try:
            self.translator = ctranslate2.Translator(
                str(converted),
                device=device,
                device_index=index,
                compute_type=compute_type,
                intra_threads=max(1, threads // self.workers) if threads else 0,
                inter_threads=self.workers,
            )
        except (RuntimeError, ValueError) as exc:
            if _cublas_missing(exc):
                raise self._failure(exc) from None
            fix = "; convert it again with 'translate convert MODEL --force'" if is_converted(converted) else ""
            raise ModelUnavailableError(
                f"{converted}: CTranslate2 cannot load the model ({first_line(exc)}){fix}"
            ) from None

        limits = [n for n in (positions, self.tokenizer.model_max_length) if isinstance(n, int) and 0 < n < 1_000_000]
        self.max_input_tokens = min(limits) if limits else 1024
        self._max_new_tokens = (positions or 1024) - 1  # as transformers: the decoder start takes one position
        self.default_batch_tokens, self.default_batch_size = default_batch(BATCH_DEFAULTS[device], settings.beam_size)
        self.batch_step_cost = None  # CTranslate2 drops a sentence from its batch when it ends: fill the batches
        self.info = ModelInfo(
            model=settings.model,
            backend="ctranslate2",
            family=family,
            revision=settings.revision,
            version=model_version(model_dir),
            device=self.device,
            compute_type=self.translator.compute_type,
            beam_size=settings.beam_size,
            package_version=package_version(),
            splitter_version=splitter_version(),
            vocabulary="target" if self.use_vmap else "full",
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source lengths in the model's tokens, special tokens included, nothing truncated."""
        return [len(tokens) for tokens in self.tokenizer.encode(texts)] if texts else []

    def translate(self, texts: Sequence[str], *, strict: bool = False) -> list[Translation]:
        """Translate one batch; outputs in input order, with CTranslate2's (length-normalized) scores."""
        return next(self.translate_batches([texts], strict=strict))

    def translate_batches(
        self, batches: Sequence[Sequence[str]], *, strict: bool = False
    ) -> Iterator[list[Translation]]:
        """Translate batches in turn, yielding each one's outputs as it is done.

        Batches are handed to CTranslate2 ahead of time (one more than it has workers), so
        each worker decodes a whole batch while Python prepares the next ones; with fewer
        batches than workers, each batch is shared out among them.
        """
        share = len(batches) < self.workers
        pending: deque[Pending] = deque()
        for texts in batches:
            pending.append(self._submit(texts, strict, share))
            if len(pending) > self.workers:
                yield self._collect(pending.popleft())
        while pending:
            yield self._collect(pending.popleft())

    def _submit(self, texts: Sequence[str], strict: bool, share: bool) -> Pending:
        sources = self.tokenizer.encode(texts) if texts else []
        lengths = [len(tokens) for tokens in sources]
        check_lengths(lengths, self.max_input_tokens)
        limits = [self.output_limit(length, strict=strict) for length in lengths]
        if not sources:
            return Pending(sources, limits, [])
        prefix = [list(self.target_prefix) for _ in sources] if self.target_prefix else None
        options = self.decoding_options(sources, limits, strict)
        if share and self.workers > 1:
            options["max_batch_size"] = math.ceil(len(sources) / self.workers)
        try:
            results = self.translator.translate_batch(sources, prefix, asynchronous=True, **options)
        except RuntimeError as exc:
            raise self._failure(exc) from None
        return Pending(sources, limits, results)

    def _collect(self, pending: Pending) -> list[Translation]:
        results = self._wait(pending)
        skip = len(self.target_prefix)
        # A sequence that reaches its own limit ends there (the limit's last place is EOS),
        # whatever the other sentences of the batch: the transformers backend's rule.
        return [
            Translation(text=self.tokenizer.decode(r.hypotheses[0][: limit - 1][skip:]).strip(), score=r.scores[0])
            for r, limit in zip(results, pending.limits)
        ]

    def _wait(self, pending: Pending) -> list[Any]:
        """The batch's ``TranslationResult``s, once CTranslate2 has them all.

        Waited for by polling: blocked in ``result()``, Python could not act on Ctrl-C
        before the whole batch was decoded (a minute for a large beam-search batch).
        """
        try:
            for result in pending.results:
                while not result.done():
                    time.sleep(POLL_S)
            return [r.result() for r in pending.results]
        except RuntimeError as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: RuntimeError) -> BackendError:
        """CTranslate2's error as ours, with the fix when the cuBLAS its wheels load is missing."""
        fix = "use --backend transformers or --device cpu"
        if _cublas_missing(exc):
            fix = f"{CUBLAS_FIX}, or {fix}"
        return BackendError(f"CTranslate2 failed on {self.device}: {first_line(exc)}; {fix}")

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
            "use_vmap": self.use_vmap,
        }
        if strict:
            options["repetition_penalty"] = STRICT_REPETITION_PENALTY
            options["no_repeat_ngram_size"] = STRICT_NO_REPEAT_NGRAM_SIZE
        return options


# ---------------------------------------------------------------- helpers


def check_settings(settings: Settings) -> None:
    """What can be refused before loading: a device or compute type this CTranslate2 build lacks
    (``auto`` is checked at load: a converted directory computes as stored)."""
    try:
        import ctranslate2
    except ImportError as exc:
        raise BackendError(f"the ctranslate2 backend needs the ctranslate2 package ({exc})") from None
    device, _ = parse_device(settings.device, ctranslate2.get_cuda_device_count())
    if settings.compute_type != "auto":
        _compute_type(settings.compute_type, device, ctranslate2.get_supported_compute_types(device))


def _cublas_missing(exc: Exception) -> bool:
    """Whether CTranslate2 failed for want of the cuBLAS library its wheels load."""
    return "libcublas" in str(exc)


def default_workers(device: str, threads: int) -> int:
    """``inter_threads = 0``: two workers on a CPU with two threads or more, else one."""
    return min(CPU_WORKERS, threads) if device == "cpu" and threads else 1


def _compute_type(requested: str, device: str, supported: set[str]) -> str:
    compute_type = DEFAULT_COMPUTE[device] if requested == "auto" else requested
    if compute_type not in supported:
        raise ConfigError(
            f"compute type {compute_type!r} is not available with CTranslate2 on this {device}; "
            f"choose one of: auto, {', '.join(sorted(supported))}"
        )
    return compute_type


