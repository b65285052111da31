"""scripts/benchmark.py in its smoke mode: tiny shapes, a few sentences, every method (and the transformers
backend in bfloat16), no timing asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark.py"
REQUIRED = {"method", "model", "beam", "tokens_per_s", "sentences_per_s", "ratio_to_baseline", "peak_rss_mb"}


def test_benchmark_smoke_writes_every_method(tmp_path):
    out = tmp_path / "smoke.json"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSLATE_BENCH_CACHE": str(tmp_path / "bench")}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--json", str(out), "--methods",
         "baseline,transformers,ctranslate2-int8,ctranslate2-float32,transformers-bfloat16"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(out.read_text())
    assert [r["method"] for r in runs] == [
        "baseline", "transformers", "ctranslate2-int8", "ctranslate2-float32", "transformers-bfloat16"]
    assert runs[-1]["compute_type"] == "bfloat16" and runs[-1]["peak_kind"] == "bfloat16"
    for run in runs:
        assert REQUIRED <= set(run), REQUIRED - set(run)
        assert run["model"] == "tiny-marian" and run["beam"] == 1
        assert run["tokens_per_s"] > 0 and run["sentences_per_s"] > 0 and run["peak_rss_mb"] > 0
        assert run["length_mismatches"] == 0
        assert 0 < run["fraction_of_ideal"]
    assert len({r["useful_tokens"] for r in runs}) == 1  # the same work for every method
    assert runs[0]["ratio_to_baseline"] == 1.0
    vocabularies = [r["output_vocabulary"] for r in runs]  # the baseline scores all, our pipeline the target side
    assert vocabularies[0] > vocabularies[1] and len(set(vocabularies[1:])) == 1
    assert runs[0]["flops_per_token"] > runs[1]["flops_per_token"]
    assert not any(r["torch_imported"] for r in runs if r["method"].startswith("ctranslate2"))
    report = json.loads(out.with_suffix(".report.json").read_text())
    assert [a["backend"] for a in report["articles"]] == ["transformers", "ctranslate2"]
    assert all(a["output_chars"] > 0 for a in report["articles"])
    assert "ratio" in done.stdout or "x base" in done.stdout


def test_marian_shapes_score_a_real_models_share_of_the_vocabulary(tmp_path, fixtures_dir):
    """The random-weight MarianMT models pad target.spm to a real model's size, so that our
    pipeline scores as many tokens as it would for a real OPUS-MT model, not the few hundred
    pieces that SentencePiece learns from the fixtures."""
    from translate.backends.model_tokenizers import load_tokenizer, output_vocabulary
    from translate.toymodels import build_marian

    lines = (fixtures_dir / "tokenizer_corpus.txt").read_text(encoding="utf-8").splitlines()
    arabic = [line for line in lines if any("\u0600" <= ch <= "\u06ff" for ch in line)]
    english = [line for line in lines if line not in set(arabic)]
    model = build_marian(tmp_path / "model", arabic, english, spm_vocab_size=300, vocab_size=2000,
                         target_vocab_size=900)
    kept = output_vocabulary(model, "marian")
    assert 880 < len(kept) <= 901 and len(json.loads((model / "vocab.json").read_text())) == 2000
    assert "<unused_0>" in kept  # the target side's padding
    tokenizer = load_tokenizer(model, "marian", "ar")
    assert not any(t.startswith("<unused") for t in tokenizer.encode(["hello <unused_0> مرحبا"])[0][:-1])
