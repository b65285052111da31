"""The transformers backend: MarianMT (OPUS-MT) and NLLB-200 models through transformers.

``HFTranslator(settings)`` loads the tokenizer and model once, on the chosen device and
dtype, and translates one batch per call under ``torch.inference_mode()``. Inputs are
never truncated: a source longer than ``max_input_tokens`` is an error, since splitting
long sentences is the caller's job. NLLB gets its source language set on the tokenizer
and the target language forced as the first generated token. Decoding gives
``model.generate``'s token ids, with less work per step (``translate.backends.decoding``);
a model whose generation config asks for more, and a strict retry, go through ``generate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate.backends import decoding
from translate.backends.base import Translator
from translate.backends.loading import (
    STRICT_NO_REPEAT_NGRAM_SIZE,
    STRICT_REPETITION_PENALTY,
    check_family,
    check_lengths,
    default_batch,
    detect_family,
    nllb_code,
    output_limit,
    package_version,
    quiet_transformers,
    resolve_model_dir,
    select_device,
    splitter_version,
)
from translate.backends.model_tokenizers import check_tokenizer_files, output_vocabulary
from translate.config import BACKEND_TYPES, Settings, check_backend_type
from translate.convert import model_version
from translate.errors import BackendError, damage_errors, damaged_model, model_file_error
from translate.types import ModelInfo, Notify, Translation

DTYPES = tuple(t for t in BACKEND_TYPES["transformers"] if t != "auto")

BATCH_DEFAULTS = {"cpu": (3072, 128, 5120), "cuda": (16384, 256, 65536)}
"""Per device, as ``loading.default_batch`` reads them: greedy budget in padded source cells,
most sentences in a greedy batch, beam-search budget in hypothesis cells.

Measured with ``scripts/benchmark.py --tune --methods transformers`` (opus-mt-ar-en shape,
float32, 2-core AVX2 CPU), greedy tokens/s at 1536/2048/3072/4096/6144 cells: 274-319,
278-288, 339-385, 326-381, 267-290 (two runs each, batch sizes 64-256); beam 4 was best near
1280 cells (71/85/70/50 tokens/s at 640/1280/2560/5120). With decoding outside ``generate``
(``translate.backends.decoding``), on a 2-core AVX-512 CPU: beam 4 at 1280/2560/5120 cells read
181/171/177 tokens/s with at most 32 sentences and 166/176/180 with 64 (peak RSS 1191-1690 MB),
so the default stayed. In bfloat16 on that CPU (AMX), ``--methods transformers-bfloat16``: greedy
1029/884/1058 tokens/s at 1536/3072/6144 cells (128 sentences); beam 4 175-182/201-213/179-184 at
640/1280/2560 source cells (5120 hypothesis cells is 1280), so bfloat16 keeps the float32 budgets.
CUDA: 16384 cells and 256 sentences per greedy batch, measured on an H200; beam search keeps the
number of hypotheses."""

STEP_COST = {"cpu": 12.0, "cuda": None}
"""``make_batches``'s ``step_cost`` per device: decoding runs every sentence of a batch until
its longest ends, so on CPU a batch is cut where a long sentence would hold up many short ones.
Measured on a 2-core AVX2 CPU, opus-mt-ar-en shape, float32: a greedy step took 31/51/66/106/184 ms
for 1/8/16/32/64 sentences (about 11 sentences' worth beyond its rows), a beam-4 step 64/97/148 ms
for 4/8/16 (about 7); ``scripts/benchmark.py --tune --methods transformers --budgets 0 --sizes 0
--sentences 64 --step-costs=-1,4,8,12,16,32``: greedy 159 tokens/s with full batches, 149-194 with
the cost model, beam 4 60 -> 64-77; interleaved in one process, greedy on 64 sentences 132 -> 158
tokens/s (4,856 -> 3,842 decoded cells) (medians of 3), on all 360 319 -> 306-325 (no change
beyond the noise). CUDA: ``None``, full batches, as measured on an H200 (a step there costs
about the same for any batch under the budget)."""

OUTPUT_SLICE_ROWS = 2048
"""On CPU the output projection (hidden state x vocabulary, the largest matrix multiply of a
decoding step) is computed this many vocabulary rows at a time, so that each slice of the
weights stays in cache: measured on a 2-core AVX2 CPU with the opus-mt-ar-en shape (62,834 x
512, float32), 43 -> 88 GFLOP/s for 64 rows and 62 -> 129 for 256 rows."""

SDPA_BACKENDS = ("FLASH_ATTENTION", "EFFICIENT_ATTENTION", "MATH")
"""The attention kernels ``generate`` may use: all of torch's but cuDNN's. On Hopper GPUs torch
prefers cuDNN attention for float16/bfloat16 inputs with a padding mask, and cuDNN builds an
execution plan for every new shape; a decoder's key length grows by one at every step, so every
step would pay for a plan build. No effect on CPU, where torch has no cuDNN attention."""


class HFTranslator(Translator):
    """A transformers seq2seq model behind the ``Translator`` protocol."""

    def __init__(self, settings: Settings, *, on_message: Notify | None = None) -> None:
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise BackendError(f"the transformers backend needs torch and transformers ({exc})") from None

        quiet_transformers()
        self.settings = settings
        model_dir = resolve_model_dir(settings, on_message=on_message)
        family = detect_family(model_dir)
        check_family(settings, family)
        device = select_device(settings.device)
        dtype_name = _dtype_name(settings.compute_type, device)
        if settings.threads > 0:
            torch.set_num_threads(settings.threads)

        check_tokenizer_files(Path(model_dir), family)
        tokenizer_options = {}
        if family == "nllb":
            tokenizer_options["src_lang"] = nllb_code(settings.source_lang)
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir, **tokenizer_options)
            self.model = transformers.AutoModelForSeq2SeqLM.from_pretrained(
                model_dir, dtype=getattr(torch, dtype_name)
            )
        except OSError as exc:
            raise model_file_error(model_dir, exc) from None
        except damage_errors() as exc:  # a truncated weights file, a tokenizer file missing: the folder is damaged
            raise damaged_model(model_dir, exc) from None
        self.model.to(device).eval()
        self._slice_rows = OUTPUT_SLICE_ROWS if device == "cpu" else 0
        if self._slice_rows:
            _slice_output_projection(self.model, self._slice_rows)
        # Single-token bad words (MarianMT bans its pad token) are banned by our own processor,
        # in place, rather than by transformers' general n-gram one, which costs a pass over the
        # whole vocabulary per row and step for the same result.
        self._banned = decoding.single_token_bans(self.model.generation_config) or []
        # Decoding runs here rather than in generate() when the model's settings allow it:
        # same ids, less work per step (translate.backends.decoding).
        self._own_decoding = decoding.supported(self.model.generation_config)
        # A MarianMT model scores only its target-language pieces (model_tokenizers.output_vocabulary).
        kept = output_vocabulary(model_dir, family) if settings.output_vocabulary == "target" else None
        self._rows = None if kept is None else decoding.restrict_output(
            self.model, self.tokenizer.convert_tokens_to_ids(kept)
        )
        # generate() always gets max_new_tokens; a shipped max_length would only add a warning per call.
        self.model.generation_config.max_length = None

        self.forced_bos_token_id: int | None = None
        if family == "nllb":
            self.forced_bos_token_id = self._token_id(nllb_code(settings.target_lang))
            self._token_id(nllb_code(settings.source_lang))

        self.max_input_tokens = _input_limit(self.tokenizer, self.model.config)
        self._max_new_tokens = self.model.config.max_position_embeddings - 1  # the decoder start takes one
        kind = "cuda" if device.startswith("cuda") else "cpu"
        self.default_batch_tokens, self.default_batch_size = default_batch(BATCH_DEFAULTS[kind], settings.beam_size)
        self.batch_step_cost = STEP_COST[kind]
        self.info = ModelInfo(
            model=settings.model,
            backend="transformers",
            family=family,
            revision=settings.revision,
            version=model_version(model_dir),
            device=device,
            compute_type=dtype_name,
            beam_size=settings.beam_size,
            package_version=package_version(),
            splitter_version=splitter_version(),
            vocabulary="target" if self._rows is not None else "full",
        )

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source lengths in the model's tokens, special tokens included, nothing truncated."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def translate(self, texts: Sequence[str], *, strict: bool = False) -> list[Translation]:
        """Translate one batch; outputs in input order. Scores are not computed (``None``)."""
        if not texts:
            return []
        outputs = self.generate_ids(texts, strict=strict)
        decoded = self.tokenizer.batch_decode(outputs, skip_special_tokens=True)
        return [Translation(text=text.strip()) for text in decoded]

    def generate_ids(self, texts: Sequence[str], *, strict: bool = False) -> list[list[int]]:
        """The generated token ids per source, decoder start (and NLLB's language code) included."""
        import torch
        from torch.nn.attention import SDPBackend, sdpa_kernel

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True, truncation=False, verbose=False)
        lengths = batch["attention_mask"].sum(dim=1).tolist()
        check_lengths(lengths, self.max_input_tokens)
        limits = [self.output_limit(length, strict=strict) for length in lengths]
        beams = self.settings.beam_size
        options = {
            "num_beams": beams,
            "do_sample": False,
            "max_new_tokens": max(limits),
            "logits_processor": [OutputLimit(limits, beams, self.tokenizer.eos_token_id, banned=self._banned)],
        }
        if self._banned:
            options["bad_words_ids"] = None
        if beams == 1:  # a greedy choice is the same on normalized scores: skip the log-softmax
            options["renormalize_logits"] = False
        if self.forced_bos_token_id is not None:
            options["forced_bos_token_id"] = self.forced_bos_token_id
        if strict:
            from transformers import RepetitionPenaltyLogitsProcessor

            # The decoder start is no token seen: NLLB's is </s>, its EOS, and penalising it made a
            # retry meant to stop a runaway output longer (CTranslate2 leaves it out too). The
            # penalty goes first: OutputLimit's forced EOS must stay forced.
            penalty = RepetitionPenaltyLogitsProcessor(STRICT_REPETITION_PENALTY, prompt_ignore_length=1)
            options["logits_processor"].insert(0, penalty)
            options["no_repeat_ngram_size"] = STRICT_NO_REPEAT_NGRAM_SIZE
        with torch.inference_mode(), sdpa_kernel([getattr(SDPBackend, name) for name in SDPA_BACKENDS]):
            output = self.decode(batch.to(self.model.device), options)
        return output.tolist()

    def decode(self, batch, options: dict) -> Any:
        """The output ids of one tokenized batch: decoded here where the model's generation
        settings allow it and no strict retry's penalties are asked for, else by ``generate``."""
        if not self._own_decoding or "no_repeat_ngram_size" in options:
            return self.model.generate(**batch, **options)
        settings = decoding.settings_from(self.model.generation_config, options)
        return decoding.search(self.model, batch["input_ids"], batch["attention_mask"], settings,
                               options["logits_processor"], slice_rows=self._slice_rows, rows=self._rows)

    def output_limit(self, source_tokens: int, *, strict: bool = False) -> int:
        """Most tokens generated for a source of this length (EOS and NLLB's language code included)."""
        return output_limit(self.settings, source_tokens, self._max_new_tokens, strict=strict)

    def _token_id(self, token: str) -> int:
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise BackendError(
                f"model {self.settings.model!r}: its tokenizer has no "
                f"language code {token!r} (it maps to <unk>); is this an NLLB-200 tokenizer?"
            )
        return token_id


class OutputLimit:
    """A logits processor that ends each sequence (forces EOS) at its own source's limit,
    and bans the ``banned`` tokens everywhere.

    ``max_new_tokens`` is one number for the whole batch; this makes a sentence's output
    independent of the sentences batched with it, so a cached or resumed translation is
    the same whatever the batching.
    """

    def __init__(self, limits: Sequence[int], num_beams: int, eos_token_id: int, *, banned: Sequence[int] = ()) -> None:
        self.limits = list(limits)
        self.num_beams = num_beams
        self.eos_token_id = eos_token_id
        self.banned = list(banned)
        self._banned = None  # these built once on the scores' device: a copy per step would sync a GPU
        self._masks = None

    def __call__(self, input_ids, scores):
        import torch

        if self.banned:
            if self._banned is None:
                self._banned = torch.tensor(self.banned, device=scores.device)
            scores.index_fill_(1, self._banned, float("-inf"))
        next_token = input_ids.shape[1]  # the number of the token being chosen (the decoder start is token 0)
        if next_token < min(self.limits):
            return scores
        if self._masks is None:
            limits = torch.tensor(self.limits, device=scores.device).repeat_interleave(self.num_beams)
            others = torch.arange(scores.shape[1], device=scores.device) != self.eos_token_id
            self._masks = (limits, others)
        limits, others = self._masks
        return scores.masked_fill_((limits <= next_token)[:, None] & others[None, :], float("-inf"))


def _slice_output_projection(model, rows: int) -> None:
    """Compute ``model``'s output projection ``rows`` vocabulary rows at a time (same weights, same results)."""
    import torch

    head = model.get_output_embeddings()
    if not isinstance(head, torch.nn.Linear) or head.out_features <= rows:
        return

    def forward(hidden):
        return decoding.project(hidden, head.weight, rows, bias=head.bias)

    head.forward = forward


def check_settings(settings: Settings) -> None:
    """What can be refused before loading: a compute type the backend does not have."""
    _dtype_name(settings.compute_type, select_device(settings.device))


def _dtype_name(compute_type: str, device: str) -> str:
    import torch

    if compute_type == "auto":
        if not device.startswith("cuda"):
            return "float32"
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    check_backend_type("transformers", compute_type)
    return compute_type


def _input_limit(tokenizer, config) -> int:
    """The smaller of the tokenizer's declared limit (when it declares a real one) and the position table."""
    positions = config.max_position_embeddings
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and 0 < declared < 1_000_000:
        return min(declared, positions)
    return positions
