#!/usr/bin/env python
"""Translation throughput on this machine: the transformers baseline against our pipeline.

What runs
    Random-weight models with the real architectures (``translate.toymodels``; SentencePiece
    trained on the repository's fixtures): opus-mt-ar-en (transformer-base, 62,834 tokens),
    opus-mt-tc-big-ar-en (transformer-big, 61,109 tokens) and NLLB-200-distilled-600M
    (12+12 layers, 256,206 tokens). They are built once and cached with their CTranslate2
    conversions under ``.bench/`` (or ``$TRANSLATE_BENCH_CACHE``). The input is
    ``tests/fixtures/bench_sentences.ar``: 360 Arabic news-length sentences, each of which
    the pipeline translates whole, so that every method translates the same token sequences
    (the transformer-big and NLLB shapes take the first 64, ``--big-sentences``: their beam-4
    baselines alone run for many minutes).

Methods, each in a fresh process (so that peak RSS is its own)
    baseline             what the transformers ``translation`` pipeline did (the task was removed
                         in transformers 5, so it is reproduced here): batches of 16 sentences in
                         input order, padded, through ``model.generate`` with the model's generation
                         settings (beam size set per run), float32.
    transformers         our pipeline (``translate.pipeline.translate_articles``: segmentation,
                         global length-sorted token-budgeted batching, guard, reassembly) with the
                         transformers backend and its default batching (budget, size, step cost).
    ctranslate2-int8     our pipeline with the CTranslate2 backend, int8 weights (CPU default).
    ctranslate2-float32  the same with float32 weights.
    transformers-TYPE    the transformers backend computing in TYPE (not run unless named with
                         --methods), e.g. ``transformers-bfloat16`` on a CPU with AMX or AVX512-BF16.
    Each method first translates 8 sentences untimed (a warm-up: a GPU's first calls load
    kernels and choose GEMM algorithms). On CUDA the CTranslate2 methods are int8_float16 and
    float16, the transformers backend uses its CUDA default (bfloat16/float16) and the
    baseline stays float32, as the pipeline did.

Forced output lengths, so that every method does the same work
    A random model would stop at random places or run to the length limit. Every method
    instead generates exactly ``round(1.2 * n)`` tokens for a source of ``n`` tokens (special
    tokens counted; 1.2 is a typical English/Arabic token ratio), then EOS:
    * transformers (baseline and backend): a logits processor bans EOS before each
      sentence's own target and forces it there (NLLB's language code not counted);
    * CTranslate2 applies ``min_decoding_length``/``max_decoding_length`` per batch, not per
      sentence, so each batch decodes its longest target (+1 step for the EOS that the
      transformers runs compute) for all its sentences. The extra tokens of the shorter
      sentences are computed but not counted: this favours the transformers runs slightly in
      greedy decoding (a callback stops each sentence at its own target, as EOS would) and in
      the corpus's length-sorted beam batches; the seed article's few beam-4 batches hold
      sentences of very different lengths, so its CTranslate2 beam-4 time is an upper bound
      (real beam search drops a sentence from its batch when it ends).
    "Useful tokens" are the sum of the per-sentence targets, identical for every method of a
    model (checked); tokens/s = useful tokens / translation time (model load excluded,
    reported separately). ``decoded`` counts what each method actually had to compute
    (rows x steps of its batches, beams not counted), which shows the padding waste.

The guard
    The pipeline's guard (repetition / runaway-length checks) runs on every output, and its
    cost is included, but its verdicts are only counted (column ``guard``), not acted upon:
    random-weight output is gibberish that it rightly rejects, and the retries that a real
    model almost never needs would otherwise double the pipeline's work.

The physical limit
    The output vocabulary differs: the baseline scores all of a MarianMT model's joint vocabulary
    at every step; our pipeline scores its target-language pieces alone (about half of it:
    ``MARIAN_TARGET_PIECES`` for these shapes, whose ``target.spm`` is padded with unused
    pieces to that size). Each run's FLOPs per token count the rows its output layer computes.

    The script times this machine's matrix multiplies (float32 ``torch`` matmul; int8 through
    fbgemm's dynamically quantized linear layer, where available; bfloat16 on CPU, where a method
    computes in it), before the first run and
    again after the last, keeping the higher reading (this CPU's speed drifts), and reports
    each method's tokens/s as a fraction of the ideal for the model: peak FLOP/s divided by
    the FLOPs per useful target token (decoder layers and output projection for every beam,
    attention over the source and the prefix, and the encoder's work amortized over the
    target tokens).

The seed article
    ``tests/fixtures/seed-article.ar.txt`` through the real ``translate article`` command, in
    a fresh process per backend, timed from process start to the output written, model load
    included (backends swapped for their forced-length subclasses, nothing else).

Usage
    python scripts/benchmark.py --quick --json .bench/quick.json   # opus-mt-ar-en, greedy (< 5 min)
    python scripts/benchmark.py --json .bench/full.json            # 3 shapes x greedy/beam 4
    python scripts/benchmark.py --quick --repeats 2                # best of 2 interleaved rounds each
    python scripts/benchmark.py --tune                             # batch budgets per backend
    python scripts/benchmark.py --tune --methods transformers --budgets 0 --sizes 0 --step-costs=-1,4,12
                                                                   # the batching step cost (-1: full batches)
    python scripts/benchmark.py --tune --budgets 0 --sizes 0 --windows 1,4,16  # the sort window
    python scripts/benchmark.py --smoke --json out.json            # tiny shapes, for the tests
    python scripts/benchmark.py --device cuda                      # on a GPU machine
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Nothing heavy at import time: the CTranslate2 children must not import torch.

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TARGET_RATIO = 1.2
BASELINE_BATCH = 16
ARTICLE_SENTENCES = 12
"""The benchmark sentences are grouped into articles of this many one-sentence paragraphs."""
WARMUP_SENTENCES = 8
"""Translated once by every method before its timed run (not counted): a GPU's first calls load
kernels and pick GEMM algorithms, a cost that one big batch would otherwise carry alone."""
PEAK_KINDS = ("float32", "int8", "float16", "bfloat16")
"""The matmul peaks timed (int8 on CPU, float16 on CUDA, where available; bfloat16 on CPU when a
method computes in it)."""

MARIAN_TARGET_PIECES = 32000
"""The pieces of an OPUS-MT model's target SentencePiece model (``spm32k`` a side), about half of
its joint vocabulary: what our pipeline's output layer scores (``output_vocabulary``)."""
SHAPES: dict[str, dict[str, Any]] = {
    "opus-mt-ar-en": dict(
        family="marian", d_model=512, layers=6, heads=8, ffn=2048, vocab_size=62834,
        target_vocab_size=MARIAN_TARGET_PIECES, max_position_embeddings=512, spm_vocab_size=4000,
        activation_function="swish",
    ),
    "opus-mt-tc-big-ar-en": dict(
        family="marian", d_model=1024, layers=6, heads=16, ffn=4096, vocab_size=61109,
        target_vocab_size=MARIAN_TARGET_PIECES, max_position_embeddings=1024, spm_vocab_size=4000,
        activation_function="relu",
    ),
    "nllb-200-distilled-600M": dict(
        family="nllb", d_model=1024, layers=12, heads=16, ffn=4096, vocab_size=256206,
        max_position_embeddings=1024, spm_vocab_size=8000,
    ),
    "tiny-marian": dict(family="marian", d_model=32, layers=2, heads=2, ffn=64, spm_vocab_size=500),
    "tiny-nllb": dict(family="nllb", d_model=32, layers=2, heads=2, ffn=64, spm_vocab_size=500),
}
SMALL_SHAPES = ("opus-mt-ar-en", "tiny-marian", "tiny-nllb")
"""Shapes timed on all the sentences; the big ones on ``--big-sentences`` (the baseline's beam 4
on NLLB-600M would take most of an hour on all 360)."""
METHODS = {
    "cpu": ["baseline", "transformers", "ctranslate2-int8", "ctranslate2-float32"],
    "cuda": ["baseline", "transformers", "ctranslate2-int8_float16", "ctranslate2-float16"],
}


# ---------------------------------------------------------------- shared helpers


def target_length(source_tokens: int) -> int:
    """Tokens every method generates (before EOS) for a source of this many tokens."""
    return max(1, round(TARGET_RATIO * source_tokens))


def read_sentences(limit: int | None = None) -> list[str]:
    lines = (FIXTURES / "bench_sentences.ar").read_text(encoding="utf-8").splitlines()
    sentences = [line for line in lines if line.strip() and not line.startswith("#")]
    return sentences[:limit] if limit else sentences


def read_tokenizer_lines() -> tuple[list[str], list[str]]:
    """Arabic and English lines to train the models' SentencePiece: the test corpus plus
    the benchmark sentences themselves (so Arabic sources get realistic token counts)."""
    lines = (FIXTURES / "tokenizer_corpus.txt").read_text(encoding="utf-8").splitlines()
    text = [line for line in lines if line.strip() and not line.startswith("#")]
    arabic = [line for line in text if any("\u0600" <= ch <= "\u06ff" for ch in line)]
    english = [line for line in text if line not in set(arabic)]
    return arabic + read_sentences(), english


def cache_dir(args: argparse.Namespace) -> Path:
    return Path(args.cache_dir or os.environ.get("TRANSLATE_BENCH_CACHE") or ROOT / ".bench").resolve()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def compute_type_of(method: str) -> str | None:
    """The compute type a method names (``ctranslate2-int8``, ``transformers-bfloat16``); None: the default."""
    return method.split("-", 1)[1] if "-" in method else None


def quantizations_of(methods: Sequence[str]) -> str:
    """The CTranslate2 conversions these methods need, as ``--prepare`` takes them."""
    return ",".join(sorted({compute_type_of(m) for m in methods if m.startswith("ctranslate2-")}))


class GuardCounter:
    """Runs the guard's check on every output (its cost stays in) and counts its verdicts,
    returning None so that random-weight gibberish is not retried."""

    def __init__(self, check):
        self.check = check
        self.rejected = 0

    def __call__(self, source: str, output: str):
        if self.check(source, output):
            self.rejected += 1
        return None


def patch_guard() -> GuardCounter:
    import translate.pipeline as pipeline

    counter = GuardCounter(pipeline.find_problem)
    pipeline.find_problem = counter
    return counter


# ---------------------------------------------------------------- forced lengths


class ForceLength:
    """A transformers logits processor: no EOS before each row's target, EOS at it.

    ``skip`` generated tokens (NLLB's forced language code) are not counted.
    """

    def __init__(self, targets, num_beams: int, eos_token_id: int, skip: int, device) -> None:
        import torch

        self.targets = torch.tensor(targets, device=device).repeat_interleave(num_beams)
        self.eos = eos_token_id
        self.skip = skip

    def __call__(self, input_ids, scores):
        import torch

        produced = input_ids.shape[1] - 1 - self.skip  # after the decoder start (and language code)
        if produced < 0:
            return scores
        scores[self.targets > produced, self.eos] = float("-inf")  # in place, as the backends' own processors
        done = self.targets <= produced
        if bool(done.any()):
            keep = scores[done, self.eos].clone()
            scores[done] = float("-inf")
            scores[done, self.eos] = torch.where(torch.isinf(keep), torch.zeros_like(keep), keep)
        return scores


class Tally:
    """What a forced translator did: useful tokens, decoded cells, batches."""

    def __init__(self) -> None:
        self.useful = 0
        self.decoded = 0
        self.batches = 0
        self.sources = 0
        self.mismatches = 0


def count_mismatches(rows: list[list[int]], targets: list[int], eos: int) -> int:
    """Outputs whose first EOS is not right after their target length."""
    return sum((row.index(eos) if eos in row else len(row)) != target for row, target in zip(rows, targets))


def forced_hf_class():
    from translate.backends.hf import HFTranslator

    class ForcedHFTranslator(HFTranslator):
        """The transformers backend, unchanged but for ``ForceLength`` added to its decoding."""

        def __init__(self, settings, **kwargs) -> None:
            super().__init__(settings, **kwargs)
            self.tally = Tally()
            self.skip = 1 if self.forced_bos_token_id is not None else 0

        def decode(self, batch, options):
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            targets = [target_length(n) for n in lengths]
            eos = self.model.generation_config.eos_token_id
            processor = ForceLength(targets, options["num_beams"], eos, self.skip, batch["input_ids"].device)
            output = super().decode(batch, {**options, "logits_processor": [*options["logits_processor"], processor]})
            self.tally.mismatches += count_mismatches(output[:, 1 + self.skip:].tolist(), targets, eos)
            self.tally.useful += sum(targets)
            self.tally.decoded += len(targets) * (max(targets) + 1)
            self.tally.batches += 1
            self.tally.sources += sum(lengths)
            return output

    return ForcedHFTranslator


def forced_ct2_class():
    from translate.backends.ct2 import CT2Translator

    class ForcedCT2Translator(CT2Translator):
        """The CTranslate2 backend, unchanged but for per-batch min/max decoding lengths."""

        def __init__(self, settings, **kwargs) -> None:
            super().__init__(settings, **kwargs)
            self.tally = Tally()

        def decoding_options(self, sources, limits, strict):
            options = super().decoding_options(sources, limits, strict)
            targets = [target_length(len(tokens)) for tokens in sources]
            prefix = len(self.target_prefix)
            # +1: the step at which the transformers runs compute EOS
            options["min_decoding_length"] = options["max_decoding_length"] = prefix + max(targets) + 1
            if options["beam_size"] == 1:
                # greedy: each sentence stops after its own target (+1 step), as CTranslate2 drops a
                # sentence from the batch when it ends; the callback sees the prefix as steps too
                options["callback"] = lambda step: step.step >= prefix + targets[step.batch_id]
                self.tally.decoded += sum(t + 1 for t in targets)
            else:  # beam search: the whole batch decodes its longest target
                self.tally.decoded += len(targets) * (max(targets) + 1)
            self.tally.useful += sum(targets)
            self.tally.batches += 1
            self.tally.sources += sum(len(tokens) for tokens in sources)
            return options

        def _wait(self, pending):
            """Count the outputs that missed their forced length."""
            results = super()._wait(pending)
            prefix = len(self.target_prefix)
            targets = [target_length(len(tokens)) for tokens in pending.sources]
            for result, target in zip(results, targets):
                expected = prefix + (target if self.settings.beam_size == 1 else max(targets)) + 1
                self.tally.mismatches += len(result.hypotheses[0]) != expected
            return results

        def output_limit(self, source_tokens, *, strict=False):  # never cut a forced output
            return self._max_new_tokens

    return ForcedCT2Translator


def cpu_count() -> int:
    from translate.backends.loading import cpu_count as available  # light: no torch, no ctranslate2

    return available()


# ---------------------------------------------------------------- one method, in its own process


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    sentences = read_sentences(args.sentences)
    if args.threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    if args.method == "baseline":
        result = run_baseline(args, sentences)
    else:
        result = run_pipeline(args, sentences)
    result.update(
        method=args.method, beam=args.beam, device=args.device, sentences=len(sentences),
        peak_rss_mb=round(peak_rss_mb(), 1), process_s=round(time.perf_counter() - started, 3),
        sentences_per_s=round(len(sentences) / result["translate_s"], 3),
        tokens_per_s=round(result["useful_tokens"] / result["translate_s"], 2),
    )
    return result


def run_baseline(args: argparse.Namespace, sentences: list[str]) -> dict[str, Any]:
    imported = time.perf_counter()
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    imported = time.perf_counter() - imported
    device = "cuda" if args.device.startswith("cuda") else "cpu"
    if args.threads:
        torch.set_num_threads(args.threads)
    loading = time.perf_counter()
    config = json.loads((Path(args.model_dir) / "config.json").read_text())
    nllb = config["model_type"] == "m2m_100"
    tokenizer = AutoTokenizer.from_pretrained(args.model_dir, **({"src_lang": "arb_Arab"} if nllb else {}))
    model = AutoModelForSeq2SeqLM.from_pretrained(args.model_dir).to(device).eval()
    load_s = time.perf_counter() - loading
    options: dict[str, Any] = {"num_beams": args.beam}
    if nllb:  # what the pipeline passed for tgt_lang
        options["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids("eng_Latn")
    eos = model.generation_config.eos_token_id
    with torch.no_grad():
        model.generate(**tokenizer(sentences[:WARMUP_SENTENCES], return_tensors="pt", padding=True).to(device),
                       **{**options, "max_new_tokens": 16})
    tally = Tally()
    outputs: list[str] = []
    translating = time.perf_counter()
    for start in range(0, len(sentences), BASELINE_BATCH):
        batch = sentences[start:start + BASELINE_BATCH]
        inputs = tokenizer(batch, return_tensors="pt", padding=True).to(device)
        lengths = inputs["attention_mask"].sum(dim=1).tolist()
        targets = [target_length(n) for n in lengths]
        processor = ForceLength(targets, args.beam, eos, int(nllb), device)
        with torch.no_grad():  # the pipeline's inference context
            generated = model.generate(**inputs, logits_processor=[processor], **options)
        outputs += tokenizer.batch_decode(generated, skip_special_tokens=True)
        tally.mismatches += count_mismatches(generated[:, 1 + int(nllb):].tolist(), targets, eos)
        tally.useful += sum(targets)
        tally.decoded += len(targets) * (max(targets) + 1)
        tally.batches += 1
        tally.sources += sum(lengths)
    translate_s = time.perf_counter() - translating
    assert len(outputs) == len(sentences)
    return {
        "import_s": round(imported, 3), "load_s": round(load_s, 3), "translate_s": round(translate_s, 3),
        "useful_tokens": tally.useful, "decoded": tally.decoded, "batches": tally.batches,
        "source_tokens": tally.sources, "length_mismatches": tally.mismatches, "guard": None,
        "compute_type": "float32", "batch_tokens": None, "batch_size": BASELINE_BATCH, "threads": torch.get_num_threads(),
        "gpu_peak_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if device == "cuda" else None,
    }


def run_pipeline(args: argparse.Namespace, sentences: list[str]) -> dict[str, Any]:
    imported = time.perf_counter()
    from translate.config import resolve_settings
    from translate.pipeline import translate_articles
    from translate.types import Article, Block

    backend = "ctranslate2" if args.method.startswith("ctranslate2") else "transformers"
    cls = forced_hf_class() if backend == "transformers" else forced_ct2_class()
    imported = time.perf_counter() - imported
    guard = patch_guard()
    settings = resolve_settings(
        model=args.model_dir, backend=backend, beam_size=args.beam, device=args.device,
        compute_type=compute_type_of(args.method), batch_tokens=args.batch_tokens or None,
        batch_size=args.batch_size or None, threads=args.threads or None,
        inter_threads=args.inter_threads or None,
    )
    loading = time.perf_counter()
    translator = cls(settings)
    load_s = time.perf_counter() - loading
    if args.step_cost is not None:
        translator.batch_step_cost = args.step_cost if args.step_cost >= 0 else None
    articles = [
        Article(f"a{i}", tuple(Block("body", s, j + 1) for j, s in enumerate(sentences[i:i + ARTICLE_SENTENCES])))
        for i in range(0, len(sentences), ARTICLE_SENTENCES)
    ]
    translator.translate(sentences[:WARMUP_SENTENCES])
    translator.tally = Tally()
    translating = time.perf_counter()
    results = list(translate_articles(articles, translator, settings, window=args.window))
    translate_s = time.perf_counter() - translating
    assert sum(len(r.paragraphs) for r in results) == len(sentences)
    tally = translator.tally
    gpu_peak_mb = None  # CTranslate2 does not tell its GPU memory
    if backend == "transformers":
        import torch

        threads = torch.get_num_threads()
        if translator.info.device.startswith("cuda"):
            gpu_peak_mb = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    else:
        threads = settings.threads or cpu_count()
    return {
        "import_s": round(imported, 3), "load_s": round(load_s, 3), "translate_s": round(translate_s, 3),
        "useful_tokens": tally.useful, "decoded": tally.decoded, "batches": tally.batches,
        "source_tokens": tally.sources, "length_mismatches": tally.mismatches, "guard": guard.rejected,
        "compute_type": translator.info.compute_type,
        "batch_tokens": settings.batch_tokens or translator.default_batch_tokens,
        "batch_size": settings.batch_size or translator.default_batch_size, "threads": threads,
        "step_cost": translator.batch_step_cost, "workers": getattr(translator, "workers", 1),
        "gpu_peak_mb": gpu_peak_mb, "torch_imported": "torch" in sys.modules,
    }


def run_article(args: argparse.Namespace) -> None:
    """The real ``translate article`` command, with the backends swapped for forced ones."""
    from translate.backends import BACKENDS

    BACKENDS["transformers"] = "__main__:ForcedHF"
    BACKENDS["ctranslate2"] = "__main__:ForcedCT2"
    main_module = sys.modules["__main__"]
    main_module.ForcedHF = forced_hf_class() if args.backend == "transformers" else None
    main_module.ForcedCT2 = forced_ct2_class() if args.backend == "ctranslate2" else None
    patch_guard()
    from translate.cli import app

    command = ["article", str(FIXTURES / "seed-article.ar.txt"), "--model", args.model_dir,
               "--backend", args.backend, "--beam", str(args.beam), "--device", args.device, "--quiet"]
    if args.compute_type:
        command += ["--compute-type", args.compute_type]
    quick_exit(app(command, standalone_mode=False) or 0)


def quick_exit(code: int) -> None:
    """Exit without the interpreter's teardown: a CTranslate2 translator that was given a Python
    callback can abort ("terminate called without an active exception") when torn down late."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# ---------------------------------------------------------------- preparation


def prepare(args: argparse.Namespace) -> None:
    """Build the random-weight model (once) and its CTranslate2 conversions (once each)."""
    model_dir = build_model(args.prepare, cache_dir(args))
    from translate.convert import converted_model

    for quantization in args.quantizations.split(","):
        if quantization:
            converted_model(str(model_dir), model_dir, None, quantization, on_message=log)


def build_model(shape_name: str, root: Path) -> Path:
    """The shape's random-weight model, built on first use and again when its shape changes."""
    out = root / "models" / shape_name
    recorded = json.dumps(SHAPES[shape_name], sort_keys=True)
    if (out / "config.json").is_file() and (out / ".complete").is_file() and (
        (out / ".complete").read_text() == recorded
    ):
        return out
    from translate.toymodels import build_marian, build_nllb

    shape = dict(SHAPES[shape_name])
    family = shape.pop("family")
    log(f"building the random-weight {shape_name} model in {out}")
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix=f".{shape_name}.", dir=root))
    try:
        build = build_marian if family == "marian" else build_nllb
        build(scratch / "model", *read_tokenizer_lines(), **shape)
        (scratch / "model" / ".complete").write_text(recorded)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch / "model", out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"built {shape_name} in {time.perf_counter() - started:.1f}s")
    return out


# ---------------------------------------------------------------- the physical limit


def measure_peak(args: argparse.Namespace) -> dict[str, Any]:
    """Best matmul throughput over transformer-like shapes, float32 and int8 (fbgemm)."""
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if args.device.startswith("cuda") else "cpu"
    shapes = [(64, 64, 64)] if args.smoke else [(256, 512, 2048), (512, 1024, 4096), (1024, 1024, 1024), (512, 2048, 1024)]

    def best(fn, flops, repeats=5):
        fn()
        times = []
        for _ in range(repeats):
            if device == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if device == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
        return flops / min(times)

    def matmul(dtype):
        return max(best(lambda: a @ b, 2 * m * k * n)
                   for m, k, n in shapes
                   for a, b in [(torch.randn(m, k, device=device, dtype=dtype),
                                 torch.randn(k, n, device=device, dtype=dtype))])

    result: dict[str, Any] = {"device": device, "threads": torch.get_num_threads()}
    with torch.inference_mode():
        result["float32"] = matmul(torch.float32)
        if args.bfloat16_peak and device == "cpu":
            result["bfloat16"] = matmul(torch.bfloat16)
        if device == "cuda":
            result["float16"] = matmul(torch.float16)
        else:
            try:
                from torch.ao.nn.quantized.dynamic import Linear as QLinear

                def int8(m, k, n):
                    layer = QLinear(k, n, bias_=False)
                    weight = torch.quantize_per_tensor(torch.randn(n, k), 0.05, 0, torch.qint8)
                    layer.set_weight_bias(weight, None)
                    x = torch.randn(m, k)
                    return best(lambda: layer(x), 2 * m * k * n)

                result["int8"] = max(int8(m, k, n) for m, k, n in shapes)
                result["int8_engine"] = torch.backends.quantized.engine
            except Exception as exc:  # no int8 kernels in this torch build
                result["int8"] = None
                result["int8_error"] = f"{type(exc).__name__}: {exc}"
    return result


def flops_per_token(config: dict[str, Any], source: float, target: float, beam: int, vocab: int) -> float:
    """FLOPs per useful target token: every beam runs the decoder (layers, attention over the
    prefix and the source, output projection onto the ``vocab`` tokens scored); the encoder and
    the cross-attention keys and values are computed once per source token and spread over the
    target tokens."""
    d = config["d_model"]
    ffn_e, ffn_d = config["encoder_ffn_dim"], config["decoder_ffn_dim"]
    le, ld = config["encoder_layers"], config["decoder_layers"]
    encoder = le * (2 * (4 * d * d + 2 * d * ffn_e) + 4 * source * d) + ld * 2 * (2 * d * d)
    decoder = ld * (2 * (4 * d * d + 2 * d * d + 2 * d * ffn_d) + 4 * (target / 2) * d + 4 * source * d)
    decoder += 2 * d * vocab
    return beam * decoder + encoder * source / target


# ---------------------------------------------------------------- orchestration


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(args: argparse.Namespace, *extra: str, capture: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, str(Path(__file__).resolve()), "--cache-dir", str(cache_dir(args)),
               "--device", args.device, *extra]
    if args.threads:
        command += ["--threads", str(args.threads)]
    if args.inter_threads:
        command += ["--inter-threads", str(args.inter_threads)]
    if args.smoke:
        command.append("--smoke")
    if args.bfloat16_peak:
        command.append("--bfloat16-peak")
    done = subprocess.run(command, capture_output=capture, text=True, env=child_env(args))
    if done.returncode != 0:
        tail = (done.stderr or "")[-3000:] if capture else ""
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{tail}")
    return done


def child_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    env["TRANSLATE_CACHE"] = str(cache_dir(args) / "ct2")
    env.setdefault("TQDM_DISABLE", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def child_result(args: argparse.Namespace, *extra: str, gated: bool = False) -> dict[str, Any]:
    """Run a step in a fresh process and read its result. ``gated`` steps wait for the
    machine to be quiet first, measure the CPU that other processes took meanwhile
    (``contention``: their share of all CPUs) and are repeated when it was too high."""
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        for attempt in range(1 + (args.retries if gated else 0)):
            if gated:
                wait_for_quiet(args.max_wait)
            before = cpu_seconds()
            child(args, *extra, "--result", str(result_file))
            result = json.loads(result_file.read_text())
            if not gated:
                return result
            result["contention"] = round(contention(before, cpu_seconds()), 3)
            if result["contention"] <= args.max_contention:
                break
            log(f"  other processes took {100 * result['contention']:.0f}% of the CPUs during this run; "
                f"{'repeating it' if attempt < args.retries else 'keeping it (flagged)'}")
        return result


def cpu_seconds() -> tuple[float, float, float]:
    """(wall clock, CPU seconds used by the whole machine, CPU seconds used by our children)."""
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), children.ru_utime + children.ru_stime


def contention(before: tuple[float, float, float], after: tuple[float, float, float]) -> float:
    """The share of all CPUs that processes other than ours used between two readings."""
    wall = after[0] - before[0]
    foreign = (after[1] - before[1]) - (after[2] - before[2])
    return max(0.0, foreign / (wall * cpu_count())) if wall > 0 else 0.0


def wait_for_quiet(max_wait: float, threshold: float = 0.15) -> None:
    """Wait (at most ``max_wait`` seconds) until other processes use under 15% of the CPUs."""
    if not Path("/proc/stat").exists() or max_wait <= 0:
        return
    waited = 0.0
    while True:
        before = cpu_seconds()
        time.sleep(2)
        busy = contention(before, cpu_seconds())
        if busy < threshold or waited >= max_wait:
            if waited:
                log(f"  waited {waited:.0f}s for other processes to finish (now {100 * busy:.0f}% busy)")
            return
        time.sleep(8)
        waited += 10


def orchestrate(args: argparse.Namespace) -> list[dict[str, Any]]:
    from translate.backends.model_tokenizers import output_vocabulary

    root = cache_dir(args)
    root.mkdir(parents=True, exist_ok=True)
    models = args.models.split(",")
    beams = [int(b) for b in args.beams.split(",")]
    methods = args.methods.split(",") if args.methods else METHODS["cuda" if args.device.startswith("cuda") else "cpu"]
    quantizations = quantizations_of(methods)
    started = time.perf_counter()
    log(f"load average at start: {os.getloadavg()[0]:.2f} on {cpu_count()} CPUs")

    for model in models[:-1]:
        child(args, "--prepare", model, "--quantizations", quantizations)
    # the last preparation also times the matmul peak (one torch start-up fewer)
    wait_for_quiet(args.max_wait)
    readings = [child_result(args, "--prepare", models[-1], "--quantizations", quantizations, "--peak")]
    log(f"matmul peak: {describe_peak(readings[0])}")

    runs: list[dict[str, Any]] = []
    for model in models:
        model_dir = root / "models" / model
        config = json.loads((model_dir / "config.json").read_text())
        kept = output_vocabulary(model_dir, SHAPES[model]["family"])
        scored = len(kept) if kept else config["vocab_size"]  # by our pipeline
        sentences = args.sentences or (0 if model in SMALL_SHAPES else args.big_sentences)
        for beam in beams:
            rounds: dict[str, list[dict[str, Any]]] = {method: [] for method in methods}
            for repeat in range(args.repeats):  # interleaved, so that a slow spell falls on every method
                for method in methods:
                    rounds[method].append(run_method(args, model, model_dir, beam, method, sentences, repeat))
            baseline = None
            for method in methods:
                run = dict(max(rounds[method], key=lambda r: r["tokens_per_s"]))  # the best round
                run["rounds_tokens_per_s"] = [r["tokens_per_s"] for r in rounds[method]]
                run["model"] = model
                source = run["source_tokens"] / run["sentences"]
                target = run["useful_tokens"] / run["sentences"]
                run["output_vocabulary"] = config["vocab_size"] if method == "baseline" else scored
                run["flops_per_token"] = round(flops_per_token(config, source, target, beam, run["output_vocabulary"]))
                if method == "baseline":
                    baseline = run
                run["ratio_to_baseline"] = round(run["tokens_per_s"] / baseline["tokens_per_s"], 2) if baseline else None
                run["rss_ratio_to_baseline"] = round(run["peak_rss_mb"] / baseline["peak_rss_mb"], 3) if baseline else None
                if baseline and run["useful_tokens"] != baseline["useful_tokens"]:
                    raise SystemExit(f"{method}: {run['useful_tokens']} useful tokens, baseline "
                                     f"{baseline['useful_tokens']}: the methods did not do the same work")
                if run["length_mismatches"]:
                    raise SystemExit(f"{method}: {run['length_mismatches']} outputs missed their forced length")
                runs.append(run)
                log(f"{model} beam {beam} {method}: {run['tokens_per_s']:.0f} tokens/s (rounds "
                    f"{', '.join(f'{t:.0f}' for t in run['rounds_tokens_per_s'])}), "
                    f"x{run['ratio_to_baseline'] or '-'}, RSS {run['peak_rss_mb']:.0f} MB")

    articles = []
    if not args.no_article:
        for model in models[:1] if args.quick or args.smoke else models:
            for backend in ("transformers", "ctranslate2"):
                for beam in sorted(beams, reverse=True) if model in SMALL_SHAPES else [max(beams)]:
                    articles.append(time_article(args, model, backend, beam))

    # The peak is timed again at the end and the higher reading kept: this CPU's speed drifts, and a
    # peak read in a slow spell would make every method look closer to the limit than it is.
    wait_for_quiet(args.max_wait)
    readings.append(child_result(args, "--peak"))
    log(f"matmul peak at the end: {describe_peak(readings[1])}")
    peak = best_peak(readings)
    for run in runs:
        add_ideal(run, peak)

    report = {"runs": runs, "articles": articles, "peak": peak, "load_average_end": os.getloadavg()[0],
              "elapsed_s": round(time.perf_counter() - started, 1)}
    print_report(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(runs, indent=2))
        Path(args.json).with_suffix(".report.json").write_text(json.dumps(report, indent=2))
        log(f"wrote {args.json} (runs) and {Path(args.json).with_suffix('.report.json')} (everything)")
    return runs


def best_peak(readings: list[dict[str, Any]]) -> dict[str, Any]:
    """Each kind's highest reading (the other fields from the first), the readings themselves kept."""
    peak = {key: max(r[key] for r in readings) if key in PEAK_KINDS and all(r.get(key) for r in readings)
            else value for key, value in readings[0].items()}
    peak["readings"] = readings
    return peak


def describe_peak(peak: dict[str, Any]) -> str:
    return (f"float32 {peak['float32'] / 1e9:.1f} GFLOP/s"
            + (f", int8 {peak['int8'] / 1e9:.1f} GOP/s ({peak.get('int8_engine')})" if peak.get("int8") else "")
            + (f", float16 {peak['float16'] / 1e9:.1f} GFLOP/s" if peak.get("float16") else "")
            + (f", bfloat16 {peak['bfloat16'] / 1e9:.1f} GFLOP/s" if peak.get("bfloat16") else ""))


def add_ideal(run: dict[str, Any], peak: dict[str, Any]) -> None:
    """The run's ideal tokens/s (the matmul peak of its compute type / its FLOPs per token) and its share of it."""
    compute_type = run["compute_type"] or ""
    kind = "int8" if "int8" in compute_type and peak.get("int8") else (
        "bfloat16" if compute_type == "bfloat16" and peak.get("bfloat16") else
        "float16" if compute_type in ("float16", "bfloat16", "int8_float16") and peak.get("float16") else "float32")
    run["peak_kind"] = kind
    run["ideal_tokens_per_s"] = round(peak[kind] / run["flops_per_token"], 1)
    run["fraction_of_ideal"] = round(run["tokens_per_s"] / run["ideal_tokens_per_s"], 4)


def run_method(args: argparse.Namespace, model: str, model_dir: Path, beam: int, method: str, sentences: int,
               repeat: int) -> dict[str, Any]:
    """One timed run of one method in a fresh process (or its saved result, with --resume)."""
    log(f"{model} beam {beam}: {method}" + (f", round {repeat + 1} of {args.repeats}" if args.repeats > 1 else "")
        + " ...")
    extra = ["--run-one", method, "--model-dir", str(model_dir), "--beam", str(beam), "--window", str(args.window)]
    if sentences:
        extra += ["--sentences", str(sentences)]
    if method != "baseline" and args.batch_tokens:
        extra += ["--batch-tokens", str(args.batch_tokens)]
    if method != "baseline" and args.batch_size:
        extra += ["--batch-size", str(args.batch_size)]
    saved = cache_dir(args) / "runs" / (f"{model}-beam{beam}-{method}-{args.device}-w{args.window}-s{sentences}"
                                        f"-t{args.batch_tokens}-b{args.batch_size}"
                                        f"-threads{args.threads}x{args.inter_threads}-r{repeat}.json")
    if args.resume and saved.is_file():
        log(f"  (reusing {saved.name} from an earlier run)")
        return json.loads(saved.read_text())
    run = child_result(args, *extra, gated=True)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(run))
    return run


def time_article(args: argparse.Namespace, model: str, backend: str, beam: int) -> dict:
    model_dir = cache_dir(args) / "models" / model
    extra = ["--run-article", backend, "--model-dir", str(model_dir), "--beam", str(beam)]
    best, busy = None, None
    for _ in range(args.article_repeats):
        wait_for_quiet(args.max_wait)
        before = cpu_seconds()
        done = child(args, *extra)
        after = cpu_seconds()
        wall = after[0] - before[0]
        if best is None or wall < best:
            best, busy = wall, contention(before, after)
    assert done.stdout.strip(), "the article command wrote nothing"
    log(f"seed article, {model}, {backend}, beam {beam}: {best:.2f}s")
    return {"model": model, "backend": backend, "beam": beam, "wall_s": round(best, 3),
            "output_chars": len(done.stdout), "contention": round(busy, 3)}


def print_report(report: dict[str, Any]) -> None:
    peak = report["peak"]
    print("Forced output lengths: every method generates round(1.2 x source tokens) per sentence, then EOS;")
    print("baseline = the transformers 'translation' pipeline reproduced (removed in transformers 5):")
    print(f"  batches of {BASELINE_BATCH} in input order through model.generate, float32.")
    print("tokens/s counts useful target tokens; load time is not in it. 'ideal' = matmul peak / FLOPs per token;")
    print("'decoded' = rows x steps computed; 'guard' = outputs the guard would have retried; 'busy' = CPU share")
    print("taken by other processes during the run (runs over --max-contention, 10% by default, are repeated).")
    scored = {(r["model"], r["output_vocabulary"]) for r in report["runs"] if r["method"] != "baseline"}
    for model, vocab in sorted(scored):
        print(f"{model}: the baseline scores the whole vocabulary at each step, our pipeline {vocab} tokens "
              "(a MarianMT model's target-language pieces); FLOPs per token count what each scores.")
    print(f"matmul peak (the higher of two readings, at the start and at the end): {describe_peak(peak)}; "
          f"{peak['threads']} threads")
    header = (f"{'model':<24} {'beam':>4} {'method':<26} {'tok/s':>8} {'sent/s':>7} {'x base':>7} "
              f"{'RSS MB':>7} {'RSS/b':>6} {'load s':>7} {'ideal':>7} {'%ideal':>7} {'decoded':>8} {'guard':>5} {'busy':>5}")
    print(header)
    print("-" * len(header))
    for r in report["runs"]:
        ratio = "-" if r["ratio_to_baseline"] is None else f"{r['ratio_to_baseline']:.2f}"
        rss_ratio = "-" if r["rss_ratio_to_baseline"] is None else f"{r['rss_ratio_to_baseline']:.2f}"
        print(f"{r['model']:<24} {r['beam']:>4} {r['method'] + ' (' + str(r['compute_type']) + ')':<26} "
              f"{r['tokens_per_s']:>8.1f} {r['sentences_per_s']:>7.2f} {ratio:>7} "
              f"{r['peak_rss_mb']:>7.0f} {rss_ratio:>6} {r['load_s']:>7.2f} "
              f"{r['ideal_tokens_per_s']:>7.0f} {100 * r['fraction_of_ideal']:>6.1f}% {r['decoded']:>8} "
              f"{'-' if r['guard'] is None else r['guard']:>5} {100 * r.get('contention', 0):>4.0f}%")
    if report["articles"]:
        print("\nseed article, end to end (process start to output, model load included):")
        for a in report["articles"]:
            print(f"  {a['model']:<24} {a['backend']:<13} beam {a['beam']}: {a['wall_s']:.2f} s"
                  f"  (others used {100 * a['contention']:.0f}% of the CPUs)")
    print(f"\nload average at end: {report['load_average_end']:.2f}; elapsed {report['elapsed_s']:.0f} s")


# ---------------------------------------------------------------- tuning


def tune(args: argparse.Namespace) -> None:
    """Throughput against the batch budget and the window, per backend: how the defaults were chosen."""
    root = cache_dir(args)
    model = args.models.split(",")[0]
    methods = args.methods.split(",") if args.methods else ["ctranslate2-int8", "transformers"]
    child(args, "--prepare", model, "--quantizations", quantizations_of(methods))
    model_dir = root / "models" / model
    beams = [int(b) for b in args.beams.split(",")]
    budgets = [int(b) for b in args.budgets.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    costs = args.step_costs.split(",") if args.step_costs else [None]
    windows = [int(w) for w in args.windows.split(",")] if args.windows else [args.window]
    rows = []
    for method, beam, budget, size, cost, window in itertools.product(methods, beams, budgets, sizes, costs, windows):
        run = child_result(args, "--run-one", method, "--model-dir", str(model_dir), "--beam", str(beam),
                           "--batch-tokens", str(budget), "--batch-size", str(size), "--window", str(window),
                           *(["--sentences", str(args.sentences)] if args.sentences else []),
                           *(["--step-cost", cost] if cost is not None else []), gated=True)
        run["window"] = window
        rows.append(run)
        log(f"{method} beam {beam} budget {budget} size {size} step cost {run['step_cost']} window {window}: "
            f"{run['tokens_per_s']:.0f} tokens/s ({run['batches']} batches, RSS {run['peak_rss_mb']:.0f} MB)")
    print(f"{'method':<20} {'beam':>4} {'budget':>7} {'size':>5} {'step':>5} {'window':>6} {'batches':>7} "
          f"{'tok/s':>8} {'RSS MB':>7}")
    for r in rows:
        step = "fill" if r["step_cost"] is None else f"{r['step_cost']:g}"
        print(f"{r['method']:<20} {r['beam']:>4} {r['batch_tokens']:>7} {r['batch_size']:>5} {step:>5} {r['window']:>6} "
              f"{r['batches']:>7} {r['tokens_per_s']:>8.1f} {r['peak_rss_mb']:>7.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


# ---------------------------------------------------------------- entry point


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="See the module docstring for what is measured and how.")
    parser.add_argument("--quick", action="store_true", help="opus-mt-ar-en shape only, greedy (under 5 minutes)")
    parser.add_argument("--smoke", action="store_true", help="tiny shapes and a few sentences (for the tests)")
    parser.add_argument("--tune", action="store_true", help="sweep batch budgets (--budgets, --sizes) per backend")
    parser.add_argument("--json", help="write the runs here (and everything to FILE.report.json)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (CTranslate2: float16/int8_float16 there)")
    parser.add_argument("--models", help=f"comma-separated shapes: {', '.join(SHAPES)}")
    parser.add_argument("--beams", help="comma-separated beam sizes (default 1,4; --quick 1)")
    parser.add_argument("--methods", help="comma-separated methods (default: all four for the device; "
                        "transformers-TYPE runs that backend in TYPE, e.g. transformers-bfloat16)")
    parser.add_argument("--sentences", type=int, default=0, help="use the first N sentences (default all 360)")
    parser.add_argument("--big-sentences", type=int, default=64,
                        help="sentences for the transformer-big and NLLB shapes (default 64)")
    parser.add_argument("--batch-tokens", type=int, default=0, help="our pipeline's budget (default: backend's)")
    parser.add_argument("--batch-size", type=int, default=0, help="our pipeline's batch size (default: backend's)")
    parser.add_argument("--window", type=int, default=64, help="articles batched together (as translate corpus)")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: all)")
    parser.add_argument("--inter-threads", type=int, default=0,
                        help="CTranslate2 workers, each on its own batch (default: the backend's)")
    parser.add_argument("--budgets", default="1024,2048,3072,4096,6144", help="--tune: token budgets")
    parser.add_argument("--sizes", default="64", help="--tune: batch sizes")
    parser.add_argument("--windows", default="", help="--tune: windows (articles batched together) to sweep")
    parser.add_argument("--step-costs", default="",
                        help="--tune: batching step costs to sweep (-1: fill the batches; default: the backend's)")
    parser.add_argument("--step-cost", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--article-repeats", type=int, default=2, help="seed-article runs per backend (best kept)")
    parser.add_argument("--no-article", action="store_true", help="skip the seed-article timing")
    parser.add_argument("--cache-dir", help="where models and conversions are kept (default .bench/)")
    parser.add_argument("--max-wait", type=float, default=900,
                        help="seconds to wait, before each timed run, for other processes to leave the CPUs")
    parser.add_argument("--max-contention", type=float, default=0.1,
                        help="repeat a run during which other processes took more than this share of the CPUs")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed rounds per method, interleaved across methods; the best round is kept")
    parser.add_argument("--retries", type=int, default=2, help="repeats of a run spoiled by other processes")
    parser.add_argument("--resume", action="store_true",
                        help="reuse the runs an interrupted benchmark saved in the cache (same settings)")
    # internal: the steps that run in their own processes
    parser.add_argument("--run-one", dest="method", help=argparse.SUPPRESS)
    parser.add_argument("--run-article", dest="backend", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--quantizations", default="", help=argparse.SUPPRESS)
    parser.add_argument("--peak", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--compute-type", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--bfloat16-peak", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.models = args.models or "tiny-marian"
        args.beams = args.beams or "1"
        args.sentences = args.sentences or 8
        args.article_repeats = 1
        args.max_wait, args.retries = 0, 0
    elif args.quick:
        args.models = args.models or "opus-mt-ar-en"
        args.beams = args.beams or "1"
        args.article_repeats = 1
    args.models = args.models or "opus-mt-ar-en,opus-mt-tc-big-ar-en,nllb-200-distilled-600M"
    args.beams = args.beams or "1,4"
    args.bfloat16_peak = args.bfloat16_peak or "bfloat16" in (args.methods or "")
    unknown = [m for m in args.models.split(",") if m not in SHAPES]
    if unknown:
        parser.error(f"unknown model shape(s) {', '.join(unknown)}; choose from {', '.join(SHAPES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.method:
        Path(args.result).write_text(json.dumps(run_one(args)))
        quick_exit(0)
    elif args.backend:
        run_article(args)
    elif args.prepare:
        prepare(args)
        if args.peak:
            Path(args.result).write_text(json.dumps(measure_peak(args)))
    elif args.peak:
        Path(args.result).write_text(json.dumps(measure_peak(args)))
    elif args.tune:
        tune(args)
    else:
        orchestrate(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
