#!/usr/bin/env python
"""Checks the CUDA path of both backends on tiny models: every compute type, the seed article.

For each backend and compute type available on the GPU, translates the seed article
through ``translate.api.translate_article`` on CUDA and checks the result
has the seed's structure with every sentence translated, that the model really ran on
CUDA with the requested type, and that batched outputs equal one-at-a-time outputs. For
the transformers backend it also compares the token ids of its own decoding with plain
``model.generate`` (greedy and beam 4); they must be equal in float32.
Prints one line per case and writes them as JSON (``--json FILE``). Exit code 1 if a
case failed. Needs a CUDA GPU; the test suite never runs this.

    python scripts/gpu_check.py --json gpu-check.json
    python scripts/gpu_check.py --backends ctranslate2 --json gpu-check-ct2.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CASES = [
    ("transformers", "auto"),
    ("transformers", "float16"),
    ("transformers", "bfloat16"),
    ("transformers", "float32"),
    ("ctranslate2", "auto"),
    ("ctranslate2", "float16"),
    ("ctranslate2", "int8_float16"),
    ("ctranslate2", "bfloat16"),
    ("ctranslate2", "int8"),
]
CPU_TYPES = ("auto", "float32", "int8")


def build_models(workdir: Path) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import TINY_MODEL, read_tokenizer_corpus

    from translate.toymodels import build_marian, build_nllb

    corpus = read_tokenizer_corpus()
    return {
        "marian": build_marian(workdir / "marian", *corpus, **TINY_MODEL),
        "nllb": build_nllb(workdir / "nllb", *corpus, **TINY_MODEL),
    }


def ids_equal_generate(model_dir: Path, compute_type: str, device: str, sources: list[str]) -> dict[str, bool]:
    """Per beam size, whether the transformers backend's own decoding picks the ids of
    plain ``model.generate``."""
    from test_backend_hf import plain_generate_ids

    from translate.api import load

    equal = {}
    for beam_size in (1, 4):
        translator = load(str(model_dir), backend="transformers", device=device, compute_type=compute_type,
                          beam_size=beam_size)
        equal[f"beam{beam_size}"] = translator.generate_ids(sources) == plain_generate_ids(translator, sources, beam_size)
    return equal


def check(family: str, model_dir: Path, backend: str, compute_type: str, device: str) -> dict:
    from translate.api import load, translate_article

    seed = (FIXTURES / "seed-article.ar.txt").read_text(encoding="utf-8")
    started = time.perf_counter()
    translator = load(str(model_dir), backend=backend, device=device, compute_type=compute_type, beam_size=2)
    result = translate_article(seed, translator=translator)
    sentences = [s for p in result["paragraphs"] for s in p["sentences"]]
    alone = [translator.translate([s["source"]])[0].text for s in sentences[:6]]
    together = [t.text for t in translator.translate([s["source"] for s in sentences[:6]])]
    info = result["model"]
    ok = (
        info["device"].startswith(device)
        and len(result["paragraphs"]) == 16
        and len(result["dropped"]) == 5
        and all(isinstance(s["translation"], str) for s in sentences)
    )
    row = {
        "family": family, "backend": backend, "requested": compute_type,
        "compute_type": info["compute_type"], "device": info["device"], "ok": ok,
        "batch_equals_single": alone == together, "sentences": len(sentences),
    }
    if backend == "transformers":
        equal = ids_equal_generate(model_dir, compute_type, device, [s["source"] for s in sentences[:8]])
        row["ids_equal_generate"] = equal
        if info["compute_type"] == "float32":
            row["ok"] = ok and all(equal.values())
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu, to try the script itself")
    parser.add_argument("--backends", default="transformers,ctranslate2",
                        help="comma-separated backends to check (default both; one per process keeps a crash apart)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TRANSLATE_CACHE", str(Path(tmp) / "ct2"))
        models = build_models(Path(tmp))
        results = []
        for family, model_dir in models.items():
            for backend, compute_type in CASES:
                if backend not in args.backends.split(","):
                    continue
                if args.device == "cpu" and compute_type not in CPU_TYPES:
                    continue
                try:
                    row = check(family, model_dir, backend, compute_type, args.device)
                except Exception as exc:  # a report of every case, failures included
                    row = {"family": family, "backend": backend, "requested": compute_type, "ok": False,
                           "error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
                    traceback.print_exc(file=sys.stderr)
                results.append(row)
                print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
