"""Sentence-boundary precision, recall and F1 of our splitter and of a naive Latin regex on FLORES-200 dev.

Consecutive dev sentences with the same source URL (metadata_dev.tsv) are joined with
one space into a paragraph; the offsets where one sentence meets the next are the gold
boundaries. Every paragraph counts (all 281 hold two sentences or more). A boundary is
the character offset where a sentence starts, the first sentence excepted.

FLORES lines are translations, not sentences: some hold two sentences ("... الماء. إنها
...") and a few lack a final mark. A correct split inside such a line counts as a false
positive, so the script also scores the "clean" paragraphs, whose every line is one
sentence with a final mark. And it scores the golden table of the tests
(tests/fixtures/splitter_golden.jsonl: FLORES, seed-article and hand-written hard
cases, known failures included), where abbreviations, ؟ and links are common.

    python scripts/splitter_eval.py
    python scripts/splitter_eval.py --data ../shared/data/flores200-dev --json splitter.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from translate.segment import SPLITTER_VERSION, split_sentences

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "flores200-dev"
GOLDEN = ROOT / "tests" / "fixtures" / "splitter_golden.jsonl"
Splitter = Callable[[str], list[tuple[int, int]]]
Scores = dict[str, dict[str, dict[str, float | int]]]
"""subset -> splitter -> counts and precision, recall, F1."""


def read_paragraphs(data: Path) -> list[list[str]]:
    """The sentences of each FLORES dev source article, in file order."""
    metadata = (data / "metadata_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    urls = [row.split("\t")[0] for row in metadata]
    lines = [line.strip() for line in (data / "arb_Arab.dev").read_text(encoding="utf-8").splitlines()]
    if len(urls) != len(lines):
        raise SystemExit(f"{data}: {len(lines)} sentences but {len(urls)} metadata rows")
    groups = itertools.groupby(zip(urls, lines), key=lambda pair: pair[0])
    return [[line for _, line in group] for _, group in groups]


def read_golden(path: Path) -> list[list[str]]:
    """The expected sentences of each golden case (its paragraph is them joined by a space)."""
    return [json.loads(line)["sentences"] for line in path.read_text(encoding="utf-8").splitlines()]


def split_naively(paragraph: str) -> list[tuple[int, int]]:
    """The Latin regex `re.split(r'(?<=[.!?])\\s+', p)`, as spans."""
    starts = [0] + [m.end() for m in re.finditer(r"(?<=[.!?])\s+", paragraph)]
    ends = [m.start() for m in re.finditer(r"(?<=[.!?])\s+", paragraph)] + [len(paragraph)]
    return list(zip(starts, ends))


def is_clean(sentences: list[str]) -> bool:
    """Every line one sentence: a final mark, and no mark followed by a space inside."""
    return all(
        re.search(r"[.!?؟…][\"»”)\]]*$", s) and not re.search(r"[.!?؟…][\"»”)\]]*\s", s) for s in sentences
    )


def score(paragraphs: Iterable[list[str]], split: Splitter) -> dict[str, float | int]:
    """Micro-averaged boundary precision, recall and F1 over all paragraphs."""
    true_positives = predicted = gold = count = 0
    for sentences in paragraphs:
        paragraph = " ".join(sentences)
        starts = itertools.accumulate(len(s) + 1 for s in sentences[:-1])
        expected = set(starts)
        found = {start for start, _ in split(paragraph)[1:]}
        true_positives += len(expected & found)
        predicted += len(found)
        gold += len(expected)
        count += 1
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "paragraphs": count,
        "gold": gold,
        "predicted": predicted,
        "correct": true_positives,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def evaluate_splitters(data: Path, golden: Path | None = GOLDEN) -> Scores:
    """Scores of both splitters on all FLORES paragraphs, the clean ones, and the golden table."""
    paragraphs = read_paragraphs(data)
    subsets = {"all": paragraphs, "clean": [p for p in paragraphs if is_clean(p)]}
    if golden is not None and golden.is_file():
        subsets["golden"] = read_golden(golden)
    splitters: dict[str, Splitter] = {
        f"ours (v{SPLITTER_VERSION})": split_sentences,
        "naive regex": split_naively,
    }
    return {
        subset: {name: score(members, split) for name, split in splitters.items()}
        for subset, members in subsets.items()
    }


def format_table(results: Scores) -> str:
    header = (
        f"{'paragraphs':<10} {'splitter':<12} {'n':>4} {'gold':>5} {'pred':>5} {'P':>7} {'R':>7} {'F1':>7}"
    )
    rows = [header, "-" * len(header)]
    for subset, by_splitter in results.items():
        for name, s in by_splitter.items():
            rows.append(
                f"{subset:<10} {name:<12} {s['paragraphs']:>4} {s['gold']:>5} {s['predicted']:>5} "
                f"{s['precision']:>7.4f} {s['recall']:>7.4f} {s['f1']:>7.4f}"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with arb_Arab.dev and metadata_dev.tsv"
    )
    parser.add_argument("--golden", type=Path, default=GOLDEN, help="golden table to score too (JSONL)")
    parser.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    args = parser.parse_args(argv)
    if not (args.data / "arb_Arab.dev").is_file():
        print(f"error: no arb_Arab.dev in {args.data}; pass --data", file=sys.stderr)
        return 2
    results = evaluate_splitters(args.data, args.golden)
    print(format_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
