"""Check that `translate corpus` keeps memory flat and survives SIGKILL, with a tiny local model.

Memory: JSON Lines corpora of 1,000 and 10,000 articles (recombining a few hundred
Arabic sentences from tests/fixtures) are translated with the same tiny random-weight
Marian model under ``/usr/bin/time -v`` (psutil polling where that is missing); the
peak RSS of both runs and their ratio are printed. Flat means within 10%.

Kill test (``--kill-test``): a 2,000-article corpus with malformed rows planted in it is
translated once without interruption, then again killed with SIGKILL twice at random
moments and resumed; the script prints the rows, unique ids, whether the output is
identical to the uninterrupted run, and the error rows against the planted ones.

    python scripts/corpus_memory.py                 # memory check
    python scripts/corpus_memory.py --kill-test     # SIGKILL check
    python scripts/corpus_memory.py --model DIR --sizes 1000 10000 --workdir /tmp/corpus-check

Runs offline (HF_HUB_OFFLINE=1, HF_DATASETS_OFFLINE=1).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FAST = "max_length_ratio = 0.5\nmax_length_offset = 2\n"
"""Short outputs: a random-weight model otherwise always generates up to the length limit."""
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def sentence_pool(size: int = 300, seed: int = 0) -> list[str]:
    """A few hundred distinct short Arabic sentences: fixture sentences and pairs of their halves."""
    base = (FIXTURES / "corpus_sentences.ar").read_text(encoding="utf-8").split("\n")[:-1]
    rng = random.Random(seed)
    pool = list(base)
    while len(pool) < size:
        a, b = rng.sample(base, 2)
        pool.append(" ".join(a.rstrip(".").split()[:3] + b.split()[3:]))
        pool = list(dict.fromkeys(pool))
    return pool[:size]


def make_corpus(path: Path, articles: int, seed: int = 1, bad: dict[int, bytes] | None = None) -> Path:
    """JSON Lines: id, title, text (2-4 body lines of 1-3 sentences), url; ``bad`` lines planted by row."""
    pool, rng, bad = sentence_pool(), random.Random(seed), bad or {}
    with open(path, "wb") as file:
        good = 0
        for row in range(articles + len(bad)):
            if row in bad:
                file.write(bad[row] + b"\n")
                continue
            body = "\n".join(" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(rng.randint(2, 4)))
            record = {"id": f"art-{good:06d}", "title": rng.choice(pool).rstrip("."), "text": body,
                      "url": f"https://news.example/{good}"}
            file.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
            good += 1
    return path


def build_model(out: Path) -> Path:
    from translate.toymodels import build_marian

    lines = (FIXTURES / "tokenizer_corpus.txt").read_text(encoding="utf-8").splitlines()
    text = [line for line in lines if line.strip() and not line.startswith("#")]
    arabic = [line for line in text if any("\u0600" <= ch <= "\u06ff" for ch in line)]
    english = [line for line in text if line not in set(arabic)]
    return build_marian(out, arabic, english, init_std=1.0)


def corpus_command(model: Path, config: Path, source: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "translate.cli", "corpus", str(source), "-o", str(output), "-m", str(model),
            "--config", str(config), "--beam", "1", "--device", "cpu", "-q", *extra]


def peak_rss(command: list[str]) -> tuple[int, float, int]:
    """(peak RSS in KiB, wall seconds, exit code) of a command."""
    started = time.perf_counter()
    if shutil.which("time") or Path("/usr/bin/time").exists():
        done = subprocess.run(["/usr/bin/time", "-v", *command], env=ENV, capture_output=True, text=True)
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        if found:
            return int(found.group(1)), time.perf_counter() - started, done.returncode
    import psutil

    process = psutil.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss // 1024)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    return peak, time.perf_counter() - started, process.returncode


def memory_check(model: Path, config: Path, work: Path, sizes: list[int]) -> None:
    peaks = {}
    for size in sizes:
        source = make_corpus(work / f"corpus-{size}.jsonl", size)
        output = work / f"corpus-{size}.en.jsonl"
        rss, wall, code = peak_rss(corpus_command(model, config, source, output, "--overwrite"))
        rows = sum(1 for _ in open(output, encoding="utf-8")) if output.exists() else 0
        peaks[size] = rss
        print(f"{size:>7} articles: peak RSS {rss / 1024:8.1f} MiB, wall {wall:6.1f} s, rows {rows}, exit {code}")
    low, high = peaks[sizes[0]], peaks[sizes[-1]]
    print(f"ratio {sizes[-1]}/{sizes[0]}: {high / low:.3f} (difference {abs(high - low) / low:.1%}; flat when < 10%)")


def kill_test(model: Path, config: Path, work: Path, articles: int, seed: int) -> bool:
    rng = random.Random(seed)
    kinds = [b'{"id": "broken", "text": ', b"[1, 2]", b'{"id": "n", "text": 42}', b'{"id": "e", "text": "  "}',
             b'{"id": "t", "title": "x"}', b'{"id": "u", "text": "\xff\xfe"}']
    planted = {row: kinds[i % len(kinds)] for i, row in enumerate(sorted(rng.sample(range(articles), 12)))}
    source = make_corpus(work / "kill.jsonl", articles - len(planted), bad=planted)
    reference, output = work / "kill.reference.jsonl", work / "kill.out.jsonl"
    chunk_size = 50
    extra = ("--chunk-size", str(chunk_size), "--overwrite")
    started = time.perf_counter()
    code = subprocess.run(corpus_command(model, config, source, reference, *extra), env=ENV).returncode
    full = time.perf_counter() - started
    print(f"uninterrupted run: {full:.1f} s, exit {code}")
    command = corpus_command(model, config, source, output, "--chunk-size", str(chunk_size))
    for path in (output, *output.parent.glob(output.name + ".*")):
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    parts = work / (output.name + ".parts")
    chunks = -(-articles // chunk_size)
    done = 0
    for kill in (1, 2):
        # A random moment: after a random number of further chunks, then up to 0.3 s into the next one.
        target = rng.randint(done + 1, done + max(1, chunks // 3))
        process = subprocess.Popen(command, env=ENV)
        while len(list(parts.glob("0*.jsonl"))) < target and process.poll() is None:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        finished = process.poll() is not None
        if not finished:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        done = len(list(parts.glob("0*.jsonl")))
        print(f"kill {kill}: {'the run finished first' if finished else 'SIGKILL'} with {done} of {chunks} "
              f"chunks committed (aimed after chunk {target}); output complete: {output.exists()}")
    code = subprocess.run(command, env=ENV).returncode
    rows = [json.loads(line) for line in open(output, encoding="utf-8")]
    expected = [json.loads(line) for line in open(reference, encoding="utf-8")]
    errors = [json.loads(line) for line in open(output.with_name(output.name + ".errors.jsonl"), encoding="utf-8")]
    identical = rows == expected
    print(f"resumed run: exit {code}")
    print(f"rows {len(rows)} + error rows {len(errors)} = {len(rows) + len(errors)} (input {articles})")
    print(f"unique ids {len({r['id'] for r in rows})} of {len(rows)} rows; identical to uninterrupted: "
          f"{'yes' if identical else 'no'}")
    same_errors = [e["row"] for e in errors] == sorted(planted)
    print(f"error rows {[e['row'] for e in errors]}\nplanted    {sorted(planted)}: {'match' if same_errors else 'DIFFER'}")
    return identical and same_errors and len(rows) + len(errors) == articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a local model directory (default: build a tiny Marian)")
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, help="keep the corpora and outputs here")
    parser.add_argument("--kill-test", action="store_true", help="run the SIGKILL check instead")
    parser.add_argument("--kill-rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.update({k: ENV[k] for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE")})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="corpus-check-"))
    work.mkdir(parents=True, exist_ok=True)
    model = args.model or (work / "tiny-marian" if (work / "tiny-marian" / "config.json").exists()
                           else build_model(work / "tiny-marian"))
    config = work / "fast.toml"
    config.write_text(FAST)
    print(f"model {model}; work folder {work}")
    if args.kill_test:
        sys.exit(0 if kill_test(model, config, work, args.kill_rows, args.seed) else 1)
    memory_check(model, config, work, args.sizes)


if __name__ == "__main__":
    main()
