"""Render an `Evaluation`: a text table for the terminal, JSON, and a Markdown or HTML report
with plots (matplotlib, the ``report`` extra). The tables are built once and drawn three ways."""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path

from translate.corpus_write import atomic_file, prepare_output
from translate.errors import BackendError, ConfigError
from translate.evaluate import Evaluation, MetricScore

NAMES = {"bleu": "BLEU", "chrf": "chrF++", "ter": "TER", "comet": "COMET"}
REPORT_SUFFIXES = (".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: tuple[str, ...] = ()
    summary: bool = False
    """Summary tables come before the plots in a report, detail tables after."""


def _cell(score: MetricScore | None) -> str:
    if score is None:
        return "-"
    if score.ci is None:
        return f"{score.score:.2f}"
    text = f"{score.score:.2f} ({score.mean:.2f} ± {score.ci:.2f})"
    if score.p_value is not None:
        text += f" p={score.p_value:.4f}" + ("*" if score.p_value < 0.05 else "")
    return text


def tables(evaluation: Evaluation, documents: bool = True) -> list[Table]:
    """The systems table, then (when there are documents) the document-level and per-document
    chrF++ tables, then chrF++ by reference length."""
    systems = evaluation.systems
    metrics = [k for k in NAMES if any(k in s.scores for s in systems)]
    comparison = evaluation.comparison
    level = evaluation.level
    ci = " (μ ± 95% CI)" if comparison else ""
    notes = []
    if comparison:
        against = f", p-values against {comparison['baseline']}; * p < 0.05" if len(systems) > 1 else ""
        notes.append(f"paired bootstrap resampling: {comparison['samples']} samples, seed {comparison['seed']}"
                     + against)
    signatures = comparison["signatures"] if comparison else {k: s.signature for k, s in systems[0].scores.items()}
    notes += [f"{NAMES[k]}: {signatures.get(k) or systems[0].scores[k].signature}" for k in metrics]
    out = [Table(
        f"Scores at {level} level against {evaluation.reference}",
        ["system", "aligned by", *(NAMES[k] + ci for k in metrics)],
        [[s.name, s.level, *(_cell(evaluation.compared_scores(s).get(k)) for k in metrics)] for s in systems],
        tuple(notes),
        summary=True,
    )]
    if level == "sentence" and all(s.document_scores for s in systems):
        out.append(Table(
            "Document level (each document's sentences joined)",
            ["system", *(NAMES[k] for k in ("bleu", "chrf", "ter"))],
            [[s.name, *(_cell(s.document_scores[k]) for k in ("bleu", "chrf", "ter"))]  # type: ignore[index]
             for s in systems],
            summary=True,
        ))
    if documents and systems[0].documents:
        out.append(Table(
            "chrF++ per document",
            ["document", "lines", *(s.name for s in systems)],
            [[doc["id"], str(doc["lines"]), *(f"{s.documents[i]['chrf']:.2f}" for s in systems)]
             for i, doc in enumerate(systems[0].documents)],
            (f"per-document signature: {evaluation.segment_signatures['chrf']}",),
        ))
    if all(s.buckets for s in systems):
        buckets = [b["bucket"] for b in systems[0].buckets]
        out.append(Table(
            "chrF++ by reference length (words)",
            ["system", *(f"{b} ({n['segments']})" for b, n in zip(buckets, systems[0].buckets))],
            [[s.name, *(f"{b['chrf']:.2f}" for b in s.buckets)] for s in systems],
        ))
    return out


# --- text, JSON -------------------------------------------------------------------------------


def format_text(evaluation: Evaluation) -> str:
    """The terminal view: the systems and document-level tables, without the long per-document one."""
    return "\n".join(_text_table(t) for t in tables(evaluation, documents=False))


def _text_table(table: Table) -> str:
    widths = [max(len(row[i]) for row in [table.header, *table.rows]) for i in range(len(table.header))]
    lines = [table.title, "  ".join(h.ljust(w) for h, w in zip(table.header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table.rows]
    return "\n".join(lines + list(table.notes)) + "\n"


def format_json(evaluation: Evaluation) -> str:
    return json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --- reports ------------------------------------------------------------------------------------


def write_report(evaluation: Evaluation, path: Path) -> list[Path]:
    """Write ``path`` (``.md`` or ``.html``); Markdown links its plots as PNG files beside it,
    HTML embeds them, so the HTML file is self-contained. Returns the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ConfigError(f"{path}: a report is .md or .html, not {suffix or 'no suffix'}")
    images = plots(evaluation)
    parts = tables(evaluation)
    written = [path]
    prepare_output(path)
    if suffix in (".md", ".markdown"):
        links = []
        for name, (title, png) in images.items():
            image = plot_file(path, name)
            with atomic_file(image, "wb") as file:
                file.write(png)
            written.append(image)
            links.append(f"![{title}]({image.name})\n")
        body = ["# Evaluation\n", _inputs(evaluation, "`{}`"), *(_markdown_table(t) for t in parts if t.summary),
                *links, *(_markdown_table(t) for t in parts if not t.summary)]
        text = "\n".join(body)
    else:
        text = _html(evaluation, parts, images)
    with atomic_file(path) as file:
        file.write(text)
    return written


def _inputs(evaluation: Evaluation, code: str = "{}") -> str:
    lines = [f"- reference: {code.format(evaluation.reference)}"]
    if evaluation.docs:
        lines.append(f"- documents: {code.format(evaluation.docs)}")
    for s in evaluation.systems:
        model = f" (model {code.format(s.model['settings']['model'])})" if s.model else ""
        lines.append(f"- {s.name}: {code.format(s.hypothesis)}{model}, scored at {s.level} level")
    lines += [f"- warning: {w}" for w in evaluation.warnings]
    return "\n".join(lines) + "\n"


def _markdown_table(table: Table) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [f"## {table.title}\n", row(table.header), row(["---"] * len(table.header))]
    lines += [row(r) for r in table.rows]
    lines += [""] + [f"- {n}" for n in table.notes]
    return "\n".join(lines) + "\n"


def _html(evaluation: Evaluation, parts: list[Table], images: dict[str, tuple[str, bytes]]) -> str:
    esc = html.escape
    inputs = "".join(f"<li>{esc(line[2:])}</li>" for line in _inputs(evaluation).splitlines())
    figures = "".join(
        f'<figure><img alt="{esc(title)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{esc(title)}</figcaption></figure>"
        for title, png in images.values()
    )
    sections = {True: [], False: []}
    for t in parts:
        head = "".join(f"<th>{esc(h)}</th>" for h in t.header)
        rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in t.rows)
        notes = "".join(f"<li><code>{esc(n)}</code></li>" for n in t.notes)
        sections[t.summary].append(f"<h2>{esc(t.title)}</h2><table><tr>{head}</tr>{rows}</table><ul>{notes}</ul>")
    style = ("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}"
             "img{max-width:100%}code{font-size:90%}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Evaluation</title><style>{style}</style>"
            f"</head><body><h1>Evaluation</h1><ul>{inputs}</ul>{''.join(sections[True])}{figures}"
            f"{''.join(sections[False])}</body></html>\n")


# --- plots --------------------------------------------------------------------------------------


PLOTS = ("documents", "length")


def plot_file(report: Path, name: str) -> Path:
    """Where a Markdown report's plot ``name`` is written: ``STEM.NAME.png`` beside it."""
    return report.with_name(f"{report.stem}.{name}.png")


def report_files(report: Path) -> list[Path]:
    """Every file a report may write: itself, and a Markdown report's plots."""
    markdown = report.suffix.lower() in (".md", ".markdown")
    return [report, *(plot_file(report, name) for name in PLOTS if markdown)]


def check_plotting() -> None:
    """Refuse a report before any work when matplotlib is missing."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise BackendError("report plots need matplotlib: pip install -e '.[report]' in the project, or pip install matplotlib") from None


def plots(evaluation: Evaluation) -> dict[str, tuple[str, bytes]]:
    """PNG plots by name (``PLOTS``): chrF++ per document (documents sorted by the first system's
    score) and chrF++ by reference length, each when the data is there."""
    check_plotting()
    from matplotlib.figure import Figure

    systems = evaluation.systems
    out = {}
    if systems[0].documents:
        order = sorted(range(len(systems[0].documents)), key=lambda i: systems[0].documents[i]["chrf"])
        fig = Figure(figsize=(10, 4.5), layout="constrained")
        ax = fig.subplots()
        for s in systems:
            ax.plot(range(1, len(order) + 1), [s.documents[i]["chrf"] for i in order], marker="o", markersize=3,
                    linewidth=1, label=s.name)
        ax.set(xlabel=f"document (sorted by {systems[0].name}'s chrF++)", ylabel="chrF++", ylim=(0, 100))
        out["documents"] = ("chrF++ per document", _png(fig, ax))
    if all(s.buckets for s in systems):
        labels = [b["bucket"] for b in systems[0].buckets]
        width = 0.8 / len(systems)
        fig = Figure(figsize=(10, 4), layout="constrained")
        ax = fig.subplots()
        for n, s in enumerate(systems):
            ax.bar([i + n * width for i in range(len(labels))], [b["chrf"] for b in s.buckets], width, label=s.name)
        ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(labels))], labels)
        ax.set(xlabel="reference length (words)", ylabel="chrF++", ylim=(0, 100))
        out["length"] = ("chrF++ by reference length", _png(fig, ax))
    return out


def _png(fig, ax) -> bytes:  # type: ignore[no-untyped-def]
    ax.grid(axis="y", alpha=0.3)
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
