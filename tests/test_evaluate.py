"""`translate evaluate`: scores equal sacreBLEU's own, documents, bootstrap, reports, errors,
translate-and-score with tiny local models.

Fixtures: the first 200 lines of FLORES-200 dev (CC BY-SA 4.0), ``flores_dev_200.{ar,en}``, and
``flores_dev_200.docs``: the source article of each line, from ``metadata_dev.tsv``'s URLs.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER
from typer.testing import CliRunner

from conftest import rebuild_in_place
from translate.cli import app
from translate.evaluate import Statistics, evaluate, paired_bootstrap
from translate.evaluate_inputs import Fields, group_by_doc, read_texts

FIXTURES = Path(__file__).parent / "fixtures"
REF = FIXTURES / "flores_dev_200.en"
SRC = FIXTURES / "flores_dev_200.ar"
DOCS = FIXTURES / "flores_dev_200.docs"
REFS = REF.read_text(encoding="utf-8").splitlines()
DOC_IDS = DOCS.read_text(encoding="utf-8").splitlines()

runner = CliRunner()


def perturb(lines: list[str], seed: int, drop: float = 0.15) -> list[str]:
    """Drop words, swap neighbours and lowercase now and then: a plausible imperfect system."""
    rng = random.Random(seed)
    out = []
    for line in lines:
        words = [w for w in line.split() if rng.random() > drop]
        if len(words) > 3 and rng.random() < 0.3:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        text = " ".join(words)
        out.append(text.lower() if rng.random() < 0.1 else text)
    return out


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def joined(lines: list[str]) -> list[str]:
    return [" ".join(g) for g in group_by_doc(lines, DOC_IDS).values()]


def invoke(*args: object):
    return runner.invoke(app, ["evaluate", *(str(a) for a in args)])


def one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def hyps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("hyps")
    return write(tmp / "a.en", perturb(REFS, 1)), write(tmp / "b.en", perturb(REFS, 2, drop=0.3))


# --- numbers equal sacreBLEU's --------------------------------------------------------------


def test_json_scores_equal_sacrebleu_with_signatures(hyps):
    result = invoke("--reference", REF, "--hypothesis", hyps[0], "--format", "json", "--bootstrap", 0)
    assert result.exit_code == 0, result.stderr
    (system,) = json.loads(result.stdout)["systems"]
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    for key, metric in (("bleu", BLEU()), ("chrf", CHRF(word_order=2)), ("ter", TER())):
        expected = metric.corpus_score(hyp, [REFS])
        assert system["scores"][key]["score"] == pytest.approx(expected.score, abs=1e-9)
        assert system["scores"][key]["signature"] == str(metric.get_signature())
    assert "nw:2" in system["scores"]["chrf"]["signature"]  # chrF++
    assert system["name"] == "a.en" and system["level"] == "sentence"
    assert len(system["segments"]) == len(REFS) and system["documents"] == []


def test_segment_scores_equal_sentence_scores(hyps):
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    system = evaluate(REF, [hyps[0]], bootstrap=0).systems[0]
    for i in (0, 17, 199):
        row = system.segments[i]
        assert row["id"] == str(i + 1) and row["words"] == len(REFS[i].split())
        assert row["bleu"] == pytest.approx(sacrebleu.sentence_bleu(hyp[i], [REFS[i]]).score)
        assert row["chrf"] == pytest.approx(sacrebleu.sentence_chrf(hyp[i], [REFS[i]], word_order=2).score)
        assert row["ter"] == pytest.approx(sacrebleu.sentence_ter(hyp[i], [REFS[i]]).score)
    assert sum(b["segments"] for b in system.buckets) == len(REFS)


def test_jsonl_matched_by_id_equals_text(tmp_path, hyps):
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    ref_jsonl = tmp_path / "ref.jsonl"
    ref_jsonl.write_text("".join(json.dumps({"id": f"s{i}", "text": t}) + "\n" for i, t in enumerate(REFS)))
    records = [{"id": f"s{i}", "translation": t, "extra": 1} for i, t in enumerate(hyp)]
    random.Random(0).shuffle(records)
    hyp_jsonl = tmp_path / "out.jsonl"
    hyp_jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    by_id = evaluate(ref_jsonl, [hyp_jsonl], bootstrap=0).systems[0]
    by_line = evaluate(REF, [hyps[0]], bootstrap=0).systems[0]
    assert {k: s.score for k, s in by_id.scores.items()} == {k: s.score for k, s in by_line.scores.items()}
    assert by_id.segments[3]["id"] == "s3"


def test_ids_that_are_json_numbers_pair_with_the_corpus_output_text_ids(tmp_path, hyps):
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    ref_jsonl = tmp_path / "ref.jsonl"
    ref_jsonl.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(REFS)))
    out = tmp_path / "out.jsonl"  # as translate corpus writes ids
    out.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in reversed(list(enumerate(hyp)))))
    by_id = evaluate(ref_jsonl, [out], bootstrap=0).systems[0]
    by_line = evaluate(REF, [hyps[0]], bootstrap=0).systems[0]
    assert {k: s.score for k, s in by_id.scores.items()} == {k: s.score for k, s in by_line.scores.items()}


# --- several systems, bootstrap -----------------------------------------------------------------


def test_two_systems_table_with_confidence_intervals_and_p_value(hyps):
    result = invoke("-r", REF, "-H", hyps[0], "-H", hyps[1], "--bootstrap", 200)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "BLEU (μ ± 95% CI)" in lines[1] and "chrF++ (μ ± 95% CI)" in lines[1]
    first, second = (next(line for line in lines if line.startswith(n)) for n in ("a.en", "b.en"))
    assert "±" in first and "p=" not in first
    assert first.count("±") == 3 and second.count("p=") == 3
    assert "seed 12345" in result.stdout and "bs:200|seed:12345" in result.stdout


def test_paired_bootstrap_is_sacrebleus_and_deterministic(hyps):
    systems = [(p.name, p.read_text(encoding="utf-8").splitlines()) for p in hyps]
    extracted = [(name, Statistics(lines, REFS)) for name, lines in systems]
    first, signatures = paired_bootstrap(extracted, samples=100, seed=7)
    again, _ = paired_bootstrap(extracted, samples=100, seed=7)
    other, _ = paired_bootstrap(extracted, samples=100, seed=8)
    assert [[vars(r) for r in s.values()] for s in first] == [[vars(r) for r in s.values()] for s in again]
    assert first[1]["bleu"].mean != other[1]["bleu"].mean
    assert first[0]["bleu"].p_value is None and 0 < first[1]["bleu"].p_value <= 1
    assert "seed:7" in signatures["chrf"] and "bs:100" in signatures["chrf"]
    assert "SACREBLEU_SEED" not in os.environ or os.environ["SACREBLEU_SEED"] != "7"
    # the same as sacreBLEU's own PairedTest run with its seed variable
    from sacrebleu.significance import PairedTest

    os.environ["SACREBLEU_SEED"] = "7"
    try:
        _, table = PairedTest(systems, {"bleu": BLEU(), "ter": TER()}, [REFS], test_type="bs", n_samples=100)()
    finally:
        del os.environ["SACREBLEU_SEED"]
    assert [vars(r) for r in table["BLEU"]] == [vars(s["bleu"]) for s in first]
    assert [vars(r) for r in table["TER"]] == [vars(s["ter"]) for s in first]


def test_evaluation_carries_bootstrap_into_scores(hyps):
    result = evaluate(REF, list(hyps), bootstrap=50, seed=3)
    a, b = result.systems
    assert result.comparison["baseline"] == "a.en" and result.comparison["level"] == "sentence"
    assert a.scores["bleu"].p_value is None and a.scores["bleu"].ci > 0
    assert 0 < b.scores["chrf"].p_value < 0.05
    json.dumps(result.to_dict())  # plain, serialisable values


def test_a_copy_of_the_baseline_is_not_significantly_different(hyps, tmp_path):
    copy = tmp_path / "copy.en"
    copy.write_bytes(hyps[0].read_bytes())
    result = evaluate(REF, [hyps[0], copy], bootstrap=50, seed=3)
    assert {score.p_value for score in result.systems[1].scores.values() if score.p_value is not None} == {1.0}


# --- documents ---------------------------------------------------------------------------------


def test_documents_reported_with_sentence_aligned_hypothesis(hyps):
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    system = evaluate(REF, [hyps[0]], docs=DOCS, bootstrap=0).systems[0]
    assert system.level == "sentence"
    assert len(system.documents) == len(set(DOC_IDS)) == 64
    chrf = CHRF(word_order=2).corpus_score(joined(hyp), [joined(REFS)]).score
    assert system.document_scores["chrf"].score == pytest.approx(chrf)
    first = system.documents[0]
    assert first["id"] == DOC_IDS[0] and first["lines"] == 2
    assert first["chrf"] == pytest.approx(sacrebleu.sentence_chrf(joined(hyp)[0], [joined(REFS)[0]], word_order=2).score)
    assert system.segments[0]["doc"] == DOC_IDS[0]


def test_one_line_per_document_is_scored_at_document_level(tmp_path, hyps):
    hyp = joined(hyps[0].read_text(encoding="utf-8").splitlines())
    path = write(tmp_path / "articles.en", hyp)
    result = invoke("-r", REF, "--docs", DOCS, "-H", path, "--format", "json", "--bootstrap", 0)
    assert result.exit_code == 0, result.stderr
    system = json.loads(result.stdout)["systems"][0]
    assert system["level"] == "document" and system["segments"] == []
    assert system["scores"]["bleu"]["score"] == pytest.approx(BLEU().corpus_score(hyp, [joined(REFS)]).score)
    assert "scored at document level" in result.stderr and "one hypothesis line per document" in result.stderr


def test_resplit_documents_in_jsonl_are_scored_at_document_level(tmp_path, hyps):
    """The pipeline's own sentence splits: records with a document field, fewer lines per document."""
    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    records = []
    for doc, lines in group_by_doc(hyp, DOC_IDS).items():
        merged = [" ".join(lines[:2]), *lines[2:]]  # the first two sentences as one
        records += [{"id": f"{doc}#{i}", "doc": doc, "translation": t} for i, t in enumerate(merged)]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    sentence_aligned = evaluate(REF, [hyps[0]], docs=DOCS, bootstrap=0).systems[0]
    system = evaluate(REF, [path], docs=DOCS, fields=Fields(doc="doc"), bootstrap=0).systems[0]
    assert system.level == "document"
    assert any("64 of 64 documents have a different number" in w for w in system.warnings)
    for key in ("bleu", "chrf", "ter"):  # the joined text is the same, so are the scores
        assert system.scores[key].score == pytest.approx(sentence_aligned.document_scores[key].score)


def test_mixed_levels_compared_at_document_level(tmp_path, hyps):
    articles = write(tmp_path / "articles.en", joined(hyps[1].read_text(encoding="utf-8").splitlines()))
    result = evaluate(REF, [hyps[0], articles], docs=DOCS, bootstrap=50)
    assert [s.level for s in result.systems] == ["sentence", "document"]
    assert result.comparison["level"] == "document"
    assert result.systems[0].document_scores["bleu"].ci is not None
    assert result.systems[1].scores["bleu"].p_value is not None


def test_forced_sentence_level_refuses_document_hypothesis(tmp_path, hyps):
    articles = write(tmp_path / "articles.en", joined(hyps[0].read_text(encoding="utf-8").splitlines()))
    message = one_line_error(invoke("-r", REF, "--docs", DOCS, "-H", articles, "--level", "sentence"))
    assert "articles.en" in message and "one hypothesis line per document" in message


# --- reports ------------------------------------------------------------------------------------


def test_html_report_is_self_contained_with_a_plot(tmp_path, hyps):
    report = tmp_path / "x.html"
    result = invoke("-r", REF, "--docs", DOCS, "-H", hyps[0], "-H", hyps[1], "--bootstrap", 20, "--report", report)
    assert result.exit_code == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") == 2 and "<table>" in text
    assert "chrF++ per document" in text and "p=" in text
    assert "x.html" not in result.stdout and "report:" in result.stderr


def test_markdown_report_links_png_files(tmp_path, hyps):
    report = tmp_path / "x.md"
    result = invoke("-r", REF, "-H", hyps[0], "--bootstrap", 0, "--report", report)
    assert result.exit_code == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert "![chrF++ by reference length](x.length.png)" in text
    assert (tmp_path / "x.length.png").read_bytes()[:4] == b"\x89PNG"


def test_output_that_is_an_input_is_refused(tmp_path, hyps):
    ref = write(tmp_path / "ref.en", REFS)
    (tmp_path / "link.en").symlink_to(ref)
    for output in (ref, tmp_path / "link.en"):
        message = one_line_error(invoke("-r", ref, "-H", hyps[0], "-o", output))
        assert f"{output} is the input {ref}; write to another file" in message
    hyp = write(tmp_path / "hyp.md", REFS)
    message = one_line_error(invoke("-r", ref, "-H", hyp, "--report", hyp))
    assert f"{hyp} is the input {hyp}; write to another file" in message
    assert ref.read_text(encoding="utf-8").splitlines() == REFS == hyp.read_text(encoding="utf-8").splitlines()


def test_report_needs_md_or_html(tmp_path, hyps):
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "--report", tmp_path / "x.pdf"))
    assert "x.pdf" in message


# --- bad input --------------------------------------------------------------------------------


def test_different_line_counts(tmp_path):
    short = write(tmp_path / "short.en", REFS[:150])
    message = one_line_error(invoke("-r", REF, "-H", short))
    assert "short.en has 150 lines" in message and f"{REF} has 200" in message
    assert message.endswith("; give one hypothesis a reference line, or ids to match them by")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.en"
    empty.write_text("")
    assert "empty.en: empty file" in one_line_error(invoke("-r", REF, "-H", empty))
    assert "empty.en: empty file; give one segment a line" in one_line_error(invoke("-r", empty, "-H", REF))


def test_a_file_not_in_utf8_is_refused_at_its_line(tmp_path):
    legacy = tmp_path / "hyp.en"
    legacy.write_bytes("first line\nsecond line\n".encode() + "نص".encode("cp1256") + b"\n")
    message = one_line_error(invoke("-r", legacy, "-H", legacy))
    assert message.endswith(f"{legacy}: line 3: not UTF-8 text (byte 23); convert it to UTF-8 "
                            "(e.g. iconv -f cp1256 -t UTF-8)")


@pytest.mark.parametrize("content", ["\n", "\r\n\r\n", "  \n\n"])
def test_a_json_lines_file_of_blank_lines_is_refused(tmp_path, content):
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(content.encode())
    for args in (("-r", REF, "-H", blank), ("-r", blank, "-H", blank)):
        assert "blank.jsonl: only blank lines, no JSON records" in one_line_error(invoke(*args))


def test_a_record_without_an_id_among_records_with_ids(tmp_path):
    ref = tmp_path / "ref.jsonl"
    ref.write_text('{"id": 1, "translation": "a"}\n{"translation": "b"}\n')
    message = one_line_error(invoke("-r", ref, "-H", ref))
    assert message.endswith(f"{ref}: line 2 has no 'id' field (1 of 2 records); give every record one, or none")


def test_utf16_file_says_how_to_convert(tmp_path):
    wide = tmp_path / "wide.en"
    wide.write_text("\n".join(REFS) + "\n", encoding="utf-16")
    message = one_line_error(invoke("-r", wide, "-H", REF))
    assert f"{wide}: UTF-16 or UTF-32 text; convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)" in message


def test_a_folder_or_a_broken_parquet_file_is_refused(tmp_path):
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    assert f"{tmp_path}: is a directory; give the path of" in one_line_error(invoke("-r", tmp_path, "-H", REF))
    assert "broken.parquet: not a readable Parquet file" in one_line_error(invoke("-r", REF, "-H", broken))


def test_ids_on_one_side_only(tmp_path):
    ref = tmp_path / "ref.jsonl"
    ref.write_text("".join(json.dumps({"id": i, "text": f"line {i}"}) + "\n" for i in range(5)))
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text("".join(json.dumps({"id": i, "translation": f"line {i}"}) + "\n" for i in (0, 1, 2, 3, 9)))
    message = one_line_error(invoke("-r", ref, "-H", hyp))
    assert "in " + str(hyp) + " only: '9'" in message and "in " + str(ref) + " only: '4'" in message
    assert message.endswith("; translate or score the same segments")
    failed = tmp_path / "hyp.jsonl.errors.jsonl"  # a corpus output whose row 4 failed
    failed.write_text(json.dumps({"row": 4, "id": "4", "error": "empty 'text'"}) + "\n")
    message = one_line_error(invoke("-r", ref, "-H", hyp))
    assert message.endswith(f"; the rows {failed} lists were not translated: fix them and run translate corpus again")


def test_missing_text_field_names_the_line(tmp_path):
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text('{"id": 1, "translation": "a"}\n{"id": 2}\n')
    message = one_line_error(invoke("-r", hyp, "-H", hyp))
    assert f"{hyp}: line 2 has no 'translation' field (its fields: id); name the text field" in message


def test_a_bad_record_after_blank_lines_is_named_by_its_line(tmp_path):
    ref = tmp_path / "gap.jsonl"
    ref.write_text('{"id": "a", "text": "x"}\n\n\n{"id": "b", "text": "y"}\n{"id": "c", "text": null}\n')
    assert f"{ref}: line 5: 'text' is null" in one_line_error(invoke("-r", ref, "-H", REF))


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": 2, "translation": ["b"]}', ": line 2: 'translation' must be a string (got list)"),
    ('{"id": 2, "translation": {"x": 1}}', ": line 2: 'translation' must be a string (got dict)"),
    ('{"id": 2, "translation": 5}', ": line 2: 'translation' must be a string (got int)"),
    ('{"id": 2, "translation": null}', ": line 2: 'translation' is null"),
    ("5", ": line 2: not a JSON object"),
    ('{"id": 2, "translation": "b", "n": ' + "1" * 5000 + "}", ": line 2: not a JSON object ("),
])
def test_text_field_must_be_a_string(tmp_path, line, message):
    ref = tmp_path / "ref.jsonl"
    ref.write_text('{"id": 1, "translation": "a"}\n{"id": 2, "translation": "b"}\n')
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text('{"id": 1, "translation": "a"}\n' + line + "\n")
    assert f"{hyp}{message}" in one_line_error(invoke("-r", ref, "-H", hyp))


def test_field_options_that_plain_text_would_ignore_are_refused(tmp_path):
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text("".join(json.dumps({"id": f"s{i}", "text": "x"}) + "\n" for i in range(3)))
    message = one_line_error(invoke("-r", REF, "-H", hyp, "--id-field", "id"))
    assert f"--id-field id: the reference {REF} is plain text, without ids" in message
    message = one_line_error(invoke("-r", REF, "-H", REF, "--text-field", "foo"))
    assert "--text-field foo is for JSON Lines or Parquet files, and every input is plain text" in message

    message = one_line_error(invoke("-r", REF, "-H", hyp, "--reference-field", "en"))
    assert f"--reference-field en: the reference {REF} is plain text, without fields" in message
    message = one_line_error(invoke("-r", REF, "-H", hyp, "-s", REF, "--source-field", "ar"))
    assert f"--source-field ar: the source {REF} is plain text, without fields" in message
    message = one_line_error(invoke("-r", REF, "-H", hyp, "--source-field", "ar"))
    assert "--source-field ar: there is no --source FILE" in message


def test_each_file_can_name_its_own_text_field(tmp_path):
    """A reference set with language fields, a corpus output with "text", a source with "ar"."""
    english = ["the cat sat on the mat", "a dog ran in the park"]
    ref, hyp, src = tmp_path / "ref.jsonl", tmp_path / "out.jsonl", tmp_path / "src.jsonl"
    ref.write_text("".join(json.dumps({"id": str(i), "en": e, "text": "x"}) + "\n" for i, e in enumerate(english)))
    hyp.write_text("".join(json.dumps({"row": i, "id": str(i), "text": e}) + "\n" for i, e in enumerate(english)))
    src.write_text("".join(json.dumps({"id": str(i), "ar": "جملة"}) + "\n" for i in range(2)))
    done = invoke("-r", ref, "--reference-field", "en", "-H", hyp, "-s", src, "--source-field", "ar",
                  "--format", "json", "--bootstrap", "0")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["systems"][0]["scores"]["bleu"]["score"] == pytest.approx(100)
    message = one_line_error(invoke("-r", ref, "--reference-field", "english", "-H", hyp))
    assert f"{ref}: line 1 has no 'english' field (its fields: id, en, text); name the text field with " \
           "--reference-field" in message
    message = one_line_error(invoke("-r", ref, "--reference-field", "en", "-H", hyp, "-s", src))
    assert f"{src}: line 1 has no 'text' field (its fields: id, ar); name the text field with --source-field" in message


def test_records_without_ids_pair_by_line_but_a_named_id_field_must_exist(tmp_path):
    rows = [{"key": "a", "translation": "the cat sat on the mat"}, {"key": "b", "translation": "a dog ran in the park"}]
    ref, hyp = tmp_path / "ref.jsonl", tmp_path / "hyp.jsonl"
    ref.write_text("".join(json.dumps(r) + "\n" for r in rows))
    hyp.write_text("".join(json.dumps(r) + "\n" for r in rows[::-1]))

    def bleu(fields: Fields) -> float:
        return evaluate(ref, [hyp], fields=fields, bootstrap=0).systems[0].scores["bleu"].score

    assert bleu(Fields()) < 10  # paired by line: the records have no 'id'
    assert bleu(Fields(id="key")) == pytest.approx(100)
    message = one_line_error(invoke("-r", ref, "-H", hyp, "--id-field", "nope"))
    assert f"{ref}: --id-field 'nope': no record has this field" in message and "key, translation" in message


def test_records_are_located_by_their_file_lines(tmp_path):
    ref = tmp_path / "ref.jsonl"
    ref.write_text('{"id":"a","text":"One."}\n\n{"id":"b","text":"Two."}\n{"id":"c","text":"  "}\n')
    hyp = tmp_path / "hyp.jsonl"
    hyp.write_text('{"id":"c","translation":"x"}\n\n{"id":"b","translation":"Two."}\n{"id":"a","translation":""}\n')
    assert f"{ref}: 1 empty reference (line 4);" in one_line_error(invoke("-r", ref, "-H", hyp))
    ref.write_text('{"id":"a","text":"One."}\n\n{"id":"b","text":"Two."}\n{"id":"c","text":"Three."}\n')
    result = invoke("-r", ref, "-H", hyp, "--bootstrap", "0")
    assert result.exit_code == 0 and f"{hyp}: 1 blank hypothesis scored as empty (line 4)" in result.stderr


def test_reference_with_empty_lines(tmp_path, hyps):
    ref = write(tmp_path / "holes.en", [*REFS[:3], "", *REFS[4:9], "  ", *REFS[10:]])
    message = one_line_error(invoke("-r", ref, "-H", hyps[0]))
    assert "holes.en: 2 empty references (lines 4, 10); give every segment its reference" in message


def test_docs_count_mismatch(tmp_path, hyps):
    docs = write(tmp_path / "few.docs", DOC_IDS[:10])
    message = one_line_error(invoke("-r", REF, "--docs", docs, "-H", hyps[0]))
    assert "few.docs has 10 document ids" in message and "200 lines" in message


def test_blank_hypothesis_lines_are_scored_and_counted(tmp_path):
    hyp = list(REFS)
    hyp[5] = hyp[50] = hyp[100] = ""
    path = write(tmp_path / "blanks.en", hyp)
    result = invoke("-r", REF, "-H", path, "--format", "json", "--bootstrap", 0)
    assert result.exit_code == 0
    assert "warning: " in result.stderr and "3 blank hypotheses scored as empty (lines 6, 51, 101)" in result.stderr
    score = json.loads(result.stdout)["systems"][0]["scores"]["bleu"]["score"]  # stdout stays JSON
    assert score == pytest.approx(BLEU().corpus_score(hyp, [REFS]).score)


def test_nothing_to_score():
    assert "nothing to score" in one_line_error(invoke("-r", REF))


def test_comet_needs_source(hyps):
    assert "--source" in one_line_error(invoke("-r", REF, "-H", hyps[0], "--comet"))
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "--comet-model", "foo"))
    assert "COMET scoring with foo needs the source text: give --source FILE" in message and "--model" not in message


def test_translate_docs_needs_a_model(hyps):
    message = one_line_error(invoke("-r", REF, "--docs", DOCS, "-H", hyps[0], "--translate-docs"))
    assert "--translate-docs" in message and "-m/--model" in message


def test_doc_field_that_would_be_ignored_or_overridden_is_refused(tmp_path, hyps):
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "--doc-field", "doc"))
    assert f"{REF} is plain text: give its document ids with --docs FILE" in message
    message = one_line_error(invoke("-r", REF, "--docs", DOCS, "-H", hyps[0], "--doc-field", "doc"))
    assert "these are plain text: leave --doc-field out" in message
    ref = tmp_path / "ref.jsonl"
    ref.write_text("".join(json.dumps({"text": t, "doc": d}) + "\n" for t, d in zip(REFS, DOC_IDS)))
    message = one_line_error(invoke("-r", ref, "-H", hyps[0], "--docs", DOCS, "--doc-field", "doc"))
    assert f"--docs and --doc-field both give the document ids of {ref}: give one of them" in message


def test_model_options_without_a_model_are_refused(hyps):
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "--beam", 2, "--batch-size", 8))
    assert "--beam, --batch-size: model options apply only when translating with -m/--model" in message


def test_one_system_has_no_p_values_against_itself(hyps):
    result = invoke("-r", REF, "-H", hyps[0], "--bootstrap", 50)
    assert result.exit_code == 0 and "p-values" not in result.stdout and "50 samples" in result.stdout


def test_save_dir_without_a_model_is_refused(hyps, tmp_path):
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "--save-dir", tmp_path / "x"))
    assert "--save-dir is where the translations of -m/--model are saved" in message


def test_comet_not_installed_is_an_error_not_a_skip(monkeypatch, hyps):
    monkeypatch.setitem(__import__("sys").modules, "comet", None)  # import comet -> ImportError
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-H", hyps[0], "--comet", "--bootstrap", 0), code=4)
    assert "pip install -e '.[comet]'" in message and "unbabel-comet" in message


def test_a_damaged_comet_checkpoint_is_named_with_its_fault(monkeypatch, tmp_path):
    import types

    from translate.errors import ModelUnavailableError
    from translate.evaluate_comet import load_comet

    def refuse(checkpoint):
        raise RuntimeError("PytorchStreamReader failed reading zip archive")

    monkeypatch.setitem(sys.modules, "comet", types.SimpleNamespace(load_from_checkpoint=refuse))
    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes(b"cut short")
    with pytest.raises(ModelUnavailableError, match=f"^{checkpoint}: cannot load the COMET checkpoint "
                       r"\(RuntimeError: PytorchStreamReader failed reading zip archive\); give a complete"):
        load_comet(str(checkpoint))


def test_read_texts_strips_like_sacrebleu(tmp_path):
    path = tmp_path / "x.en"
    path.write_bytes("\ufeffone  \r\ntwo\n\nthree\n".encode())
    assert read_texts(path).texts == ("one", "two", "", "three")


# --- translate and score ----------------------------------------------------------------------


def test_translate_and_score_two_tiny_models(tmp_path, tiny_marian_dir, tiny_nllb_dir, monkeypatch):
    src = write(tmp_path / "src.ar", SRC.read_text(encoding="utf-8").splitlines()[:5])
    ref = write(tmp_path / "ref.en", REFS[:5])
    report = tmp_path / "out" / "report.html"
    config = tmp_path / "short.toml"  # random weights ramble to the length limit: keep it short
    config.write_text("max_length_ratio = 0.5\nmax_length_offset = 4\n")
    args = ["-s", src, "-r", ref, "-m", tiny_marian_dir, "-m", tiny_nllb_dir, "--config", config,
            "--device", "cpu", "--beam", 1, "--format", "json", "--bootstrap", 20, "--report", report]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    systems = json.loads(result.stdout)["systems"]
    assert [s["name"] for s in systems] == [f"{tiny_marian_dir.name}.beam1", f"{tiny_nllb_dir.name}.beam1"]
    saved = tmp_path / "out" / "translations"
    for system in systems:
        assert set(system["scores"]) == {"bleu", "chrf", "ter"}
        assert system["scores"]["bleu"]["signature"].startswith("nrefs:1")
        assert len(system["segments"]) == 5
        assert system["model"]["key"]["settings"]["beam_size"] == 1
        assert len((saved / f"{system['name']}.hyp.txt").read_text(encoding="utf-8").splitlines()) == 5
        assert (saved / f"{system['name']}.hyp.json").is_file()
    assert systems[1]["scores"]["chrf"]["p_value"] is not None

    def refuse(*_, **__):
        raise AssertionError("translated again")

    import translate.api

    monkeypatch.setattr(translate.api, "translate_texts", refuse)
    again = invoke(*args)
    assert again.exit_code == 0, again.stderr
    assert again.stderr.count("reusing the translations") == 2
    assert json.loads(again.stdout)["systems"] == systems


def test_corpus_output_headline_is_reported_and_can_be_scored(tmp_path):
    """`translate corpus` rows: {"row", "id", "headline", "text"} with paragraphs split by blank lines."""
    ref = write(tmp_path / "ref.en", ["Title one. First paragraph.", "Title two. Second paragraph."])
    rows = [{"row": i, "id": str(i), "headline": f"Title {w}.", "text": f"{p} paragraph.\n\n"}
            for i, (w, p) in enumerate((("one", "First"), ("two", "Second")), 1)]
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n")
    text_only = evaluate(ref, [out], bootstrap=0).systems[0]
    assert any("2 records have a 'headline' that is not scored" in w for w in text_only.warnings)
    both = evaluate(ref, [out], fields=Fields(text="headline,text"), bootstrap=0).systems[0]
    assert both.scores["bleu"].score == pytest.approx(100) and not both.warnings


def test_corpus_parquet_output_matched_by_id(tmp_path, hyps):
    from translate.corpus_write import write_rows

    hyp = hyps[0].read_text(encoding="utf-8").splitlines()
    rows = [{"row": i + 1, "id": f"s{i}", "headline": None, "text": t} for i, t in enumerate(hyp)][::-1]
    write_rows(tmp_path / "out.parquet", lambda: rows)
    ref = tmp_path / "ref.jsonl"
    ref.write_text("".join(json.dumps({"id": f"s{i}", "text": t}) + "\n" for i, t in enumerate(REFS)))
    system = evaluate(ref, [tmp_path / "out.parquet"], bootstrap=0).systems[0]
    assert system.scores["chrf"].score == pytest.approx(CHRF(word_order=2).corpus_score(hyp, [REFS]).score)


def test_translate_documents_with_a_fake_pipeline(tmp_path, monkeypatch):
    """--translate-docs: each document's joined source is one paragraph; reused while settings match."""
    import translate.api
    import translate.evaluate
    from translate.config import Settings

    calls = []
    reference_of = dict(zip(joined(list(read_texts(SRC).texts)), joined(REFS)))  # as read: lines rstripped

    def fake_translate_texts(texts, settings, on_warning, **_):
        calls.append((len(texts), settings.beam_size))
        on_warning("a warning of the pipeline")
        return [reference_of[t] for t in texts]  # a perfect system

    monkeypatch.setattr(translate.api, "translate_texts", fake_translate_texts)
    monkeypatch.setattr(translate.evaluate, "weights_version", lambda settings, on_info: "v1")  # no model files
    warnings: list[str] = []
    run = lambda beam: evaluate(REF, source=SRC, models=[Settings(model="org/fake", beam_size=beam)],  # noqa: E731
                                docs=DOCS, save_dir=tmp_path, translate_documents=True, bootstrap=0,
                                on_warning=warnings.append)
    system = run(4).systems[0]
    assert system.name == "fake" and system.level == "document"
    assert system.scores["bleu"].score == pytest.approx(100) and system.scores["ter"].score == 0
    assert len((tmp_path / "fake.doc.hyp.txt").read_text(encoding="utf-8").splitlines()) == 64
    run(4)
    assert run(2).systems[0].name == "fake.beam2"  # another beam: another system, translated
    run(4)  # the first one's translations are still there
    assert calls == [(64, 4), (64, 2)]
    assert warnings == ["fake: a warning of the pipeline", "fake.beam2: a warning of the pipeline"]


def test_save_dir_that_is_a_file_is_refused_before_translating(tmp_path, monkeypatch):
    import translate.api

    monkeypatch.setattr(translate.api, "translate_texts", lambda *_, **__: pytest.fail("translated"))
    taken = tmp_path / "taken"
    taken.write_text("")
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-m", "org/fake", "--save-dir", taken))
    assert f"{taken} is a file" in message and "--save-dir" in message


def test_duplicate_ids(tmp_path):
    ref = tmp_path / "dup.jsonl"
    ref.write_text("".join(json.dumps({"id": i % 3, "text": "x"}) + "\n" for i in range(4)))
    message = one_line_error(invoke("-r", ref, "-H", ref))
    assert "dup.jsonl: line 4: id '0' again (first at line 1); make the ids unique" in message


def test_model_translations_pair_by_the_source_ids_and_follow_the_weights(tmp_path, tiny_marian_dir, monkeypatch):
    import shutil

    import translate.api

    lines = SRC.read_text(encoding="utf-8").splitlines()[:6]
    src = tmp_path / "src.jsonl"
    src.write_text("".join(json.dumps({"id": f"s{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(lines)))
    refs = [{"id": f"s{i}", "text": t} for i, t in enumerate(REFS[:6])]
    ref, shuffled = tmp_path / "ref.jsonl", tmp_path / "shuffled.jsonl"
    ref.write_text("".join(json.dumps(r) + "\n" for r in refs))
    shuffled.write_text("".join(json.dumps(r) + "\n" for r in refs[::-1]))
    model = shutil.copytree(tiny_marian_dir, tmp_path / "model")
    config = tmp_path / "short.toml"
    config.write_text("max_length_ratio = 0.5\nmax_length_offset = 4\n")
    score = lambda reference, *extra: json.loads(invoke(  # noqa: E731
        "-s", src, "-r", reference, "-m", model, "--config", config, "--beam", 1, "--bootstrap", 0, "-f", "json",
        "--save-dir", tmp_path / "saved", *extra).stdout)["systems"][0]["scores"]
    assert score(shuffled) == score(ref)
    other = tmp_path / "other-ids.jsonl"  # ids that are not the source's: paired by line, as before
    other.write_text("".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(REFS[:6])))
    assert score(other) == score(ref)
    calls = []
    real = translate.api.translate_texts
    monkeypatch.setattr(translate.api, "translate_texts", lambda *a, **k: calls.append(1) or real(*a, **k))
    os.utime(model / "model.safetensors")  # touched: the same weights, translations reused
    score(ref)
    assert calls == []
    rebuild_in_place(model)
    score(ref)
    assert calls == [1]


def test_an_unavailable_model_fails_before_any_translation(tmp_path, tiny_marian_dir, monkeypatch):
    import translate.api

    monkeypatch.setattr(translate.api, "translate_texts", lambda *a, **k: pytest.fail("translated"))
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-m", tiny_marian_dir, "-m", tmp_path / "missing"), code=3)
    assert "missing" in message


def test_a_model_run_with_other_settings_is_another_system_with_its_own_saved_translations(tmp_path):
    from translate.config import resolve_settings
    from translate.evaluate_models import model_names

    preset = "opus-mt-ar-en"
    runs = [resolve_settings(preset), resolve_settings(preset, backend="ctranslate2"),
            resolve_settings(preset, backend="ctranslate2", compute_type="float32", beam_size=1),
            resolve_settings(preset, revision="refs/pr/3"), resolve_settings(preset), resolve_settings("owner/model")]
    assert model_names(runs) == [preset, f"{preset}.ctranslate2", f"{preset}.ctranslate2.float32.beam1",
                                 f"{preset}.rev-refs-pr-3", f"{preset}-5", "model"]
    converted = tmp_path / "ct2-model"  # a `translate convert -o` directory runs on CTranslate2 by its own settings
    converted.mkdir()
    (converted / "translate-conversion.json").write_text("{}")
    (converted / "model.bin").write_bytes(b"")
    assert resolve_settings(str(converted)).backend == "ctranslate2"
    assert model_names([resolve_settings(str(converted))]) == ["ct2-model"]


@pytest.mark.parametrize(("options", "expected"), [
    (("--compute-type", "bfloat16", "--backend", "ctranslate2"), "compute type 'bfloat16' is not available with CTranslate2"),
    (("--compute-type", "int8"), "compute_type 'int8' is not a transformers compute type"),
])
def test_a_model_its_backend_cannot_run_fails_before_any_translation(tmp_path, tiny_marian_dir, monkeypatch,
                                                                    options, expected):
    import translate.api

    monkeypatch.setattr(translate.api, "translate_texts", lambda *a, **k: pytest.fail("translated"))
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-m", tiny_marian_dir, "-m", tiny_marian_dir, *options))
    assert expected in message


def test_saved_translations_never_go_over_an_input_or_an_output(tmp_path, tiny_marian_dir, hyps):
    saved = tmp_path / "saved"
    saved.mkdir()
    hyp = saved / f"{tiny_marian_dir.name}.hyp.txt"
    hyp.write_text(hyps[0].read_text(encoding="utf-8"), encoding="utf-8")
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-H", hyp, "-m", tiny_marian_dir, "--save-dir", saved))
    assert f"{hyp}, where the translations of {tiny_marian_dir.name} are saved, is the input" in message
    out = tmp_path / "other" / f"{tiny_marian_dir.name}.hyp.txt"
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-m", tiny_marian_dir, "--save-dir", out.parent, "-o", out))
    assert "is where the model translations are saved" in message
    folder = tmp_path / "translations"  # the default --save-dir beside -o, not made yet
    message = one_line_error(invoke("-s", SRC, "-r", REF, "-m", tiny_marian_dir, "-o", folder))
    assert f"{folder} is the folder where the model translations are saved" in message and not folder.exists()
    same = tmp_path / "same.md"
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "-o", same, "--report", same))
    assert f"-o {same} is a file the report {same} writes" in message
    plot = tmp_path / "same.length.png"  # a Markdown report's plot
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "-o", plot, "--report", same))
    assert f"-o {plot} is a file the report {same} writes" in message
    plot.write_text(hyps[0].read_text(encoding="utf-8"), encoding="utf-8")  # a hypothesis named like a plot
    message = one_line_error(invoke("-r", REF, "-H", plot, "--report", same))
    assert str(plot) in message and plot.read_text(encoding="utf-8") == hyps[0].read_text(encoding="utf-8")


def test_a_report_without_matplotlib_is_refused_before_any_work(tmp_path, hyps, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    out = tmp_path / "scores.txt"
    message = one_line_error(invoke("-r", REF, "-H", hyps[0], "-o", out, "--report", tmp_path / "r.md"), code=4)
    assert "report plots need matplotlib" in message and not out.exists()


def test_a_source_line_too_long_for_any_splitting_names_the_file_and_line(tmp_path, tiny_marian_dir):
    src = write(tmp_path / "src.ar", ["قال مسؤول اليوم.", "قال " + "ب" * 3000 + " اليوم."])
    ref = write(tmp_path / "ref.en", ["An official said today.", "He said today."])
    message = one_line_error(invoke("-s", src, "-r", ref, "-m", tiny_marian_dir, "--beam", 1, "-q",
                                    "--save-dir", tmp_path / "hyps"))
    assert f"{src}: line 2: too long for any splitting" in message


def test_systems_of_the_same_name_are_told_apart(hyps):
    result = invoke("-r", REF, "-H", hyps[0], "-H", hyps[0], "--bootstrap", 0, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert [s["name"] for s in json.loads(result.stdout)["systems"]] == [str(hyps[0]), f"{hyps[0]} (2)"]


def test_a_parallel_jsonl_source_is_translated_from_its_text_not_its_translation(tmp_path, tiny_marian_dir, monkeypatch):
    import translate.api

    par = tmp_path / "par.jsonl"
    par.write_text("".join(json.dumps({"id": f"p{i}", "text": f"نص {i}", "translation": REFS[i]}, ensure_ascii=False)
                           + "\n" for i in range(3)), encoding="utf-8")
    sent = []
    monkeypatch.setattr(translate.api, "translate_texts", lambda texts, **k: sent.extend(texts) or list(texts))
    invoke("-s", par, "-r", par, "-m", tiny_marian_dir, "--bootstrap", 0, "--save-dir", tmp_path / "saved")
    assert sent == ["نص 0", "نص 1", "نص 2"]
