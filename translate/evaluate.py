"""Score translations against references with sacreBLEU: BLEU, chrF++ and TER, per document,
with paired bootstrap resampling between systems and, optionally, COMET.

``evaluate(reference, hypotheses)`` returns an `Evaluation` (plain dataclasses, ``to_dict()``
for JSON); `translate.report` renders it. Every corpus score is computed as sacreBLEU's
``corpus_score`` computes it (the same statistics, summed), on the texts as its command line
reads them (but for a UTF-8 byte order mark, which it keeps on the first word and is dropped
here), with its signature; segment and per-document scores as its ``sentence_score``.

Reading the inputs and aligning them: `translate.evaluate_inputs`; translating the source with
each model first: `translate.evaluate_models`; COMET: `translate.evaluate_comet`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sacrebleu.metrics import BLEU, CHRF, TER

from translate.config import Settings
from translate.errors import ConfigError, InputError
from translate.evaluate_comet import comet_scores, load_comet
from translate.evaluate_inputs import (
    Fields, Texts, align, group_by_doc, is_record_file, join_by_doc, read_docs, read_texts,
)
from translate.evaluate_models import (
    hypothesis_name, model_names, saved_files, translate_to_file, unique_names, weights_version,
)

Level = Literal["auto", "sentence", "document"]
METRICS: dict[str, Callable[[], Any]] = {
    "bleu": BLEU,
    "chrf": lambda: CHRF(word_order=2),  # chrF++
    "ter": TER,
}
SEGMENT_METRICS: dict[str, Callable[[], Any]] = {**METRICS, "bleu": lambda: BLEU(effective_order=True)}
"""Sentence and per-document scores: BLEU with effective order, as sacreBLEU advises for one segment."""
BUCKETS = ((1, 10), (11, 20), (21, 30), (31, 40), (41, None))
"""Reference length buckets, in whitespace-separated words."""


@dataclass
class MetricScore:
    score: float
    signature: str
    mean: float | None = None
    """Bootstrap mean and 95% confidence half-width (score is mean ± ci)."""
    ci: float | None = None
    p_value: float | None = None
    """Paired bootstrap p-value against the first system (None for the first)."""


@dataclass
class SystemResult:
    name: str
    hypothesis: str
    level: str
    """``sentence``: scored line by line; ``document``: on each document's joined sentences."""
    scores: dict[str, MetricScore]
    document_scores: dict[str, MetricScore] | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    buckets: list[dict[str, Any]] = field(default_factory=list)
    model: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    reference: str
    docs: str | None
    systems: list[SystemResult]
    comparison: dict[str, Any] | None = None
    """Bootstrap settings: level, samples, seed, baseline; scores carry mean, ci, p_value."""
    segment_signatures: dict[str, str] = field(default_factory=lambda: segment_signatures())
    """Of the per-segment and per-document scores (sentence BLEU uses effective order)."""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}

    @property
    def warnings(self) -> list[str]:
        return [w for s in self.systems for w in s.warnings]

    @property
    def level(self) -> str:
        """The level systems are compared at: document when any system is scored per document."""
        return "document" if any(s.level == "document" for s in self.systems) else "sentence"

    def compared_scores(self, system: SystemResult) -> dict[str, MetricScore]:
        """A system's scores at the comparison level (its document scores where that differs)."""
        return system.scores if system.level == self.level else system.document_scores or system.scores


# --- scoring ----------------------------------------------------------------------------


class Statistics:
    """Each metric's segment statistics, extracted once as sacreBLEU's ``corpus_score`` does, then
    summed for the corpus score (``corpus_score``'s own computation), per segment for segment
    scores (as ``sentence_score``), or over a subset for length buckets."""

    def __init__(self, hypotheses: Sequence[str], references: Sequence[str]) -> None:
        self.metrics = {key: make() for key, make in METRICS.items()}
        self.stats = {key: m._extract_corpus_statistics(list(hypotheses), [list(references)])
                      for key, m in self.metrics.items()}

    def corpus(self) -> dict[str, MetricScore]:
        return {key: MetricScore(float(m._aggregate_and_compute(self.stats[key]).score), str(m.get_signature()))
                for key, m in self.metrics.items()}

    def segments(self) -> list[dict[str, float]]:
        single = {key: make() for key, make in SEGMENT_METRICS.items()}
        return [{key: float(m._compute_score_from_stats(self.stats[key][i]).score) for key, m in single.items()}
                for i in range(len(self.stats["bleu"]))]

    def subset(self, indices: Sequence[int], keys: Sequence[str] = ("bleu", "chrf")) -> dict[str, float]:
        return {key: float(self.metrics[key]._aggregate_and_compute([self.stats[key][i] for i in indices]).score)
                for key in keys}


def segment_signatures() -> dict[str, str]:
    """Signatures of the segment and per-document scores (BLEU with effective order)."""
    signatures = {}
    for key, make in SEGMENT_METRICS.items():
        metric = make()
        metric.sentence_score("-", ["-"])  # sacreBLEU knows the number of references only once it scored
        signatures[key] = str(metric.get_signature())
    return signatures


def length_buckets(references: Sequence[str], stats: Statistics) -> list[dict[str, Any]]:
    """Corpus BLEU and chrF++ of the segments whose reference length falls in each bucket."""
    rows = []
    for low, high in BUCKETS:
        picked = [i for i, r in enumerate(references) if low <= len(r.split()) <= (high or len(r.split()))]
        if picked:
            rows.append({"bucket": f"{low}-{high}" if high else f"{low}+", "segments": len(picked),
                         **stats.subset(picked)})
    return rows


def paired_bootstrap(
    systems: Sequence[tuple[str, Statistics]], samples: int = 1000, seed: int = 12345
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """sacreBLEU's paired bootstrap resampling (``PairedTest``, test ``bs``), the first system the baseline,
    on the statistics already extracted for the scores (extracting them again, TER's above all,
    would double the run).

    Returns, per system, a `sacrebleu.significance.Result` per metric (score, mean, ci, p_value),
    and the metrics' signatures with the seed and sample count.
    """
    from sacrebleu.significance import PairedTest

    if seed < 1:
        raise ConfigError(f"the bootstrap seed must be a positive integer, got {seed} (sacreBLEU treats 0 as unseeded)")
    # PairedTest asks each metric for a system's statistics by its hypotheses: hand it stand-ins,
    # as many as the system's segments, each naming the system whose statistics they stand for
    stand_ins = [(name, [str(i)] * len(stats.stats["bleu"])) for i, (name, stats) in enumerate(systems)]
    extracted = [stats for _, stats in systems]
    metrics = {key: _Extracted(metric, key, extracted) for key, metric in systems[0][1].metrics.items()}
    with _sacrebleu_seed(seed):
        signatures, table = PairedTest(stand_ins, metrics, None, test_type="bs", n_samples=samples)()
    names = [name for name in table if name != "System"]  # "BLEU", "chrF2++", "TER", in METRICS order
    results = [{key: table[name][i] for key, name in zip(METRICS, names)} for i in range(len(systems))]
    return results, {key: str(signatures[name]) for key, name in zip(METRICS, names)}


class _Extracted:
    """A sacreBLEU metric whose statistics for a system are those ``Statistics`` extracted."""

    def __init__(self, metric: Any, key: str, extracted: Sequence[Statistics]) -> None:
        self._metric, self._key, self._extracted = metric, key, extracted

    def _extract_corpus_statistics(self, hypotheses: Sequence[str], references: Any) -> list[list[float]]:
        return self._extracted[int(hypotheses[0])].stats[self._key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._metric, name)


@contextmanager
def _sacrebleu_seed(seed: int) -> Iterator[None]:
    """sacreBLEU reads its bootstrap seed from ``SACREBLEU_SEED`` only; set it for the call, then restore."""
    old = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if old is None:
            del os.environ["SACREBLEU_SEED"]
        else:
            os.environ["SACREBLEU_SEED"] = old


# --- the evaluation ------------------------------------------------------------------------


def evaluate(
    reference: Path,
    hypotheses: Sequence[Path] = (),
    *,
    source: Path | None = None,
    models: Sequence[Settings] = (),
    save_dir: Path = Path("translations"),
    translate_documents: bool = False,
    docs: Path | None = None,
    fields: Fields = Fields(),
    level: Level = "auto",
    bootstrap: int = 1000,
    seed: int = 12345,
    comet: str | None = None,
    on_info: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Score hypothesis files, and the translations of ``source`` by each of ``models``, against ``reference``.

    Model translations are saved in ``save_dir`` as ``NAME.hyp.txt`` with ``NAME.hyp.json``
    (settings and source hash) and reused while both match. ``translate_documents`` translates
    each document's joined source lines as one paragraph (scored at document level).
    ``bootstrap`` resamples (0: none) give each score a 95% confidence interval and, from the
    second system on, a p-value against the first. ``comet``: a COMET model name or checkpoint.
    ``on_info`` and ``on_warning`` get messages (a warning of a model's translation begins with its
    system name and ``": "``), ``on_progress`` the number of sentences translated.
    """
    _check_options(hypotheses, reference, source, models, Path(save_dir), translate_documents, docs, fields, comet)
    ref = read_texts(reference, fields.of_reference(), "--reference-field")
    empty = [n for n, text in enumerate(ref.texts) if not text.strip()]
    if empty:
        raise InputError(f"{ref.path}: {len(empty)} empty reference{'s' * (len(empty) > 1)} ({ref.located(empty)}); "
                         "give every segment its reference, or remove the segment from every file")
    ref_docs = read_docs(docs, ref) if docs else ref.docs
    if (level == "document" or translate_documents) and not ref_docs:
        raise ConfigError("document-level scoring needs document ids: --docs FILE, or --doc-field in JSON Lines")
    # a source's text is its "text" field (what `translate corpus` reads), not a "translation" beside it
    src = read_texts(source, fields.of_source(), "--source-field") if source else None
    if src and len(src.texts) != len(ref.texts):
        raise InputError(f"{src.path} has {len(src.texts)} lines but {ref.path} has {len(ref.texts)}; "
                         "give the source and the reference line by line")
    inputs = [(hypothesis_name(Path(p).name, i, hypotheses), read_texts(p, fields), None)
              for i, p in enumerate(hypotheses)]
    if fields.doc:
        _check_doc_field(fields.doc, docs, ref, [hyp for _, hyp, _ in inputs])
    comet_model = load_comet(comet) if comet else None  # fail before translating, not after
    names = model_names(models)
    _check_saved_files(names, Path(save_dir), translate_documents, [reference, *hypotheses, source, docs])
    versions = [weights_version(settings, on_info) for settings in models]  # every model there, first
    # the source's ids, where they are the reference's, pair the translations with it
    paired = src and src.ids and ref.ids and set(src.ids) == set(ref.ids) and not translate_documents
    for name, settings, version in zip(names, models, versions):
        path, meta = translate_to_file(src, settings, Path(save_dir), name, version,  # type: ignore[arg-type]
                                       docs=ref_docs if translate_documents else None,
                                       on_info=on_info, on_warning=on_warning, on_progress=on_progress)
        hyp = read_texts(path)
        inputs.append((name, replace(hyp, ids=src.ids) if paired else hyp, meta))  # type: ignore[union-attr]

    systems, units, statistics = [], [], []
    for (_, hyp, meta), name in zip(inputs, unique_names([name for name, _, _ in inputs])):
        system, aligned, extracted = _score_system(name, hyp, ref, ref_docs, level)
        system.model = meta
        systems.append(system)
        units.append(aligned)
        statistics.append(extracted)
    result = Evaluation(ref.path, str(docs) if docs else None, systems)
    compared = result.level
    if bootstrap > 0:
        hyps = [u if s.level == compared else join_by_doc(u, ref_docs) for s, u in zip(systems, units)]
        tests, signatures = paired_bootstrap([(s.name, x[compared]) for s, x in zip(systems, statistics)],
                                             bootstrap, seed)
        for system, test, system_hyps in zip(systems, tests, hyps):
            for key, res in test.items():
                score = result.compared_scores(system)[key]
                score.mean, score.ci = float(res.mean), float(res.ci)
                score.p_value = None if res.p_value is None else float(res.p_value)
                if score.p_value is not None and system_hyps == hyps[0]:
                    score.p_value = 1.0  # the baseline's own output: no difference (sacreBLEU's test says p < 0.05)
        result.comparison = {"level": compared, "samples": bootstrap, "seed": seed, "baseline": systems[0].name,
                             "signatures": signatures}
    if comet:
        for system, hyps in zip(systems, units):
            document = system.level == "document"
            score, segments, signature = comet_scores(
                comet_model,
                comet,
                join_by_doc(src.texts, ref_docs) if document else src.texts,  # type: ignore[union-attr]
                hyps,
                join_by_doc(ref.texts, ref_docs) if document else ref.texts,
            )
            system.scores["comet"] = MetricScore(score, signature)
            for row, value in zip(system.segments, segments):
                row["comet"] = value
    return result


def _check_options(
    hypotheses: Sequence[Path], reference: Path, source: Path | None, models: Sequence[Settings], save_dir: Path,
    translate_documents: bool, docs: Path | None, fields: Fields, comet: str | None,
) -> None:
    """Refuse options that conflict, or that ask for what cannot be done, before any file is read."""
    if not hypotheses and not models:
        raise ConfigError("nothing to score: give --hypothesis FILE, or --source FILE with --model NAME")
    if translate_documents and not models:
        raise ConfigError("--translate-docs is for translating with a model: give -m/--model NAME, or leave it out")
    if source is None and (models or comet):
        asked = "translating with --model" if models else f"COMET scoring with {comet}"
        raise ConfigError(f"{asked} needs the source text: give --source FILE")
    if models and save_dir.exists() and not save_dir.is_dir():
        raise ConfigError(f"{save_dir} is a file, not a folder for the model translations; give another --save-dir DIR")
    if fields.id and not is_record_file(reference):
        raise ConfigError(f"--id-field {fields.id}: the reference {reference} is plain text, without ids, so records "
                          "would pair with its lines in order; give a JSON Lines reference with ids, or leave "
                          "--id-field out")
    if fields.text and not any(is_record_file(p) for p in (reference, *hypotheses, source) if p is not None):
        raise ConfigError(f"--text-field {fields.text} is for JSON Lines or Parquet files, and every input is plain "
                          "text; leave it out")
    if fields.reference and not is_record_file(reference):
        raise ConfigError(f"--reference-field {fields.reference}: the reference {reference} is plain text, without "
                          "fields; give a JSON Lines or Parquet reference, or leave it out")
    if fields.source and not (source and is_record_file(source)):
        where = f"the source {source} is plain text, without fields" if source else "there is no --source FILE"
        raise ConfigError(f"--source-field {fields.source}: {where}; leave it out")


def _check_saved_files(names: Sequence[str], save_dir: Path, documents: bool, inputs: Sequence[Path | None]) -> None:
    """Refuse a --save-dir where a model's translations would be written over an input."""
    given = {Path(p).resolve(): p for p in inputs if p is not None}
    for name in names:
        for path in saved_files(name, save_dir, documents):
            if path.resolve() in given:
                raise ConfigError(f"{path}, where the translations of {name} are saved, is the input "
                                  f"{given[path.resolve()]}; give another --save-dir DIR")


def _check_doc_field(name: str, docs: Path | None, ref: Texts, hyps: Sequence[Texts]) -> None:
    """Refuse a --doc-field that would be ignored, or that --docs would override."""
    if docs and ref.docs:
        raise ConfigError(f"--docs and --doc-field both give the document ids of {ref.path}: give one of them")
    if not docs and ref.docs is None:
        raise ConfigError(f"--doc-field {name} is for JSON Lines or Parquet files, and {ref.path} is plain text: "
                          "give its document ids with --docs FILE")
    if docs and not any(hyp.docs for hyp in hyps):
        raise ConfigError(f"--doc-field {name} matches JSON Lines or Parquet hypotheses by document, "
                          "and these are plain text: leave --doc-field out")


def _score_system(
    name: str, hyp: Texts, ref: Texts, ref_docs: Sequence[str] | None, level: Level
) -> tuple[SystemResult, list[str], dict[str, Statistics]]:
    """The system's scores, its hypotheses as compared (per reference line, or per document),
    and its statistics per level ("sentence" where it is scored by line, "document" where it
    has documents)."""
    hyps, reason = align(ref, ref_docs, hyp)
    if reason and level == "sentence":
        raise InputError(f"{hyp.path} cannot be scored line by line against {ref.path}: {reason}; "
                         "score by document with --level document")
    warnings = list(hyp.warnings)
    blank = [n for n, text in enumerate(hyp.texts) if not text.strip()]
    if blank:
        warnings.append(f"{hyp.path}: {len(blank)} blank {'hypotheses' if len(blank) > 1 else 'hypothesis'} "
                        f"scored as empty ({hyp.located(blank)})")
    joined_refs = join_by_doc(ref.texts, ref_docs) if ref_docs else []
    if reason or level == "document":
        hyps = hyps if reason else join_by_doc(hyps, ref_docs)  # type: ignore[arg-type]
        warnings.append(f"{hyp.path}: scored at document level, on the joined sentences of "
                        f"{len(hyps)} documents: {reason or 'as asked'}")
        documents = Statistics(hyps, joined_refs)
        system = SystemResult(name, hyp.path, "document", documents.corpus())
        system.document_scores = system.scores
        extracted = {"document": documents}
    else:
        stats = Statistics(hyps, ref.texts)
        system = SystemResult(name, hyp.path, "sentence", stats.corpus())
        ids = ref.ids or [str(n) for n in range(1, len(hyps) + 1)]
        system.segments = [
            {"id": i, "doc": ref_docs[n] if ref_docs else None, "words": len(r.split()), **scores}
            for n, (i, r, scores) in enumerate(zip(ids, ref.texts, stats.segments()))
        ]
        system.buckets = length_buckets(ref.texts, stats)
        extracted = {"sentence": stats}
        if ref_docs:
            documents = Statistics(join_by_doc(hyps, ref_docs), joined_refs)
            system.document_scores = documents.corpus()
            extracted["document"] = documents
    if ref_docs:
        lines = {d: len(g) for d, g in group_by_doc(ref.texts, ref_docs).items()}
        system.documents = [{"id": d, "lines": lines[d], **s} for d, s in zip(lines, documents.segments())]
    system.warnings = warnings
    return system, hyps, extracted
