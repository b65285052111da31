"""Corpus runs: every input format, both output formats, errors, cache, shards, resume refusal.

Pure logic runs on the fake translator (``EN<source>`` per sentence); the formats are
also run once with the tiny random-weight Marian model. The SIGKILL test is in
``test_corpus_resume.py``.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes import FakeTranslator
from translate.config import resolve_settings
from translate.corpus import Options, open_run, translate_corpus
from translate import corpus_io
from translate.convert import model_version
from translate.corpus_io import Source, fingerprint
from translate.corpus_merge import merge_shards
from translate.corpus_rows import Fields, Shard
from translate.corpus_write import read_jsonl, read_rows
from translate.errors import BackendError, ConfigError, InputError, ModelUnavailableError
from translate.normalize import to_western_digits
from translate.types import Translation

FIXTURES = Path(__file__).parent / "fixtures"
SENTENCES = (FIXTURES / "corpus_sentences.ar").read_text(encoding="utf-8").split("\n")[:-1]
PLANTED = {1: "not valid JSON (Unterminated string starting at column ", 3: "not a JSON object", 4: "'text' is null",
           5: "'text' is not a string (int)", 6: "empty 'text'", 7: "no 'text' field", 8: "not UTF-8"}
"""The bad rows of ``fixtures/corpus_malformed.jsonl`` and the start of their reasons."""


def en(source: str) -> str:
    """What the fake translator makes of a sentence (the pipeline feeds it Western digits)."""
    return f"EN<{to_western_digits(source)}>"


def make_rows(count: int, start: int = 0) -> list[dict]:
    """Short articles recombining the fixture sentences; titles on most, bylines repeated."""
    rows = []
    for i in range(start, start + count):
        body = [SENTENCES[(i * 7 + k) % len(SENTENCES)] for k in range(1 + i % 3)]
        rows.append({
            "id": f"a{i}",
            "title": SENTENCES[(i * 3) % len(SENTENCES)] if i % 4 else None,
            "text": " ".join(body) + "\n" + SENTENCES[i % 5],
            "url": f"https://example.com/{i}",
            "n": i,
        })
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run(source, output: Path, translator=None, settings=None, **options) -> tuple:
    source = source if isinstance(source, Source) else Source(Path(source))
    translator = translator or FakeTranslator()
    with open_run(source, output, settings or resolve_settings(model="x/y", beam_size=1), Options(**options)) as prepared:
        summary = prepared.summary if prepared.complete else translate_corpus(prepared, translator)
    assert not prepared.lock_file.exists()
    return summary, list(read_rows(output)) if output.exists() else []


def test_a_null_or_empty_id_is_the_row_number_with_a_warning(tmp_path):
    rows = make_rows(5)
    rows[1]["id"], rows[2]["id"] = None, ""
    del rows[3]["id"]  # no id field: the row number, as for an input without ids, silently
    source = Source(write_jsonl(tmp_path / "in.jsonl", rows))
    warnings: list[str] = []
    with open_run(source, tmp_path / "out.jsonl", resolve_settings(model="x/y"), Options()) as prepared:
        translate_corpus(prepared, FakeTranslator(), on_warning=warnings.append)
    assert [r["id"] for r in read_rows(tmp_path / "out.jsonl")] == ["a0", "1", "2", "3", "a4"]
    assert warnings == [
        "row 1: 'id' is null: its id is its row number, 1, which may be another row's id; give every row an id",
        "row 2: 'id' is empty: its id is its row number, 2, which may be another row's id; give every row an id",
    ]


def test_jsonl_rows_come_out_in_order_with_headline_text_and_kept_fields(tmp_path):
    rows = make_rows(30)
    summary, out = run(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl", chunk_size=7,
                       window=4, fields=Fields(keep=("url", "text", "error")), segments=True)
    assert [r["row"] for r in out] == list(range(30))
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    for source, result in zip(rows, out):
        assert result["headline"] == (en(source["title"]) if source["title"] else None)
        last = source["text"].split("\n")[-1]
        assert result["segments"][-1]["source"] == last
        assert result["text"].split("\n\n")[-1] == result["segments"][-1]["translation"]
        assert all("EN<" in s["translation"] for s in result["segments"])  # Latin runs pass through
        assert result["url"] == source["url"] and result["source_text"] == source["text"]
        assert result["source_error"] is None
    assert summary.rows == summary.translated == 30 and summary.failed == 0
    assert not (tmp_path / "out.jsonl.parts").exists()
    assert json.loads((tmp_path / "out.jsonl.run.json").read_text())["status"] == "complete"


def test_each_distinct_sentence_is_translated_once_across_articles(tmp_path):
    translator = FakeTranslator()
    summary, _ = run(write_jsonl(tmp_path / "in.jsonl", make_rows(60)), tmp_path / "out.jsonl", translator,
                     chunk_size=20, window=10)
    sent = [text for call in translator.calls for text in call]
    assert len(sent) == len(set(sent))
    assert summary.cache_hits > 0
    assert max(len(call) for call in translator.calls) > 4  # sentences of several articles per batch


def _save_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["id", "title", "text", "url"], extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**r, "title": r["title"] or ""} for r in rows)
    return path


def _save_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=7)
    return path


def _save_to_disk(path: Path, rows: list[dict]) -> Path:
    from datasets import Dataset

    Dataset.from_list(rows).save_to_disk(str(path))
    return path


SAVERS = {"in.csv": _save_csv, "in.parquet": _save_parquet, "saved": _save_to_disk}


def _inputs(tmp_path: Path, rows: list[dict]) -> dict[str, Source]:
    inputs = {"jsonl": Source(write_jsonl(tmp_path / "in.jsonl", rows))}
    inputs |= {name: Source(save(tmp_path / name, rows)) for name, save in SAVERS.items()}
    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "train.jsonl", rows)
    inputs["hub"] = Source(dataset=str(hub), split="train")
    return inputs


def test_every_input_format_gives_the_same_rows(tmp_path):
    rows = make_rows(25)
    inputs = _inputs(tmp_path, rows)
    outputs = {name: run(source, tmp_path / f"{name}.out.jsonl", chunk_size=6, fields=Fields(keep=("url",)))[1]
               for name, source in inputs.items()}
    assert len(outputs["jsonl"]) == 25
    for name, out in outputs.items():
        assert out == outputs["jsonl"], name


def test_a_folder_of_txt_articles_detects_headlines_and_uses_paths_as_ids(tmp_path, seed_article_path):
    folder = tmp_path / "articles"
    (folder / "b").mkdir(parents=True)
    page = seed_article_path.read_text(encoding="utf-8")
    (folder / "b" / "2.txt").write_text(page, encoding="utf-8")
    (folder / "1.txt").write_text(f"{SENTENCES[0][:-1]}\n\n{SENTENCES[1]} {SENTENCES[2]}\n", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    summary, out = run(Source(folder), tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["1.txt", "b/2.txt"]
    assert out[0]["headline"] == en(SENTENCES[0][:-1])
    assert out[1]["headline"] == "EN<روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة من الازدهار»>"
    assert "اخبار لايف" not in out[1]["text"]  # the site label before the headline is chrome
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["id"]) for e in errors] == [(2, "empty.txt")] and summary.failed == 1


def test_a_parquet_input_of_no_rows_gives_an_empty_output(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())}), source)
    summary, out = run(Source(source), tmp_path / "out.jsonl")
    assert out == [] and (summary.rows, summary.failed) == (0, 0)


def test_a_csv_input_of_only_its_header_gives_an_empty_output(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n", encoding="utf-8")
    summary, out = run(Source(source), tmp_path / "out.jsonl")
    assert out == [] and (summary.rows, summary.failed) == (0, 0)


def test_a_kept_field_no_row_has_is_warned_about_once(tmp_path):
    rows = make_rows(12)
    rows[5]["urll"] = "late"  # outside the first chunk: a misspelt name, seen in the first chunk's rows only
    source = Source(write_jsonl(tmp_path / "in.jsonl", rows))
    warnings: list[str] = []
    options = Options(chunk_size=4, fields=Fields(id="key", title="headline", keep=("url", "urll", "nope")),
                      named_fields=(("--id-field", "key"), ("--title-field", "headline")))
    with open_run(source, tmp_path / "out.jsonl", resolve_settings(model="x/y", beam_size=1), options) as prepared:
        translate_corpus(prepared, FakeTranslator(), on_warning=warnings.append)
    fields = ", ".join(rows[0])
    assert warnings == [
        f"--keep-fields 'urll', 'nope': none of the first 4 rows has these fields (the first row's fields: {fields}); "
        "check the name",
        f"--id-field 'key': none of the first 4 rows has this field (the first row's fields: {fields}); check the name",
        f"--title-field 'headline': none of the first 4 rows has this field (the first row's fields: {fields}); "
        "check the name",
    ]
    assert [row.get("urll") for row in read_rows(tmp_path / "out.jsonl")][4:7] == [None, "late", None]


def test_parquet_output_holds_the_same_rows_as_jsonl(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    _, as_jsonl = run(source, tmp_path / "out.jsonl", segments=True, fields=Fields(keep=("url", "n")))
    _, as_parquet = run(source, tmp_path / "out.parquet", segments=True, fields=Fields(keep=("url", "n")))
    assert as_parquet == as_jsonl
    import pyarrow.parquet as pq

    schema = pq.read_schema(tmp_path / "out.parquet")
    assert str(schema.field("n").type) == "int64" and str(schema.field("headline").type) == "string"


@pytest.mark.parametrize("big", [2**63, -(2**63) - 1, 10**400])
def test_a_parquet_output_keeps_an_integer_beyond_int64_as_text(tmp_path, big):
    rows = make_rows(4)
    for row, n in zip(rows, [1, big, 3, 2.5]):
        row["n"] = n
    _, out = run(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.parquet", fields=Fields(keep=("n",)))
    assert [row["n"] for row in out] == ["1", str(big), "3", "2.5"]


def test_a_title_over_a_body_of_site_chrome_is_translated_as_in_the_article_command(tmp_path):
    from translate.io import parse_record

    row = {"id": "c", "title": "عنوان الخبر", "text": "اترك تعليقاً\nزر الذهاب إلى الأعلى"}
    summary, (out,) = run(write_jsonl(tmp_path / "in.jsonl", [row]), tmp_path / "out.jsonl")
    assert summary.failed == 0 and out["headline"] == "EN<عنوان الخبر>" and out["text"] == ""
    single = parse_record(json.dumps(row, ensure_ascii=False), name="in.json")
    assert [(b.role, b.text) for b in single.content] == [("headline", "عنوان الخبر")]


def test_a_row_of_site_chrome_alone_is_kept_untranslated_with_keep_boilerplate(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "b", "text": "اترك تعليقاً"}])
    summary, out = run(source, tmp_path / "out.jsonl")
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert summary.failed == 1 and "--keep-boilerplate" in error["error"]
    summary, (row,) = run(source, tmp_path / "kept.jsonl", keep_boilerplate=True)
    assert summary.failed == 0 and row["text"] == "اترك تعليقاً"


def test_malformed_rows_go_to_the_error_file_and_the_run_goes_on(tmp_path):
    summary, out = run(FIXTURES / "corpus_malformed.jsonl", tmp_path / "out.jsonl", chunk_size=3)
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert {e["row"]: e["error"][: len(PLANTED[e["row"]])] for e in errors} == PLANTED
    assert [e["id"] for e in errors] == [None, None, "b4", "b5", "b6", "b7", None]  # unreadable rows: no id
    assert [e["line"] for e in errors] == [2, 4, 5, 6, 7, 8, 9]
    assert [r["id"] for r in out] == ["g0", "g2", "g9", "g10"]
    assert (summary.rows, summary.translated, summary.failed) == (11, 4, 7)


def test_a_lone_surrogate_escape_is_an_error_row_and_the_run_goes_on(tmp_path):
    rows = [json.dumps(r, ensure_ascii=False) for r in make_rows(4)]
    rows[1] = rows[1].replace('"text": "', '"text": "\\ud83d ', 1)  # half of a pair: no character
    rows[2] = rows[2].replace('"id": "a2"', '"id": "a2\\udc80"', 1)
    rows[3] = rows[3].replace('"text": "', '"text": "\\ud83d\\ude00 ', 1)  # a whole pair: an emoji
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl")
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["line"]) for e in errors] == [(1, 2), (2, 3)]
    assert all("surrogate pair" in e["error"] for e in errors)
    assert [r["id"] for r in out] == ["a0", "a3"] and (summary.translated, summary.failed) == (2, 2)


def test_json_that_python_cannot_read_is_an_error_row_and_the_run_goes_on(tmp_path):
    rows = [json.dumps(r, ensure_ascii=False) for r in make_rows(3)]
    rows[0] = '{"id": ' + "1" * 5000 + ', "text": "قالت الحكومة."}'  # over int's 4,300 digits
    rows[1] = '{"id": "d", "text": "x", "m": ' + "[" * 2000 + "]" * 2000 + "}"  # nesting 2,000 deep
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl")
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["line"]) for e in errors] == [(0, 1), (1, 2)]
    assert all(e["error"].startswith("not valid JSON (") for e in errors)
    assert [r["id"] for r in out] == ["a2"] and (summary.translated, summary.failed) == (1, 2)


def test_an_output_given_as_a_link_is_written_over_its_target_and_the_link_stays(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    target, link = tmp_path / "scratch" / "out.jsonl", tmp_path / "out.jsonl"
    target.parent.mkdir()
    link.symlink_to(target)  # the target does not exist yet
    _, first = run(source, link)
    assert link.is_symlink() and [r["id"] for r in read_rows(target)] == ["a0", "a1", "a2"]
    write_jsonl(source, make_rows(2))
    _, second = run(source, link, overwrite=True)
    assert link.is_symlink() and [r["id"] for r in read_rows(target)] == ["a0", "a1"]


def _save_pages(path: Path, rows: list[dict]) -> Path:
    path.mkdir()
    for row in rows:
        (path / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    return path


@pytest.mark.parametrize("saver", [_save_to_disk, _save_pages])
def test_an_output_inside_the_input_folder_is_refused(tmp_path, saver):
    folder = saver(tmp_path / "saved", make_rows(3))
    with pytest.raises(ConfigError, match="inside the input folder"):
        run(folder, folder / "out" / "out.jsonl")
    assert sorted(p.name for p in folder.rglob("*") if "out" in p.name) == []


def test_a_json_line_cut_short_is_reported_at_its_end(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "نص."}\n{"id":"bad1","text":\n', encoding="utf-8")
    run(source, tmp_path / "out.jsonl")
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert error["error"] == "not valid JSON (Expecting value at column 21)"


class TooLongTranslator(FakeTranslator):
    """Like the backends: a source over ``max_input_tokens`` is an error, never truncated."""

    def translate(self, texts, *, strict=False) -> list[Translation]:
        if max(self.count_tokens(texts)) > self.max_input_tokens:
            raise BackendError("a source over the model's limit")
        return super().translate(texts, strict=strict)


def test_a_row_too_long_for_any_splitting_is_an_error_row(tmp_path):
    rows = make_rows(6)
    rows[2]["text"] = "كلمة" * 400 + "."  # one word: no clause or space to cut at
    translator = TooLongTranslator(max_input_tokens=20)
    translator.count_tokens = lambda texts: [len(t.split()) + len(t) // 40 + 1 for t in texts]
    summary, out = run(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl", translator)
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert error["row"] == 2 and error["error"].startswith("text line 1: too long for any splitting")
    assert [r["row"] for r in out] == [0, 1, 3, 4, 5] and summary.failed == 1


def test_a_warning_about_a_row_names_the_row_and_its_id(tmp_path):
    rows = make_rows(3)
    rows[1]["text"] = "مقدمة.\n\n" + "، ".join(f"وقال المتحدث في المدينة {n} إن الاجتماع كان مثمرا" for n in range(6))
    warnings = []
    source, output = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    with open_run(Source(source), output, resolve_settings(model="x/y", beam_size=1)) as prepared:
        translate_corpus(prepared, FakeTranslator(max_input_tokens=20), on_warning=warnings.append)
    assert warnings and warnings[0].startswith(f"row 1, id {rows[1]['id']}, text line 3: a sentence of ")


def test_a_number_missing_from_a_row_s_translation_names_the_row_and_its_id(tmp_path):
    class DropsNumbers(FakeTranslator):
        def translate(self, texts, *, strict=False):
            return [Translation("EN<" + "".join(c for c in t if not c.isdigit()) + ">") for t in texts]

    rows = make_rows(3)
    rows[2]["text"] = "مقدمة قصيرة هنا.\n\nقتل ١٢ شخصا في الهجوم."
    warnings = []
    source, output = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    with open_run(Source(source), output, resolve_settings(model="x/y", beam_size=1)) as prepared:
        translate_corpus(prepared, DropsNumbers(), on_warning=warnings.append)
    expected = f"row 2, id {rows[2]['id']}, text line 3: number(s) 12 missing from the translation of: قتل ١٢"
    assert any(w.startswith(expected) for w in warnings), warnings


def test_a_retried_output_names_the_first_row_that_holds_the_sentence(tmp_path):
    loop = "جملة تدور في حلقة."
    rows = make_rows(4)
    rows[1]["text"] = f"مقدمة قصيرة هنا.\n\n{loop}"
    rows[3]["text"] = loop  # the same sentence again: translated, retried and reported once
    warnings = []
    source, output = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    with open_run(Source(source), output, resolve_settings(model="x/y", beam_size=1)) as prepared:
        translate_corpus(prepared, FakeTranslator(degenerate=[loop]), on_warning=warnings.append)
    retries = [w for w in warnings if "retried" in w]
    assert retries == [f"row 1, id {rows[1]['id']}, text line 3: degenerate output retried with stricter settings "
                       f"(fixed): {loop}"]


def test_a_row_too_long_after_translated_windows_leaves_the_counts_of_a_run_without_it(tmp_path):
    rows = make_rows(6)
    bad = dict(rows[4], text="كلمة" * 400 + ".")
    def counted(rows, name):
        translator = TooLongTranslator(max_input_tokens=20)
        translator.count_tokens = lambda texts: [len(t.split()) + len(t) // 40 + 1 for t in texts]
        summary, _ = run(write_jsonl(tmp_path / f"{name}.jsonl", rows), tmp_path / f"{name}.out.jsonl", translator,
                         window=2)
        return summary, translator
    with_bad, translator = counted(rows[:4] + [bad] + rows[5:], "bad")
    without, reference = counted(rows[:4] + rows[5:], "good")
    assert (with_bad.sentences, with_bad.cache_hits) == (without.sentences, without.cache_hits)
    assert translator.calls == reference.calls


def test_ids_that_are_not_strings_are_written_as_json(tmp_path):
    rows = make_rows(5)
    for row, value in zip(rows, [7, 2.5, True, {"site": "x", "n": 1}, ["a", 1]]):
        row["id"] = value
    rows[1]["text"] = ""
    _, out = run(write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl")
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert error["id"] == "2.5"
    assert [r["id"] for r in out] == ["7", "true", '{"site": "x", "n": 1}', '["a", 1]']


def test_parquet_ids_of_other_types_are_written_as_they_print(tmp_path):
    import datetime

    for n, (value, printed) in enumerate([(datetime.datetime(2020, 1, 1), "2020-01-01 00:00:00"), (b"ab", "ab")]):
        rows = [dict(make_rows(1)[0], id=value)]
        _, out = run(Source(_save_parquet(tmp_path / f"in{n}.parquet", rows)), tmp_path / f"out{n}.jsonl")
        assert [r["id"] for r in out] == [printed]


def test_a_cache_named_like_the_output_or_the_input_is_refused(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    for cache in (tmp_path / "out.jsonl", source, tmp_path / "out.jsonl.run.json", tmp_path / "out.jsonl.parts" / "c.db"):
        with pytest.raises(ConfigError, match="give the sentence cache a file of its own"):
            run(source, tmp_path / "out.jsonl", cache=cache)


def test_a_full_disk_is_named_as_such_by_the_cache_and_the_chunk_writer(tmp_path, monkeypatch):
    import errno
    import sqlite3

    from translate.cache import SQLiteCache
    from translate.corpus_write import write_jsonl as write_chunk

    cache = SQLiteCache(tmp_path / "cache.sqlite", {"model": "x"})

    class FullDisk:
        in_transaction = True

        def execute(self, statement, *args):
            if statement == "ROLLBACK" and not self.in_transaction:
                raise sqlite3.OperationalError("cannot rollback - no transaction is active")

        def executemany(self, *args):
            self.in_transaction = False  # as SQLite ends the transaction itself when the disk is full
            raise sqlite3.OperationalError("database or disk is full")

    cache._db = FullDisk()
    cache.put_many({"مرحبا": Translation("Hello", None)})
    with pytest.raises(OSError) as raised:
        cache.commit()
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(tmp_path / "cache.sqlite"))

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as raised:
        write_chunk(tmp_path / "chunk.jsonl", [{"row": 0}])
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(tmp_path / "chunk.jsonl"))
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_cache_moved_over_a_killed_run_s_cache_is_not_mixed_with_its_leftover_log(tmp_path):
    from translate.cache import SQLiteCache

    killed = SQLiteCache(tmp_path / "cache.sqlite", {"model": "x"})
    killed.put_many({"قديم": Translation("old", None)})
    killed.commit()
    log = (tmp_path / "cache.sqlite-wal").read_bytes()  # what kill -9 leaves: the log not folded in
    killed.close()
    (tmp_path / "cache.sqlite-wal").write_bytes(log)
    new = SQLiteCache(tmp_path / "cache.next.sqlite", {"model": "x"})
    new.put_many({"جديد": Translation("new", None)})
    new.commit()
    new.move(tmp_path / "cache.sqlite")
    assert set(new.get_many(["قديم", "جديد"])) == {"جديد"}
    new.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.sqlite"]


def test_the_disk_cache_serves_a_second_run(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(15))
    cache = tmp_path / "sentences.sqlite"
    _, first = run(source, tmp_path / "one.jsonl", cache=cache)
    again = FakeTranslator()
    summary, second = run(source, tmp_path / "two.jsonl", again, cache=cache)
    assert again.calls == [] and second == first and summary.cache_hits > 0
    other = FakeTranslator()
    run(source, tmp_path / "three.jsonl", other, settings=resolve_settings(model="x/y", beam_size=2), cache=cache)
    assert other.calls, "a cache entry is only reused with the same generation settings"


class Crash(Exception):
    pass


class CrashingTranslator(FakeTranslator):
    def __init__(self, after_calls: int) -> None:
        super().__init__()
        self.after_calls = after_calls

    def translate(self, texts, *, strict=False):
        if len(self.calls) == self.after_calls:
            raise Crash
        return super().translate(texts, strict=strict)


def test_an_interrupted_run_resumes_exactly_once(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(50))
    _, reference = run(source, tmp_path / "ref.jsonl", chunk_size=8)
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=9), chunk_size=8)
    assert sorted(p.name for p in (tmp_path / "out.jsonl.parts").glob("0*.jsonl"))
    assert not (tmp_path / "out.jsonl").exists()
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=8)
    assert out == reference and summary.resumed > 0 and summary.rows == 50


def test_the_counts_of_a_resumed_run_add_up(tmp_path):
    source = FIXTURES / "corpus_malformed.jsonl"
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=1), chunk_size=3)
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=3)
    failed = len(list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl")))
    assert summary.resumed > 0 and (summary.translated + summary.resumed, summary.failed) == (len(out), failed)
    assert summary.translated + summary.resumed + summary.failed == summary.rows == 11


def test_resuming_with_other_settings_is_refused_and_overwrite_starts_again(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    with pytest.raises(ConfigError, match="beam_size 1 -> 3.*--overwrite"):
        run(source, tmp_path / "out.jsonl", settings=resolve_settings(model="x/y", beam_size=3), chunk_size=4)
    with pytest.raises(ConfigError, match="fields"):
        run(source, tmp_path / "out.jsonl", chunk_size=4, fields=Fields(text="url"))
    summary, out = run(source, tmp_path / "out.jsonl", settings=resolve_settings(model="x/y", beam_size=3),
                       chunk_size=4, overwrite=True)
    assert len(out) == 20 and summary.resumed == 0


def test_a_refused_resume_shows_what_changed_as_the_options_read(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(6))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=1), chunk_size=2)
    with pytest.raises(ConfigError, match="segments: off -> on"):
        run(source, tmp_path / "out.jsonl", chunk_size=2, segments=True)
    with pytest.raises(ConfigError, match="keep \\(none\\) -> 'url'"):
        run(source, tmp_path / "out.jsonl", chunk_size=2, fields=Fields(keep=("url",)))


def test_an_overwrite_run_stopped_before_its_first_chunk_leaves_an_interrupted_run_to_resume(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=6), chunk_size=4)
    chunks = sorted(path.name for path in (tmp_path / "out.jsonl.parts").glob("*.jsonl"))
    cache = (tmp_path / "out.jsonl.parts" / "cache.sqlite").read_bytes()
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=0), chunk_size=4, overwrite=True,
            settings=resolve_settings(model="x/y", beam_size=2))
    assert sorted(path.name for path in (tmp_path / "out.jsonl.parts").glob("*.jsonl")) == chunks
    assert (tmp_path / "out.jsonl.parts" / "cache.sqlite").read_bytes() == cache  # the resumed run's, kept
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed == 4 * len(chunks) and [row["row"] for row in out] == list(range(20))


def test_an_overwrite_run_does_not_serve_the_replaced_run_s_sentence_cache(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=6), chunk_size=4)
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4, overwrite=True)
    fresh, _ = run(source, tmp_path / "fresh.jsonl", chunk_size=4)  # its hits: sentences that recur in the input
    assert summary.cache_hits == fresh.cache_hits and summary.resumed == 0 and len(out) == 20


def test_an_overwrite_run_replaces_an_interrupted_run_s_chunks_with_its_own(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    parts = tmp_path / "out.jsonl.parts"
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=6), chunk_size=4)
    earlier = len(list(parts.glob("*.jsonl")))
    with pytest.raises(Crash):  # its first chunk, then stopped: the earlier run's chunks are gone
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4, overwrite=True,
            settings=resolve_settings(model="x/y", beam_size=2))
    own = len(list(parts.glob("*.jsonl")))
    assert 0 < own < earlier
    assert (parts / "cache.sqlite").exists() and not list(parts.glob("cache.next.sqlite*"))  # its cache now
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4, settings=resolve_settings(model="x/y", beam_size=2))
    assert summary.resumed == 4 * own and [row["row"] for row in out] == list(range(20))


def test_an_overwrite_run_stopped_before_its_first_chunk_leaves_the_finished_run_as_it_was(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(9))
    _, before = run(source, tmp_path / "out.jsonl", chunk_size=4)
    record = (tmp_path / "out.jsonl.run.json").read_bytes()
    with pytest.raises(Crash):  # killed while the model loads, or before its first chunk
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=0), chunk_size=4, overwrite=True,
            settings=resolve_settings(model="x/y", beam_size=2))
    assert (tmp_path / "out.jsonl.run.json").read_bytes() == record  # still finished: it merges, it is not redone
    with open_run(Source(source), tmp_path / "out.jsonl", resolve_settings(model="x/y", beam_size=2),
                  Options(chunk_size=4, overwrite=True)):
        pass  # its model could not load: nothing of it is left
    assert not (tmp_path / "out.jsonl.parts").exists() and (tmp_path / "out.jsonl.run.json").read_bytes() == record
    summary, after = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.already_complete and after == before
    with pytest.raises(ConfigError, match="beam_size 1 -> 2.*--overwrite"):
        run(source, tmp_path / "out.jsonl", chunk_size=4, settings=resolve_settings(model="x/y", beam_size=2))
    with pytest.raises(Crash):  # past its first chunk, the new run is the one to resume
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4, overwrite=True,
            settings=resolve_settings(model="x/y", beam_size=2))
    summary, after = run(source, tmp_path / "out.jsonl", chunk_size=4, settings=resolve_settings(model="x/y", beam_size=2))
    assert summary.resumed > 0 and len(after) == 9


def test_a_damaged_chunk_is_named_and_removing_it_redoes_its_rows(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=6), chunk_size=4)
    chunk = tmp_path / "out.jsonl.parts" / "00000001.jsonl"
    whole = chunk.read_bytes()
    chunk.write_bytes(whole[:100])
    with pytest.raises(InputError, match=f"{chunk}: a committed chunk that cannot be read .*remove it"):
        run(source, tmp_path / "out.jsonl", chunk_size=4)
    first = tmp_path / "out.jsonl.parts" / "00000000.jsonl"
    chunk.write_bytes(whole)
    first.write_bytes(b"".join(first.read_bytes().splitlines(keepends=True)[:3]))  # cut at a line end
    with pytest.raises(InputError, match=f"{chunk}: .*its rows are not the next 4 rows of the input"):
        run(source, tmp_path / "out.jsonl", chunk_size=4)
    first.unlink()
    chunk.unlink()
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert [row["row"] for row in out] == list(range(20)) and summary.resumed == 0


def test_resuming_with_other_batching_is_refused(tmp_path):
    """Batches pad sentences together, and padding may change a translation (float rounding)."""
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    with pytest.raises(ConfigError, match="batching: batch_size 0 -> 2"):
        run(source, tmp_path / "out.jsonl", chunk_size=4, settings=resolve_settings(model="x/y", beam_size=1,
                                                                                 batch_size=2))
    recorded = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    del recorded["batching"]  # as an earlier version recorded a run
    (tmp_path / "out.jsonl.run.json").write_text(json.dumps(recorded), encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20


def test_resuming_with_another_output_vocabulary_is_refused_unless_it_was_never_recorded(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    full = resolve_settings(model="x/y", beam_size=1, output_vocabulary="full")
    with pytest.raises(ConfigError, match="settings: output_vocabulary 'target' -> 'full'"):
        run(source, tmp_path / "out.jsonl", chunk_size=4, settings=full)
    recorded = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    del recorded["settings"]["output_vocabulary"]  # as an earlier version recorded a run
    (tmp_path / "out.jsonl.run.json").write_text(json.dumps(recorded), encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20


def test_overwrite_keeps_the_finished_output_until_the_new_run_replaces_it(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(9) + [{"id": "bad", "text": 5}])
    _, before = run(source, tmp_path / "out.jsonl", chunk_size=4)
    errors = (tmp_path / "out.jsonl.errors.jsonl").read_text(encoding="utf-8")
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=0), chunk_size=4, overwrite=True)
    assert list(read_rows(tmp_path / "out.jsonl")) == before
    assert (tmp_path / "out.jsonl.errors.jsonl").read_text(encoding="utf-8") == errors
    write_jsonl(source, make_rows(5))
    summary, after = run(source, tmp_path / "out.jsonl", chunk_size=4, overwrite=True)
    assert len(after) == 5 and summary.failed == 0 and not (tmp_path / "out.jsonl.errors.jsonl").exists()


@pytest.mark.parametrize("side", [".errors.jsonl", ".run.json"])
def test_an_input_that_is_one_of_the_run_s_own_files_is_refused(tmp_path, side):
    source = write_jsonl(tmp_path / f"out.jsonl{side}", make_rows(3))
    before = source.read_bytes()
    with pytest.raises(ConfigError, match=f"is where the run on .*out.jsonl keeps its {side} file"):
        run(source, tmp_path / "out.jsonl")
    assert source.read_bytes() == before


def test_an_output_and_a_link_to_it_share_one_lock(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "real.jsonl")
    settings = resolve_settings(model="x/y", beam_size=1)
    with open_run(Source(source), tmp_path / "real.jsonl", settings, Options()):
        with pytest.raises(ConfigError, match="is being written by another run"):
            open_run(Source(source), tmp_path / "link.jsonl", settings, Options())


def test_kept_fields_that_would_share_a_column_are_refused(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", [dict(r, source_text="ST") for r in make_rows(3)])
    with pytest.raises(ConfigError, match="--keep-fields text,source_text: both would be the output column 'source_text'"):
        run(source, tmp_path / "out.jsonl", fields=Fields(keep=("text", "source_text")))


def test_a_second_run_on_an_output_in_use_is_refused_before_it_touches_a_file(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    parts = tmp_path / "out.jsonl.parts"
    settings = resolve_settings(model="x/y", beam_size=1)
    with open_run(Source(source), tmp_path / "out.jsonl", settings, Options(chunk_size=4)):
        (parts / ".00000002.jsonl.tmp").write_text("in flight", encoding="utf-8")  # the first run's next chunk
        files = sorted(tmp_path.rglob("*"))
        contents = [p.read_bytes() for p in files if p.is_file()]
        for options in (Options(chunk_size=4), Options(chunk_size=4, overwrite=True)):
            with pytest.raises(ConfigError, match=r"out.jsonl is being written by another run .*out.jsonl.lock"):
                open_run(Source(source), tmp_path / "out.jsonl", settings, options)
            assert sorted(tmp_path.rglob("*")) == files
            assert [p.read_bytes() for p in files if p.is_file()] == contents
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20


def test_a_run_that_committed_nothing_may_be_rerun_with_other_settings(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(8))
    with pytest.raises(Crash):  # e.g. the first command named a model that could not load
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=1), chunk_size=4)
    summary, out = run(source, tmp_path / "out.jsonl", settings=resolve_settings(model="x/y", beam_size=3))
    assert len(out) == 8 and summary.resumed == 0


@pytest.mark.parametrize("overwrite", [False, True])
def test_the_input_is_never_the_output(tmp_path, overwrite):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    before = source.read_bytes()
    with pytest.raises(ConfigError, match=r"in.jsonl is the input .*in.jsonl; write to another file"):
        run(source, tmp_path / "." / "in.jsonl", overwrite=overwrite)
    assert source.read_bytes() == before


def test_a_lock_file_removed_between_open_and_lock_is_not_the_one_locked(tmp_path, monkeypatch):
    import fcntl

    from translate.corpus_write import take_lock

    path, real_flock, calls = tmp_path / "out.jsonl.lock", fcntl.flock, []

    def flock_after_the_holder_left(file, flags):
        if not calls:  # the run that held it closes: its file goes, and a third run makes a new one
            path.unlink()
            path.touch()
        calls.append(flags)
        return real_flock(file, flags)

    monkeypatch.setattr(fcntl, "flock", flock_after_the_holder_left)
    lock = take_lock(path, "busy")
    assert len(calls) == 2 and os.path.samestat(os.fstat(lock.fileno()), os.stat(path))
    lock.close()


def test_a_file_system_without_locks_runs_unlocked(tmp_path, monkeypatch):
    import errno
    import fcntl

    def no_locks(file, flags):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    summary, out = run(write_jsonl(tmp_path / "in.jsonl", make_rows(5)), tmp_path / "out.jsonl")
    assert len(out) == 5 and not (tmp_path / "out.jsonl.lock").exists()


def test_a_damaged_run_record_is_refused_and_the_chunks_kept(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    (tmp_path / "out.jsonl.run.json").write_text('{"status": "runn', encoding="utf-8")
    with pytest.raises(InputError, match=r"out.jsonl.run.json: cannot read it .*restore it"):
        run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert list((tmp_path / "out.jsonl.parts").glob("0*.jsonl"))


class Float16Translator(FakeTranslator):
    info = dataclasses.replace(FakeTranslator.info, device="cuda:0", compute_type="float16")


class Int8Translator(FakeTranslator):
    info = dataclasses.replace(FakeTranslator.info, compute_type="int8_float32")


def test_a_run_is_resumed_only_where_it_computes_alike(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    record = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    assert record["settings"]["compute_type"] == "auto" and record["compute_type"] == "float32"
    with pytest.raises(ConfigError, match="started computing in float32 and this run computes in float16"):
        run(source, tmp_path / "out.jsonl", Float16Translator(), chunk_size=4)
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20


def test_an_interrupted_run_resumes_with_the_compute_type_auto_stood_for(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    explicit = resolve_settings(model="x/y", beam_size=1, compute_type="float32")  # what auto computed
    summary, out = run(source, tmp_path / "out.jsonl", settings=explicit, chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20
    # a complete run is not loaded: what is asked for is compared with what it computed in
    assert run(source, tmp_path / "out.jsonl", chunk_size=4)[0].already_complete
    other = resolve_settings(model="x/y", beam_size=1, compute_type="float16")
    with pytest.raises(ConfigError, match="written with other settings .*compute_type 'float32' -> 'float16'"):
        run(source, tmp_path / "out.jsonl", settings=other, chunk_size=4)


def test_a_finished_run_computed_in_int8_is_what_int8_asks_for(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    ct2 = {"model": "x/y", "beam_size": 1, "backend": "ctranslate2"}
    run(source, tmp_path / "out.jsonl", Int8Translator(), settings=resolve_settings(**ct2))
    for asked in ("int8", "int8_float32", "auto"):
        settings = resolve_settings(**ct2, compute_type=asked)
        assert run(source, tmp_path / "out.jsonl", settings=settings)[0].already_complete
    with pytest.raises(ConfigError, match="compute_type 'auto' -> 'int16'"):
        run(source, tmp_path / "out.jsonl", settings=resolve_settings(**ct2, compute_type="int16"))


class RebuiltTranslator(FakeTranslator):
    """The fake model with other weights (a directory rebuilt in place)."""

    info = dataclasses.replace(FakeTranslator.info, version="local-other")


def test_a_run_is_resumed_and_its_cache_used_only_with_the_same_weights(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    with pytest.raises(ConfigError, match="was started with other weights of fake .*now local-other"):
        run(source, tmp_path / "out.jsonl", RebuiltTranslator(), chunk_size=4)
    cache = tmp_path / "shared.sqlite"
    run(source, tmp_path / "one.jsonl", cache=cache)
    rebuilt = RebuiltTranslator()
    summary, _ = run(source, tmp_path / "two.jsonl", rebuilt, cache=cache)
    assert summary.cache_hits == 0 and rebuilt.calls


def test_shards_computed_differently_do_not_merge(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(10))
    run(source, tmp_path / "part1.jsonl", shard=Shard(1, 2))
    run(source, tmp_path / "part2.jsonl", Float16Translator(), shard=Shard(2, 2))
    with pytest.raises(InputError, match="compute_type: 'float32' -> 'float16'"):
        merge_shards([tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"], tmp_path / "merged.jsonl")


def test_shards_that_asked_for_auto_and_for_what_it_computed_merge(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(10))
    run(source, tmp_path / "part1.jsonl", shard=Shard(1, 2))
    explicit = resolve_settings(model="x/y", beam_size=1, compute_type="float32")  # what auto computed
    run(source, tmp_path / "part2.jsonl", settings=explicit, shard=Shard(2, 2))
    merge_shards([tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"], tmp_path / "merged.jsonl")
    assert [row["row"] for row in read_rows(tmp_path / "merged.jsonl")] == list(range(10))


def test_shards_of_one_model_copied_to_two_places_merge_and_resume(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(10))
    here, there = (resolve_settings(model=str(folder), beam_size=1) for folder in (tmp_path, tmp_path / "in.jsonl"))
    run(source, tmp_path / "part1.jsonl", settings=here, shard=Shard(1, 2))
    run(source, tmp_path / "part2.jsonl", settings=there, shard=Shard(2, 2))  # the same weights (version)
    summary = merge_shards([tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"], tmp_path / "merged.jsonl")
    assert summary.rows == 10
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), settings=here, chunk_size=4)
    summary, out = run(source, tmp_path / "out.jsonl", settings=there, chunk_size=4)
    assert summary.resumed > 0 and len(out) == 10
    hub = resolve_settings(model="x/y", beam_size=1)
    with pytest.raises(Crash):
        run(source, tmp_path / "three.jsonl", CrashingTranslator(after_calls=3), settings=hub, chunk_size=4)
    with pytest.raises(ConfigError, match="model 'x/y' -> "):
        run(source, tmp_path / "three.jsonl", settings=here, chunk_size=4)


def test_a_finished_run_is_not_complete_for_another_local_model(tmp_path, tiny_marian_dir):
    import shutil

    from conftest import rebuild_in_place

    source = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    first, second = (shutil.copytree(tiny_marian_dir, tmp_path / name) for name in ("model-a", "model-b"))
    rebuild_in_place(second)

    class Loaded(FakeTranslator):
        def __init__(self, folder):
            super().__init__()
            self.info = dataclasses.replace(self.info, version=model_version(folder))

    settings = resolve_settings(model=str(first), beam_size=1)
    run(source, tmp_path / "out.jsonl", Loaded(first), settings=settings)
    assert run(source, tmp_path / "out.jsonl", settings=settings)[0].already_complete
    mistyped = resolve_settings(model=str(tmp_path / "model-c"), beam_size=1)  # missing, not other weights
    with pytest.raises(ModelUnavailableError, match="model-c'?: no such directory"):
        run(source, tmp_path / "out.jsonl", settings=mistyped)
    with pytest.raises(ConfigError, match="model_version: "):
        run(source, tmp_path / "out.jsonl", settings=resolve_settings(model=str(second), beam_size=1))


def test_a_run_fingerprinted_by_version_0_1_resumes_on_the_same_input_only(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    record_file = tmp_path / "out.jsonl.run.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record["input"] = fingerprint(Source(source), legacy=True)  # as 0.1 wrote it
    assert "sha256_ends" in record["input"]
    record_file.write_text(json.dumps(record), encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20
    with pytest.raises(Crash):
        run(source, tmp_path / "two.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    record = json.loads((tmp_path / "two.jsonl.run.json").read_text(encoding="utf-8"))
    (tmp_path / "two.jsonl.run.json").write_text(json.dumps(record | {"input": {"size": 1, "sha256_ends": "0"}}))
    with pytest.raises(ConfigError, match="other settings or input"):
        run(source, tmp_path / "two.jsonl", chunk_size=4)


def test_a_local_dataset_changed_between_runs_is_another_input(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "data.jsonl", make_rows(20))
    source = Source(dataset=str(hub))
    with pytest.raises(Crash):
        run(source, tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    write_jsonl(hub / "data.jsonl", make_rows(20, start=100))
    with pytest.raises(ConfigError, match="other settings or input .*input: "):
        run(source, tmp_path / "out.jsonl", chunk_size=4)
    legacy = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    legacy["input"] = fingerprint(source, legacy=True)  # as 0.2.0 recorded a dataset: by name
    (tmp_path / "out.jsonl.run.json").write_text(json.dumps(legacy), encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20


def test_a_local_dataset_folder_moved_elsewhere_resumes_and_its_shards_merge(tmp_path):
    here = tmp_path / "here" / "news"
    here.mkdir(parents=True)
    write_jsonl(here / "data.jsonl", make_rows(20))
    there = tmp_path / "there" / "mounted"
    shutil.copytree(here, there)
    with pytest.raises(Crash):
        run(Source(dataset=str(here)), tmp_path / "out.jsonl", CrashingTranslator(after_calls=3), chunk_size=4)
    summary, out = run(Source(dataset=str(there)), tmp_path / "out.jsonl", chunk_size=4)
    assert summary.resumed > 0 and len(out) == 20
    run(Source(dataset=str(here)), tmp_path / "part1.jsonl", shard=Shard(1, 2))
    run(Source(dataset=str(there)), tmp_path / "part2.jsonl", shard=Shard(2, 2))
    merge_shards([tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"], tmp_path / "merged.jsonl")
    assert [row["id"] for row in read_rows(tmp_path / "merged.jsonl")] == [row["id"] for row in out]


def test_an_output_or_cache_inside_a_local_dataset_folder_is_refused(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "data.jsonl", make_rows(3))
    with pytest.raises(ConfigError, match="inside the input folder"):
        run(Source(dataset=str(hub)), hub / "out.jsonl")
    with pytest.raises(ConfigError, match="give the sentence cache a file of its own"):
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", cache=hub / "cache.sqlite")


def test_a_dataset_that_cannot_be_used_is_refused_before_the_run_starts(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "data.jsonl", make_rows(3))
    with pytest.raises(InputError, match=f"dataset {hub}: cannot open the dataset \\(Bad split: test"):
        run(Source(dataset=str(hub), split="test"), tmp_path / "out.jsonl")
    with pytest.raises(InputError, match=f"dataset {hub}: no 'body' column \\(columns: id, title, text, url, n\\)"):
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", fields=Fields(text="body"))
    with pytest.raises(InputError, match="no 'heading' column for --title-field"):
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", named_fields=(("--title-field", "heading"),))
    assert list(tmp_path.iterdir()) == [hub]  # no run files


def test_a_damaged_parquet_file_of_a_dataset_folder_is_named(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    hub = tmp_path / "hub"
    hub.mkdir()
    pq.write_table(pa.Table.from_pylist(make_rows(2)), hub / "part-0.parquet")
    (hub / "part-1.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises(InputError, match=f"from row 2 on \\({hub / 'part-1.parquet'}: .*Parquet"):
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", chunk_size=1)


def test_a_dataset_file_that_cannot_be_read_stops_the_run_in_one_line(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "a.jsonl", make_rows(3))
    (hub / "b.jsonl").write_text('{"id": "x", "text": oops}\n', encoding="utf-8")
    with pytest.raises(InputError, match=f"dataset {hub}: cannot read the dataset from row 3 on \\({hub / 'b.jsonl'}: "
                                         ".*fix the file, then run again with --overwrite"):
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", chunk_size=1)
    write_jsonl(hub / "b.jsonl", make_rows(1, start=3))
    with pytest.raises(ConfigError, match="other settings or input"):  # the fixed files are another input
        run(Source(dataset=str(hub)), tmp_path / "out.jsonl", chunk_size=1)
    summary, out = run(Source(dataset=str(hub)), tmp_path / "out.jsonl", chunk_size=1, overwrite=True)
    assert len(out) == 4 and summary.failed == 0


def test_a_finished_dataset_run_is_complete_without_opening_the_dataset(tmp_path, monkeypatch):
    import translate.corpus_io

    hub = tmp_path / "hub"
    hub.mkdir()
    write_jsonl(hub / "data.jsonl", make_rows(3))
    run(Source(dataset=str(hub)), tmp_path / "out.jsonl")
    monkeypatch.setattr(translate.corpus_io, "_open_dataset", lambda source: pytest.fail("opened"))  # offline
    assert run(Source(dataset=str(hub)), tmp_path / "out.jsonl")[0].already_complete


def test_a_hub_dataset_is_fingerprinted_by_its_commit(monkeypatch):
    import huggingface_hub

    class Info:
        sha = "c0ffee"

    monkeypatch.setattr(huggingface_hub.HfApi, "dataset_info", lambda self, name, timeout: Info())
    assert fingerprint(Source(dataset="owner/news"))["revision"] == "c0ffee"
    from translate.corpus import differs

    known, unknown = fingerprint(Source(dataset="owner/news")), {"dataset": "owner/news", "config": None,
                                                                  "split": None, "revision": None}
    assert not differs("input", unknown, known) and differs("input", known, {**known, "revision": "beef"})


def test_a_page_edited_to_the_same_size_is_another_input(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, text in (("a.txt", "عنوان\n\nنص أول."), ("b.txt", "عنوان آخر\n\nنص ثان.")):
        (pages / name).write_text(text, encoding="utf-8")
    before = fingerprint(Source(pages))
    (pages / "a.txt").write_text("عنوان\n\nنص آخر.", encoding="utf-8")
    assert (pages / "a.txt").stat().st_size == len("عنوان\n\nنص أول.".encode())
    assert fingerprint(Source(pages)) != before


def test_an_unreadable_page_is_an_error_row_and_the_rest_is_translated(tmp_path, monkeypatch):
    import builtins
    import io

    pages = tmp_path / "pages"
    pages.mkdir()
    for name, first in (("a.txt", 0), ("b.txt", 2)):
        (pages / name).write_text(f"{SENTENCES[first][:-1]}\n\n{SENTENCES[first + 1]}\n", encoding="utf-8")
    locked = pages / "a.txt"

    def guarded(opener):
        def open_file(file, *args, **kwargs):
            if Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return opener(file, *args, **kwargs)
        return open_file

    monkeypatch.setattr(builtins, "open", guarded(builtins.open))  # the fingerprint's reads
    monkeypatch.setattr(io, "open", guarded(io.open))  # Path.read_bytes: the page's
    summary, out = run(Source(pages), tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["b.txt"] and summary.failed == 1
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert error["id"] == "a.txt" and "permission denied" in error["error"]


def test_an_input_that_cannot_be_read_is_refused_before_the_run(tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(2))
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != source)  # as for a user without the right
    with pytest.raises(InputError, match="in.jsonl: permission denied; check its permissions"):
        run(source, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl.run.json").exists()


def test_a_large_file_edited_in_the_middle_to_the_same_size_is_another_input(tmp_path):
    rows = [dict(row, pad="x" * 50_000) for row in make_rows(60)]  # 3 MB
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    before = fingerprint(Source(source))
    rows[30]["text"] = rows[30]["text"][::-1]
    write_jsonl(source, rows)
    assert fingerprint(Source(source))["size"] == before["size"]
    assert fingerprint(Source(source)) != before


def test_an_output_not_written_by_a_run_is_not_replaced(tmp_path):
    (tmp_path / "out.jsonl").write_text("precious\n")
    with pytest.raises(ConfigError, match="--overwrite"):
        run(write_jsonl(tmp_path / "in.jsonl", make_rows(3)), tmp_path / "out.jsonl")


def test_the_output_folder_is_created_and_a_folder_is_no_output(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    summary, out = run(source, tmp_path / "new" / "out.jsonl")
    assert summary.translated == 3 and len(out) == 3
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(ConfigError, match="is a folder; give a file name"):
        run(source, tmp_path / "folder.jsonl")


def test_a_complete_run_is_not_redone(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(5))
    run(source, tmp_path / "out.jsonl")
    again = FakeTranslator()
    summary, out = run(source, tmp_path / "out.jsonl", again)
    assert summary.already_complete and again.calls == [] and len(out) == 5


def test_shards_merge_back_to_the_unsharded_output(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(23) + [{"id": "bad", "text": 5}] + make_rows(4, 23))
    _, whole = run(source, tmp_path / "whole.jsonl", chunk_size=5)
    for k in (1, 2, 3):
        _, part = run(source, tmp_path / f"part{k}.parquet", chunk_size=5, shard=Shard(k, 3))
        assert all(r["row"] % 3 == k - 1 for r in part)
    summary = merge_shards([tmp_path / f"part{k}.parquet" for k in (3, 1, 2)], tmp_path / "merged.jsonl")
    assert list(read_jsonl(tmp_path / "merged.jsonl")) == whole
    assert list(read_jsonl(tmp_path / "merged.jsonl.errors.jsonl")) == list(read_jsonl(tmp_path / "whole.jsonl.errors.jsonl"))
    assert (summary.shards, summary.rows, summary.failed) == (3, 28, 1)
    again = merge_shards([tmp_path / f"part{k}.parquet" for k in (1, 2, 3)], tmp_path / "merged.jsonl")
    assert again.rows == 28 and list(read_jsonl(tmp_path / "merged.jsonl")) == whole  # an earlier merge is redone
    with pytest.raises(ConfigError, match=r"whole.jsonl \(or its .run.json\) exists and is not an earlier merge"):
        merge_shards([tmp_path / f"part{k}.parquet" for k in (1, 2, 3)], tmp_path / "whole.jsonl")


def test_a_merge_written_beside_its_shards_is_not_taken_for_a_shard(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(7))
    shards = tmp_path / "shards"
    for k in (1, 2, 3):
        run(source, shards / f"part{k}.jsonl", shard=Shard(k, 3))
    first = merge_shards([shards], shards / "merged.jsonl")
    again = merge_shards([shards], tmp_path / "elsewhere.jsonl")
    assert (first.shards, again.shards) == (3, 3)
    assert list(read_jsonl(tmp_path / "elsewhere.jsonl")) == list(read_jsonl(shards / "merged.jsonl"))
    run(source, tmp_path / "alone.jsonl")
    with pytest.raises(InputError, match=r"different shard counts \(1 for .*alone.jsonl, 3 for .*part"):
        merge_shards([shards, tmp_path / "alone.jsonl"], tmp_path / "mixed.jsonl")
    for part in shards.glob("part*"):
        part.unlink()
    with pytest.raises(InputError, match="no shard outputs here, only earlier merges"):
        merge_shards([shards], tmp_path / "nothing.jsonl")


def test_merge_names_missing_shards_and_rows(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(10))
    for k in (1, 2):
        run(source, tmp_path / f"part{k}.jsonl", shard=Shard(k, 2))
    with pytest.raises(InputError, match="missing shard.*2/2; give the output of every shard once .*--shard K/N"):
        merge_shards([tmp_path / "part1.jsonl"], tmp_path / "merged.jsonl")
    rows = list(read_jsonl(tmp_path / "part2.jsonl"))
    write_jsonl(tmp_path / "part2.jsonl", rows[:2] + rows[3:] + rows[:1])
    with pytest.raises(InputError, match=r"missing rows 5; rows present twice 1"):
        merge_shards([tmp_path], tmp_path / "merged.jsonl")
    assert not (tmp_path / "merged.jsonl").exists()


@pytest.mark.parametrize(
    "damage, place, reason",
    [
        (lambda text: text[: len(text) // 2], "record 3", "Unterminated string"),  # a copy cut short
        (lambda text: text.replace('"row": 2', '"rank": 2'), "record 2", "no row number"),
        (lambda text: "[1, 2]\n" + text, "record 1", "'list' object has no attribute 'get'"),
    ],
)
def test_merge_names_a_damaged_shard_and_its_record(tmp_path, damage, place, reason):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(10))
    for k in (1, 2):
        run(source, tmp_path / f"part{k}.jsonl", shard=Shard(k, 2))
    part = tmp_path / "part1.jsonl"
    part.write_text(damage(part.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=f"part1.jsonl: {place}: not a row its run wrote .*{reason}.*--overwrite"):
        merge_shards([tmp_path / "part1.jsonl", tmp_path / "part2.jsonl"], tmp_path / "merged.jsonl")
    assert not (tmp_path / "merged.jsonl").exists()


def test_a_run_whose_disk_fills_while_it_writes_the_output_resumes_to_the_same_output(tmp_path, monkeypatch):
    import errno

    from translate import corpus_write

    source = write_jsonl(tmp_path / "in.jsonl", make_rows(9) + [{"id": "bad", "text": 5}])
    _, whole = run(source, tmp_path / "whole.jsonl", chunk_size=4)
    real = corpus_write.write_rows

    def full(path, rows):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(corpus_write, "write_rows", full)
    with pytest.raises(OSError):
        run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert (tmp_path / "out.jsonl.errors.jsonl").exists() and not (tmp_path / "out.jsonl").exists()  # output last
    monkeypatch.setattr(corpus_write, "write_rows", real)
    summary, out = run(source, tmp_path / "out.jsonl", chunk_size=4)
    assert out == whole and summary.translated == 0 and summary.rows == 10


def test_a_merge_stopped_while_it_writes_is_redone_by_the_same_command(tmp_path, monkeypatch):
    import translate.corpus_merge as corpus_merge
    from translate.corpus_write import write_jsonl as write_chunk

    source = write_jsonl(tmp_path / "in.jsonl", make_rows(9) + [{"id": "bad", "text": 5}])
    shards = [tmp_path / f"part{k}.jsonl" for k in (1, 2)]
    for k, shard in enumerate(shards, 1):
        run(source, shard, shard=Shard(k, 2))
    real = corpus_merge.write_output

    def stopped(output, errors, rows, error_rows):
        write_chunk(errors, error_rows)
        raise KeyboardInterrupt  # after the error rows, before the output

    monkeypatch.setattr(corpus_merge, "write_output", stopped)
    with pytest.raises(KeyboardInterrupt):
        merge_shards(shards, tmp_path / "merged.jsonl")
    assert not (tmp_path / "merged.jsonl").exists() and not (tmp_path / "merged.jsonl.lock").exists()
    monkeypatch.setattr(corpus_merge, "write_output", real)
    summary = merge_shards(shards, tmp_path / "merged.jsonl")
    assert (summary.rows, summary.failed) == (10, 1)
    assert [r["row"] for r in read_jsonl(tmp_path / "merged.jsonl")] == list(range(9))


def test_a_merge_waits_for_no_one_while_another_writes_its_output(tmp_path):
    from translate.corpus_write import release_lock, take_lock

    source = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    shards = [tmp_path / f"part{k}.jsonl" for k in (1, 2)]
    for k, shard in enumerate(shards, 1):
        run(source, shard, shard=Shard(k, 2))
    lock_file = tmp_path / "merged.jsonl.lock"
    held = take_lock(lock_file, "busy")
    try:
        with pytest.raises(ConfigError, match="merged.jsonl is being written by another run or merge"):
            merge_shards(shards, tmp_path / "merged.jsonl")
    finally:
        release_lock(lock_file, held)
    assert merge_shards(shards, tmp_path / "merged.jsonl").rows == 4 and not lock_file.exists()


def test_standard_input_and_output_and_a_folder_are_refused_with_what_to_give(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(2))
    with pytest.raises(ConfigError, match="^-: a corpus is written to a file, which a rerun resumes"):
        run(source, Path("-"))
    with pytest.raises(ConfigError, match=f"^{tmp_path} is a folder; give a file name to write$"):
        run(source, tmp_path)
    with pytest.raises(InputError, match="^-: a corpus is read from a file or folder"):
        run(Source(Path("-")), tmp_path / "out.jsonl")


def test_bad_shard_specs_and_formats_are_config_errors(tmp_path):
    for spec in ("0/2", "3/2", "two"):
        with pytest.raises(ConfigError, match="--shard"):
            Shard.parse(spec)
    with pytest.raises(ConfigError, match=r"\.jsonl or \.parquet"):
        run(write_jsonl(tmp_path / "in.jsonl", make_rows(2)), tmp_path / "out.csv")
    (tmp_path / "in.xml").write_text("<corpus/>")
    with pytest.raises(ConfigError, match="unknown corpus format"):
        run(tmp_path / "in.xml", tmp_path / "out.jsonl")


@pytest.mark.parametrize("name, content, message", [
    ("fake.parquet", "not parquet\n", "fake.parquet: not a readable Parquet file"),
    ("notext.csv", "id,body\n1,نص\n", "notext.csv: no 'text' column (columns: id, body); name the text column"),
    ("empty.csv", "", "empty.csv: empty file; give a header row"),
    ("empty.jsonl", "", "empty.jsonl: empty file; give one JSON object per line"),
    ("blank.jsonl", "\n \n\r\n", "blank.jsonl: empty file"),
    ("emptydir", None, "emptydir: no .txt files in this folder"),
    ("blank-header.csv", "\nid,text\n1,نص\n", "the first line, the header row, is blank"),
    ("notext.tsv", "id\tbody\n1\tنص\n", "notext.tsv: no 'text' column (columns: id, body)"),
    ("bom.csv", "\ufeffid,body\n1,نص\n", "no 'text' column (columns: id, body)"),
    ("twice.csv", "id,text,text\n1,نص,نص\n", "twice.csv: the header names column(s) 'text' twice; rename one"),
    ("pretty.jsonl", '{\n  "id": "a",\n  "text": "نص"\n}\n', "pretty.jsonl: none of its first 5 lines is a JSON object"),
    ("noise.jsonl", "\x00\x01binary\nmore\n", "noise.jsonl: none of its first 5 lines is a JSON object"),
    ("mac.jsonl", '{"id": "a", "text": "نص"}\r{"id": "b", "text": "نص"}\r', "mac.jsonl: its lines end with a lone CR"),
])
def test_unusable_inputs_are_refused_before_any_row(tmp_path, name, content, message):
    source = tmp_path / name
    if content is None:
        (source / "sub").mkdir(parents=True)
    else:
        source.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run(source, tmp_path / "out.jsonl")
    assert message in str(caught.value)
    assert not (tmp_path / "out.jsonl.run.json").exists()


def test_options_that_cannot_apply_to_the_input_are_refused(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(2))
    with pytest.raises(ConfigError, match="--split 'test': .* has no splits"):
        run(Source(source, split="test"), tmp_path / "out.jsonl")
    with pytest.raises(ConfigError, match="--dataset-config 'ar' is for --dataset NAME"):
        run(Source(source, config="ar"), tmp_path / "out.jsonl")
    with pytest.raises(ConfigError, match="--encoding 'klingon': not a known text encoding"):
        run(Source(source, encoding="klingon"), tmp_path / "out.jsonl")
    with pytest.raises(ConfigError, match="--encoding utf-16 cannot be read line by line"):
        run(Source(source, encoding="utf-16"), tmp_path / "out.jsonl")
    run(source, tmp_path / "in.parquet")
    with pytest.raises(ConfigError, match="--encoding is for text inputs"):
        run(Source(tmp_path / "in.parquet", encoding="cp1256"), tmp_path / "out.jsonl")
    (tmp_path / "in.csv").write_text("id,text\n1,نص\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no 'url' column for --keep-fields \(columns: id, text\); check the name"):
        run(tmp_path / "in.csv", tmp_path / "out.jsonl", fields=Fields(keep=("url",)))
    for option, field in [("--title-field", "heading"), ("--id-field", "ident")]:
        with pytest.raises(InputError, match=f"no '{field}' column for {option} \\(columns: id, text\\)"):
            run(tmp_path / "in.csv", tmp_path / "out.jsonl", named_fields=((option, field),))
        with pytest.raises(InputError, match=f"no '{field}' column for {option}"):
            run(tmp_path / "in.parquet", tmp_path / "out.jsonl", named_fields=((option, field),))
    assert not (tmp_path / "out.jsonl.run.json").exists()


def test_another_split_of_a_saved_dataset_dict_is_another_input(tmp_path):
    from datasets import Dataset, DatasetDict

    DatasetDict({"train": Dataset.from_list(make_rows(3)), "test": Dataset.from_list(make_rows(2, 10))}).save_to_disk(
        str(tmp_path / "saved"))
    summary, out = run(Source(tmp_path / "saved"), tmp_path / "out.jsonl")  # train, by default
    assert summary.rows == 3
    assert run(Source(tmp_path / "saved", split="train"), tmp_path / "out.jsonl")[0].already_complete
    with pytest.raises(ConfigError, match="input"):
        run(Source(tmp_path / "saved", split="test"), tmp_path / "out.jsonl")
    Dataset.from_list(make_rows(2)).save_to_disk(str(tmp_path / "single"))
    with pytest.raises(ConfigError, match="has no splits"):
        run(Source(tmp_path / "single", split="test"), tmp_path / "single.jsonl")
    with pytest.raises(InputError, match="choose a split with --split: train, test"):
        run(Source(tmp_path / "saved", split="dev"), tmp_path / "dev.jsonl")
    with pytest.raises(InputError, match="no 'body' column"):
        run(Source(tmp_path / "saved"), tmp_path / "body.jsonl", fields=Fields(text="body"))
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(("dev.", "body.", "single."))]


def test_a_utf16_csv_is_refused_with_the_fix(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,نص\n", encoding="utf-16")
    with pytest.raises(InputError, match="in.csv: UTF-16 text; give --encoding utf-16, or save it as UTF-8"):
        run(source, tmp_path / "out.jsonl")


def test_a_parquet_input_without_the_text_column_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a"], "body": ["نص"]}), tmp_path / "in.parquet")
    with pytest.raises(InputError, match=r"no 'text' column \(columns: id, body\)"):
        run(tmp_path / "in.parquet", tmp_path / "out.jsonl")
    summary, out = run(tmp_path / "in.parquet", tmp_path / "out.jsonl", fields=Fields(text="body"))
    assert summary.translated == 1 and out[0]["text"] == en("نص")


# ---- the commands, through typer's CliRunner, with the fake translator -----------------------


@pytest.fixture
def cli(monkeypatch):
    import translate.backends
    from translate.cli import app

    monkeypatch.setattr(translate.backends, "load_translator", lambda settings, **options: FakeTranslator())
    return lambda *args: CliRunner().invoke(app, [str(a) for a in args])


def test_corpus_command_exits_5_when_rows_failed_and_summarises(cli, tmp_path):
    result = cli("corpus", FIXTURES / "corpus_malformed.jsonl", "-o", tmp_path / "out.jsonl", "-m", "x/y")
    assert result.exit_code == 5, result.output
    assert "done: 11 rows" in result.output and "failed 7" in result.output
    result = cli("corpus", FIXTURES / "corpus_malformed.jsonl", "-o", tmp_path / "out.jsonl", "-m", "x/y")
    assert result.exit_code == 5 and "already complete" in result.output


@pytest.mark.parametrize(("flags", "committed", "message"), [
    ((), False, "interrupted; the chunks committed so far are kept: rerun the same command to resume"),
    (("--overwrite",), False,
     "interrupted before the first chunk; {out} is as it was: rerun the same command to start again"),
    (("--overwrite",), True,
     "interrupted; the chunks committed so far are kept: rerun the same command without --overwrite to resume"),
])
def test_an_interrupted_corpus_says_how_to_resume(cli, tmp_path, monkeypatch, flags, committed, message):
    import translate.corpus

    def interrupted(run, *args, **kwargs):
        run.record_pending = run.record_pending and not committed
        raise KeyboardInterrupt

    monkeypatch.setattr(translate.corpus, "translate_corpus", interrupted)
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    result = cli("corpus", source, "-o", tmp_path / "out.jsonl", "-m", "x/y", "-q", *flags)
    assert result.exit_code == 130
    assert result.output == f"error: {message.format(out=tmp_path / 'out.jsonl')}\n"


def test_corpus_command_refuses_changed_settings_in_one_line(cli, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    assert cli("corpus", source, "-o", tmp_path / "out.jsonl", "-m", "x/y", "-q").exit_code == 0
    (tmp_path / "out.jsonl").unlink()  # as if the first run were interrupted: its record stays
    result = cli("corpus", source, "-o", tmp_path / "out.jsonl", "-m", "x/y", "--beam", "2")
    assert result.exit_code == 0  # a complete record whose output is gone starts afresh
    result = cli("corpus", source, "-o", tmp_path / "out.jsonl", "-m", "x/y", "--beam", "3")
    assert result.exit_code == 2 and result.output.startswith("error: ") and "--overwrite" in result.output


def test_corpus_command_warns_where_the_output_cannot_be_locked(cli, tmp_path, monkeypatch):
    import errno
    import fcntl

    def no_locks(file, flags):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    result = cli("corpus", source, "-o", tmp_path / "out.jsonl", "-m", "x/y")
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "cannot lock files; start no other run on" in result.stderr


def test_corpus_merge_command(cli, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(9))
    for k in (1, 2):
        assert cli("corpus", source, "-o", tmp_path / f"p{k}.jsonl", "--shard", f"{k}/2", "-m", "x/y").exit_code == 0
    result = cli("corpus-merge", tmp_path / "p1.jsonl", tmp_path / "p2.jsonl", "-o", tmp_path / "all.parquet")
    assert result.exit_code == 0 and "merged 2 shards: 9 rows" in result.output
    assert [r["row"] for r in read_rows(tmp_path / "all.parquet")] == list(range(9))
    assert cli("corpus", "--dataset", "x", source, "-o", tmp_path / "o.jsonl").exit_code == 2


# ---- the tiny real model ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tiny_marian_dir):
    """The tiny model with short outputs (a random-weight model otherwise runs to the length limit)."""
    from translate.backends import load_translator

    settings = resolve_settings(model=str(tiny_marian_dir), beam_size=1, device="cpu",
                                max_length_ratio=0.5, max_length_offset=2)
    return settings, load_translator(settings)


def test_tiny_model_reads_every_format_alike_and_writes_jsonl_and_parquet(tiny, tmp_path):
    settings, translator = tiny
    rows = make_rows(12)
    inputs = _inputs(tmp_path, rows)
    folder = tmp_path / "txt"
    folder.mkdir()
    for row in rows:
        (folder / f"{row['id']}.txt").write_text(row["text"], encoding="utf-8")
    _, reference = run(inputs.pop("jsonl"), tmp_path / "out.jsonl", translator, settings, chunk_size=5)
    assert len(reference) == 12 and all(r["text"] for r in reference)
    cache = tmp_path / "cache.sqlite"  # each distinct sentence goes through the model once below
    _, as_parquet = run(Source(tmp_path / "in.jsonl"), tmp_path / "out.parquet", translator, settings,
                        chunk_size=5, cache=cache)
    assert as_parquet == reference
    for name, source in inputs.items():
        assert run(source, tmp_path / f"{name}.jsonl", translator, settings, chunk_size=5, cache=cache)[1] == reference
    _, from_txt = run(Source(folder), tmp_path / "txt.jsonl", translator, settings, cache=cache)
    assert sorted(r["id"] for r in from_txt) == sorted(f"{r['id']}.txt" for r in rows)
    assert all(r["text"] for r in from_txt)


def test_malformed_csv_rows_are_error_rows(tmp_path):
    source = tmp_path / "in.csv"
    good = f"{SENTENCES[0]} {SENTENCES[1]}"
    source.write_bytes(
        f'id,text\nc0,"{good}"\nc1,{SENTENCES[2]},extra\nc2,\nc3,"{SENTENCES[3]}"\n'.encode()
        + b"c4,\xff\xfe\n" + f"c5,{SENTENCES[4]}\n".encode()
    )
    summary, out = run(Source(source), tmp_path / "out.jsonl")
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["error"]) for e in errors] == [
        (1, "3 fields where the header has 2"), (2, "empty 'text'"), (4, "not UTF-8; give the file's encoding with --encoding (e.g. cp1256)")]
    assert [e["line"] for e in errors] == [3, 4, 6]
    assert [r["id"] for r in out] == ["c0", "c3", "c5"]


def test_a_csv_quote_never_closed_is_an_error_row_and_the_rows_after_it_are_read(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(f'id,text\nc0,{SENTENCES[0]}\nc1,"{SENTENCES[1]}"x\nc2,"{SENTENCES[2]}\n'
                      f"c3,{SENTENCES[3]}\nc4,{SENTENCES[4]}\n", encoding="utf-8")
    summary, out = run(Source(source), tmp_path / "out.jsonl")
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["line"], e["error"].split(":")[0]) for e in errors] == [
        (1, 3, "not valid CSV (',' expected after '\"'); a quote inside a quoted field is written twice (\"\")"),
        (2, 4, "a quoted field opened on line 4 does not close where CSV allows"),
    ]
    assert [(r["row"], r["id"]) for r in out] == [(0, "c0"), (3, "c3"), (4, "c4")] and summary.failed == 2


def test_a_bad_csv_record_costs_only_its_own_lines_and_a_long_field_is_read(tmp_path):
    source = tmp_path / "in.csv"
    long_text = "\n".join([SENTENCES[0]] * 5000)  # 170,000 characters in one quoted field
    source.write_text(f'id,text\nc0,"قال "نعم" ثم\nغادر المكان."\nc1,"{long_text}"\nc2,"{SENTENCES[2]}\n'
                      f'{SENTENCES[3]}"\nc3,"{SENTENCES[1]}"بعد,\nc4,"{SENTENCES[4]}"\n', encoding="utf-8")
    summary, out = run(Source(source), tmp_path / "out.jsonl", fields=Fields(title=None))
    errors = list(read_jsonl(tmp_path / "out.jsonl.errors.jsonl"))
    assert [(e["row"], e["line"]) for e in errors] == [(0, 2), (1, 3), (4, 5006)]  # the quote not doubled costs
    assert "a quote inside a quoted field is written twice" in errors[0]["error"]  # its line and the next one
    assert [(r["row"], r["id"]) for r in out] == [(2, "c1"), (3, "c2"), (5, "c4")]
    assert summary.rows == 6


def test_a_csv_field_over_the_limit_is_one_error_row(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_io, "MAX_RECORD_CHARS", 1000)
    source = tmp_path / "in.csv"
    blob = "\n".join([SENTENCES[0]] * 40)
    source.write_text(f'id,text\nc0,{SENTENCES[0]}\nc1,"{blob}"\nc2,{SENTENCES[2]}\n', encoding="utf-8")
    summary, out = run(Source(source), tmp_path / "out.jsonl", fields=Fields(title=None))
    (error,) = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert (error["row"], error["line"]) == (1, 3) and "a field longer than 1,000 characters" in error["error"]
    assert [(r["row"], r["id"]) for r in out] == [(0, "c0"), (2, "c2")]
    rows = "".join(f"c{i},{SENTENCES[i % 5]}\n" for i in range(2, 40))  # after a quote never closed: read again
    source.write_text(f'id,text\nc0,{SENTENCES[0]}\nc1,"{SENTENCES[1]}\n{rows}', encoding="utf-8")
    summary, out = run(Source(source), tmp_path / "again.jsonl", fields=Fields(title=None))
    (error,) = read_jsonl(tmp_path / "again.jsonl.errors.jsonl")
    assert (error["row"], error["line"]) == (1, 3) and "does not close where CSV allows" in error["error"]
    assert [r["id"] for r in out] == ["c0", *(f"c{i}" for i in range(2, 40))]


def test_a_carriage_return_inside_a_tsv_field_is_text(tmp_path):
    source = tmp_path / "in.tsv"
    source.write_bytes(f"id\ttext\nt0\t{SENTENCES[0]}\r{SENTENCES[1]}\r\nt1\t{SENTENCES[2]}\n".encode())
    summary, out = run(Source(source), tmp_path / "out.jsonl", fields=Fields(title=None))
    assert [(r["row"], r["id"]) for r in out] == [(0, "t0"), (1, "t1")] and summary.failed == 0
    assert out[0]["text"].count("EN<") == 2
    source.write_bytes(f"id\ttext\nt0\t{SENTENCES[0]}\n\t\nt2\t{SENTENCES[2]}\n".encode())  # a row of tabs
    summary, out = run(Source(source), tmp_path / "tabs.jsonl", fields=Fields(title=None))
    assert [r["row"] for r in out] == [0, 2] and summary.failed == 1


def test_shards_read_from_different_paths_merge(tmp_path):
    """Machines of a cluster may mount the corpus at different paths: the content is what counts."""
    rows = make_rows(7)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    run(write_jsonl(tmp_path / "a" / "in.jsonl", rows), tmp_path / "p1.jsonl", shard=Shard(1, 2))
    run(write_jsonl(tmp_path / "b" / "in.jsonl", rows), tmp_path / "p2.jsonl", shard=Shard(2, 2))
    merge_shards([tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"], tmp_path / "all.jsonl")
    assert [r["id"] for r in read_jsonl(tmp_path / "all.jsonl")] == [r["id"] for r in rows]
    rows[3]["text"] += " " + SENTENCES[9]
    run(write_jsonl(tmp_path / "b" / "in.jsonl", rows), tmp_path / "p2.jsonl", shard=Shard(2, 2), overwrite=True)
    with pytest.raises(InputError, match=r"differ \(input: "):
        merge_shards([tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"], tmp_path / "all.jsonl")


def test_warnings_are_shown_once_each_then_capped(monkeypatch):
    common = importlib.import_module("translate.cli.common")
    shown = []
    monkeypatch.setattr(common, "warn", shown.append)
    show = common.limited_warnings(quiet=False)
    for number in [1, 1, 2, 1, *range(3, 40)]:
        show(f"warning {number}")
    assert shown[:3] == ["warning 1", "warning 2", "warning 3"]
    assert len(shown) == common.MAX_WARNINGS + 1 and shown[-1].startswith("more than")
    shown.clear()
    quiet = common.limited_warnings(quiet=True)
    quiet("warning 1")
    assert shown == []
    per_model = common.limited_warnings(quiet=False, subject=lambda message: message.split(": ", 1)[0])
    for model in ("a", "b"):
        for number in range(30):
            per_model(f"{model}: warning {number}")
    assert len(shown) == 2 * (common.MAX_WARNINGS + 1)
    assert shown[common.MAX_WARNINGS] == "a: more than 20 warnings; the rest are not shown"
    assert shown[common.MAX_WARNINGS + 1] == "b: warning 0"


def test_tsv_fields_are_not_quoted(tmp_path):
    source = tmp_path / "in.tsv"
    source.write_text('id\ttext\n1\t"قال" الوزير\n2\t"بداية بلا نهاية\n3\tنص أخير\n', encoding="utf-8")
    summary, out = run(source, tmp_path / "out.jsonl", fields=Fields(title=None))
    assert summary.translated == 3 and [r["id"] for r in out] == ["1", "2", "3"]
    assert out[0]["text"] == en('"قال" الوزير')


def test_a_windows_1256_corpus_is_read_with_its_encoding(tmp_path):
    rows = [{"id": f"w{i}", "text": f"قال الوزير إن الاقتصاد سينمو بنسبة {i} في المئة."} for i in range(3)]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("cp1256"))
    csv_file = tmp_path / "in.csv"
    csv_file.write_bytes(("id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)).encode("cp1256"))
    with pytest.raises(InputError, match="none of its first 3 rows can be read as UTF-8; give the file's encoding "
                       r"with --encoding \(e.g. cp1256\)"):  # refused before the model loads, not 3 failed rows
        run(jsonl, tmp_path / "plain.jsonl")
    assert not (tmp_path / "plain.jsonl.run.json").exists()
    mixed = tmp_path / "mixed.jsonl"  # one row in another encoding among UTF-8 rows: that row fails
    mixed.write_bytes(jsonl.read_bytes().split(b"\n")[0] + b"\n" + write_jsonl(tmp_path / "u.jsonl", rows).read_bytes())
    summary, _ = run(mixed, tmp_path / "plain.jsonl")
    errors = list(read_jsonl(tmp_path / "plain.jsonl.errors.jsonl"))
    assert summary.failed == 1 and "give the file's encoding with --encoding (e.g. cp1256)" in errors[0]["error"]
    summary, out = run(Source(jsonl, encoding="cp1256"), tmp_path / "json.jsonl")
    assert summary.failed == 0 and [r["id"] for r in out] == [r["id"] for r in rows]
    summary, out = run(Source(csv_file, encoding="cp1256"), tmp_path / "csv.jsonl", fields=Fields(title=None))
    assert summary.failed == 0 and out[0]["text"] == en(rows[0]["text"])
    with pytest.raises(InputError, match="can be read as utf-8"):  # the same bytes read otherwise
        run(Source(jsonl, encoding="utf-8"), tmp_path / "json.jsonl")


def test_a_json_lines_text_field_no_record_has_is_refused_before_the_run(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", make_rows(3))
    with pytest.raises(InputError, match=r"in.jsonl: none of its first 3 records has a 'body' field \(fields: id, "
                       r"title, text, .*\); name the text field with --text-field"):
        run(source, tmp_path / "out.jsonl", fields=Fields(text="body"))
    assert not (tmp_path / "out.jsonl.run.json").exists()


def test_a_csv_header_in_windows_1256_asks_for_its_encoding(tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_bytes("المعرف,النص\nw1,قال الوزير إن الاقتصاد سينمو.\n".encode("cp1256"))
    with pytest.raises(InputError, match="in.csv: the header row is not UTF-8; give the file's encoding with --encoding"):
        run(csv_file, tmp_path / "out.jsonl", fields=Fields(text="النص", id="المعرف", title=None))
    summary, out = run(Source(csv_file, encoding="cp1256"), tmp_path / "out.jsonl",
                       fields=Fields(text="النص", id="المعرف", title=None))
    assert summary.failed == 0 and [r["id"] for r in out] == ["w1"]


def test_encodings_are_read_as_their_canonical_codec(tmp_path):
    rows = make_rows(2)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode())
    summary, _ = run(Source(bom, encoding="UTF8"), tmp_path / "out.jsonl")
    assert summary.failed == 0  # the byte order mark is skipped with an explicit UTF-8 too
    assert run(Source(bom, encoding="utf-8"), tmp_path / "out.jsonl")[0].already_complete  # one codec, two names
    assert run(bom, tmp_path / "out.jsonl")[0].already_complete  # and the default reads UTF-8 too
    csv_file = tmp_path / "bom.csv"
    csv_file.write_bytes("\ufeffid,text\nq1,نص\n".encode())
    _, out = run(Source(csv_file, encoding="utf-8"), tmp_path / "csv.jsonl", fields=Fields(title=None))
    assert out[0]["id"] == "q1"
    with pytest.raises(ConfigError, match="'rot13': not a known text encoding"):
        run(Source(bom, encoding="rot13"), tmp_path / "rot.jsonl")
    wide = tmp_path / "wide.jsonl"
    wide.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-16")
    with pytest.raises(InputError, match="UTF-16 or UTF-32 text; convert it to UTF-8"):
        run(wide, tmp_path / "wide-out.jsonl")
    broken = tmp_path / "broken.csv"
    broken.write_bytes("id,text\n1,نص\n".encode("utf-16") + b"\x00")  # a truncated last character
    with pytest.raises(InputError, match="not utf-16 text .*check --encoding"):
        run(Source(broken, encoding="utf-16"), tmp_path / "broken.jsonl", fields=Fields(title=None))
