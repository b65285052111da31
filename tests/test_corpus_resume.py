"""A corpus run killed with SIGKILL resumes: every row exactly once, translations as uninterrupted.

The command runs in a subprocess (``python -m translate.cli corpus``) with the tiny
random-weight Marian model; the kill comes as soon as the first chunk is committed.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_corpus import make_rows
from translate.corpus_write import read_jsonl

FAST = "max_length_ratio = 0.5\nmax_length_offset = 2\n"
"""Short outputs: a random-weight model otherwise always runs to the length limit."""


def write_corpus(path: Path, rows: list[dict], bad: dict[int, bytes]) -> Path:
    """JSON Lines of ``rows`` with the ``bad`` lines planted at their row numbers."""
    lines, good = [], iter(rows)
    for row in range(len(rows) + len(bad)):
        lines.append(bad[row] if row in bad else json.dumps(next(good), ensure_ascii=False).encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def command(model: Path, source: Path, output: Path, config: Path, backend: str = "transformers") -> list[str]:
    return [
        sys.executable, "-m", "translate.cli", "corpus", str(source), "-o", str(output), "-m", str(model),
        "--config", str(config), "--beam", "1", "--device", "cpu", "--threads", "1", "--chunk-size", "20", "-q",
        "--backend", backend,
    ]


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_gives_every_row_once_as_uninterrupted(tiny_marian_dir, tmp_path):
    bad = {7: b'{"id": "x7", "text": ', 50: b'{"id": "x50", "text": 3}', 151: b'"just a string"'}
    source = write_corpus(tmp_path / "in.jsonl", make_rows(160), bad)
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    reference, output = tmp_path / "reference.jsonl", tmp_path / "out.jsonl"

    uninterrupted = subprocess.run(command(tiny_marian_dir, source, reference, config), capture_output=True, text=True)
    assert uninterrupted.returncode == 5, uninterrupted.stderr  # rows failed, the run finished

    process = subprocess.Popen(command(tiny_marian_dir, source, output, config), stderr=subprocess.PIPE)
    first_chunk = tmp_path / "out.jsonl.parts" / "00000000.jsonl"
    deadline = time.monotonic() + 120
    while not first_chunk.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and first_chunk.exists(), "killed before the first chunk"
    assert not output.exists(), "the run finished before it was killed: use a bigger corpus"

    resumed = subprocess.run(command(tiny_marian_dir, source, output, config), capture_output=True, text=True)
    assert resumed.returncode == 5, resumed.stderr

    rows, expected = list(read_jsonl(output)), list(read_jsonl(reference))
    assert len({row["id"] for row in rows}) == len(rows) == 160
    assert rows == expected
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [e["row"] for e in errors] == sorted(bad)
    assert errors == list(read_jsonl(tmp_path / "reference.jsonl.errors.jsonl"))
    assert not (tmp_path / "out.jsonl.parts").exists()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_ctrl_c_is_one_line_even_when_quiet_and_the_run_resumes(tiny_marian_dir, tmp_path, monkeypatch, backend):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "ct2-cache"))
    source = write_corpus(tmp_path / "in.jsonl", make_rows(160), {})
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    output = tmp_path / "out.jsonl"
    run = command(tiny_marian_dir, source, output, config, backend)
    # as from a terminal: a background job of a script (CI's `cmd &`) starts with Ctrl-C ignored
    default_ctrl_c = functools.partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    process = subprocess.Popen(run, stderr=subprocess.PIPE, text=True, preexec_fn=default_ctrl_c)
    first_chunk = tmp_path / "out.jsonl.parts" / "00000000.jsonl"
    deadline = time.monotonic() + 120
    while not first_chunk.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert not output.exists(), "the run finished before Ctrl-C: use a bigger corpus"
    assert process.returncode == 130
    assert stderr == "error: interrupted; the chunks committed so far are kept: rerun the same command to resume\n"
    assert not (tmp_path / "out.jsonl.lock").exists()
    resumed = subprocess.run(run, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert len(list(read_jsonl(output))) == 160
