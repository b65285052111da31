"""Score translations against references with sacreBLEU: BLEU, chrF++ and TER, per document,
with paired bootstrap resampling between systems and, optionally, COMET.

``evaluate(reference, hypotheses)`` returns an `Evaluation` (plain dataclasses, ``to_dict()``
for JSON); `translate.report` renders it. Every corpus score is computed as sacreBLEU's
``corpus_score`` computes it (the same statistics, summed), on the texts as its command line
reads them, with its signature; segment and per-document scores as its ``sentence_score``.

Alignment of a hypothesis with the reference, first rule that applies:
ids on both sides and the same set: matched by id (sentence level); ids equal to the
reference's document ids, or as many lines as documents: one hypothesis per document;
a document field on both sides: matched per document; no ids and the same line count:
line by line. A system is scored at document level (each document's sentences joined)
when its hypothesis is not sentence-aligned within a document; the result says why.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sacrebleu.metrics import BLEU, CHRF, TER

from translate.config import Settings
from translate.errors import BackendError, ConfigError, InputError, ModelUnavailableError

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
TEXT_FIELDS = ("translation", "text")
"""Tried in this order when no text field is given."""


@dataclass(frozen=True)
class Fields:
    """Field names in JSON Lines or Parquet files (`translate corpus` output and the like)."""

    id: str = "id"
    text: str | None = None
    """One field, or several joined with commas (``headline,text``): their values joined by a space."""
    doc: str | None = None


@dataclass(frozen=True)
class Texts:
    """The lines (or records) of one file, with their ids and document ids where it has them."""

    path: str
    texts: tuple[str, ...]
    ids: tuple[str, ...] | None = None
    docs: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()


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


# --- reading ----------------------------------------------------------------------------


def read_texts(path: Path, fields: Fields = Fields()) -> Texts:
    """Plain text (one segment a line), JSON Lines (``.jsonl``, ``.ndjson``, ``.json``) or, as
    `translate corpus` may write it, Parquet (``.parquet``)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        from translate.corpus_write import read_rows

        if not Path(path).is_file():
            raise InputError(f"{path}: file not found")
        records = list(read_rows(Path(path)))
        if not records:
            raise InputError(f"{path}: empty file")
        return _from_records(str(path), records, fields)
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    lines = [line.rstrip() for line in raw.split("\n")]  # as sacreBLEU's command line reads them
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(f"{path}: empty file")
    if suffix not in (".jsonl", ".ndjson", ".json"):
        return Texts(str(path), tuple(lines))
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: not a JSON object")
        records.append(record)
    return _from_records(str(path), records, fields)


def _from_records(path: str, records: list[dict[str, Any]], fields: Fields) -> Texts:
    names = (fields.text or next((f for f in TEXT_FIELDS if f in records[0]), TEXT_FIELDS[0])).split(",")

    def column(name: str, required: bool) -> tuple[str, ...] | None:
        missing = [n for n, r in enumerate(records, 1) if r.get(name) is None]
        if len(missing) == len(records) and not required:
            return None
        if missing:
            raise InputError(f"{path}: record {missing[0]} has no {name!r} field ({len(missing)} of {len(records)})")
        return tuple(str(r[name]) for r in records)

    for number, record in enumerate(records, 1):
        if all(record.get(name) is None for name in names):
            raise InputError(f"{path}: record {number} has no {' or '.join(map(repr, names))} field")
    texts = [" ".join(str(r[n]) for n in names if r.get(n) is not None) for r in records]
    ids = column(fields.id, False)
    if ids is not None and len(set(ids)) < len(ids):
        raise InputError(f"{path}: duplicate ids, e.g. {Counter(ids).most_common(1)[0][0]!r}")
    docs = column(fields.doc, True) if fields.doc else None
    headlines = sum(1 for r in records if r.get("headline")) if "headline" not in names else 0
    warnings = (f"{path}: {headlines} records have a 'headline' that is not scored; "
                "--text-field headline,text scores it with the text",) if headlines else ()
    return Texts(path, tuple(_one_line(t) for t in texts), ids, docs, warnings)


def _one_line(text: str) -> str:
    """Paragraphs of a record (``translate corpus`` joins them with blank lines) as one line."""
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def read_docs(path: Path, reference: Texts) -> tuple[str, ...]:
    """One document id a line, aligned with the reference."""
    docs = read_texts(path).texts
    if len(docs) != len(reference.texts):
        raise InputError(
            f"{path} has {len(docs)} document ids but {reference.path} has {len(reference.texts)} lines"
        )
    if "" in docs:
        raise InputError(f"{path}:{docs.index('') + 1}: empty document id")
    return docs


def _listed(items: Sequence[str], most: int = 5) -> str:
    shown = ", ".join(repr(x) for x in list(items)[:most])
    return shown + (f" (+{len(items) - most} more)" if len(items) > most else "")


def _numbered(lines: Sequence[int], most: int = 5) -> str:
    return ", ".join(map(str, lines[:most])) + (", ..." if len(lines) > most else "")


# --- alignment ----------------------------------------------------------------------------


def group_by_doc(texts: Sequence[str], docs: Sequence[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for text, doc in zip(texts, docs):
        groups.setdefault(doc, []).append(text)
    return groups


def align(reference: Texts, ref_docs: Sequence[str] | None, hypothesis: Texts) -> tuple[list[str], str | None]:
    """Hypotheses in reference order: one per reference line, or (with a reason) one per document."""
    ref, hyp = reference, hypothesis
    doc_ids = list(dict.fromkeys(ref_docs)) if ref_docs else []
    if ref.ids and hyp.ids and set(ref.ids) == set(hyp.ids):
        by_id = dict(zip(hyp.ids, hyp.texts))
        return [by_id[i] for i in ref.ids], None
    if doc_ids and hyp.ids and set(hyp.ids) == set(doc_ids):
        by_id = dict(zip(hyp.ids, hyp.texts))
        return [by_id[d] for d in doc_ids], "one hypothesis per document (its ids are the document ids)"
    if doc_ids and hyp.docs:
        return _align_by_doc(ref, doc_ids, ref_docs, hyp)  # type: ignore[arg-type]
    if ref.ids and hyp.ids:
        raise InputError(
            f"ids differ: in {hyp.path} only: {_listed(sorted(set(hyp.ids) - set(ref.ids))) or 'none'}; "
            f"in {ref.path} only: {_listed(sorted(set(ref.ids) - set(hyp.ids))) or 'none'}"
        )
    if len(hyp.texts) == len(ref.texts):
        return list(hyp.texts), None
    if doc_ids and len(hyp.texts) == len(doc_ids):
        return list(hyp.texts), "one hypothesis line per document"
    docs_note = f" ({len(doc_ids)} documents)" if doc_ids else ""
    raise InputError(
        f"{hyp.path} has {len(hyp.texts)} lines but {ref.path} has {len(ref.texts)}{docs_note}"
    )


def _align_by_doc(ref: Texts, doc_ids: list[str], ref_docs: Sequence[str], hyp: Texts) -> tuple[list[str], str | None]:
    hyp_groups = group_by_doc(hyp.texts, hyp.docs or ())
    only_hyp, only_ref = sorted(set(hyp_groups) - set(doc_ids)), sorted(set(doc_ids) - set(hyp_groups))
    if only_hyp or only_ref:
        raise InputError(
            f"document ids differ: in {hyp.path} only: {_listed(only_hyp) or 'none'}; "
            f"in the reference {ref.path} only: {_listed(only_ref) or 'none'}"
        )
    ref_groups = group_by_doc(ref.texts, ref_docs)
    uneven = [d for d in doc_ids if len(hyp_groups[d]) != len(ref_groups[d])]
    if uneven:
        reason = (f"{len(uneven)} of {len(doc_ids)} documents have a different number of hypothesis "
                  f"than reference lines, e.g. {uneven[0]!r}")
        return [" ".join(hyp_groups[d]) for d in doc_ids], reason
    position = {d: iter(hyp_groups[d]) for d in doc_ids}
    return [next(position[d]) for d in ref_docs], None


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
    systems: Sequence[tuple[str, Sequence[str]]], references: Sequence[str], samples: int = 1000, seed: int = 12345
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """sacreBLEU's paired bootstrap resampling (``PairedTest``, test ``bs``), the first system the baseline.

    Returns, per system, a `sacrebleu.significance.Result` per metric (score, mean, ci, p_value),
    and the metrics' signatures with the seed and sample count.
    """
    from sacrebleu.significance import PairedTest

    if seed < 1:
        raise ConfigError(f"the bootstrap seed must be a positive integer, got {seed} (sacreBLEU treats 0 as unseeded)")
    with _sacrebleu_seed(seed):
        test = PairedTest([(n, list(h)) for n, h in systems], {k: make() for k, make in METRICS.items()},
                          [list(references)], test_type="bs", n_samples=samples)
        signatures, table = test()
    names = [name for name in table if name != "System"]  # "BLEU", "chrF2++", "TER", in METRICS order
    results = [{key: table[name][i] for key, name in zip(METRICS, names)} for i in range(len(systems))]
    return results, {key: str(signatures[name]) for key, name in zip(METRICS, names)}


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
    ``on_info`` and ``on_warning`` get messages, ``on_progress`` the number of sentences translated.
    """
    ref = read_texts(reference, fields)
    empty = [n for n, text in enumerate(ref.texts, 1) if not text.strip()]
    if empty:
        raise InputError(f"{ref.path}: {len(empty)} empty reference lines (lines {_numbered(empty)})")
    ref_docs = read_docs(docs, ref) if docs else ref.docs
    if (level == "document" or translate_documents) and not ref_docs:
        raise ConfigError("document-level scoring needs document ids: --docs FILE, or --doc-field in JSON Lines")
    src = read_texts(source, fields) if source else None
    if src and len(src.texts) != len(ref.texts):
        raise InputError(f"{src.path} has {len(src.texts)} lines but {ref.path} has {len(ref.texts)}")
    if (models or comet) and not src:
        raise ConfigError("--model and --comet need the source text: --source FILE")
    if not hypotheses and not models:
        raise ConfigError("nothing to score: give --hypothesis FILE, or --source FILE with --model NAME")
    inputs = [(_unique_name(Path(p).name, i, hypotheses), read_texts(p, fields), None)
              for i, p in enumerate(hypotheses)]
    comet_model = load_comet(comet) if comet else None  # fail before translating, not after
    for name, settings in zip(_model_names(models), models):
        path, meta = translate_to_file(src, settings, Path(save_dir), name,  # type: ignore[arg-type]
                                       docs=ref_docs if translate_documents else None,
                                       on_info=on_info, on_warning=on_warning, on_progress=on_progress)
        inputs.append((name, read_texts(path), meta))

    systems, units = [], []
    for name, hyp, meta in inputs:
        system, aligned = _score_system(name, hyp, ref, ref_docs, level)
        system.model = meta
        systems.append(system)
        units.append(aligned)
    result = Evaluation(ref.path, str(docs) if docs else None, systems)
    compared = result.level
    if bootstrap > 0:
        refs = _joined(ref.texts, ref_docs) if compared == "document" else list(ref.texts)
        hyps = [u if s.level == compared else _joined(u, ref_docs) for s, u in zip(systems, units)]
        tests, signatures = paired_bootstrap([(s.name, h) for s, h in zip(systems, hyps)], refs, bootstrap, seed)
        for system, test in zip(systems, tests):
            for key, res in test.items():
                score = result.compared_scores(system)[key]
                score.mean, score.ci = float(res.mean), float(res.ci)
                score.p_value = None if res.p_value is None else float(res.p_value)
        result.comparison = {"level": compared, "samples": bootstrap, "seed": seed, "baseline": systems[0].name,
                             "signatures": signatures}
    if comet:
        _add_comet(comet_model, comet, systems, units, ref, ref_docs, src)  # type: ignore[arg-type]
    return result


def _score_system(
    name: str, hyp: Texts, ref: Texts, ref_docs: Sequence[str] | None, level: Level
) -> tuple[SystemResult, list[str]]:
    """The system's scores, and its hypotheses as compared: per reference line, or per document."""
    hyps, reason = align(ref, ref_docs, hyp)
    if reason and level == "sentence":
        raise InputError(f"{hyp.path} cannot be scored line by line against {ref.path}: {reason}")
    warnings = list(hyp.warnings)
    blank = [n for n, text in enumerate(hyp.texts, 1) if not text.strip()]
    if blank:
        warnings.append(f"{hyp.path}: {len(blank)} blank hypothesis lines scored as empty (lines {_numbered(blank)})")
    joined_refs = _joined(ref.texts, ref_docs) if ref_docs else []
    if reason or level == "document":
        hyps = hyps if reason else _joined(hyps, ref_docs)  # type: ignore[arg-type]
        warnings.append(f"{hyp.path}: scored at document level, on the joined sentences of "
                        f"{len(hyps)} documents: {reason or 'as asked'}")
        documents = Statistics(hyps, joined_refs)
        system = SystemResult(name, hyp.path, "document", documents.corpus())
        system.document_scores = system.scores
    else:
        stats = Statistics(hyps, ref.texts)
        system = SystemResult(name, hyp.path, "sentence", stats.corpus())
        ids = ref.ids or [str(n) for n in range(1, len(hyps) + 1)]
        system.segments = [
            {"id": i, "doc": ref_docs[n] if ref_docs else None, "words": len(r.split()), **scores}
            for n, (i, r, scores) in enumerate(zip(ids, ref.texts, stats.segments()))
        ]
        system.buckets = length_buckets(ref.texts, stats)
        if ref_docs:
            documents = Statistics(_joined(hyps, ref_docs), joined_refs)
            system.document_scores = documents.corpus()
    if ref_docs:
        lines = {d: len(g) for d, g in group_by_doc(ref.texts, ref_docs).items()}
        system.documents = [{"id": d, "lines": lines[d], **s} for d, s in zip(lines, documents.segments())]
    system.warnings = warnings
    return system, hyps


def _joined(texts: Sequence[str], docs: Sequence[str] | None) -> list[str]:
    """Each document's lines joined with a space, in order of first appearance."""
    return [" ".join(group) for group in group_by_doc(texts, docs or ()).values()]


def _unique_name(name: str, index: int, paths: Sequence[Path]) -> str:
    """A hypothesis file's name, or its path where two files share a name."""
    same = [str(p) for p in paths if Path(p).name == name]
    return name if len(same) == 1 else str(paths[index])


def _model_names(models: Sequence[Settings]) -> list[str]:
    names: list[str] = []
    for settings in models:
        base = settings.preset or Path(settings.model).name or settings.model.replace("/", "--")
        names.append(base if base not in names else f"{base}-{len(names) + 1}")
    return names


# --- translate and score ---------------------------------------------------------------------


def translate_to_file(
    source: Texts,
    settings: Settings,
    save_dir: Path,
    name: str,
    *,
    docs: Sequence[str] | None = None,
    on_info: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Translate the source lines (or, with ``docs``, each document's joined lines) with the pipeline
    of `translate corpus`; save them as ``NAME.hyp.txt``, reused while ``NAME.hyp.json`` matches."""
    texts = list(source.texts) if docs is None else _joined(source.texts, docs)
    stem = name if docs is None else f"{name}.doc"
    path, meta_path = save_dir / f"{stem}.hyp.txt", save_dir / f"{stem}.hyp.json"
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
    key = {"source_sha256": digest, "lines": len(texts), "unit": "line" if docs is None else "document",
           "settings": settings.generation_key()}
    meta = {"name": name, "source": source.path, "key": key, "settings": asdict(settings)}
    if path.is_file() and meta_path.is_file() and _read_json(meta_path).get("key") == key:
        if on_info:
            on_info(f"{name}: reusing the translations in {path}")
        return path, meta
    from translate.api import translate_texts

    if on_info:
        on_info(f"{name}: translating {len(texts)} {key['unit']}s of {source.path} with {settings.model}")
    translations = translate_texts(texts, settings, on_progress=on_progress, on_warning=on_warning)
    if len(translations) != len(texts):
        raise BackendError(f"{name}: {len(translations)} translations for {len(texts)} source texts")
    from translate.corpus_write import atomic_file, write_json

    save_dir.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as file:
        file.writelines(" ".join(t.splitlines()) + "\n" for t in translations)
    write_json(meta_path, meta)
    return path, meta


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


# --- COMET (optional extra) ---------------------------------------------------------------------


def load_comet(model_name: str) -> Any:
    """The COMET model, or a one-line error saying what to install or download."""
    try:
        import comet
    except ImportError:
        raise BackendError(
            "COMET scores need the unbabel-comet package: pip install 'translate-ar-en[comet]'"
        ) from None
    try:
        checkpoint = model_name if Path(model_name).is_file() else comet.download_model(model_name)
        return comet.load_from_checkpoint(checkpoint)
    except Exception as exc:  # hub and checkpoint errors come in many types
        raise ModelUnavailableError(
            f"COMET model {model_name!r} is not available ({type(exc).__name__}); download it where there is "
            f"network access with: python -c \"import comet; comet.download_model('{model_name}')\", "
            "or pass a checkpoint file to --comet-model"
        ) from None


def _add_comet(model: Any, model_name: str, systems: list[SystemResult], units: list[list[str]], ref: Texts,
               ref_docs: Sequence[str] | None, source: Texts) -> None:
    import comet
    import torch

    signature = f"model:{model_name}|version:{getattr(comet, '__version__', 'unknown')}"
    for system, hyps in zip(systems, units):
        document = system.level == "document"
        srcs = _joined(source.texts, ref_docs) if document else source.texts
        refs = _joined(ref.texts, ref_docs) if document else ref.texts
        data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(srcs, hyps, refs)]
        output = model.predict(data, batch_size=16, gpus=1 if torch.cuda.is_available() else 0, progress_bar=False)
        system.scores["comet"] = MetricScore(float(output.system_score), signature)
        for row, value in zip(system.segments, output.scores):
            row["comet"] = float(value)
