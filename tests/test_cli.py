"""`translate article` / `segment` / `models` through typer's CliRunner, with tiny real models."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from translate.cli import app
from translate.cli.common import repeated_option

runner = CliRunner()
HEADLINE = "روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة من الازدهار»"
SUBHEADING = "استقبال حافل لبوتين في كوريا الشمالية"
CHROME = ["اترك تعليقاً", "زر الذهاب إلى الأعلى"]


def invoke(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def assert_one_line_error(result, *fragments, code=None):
    assert result.exit_code != 0
    if code is not None:
        assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output


def test_segment_gives_the_seed_structure(seed_article_path):
    result = invoke("segment", seed_article_path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["headline"]["source"] == HEADLINE
    roles = [p["role"] for p in data["paragraphs"]]
    assert roles.count("body") == 14 and roles.count("subheading") == 2
    assert [p["source"] for p in data["paragraphs"] if p["role"] == "subheading"] == [SUBHEADING] * 2
    assert data["dropped"][0] == "اخبار لايف"
    assert data["dropped"][-1] == CHROME[-1] and CHROME[0] in data["dropped"]
    assert len(data["dropped"]) == 5
    assert all(p["sentences"] for p in data["paragraphs"])


def test_segment_text_lists_roles_and_dropped(seed_article_path):
    result = invoke("segment", seed_article_path)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"headline (line 3): {HEADLINE}")
    assert "dropped (5):" in result.stdout


def test_segment_does_not_import_torch(seed_article_path):
    code = (
        "import sys; from typer.testing import CliRunner; from translate.cli import app; "
        f"r = CliRunner().invoke(app, ['segment', {str(seed_article_path)!r}]); "
        "assert r.exit_code == 0; assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture(scope="module")
def marian_json(tiny_marian_dir, seed_article_path):
    result = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_article_json_has_every_sentence_translated(marian_json):
    data = marian_json
    assert data["headline"]["source"] == HEADLINE and data["headline"]["translation"]
    assert [p["role"] for p in data["paragraphs"]].count("subheading") == 2
    assert len(data["paragraphs"]) == 16
    for paragraph in data["paragraphs"]:
        assert paragraph["sentences"]
        assert all(isinstance(s["translation"], str) for s in paragraph["sentences"])
    assert len(data["dropped"]) == 5
    assert data["model"]["backend"] == "transformers" and data["model"]["beam_size"] == 1
    assert "signature" in data["model"] and "load_s" in data["timings"]
    repeated = [p["translation"] for p in data["paragraphs"] if p["role"] == "subheading"]
    assert repeated[0] == repeated[1]


def test_article_text_and_markdown_keep_the_structure(tiny_marian_dir, seed_article_path, marian_json):
    text = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1)
    assert text.exit_code == 0, text.output
    blocks = text.stdout.rstrip("\n").split("\n\n")
    assert blocks[0] == marian_json["headline"]["translation"]
    assert blocks[1:] == [p["translation"] for p in marian_json["paragraphs"]]
    markdown = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1, "-f", "markdown")
    lines = markdown.stdout.splitlines()
    assert lines[0] == "# " + marian_json["headline"]["translation"]
    assert sum(line.startswith("## ") for line in lines) == 2


def test_article_from_stdin_to_a_file(tiny_marian_dir, seed_article_path, tmp_path, marian_json):
    out = tmp_path / "out.txt"
    result = invoke("article", "-", "--model", tiny_marian_dir, "--beam", 1, "-o", out,
                    input=seed_article_path.read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith(marian_json["headline"]["translation"])


def test_article_with_nllb(tiny_nllb_dir, seed_article_path):
    result = invoke("article", seed_article_path, "--model", tiny_nllb_dir, "--beam", 1, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"]["family"] == "nllb"
    assert len(data["paragraphs"]) == 16
    assert all("eng_Latn" not in p["translation"] for p in data["paragraphs"])


def test_keep_boilerplate(tiny_marian_dir, seed_article_path):
    result = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1,
                    "--keep-boilerplate", "-f", "json")
    data = json.loads(result.stdout)
    kept = [p for p in data["paragraphs"] if p["role"] == "boilerplate"]
    assert [p["translation"] for p in kept] == [p["source"] for p in kept]
    assert len(kept) == 5 and data["dropped"] == []


@pytest.mark.parametrize("command", ["article", "segment"])
def test_missing_file(command, tmp_path):
    assert_one_line_error(invoke(command, tmp_path / "nope.txt"), "nope.txt", code=2)


@pytest.mark.parametrize("command", ["article", "segment"])
def test_empty_file(command, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert_one_line_error(invoke(command, empty), "empty.txt", "empty", code=2)


@pytest.mark.parametrize("command", ["article", "segment"])
def test_binary_file(command, tmp_path):
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_one_line_error(invoke(command, binary), "photo.png", "binary", code=2)


def test_unknown_model_lists_presets(seed_article_path):
    assert_one_line_error(invoke("article", seed_article_path, "--model", "no-such-model"),
                          "no-such-model", "opus-mt-tc-big-ar-en", code=2)


def test_bad_format_is_refused(seed_article_path):
    assert_one_line_error(invoke("segment", seed_article_path, "-f", "xml"), "--format", code=2)


def test_model_not_cached_offline(seed_article_path, tmp_path):
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), HF_HUB_CACHE=str(tmp_path / "hf" / "hub"))
    run = subprocess.run(
        [sys.executable, "-m", "translate.cli", "article", str(seed_article_path), "--model", "opus-mt-ar-en"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert run.returncode == 3, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Helsinki-NLP/opus-mt-ar-en" in lines[0] and "translate download" in lines[0]


def test_models_lists_presets():
    result = invoke("models")
    assert result.exit_code == 0
    for name in ["opus-mt-tc-big-ar-en", "opus-mt-ar-en", "nllb-200-distilled-600M",
                 "nllb-200-distilled-1.3B", "nllb-200-3.3B"]:
        assert name in result.stdout


@pytest.mark.parametrize("command", ["article", "corpus", "evaluate"])
def test_every_translating_command_takes_the_model_options(command):
    help_text = invoke(command, "--help").stdout
    for flag in ("--model", "--config", "--backend", "--device", "--compute-type", "--beam", "--revision",
                 "--max-sentence-tokens", "--batch-tokens", "--batch-size", "--threads", "--quiet"):
        assert f"{flag} " in help_text, flag


def test_model_options_reach_the_command_as_settings(tmp_path):
    import typer

    from translate.cli import options as opt

    seen = {}
    probe = typer.Typer()

    @probe.command()
    @opt.takes_model_options
    def show(*, model: opt.Model = None, model_options: opt.ModelOptions) -> None:
        seen["settings"] = model_options.settings(model)

    config = tmp_path / "user.toml"
    config.write_text("beam_size = 3\nthreads = 1\n", encoding="utf-8")
    args = ["-m", "opus-mt-ar-en", "--config", str(config), "--beam", "2", "--batch-size", "7"]
    result = runner.invoke(probe, args)
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert settings.model == "Helsinki-NLP/opus-mt-ar-en"
    assert (settings.beam_size, settings.threads, settings.batch_size, settings.backend) == (2, 1, 7, "transformers")


def test_output_goes_into_a_new_folder_and_never_onto_a_folder(seed_article_path, tmp_path):
    out = tmp_path / "new" / "folder" / "article.txt"
    result = invoke("segment", seed_article_path, "-o", out)
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("headline")
    result = invoke("segment", seed_article_path, "-o", tmp_path)
    assert_one_line_error(result, f"{tmp_path} is a folder; give a file name", code=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]  # no temporary file left


def test_an_article_of_site_chrome_only_is_refused_before_loading_a_model(tmp_path):
    page = tmp_path / "chrome.txt"
    page.write_text("\n\n".join(CHROME) + "\n", encoding="utf-8")
    result = invoke("article", page, "--model", tmp_path / "no-model-needed")
    assert_one_line_error(result, f"{page}: nothing to translate: every line is site chrome (2 lines;", code=2)


@pytest.mark.parametrize("args, message", [
    (["article", "a.txt", "--beam", "0"], "error: Invalid value for '--beam'"),
    (["article", "a.txt", "--bem", "2"], "error: No such option: --bem"),
    (["article"], "error: Missing argument 'FILE|-' (see 'translate article --help')"),
    (["segment", "a.txt", "-f", "xml"], "error: Invalid value for '--format' / '-f': 'xml' is not one of"),
    (["article", "a.txt", "-f"], "error: Option '-f' requires an argument (see 'translate article --help')"),
    (["frob"], "error: No such command 'frob' (see 'translate --help')"),
    (["evaluate", "-r", "a.en", "--reference=b.en", "-H", "a.en"],
     "error: Invalid value for '--reference' / '-r': given more than once; give it once (the command takes one value) "
     "(see 'translate evaluate --help')"),
    (["article", "-o", "x", "a.txt", "-q", "-q", "-ox"], "error: Invalid value for '--output' / '-o': given more than once"),
])
def test_usage_errors_are_one_line(args, message):
    result = runner.invoke(app, args, prog_name="translate")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(message), result.stderr


@pytest.mark.parametrize("args", [
    ["evaluate", "-r", "a.en", "-H", "a.en", "-H", "b.en", "-m", "x", "-m", "y"],  # options that take several
    ["article", "-o", "-o", "a.txt"],  # "-o" is the value of the first -o: given once
    ["article", "a.txt", "--", "-o", "b"],  # after "--", arguments
    ["corpus", "a.jsonl", "-o", "b.jsonl", "--keep-fields", "url", "--keep-fields", "date", "-q", "-q"],
])
def test_options_given_once_or_meant_to_repeat_are_not_refused(args):
    command = typer.main.get_command(app).get_command(None, args[0])
    assert repeated_option(command, args[1:]) is None


def test_usage_errors_are_one_line_from_the_console_script_too():
    result = subprocess.run([sys.executable, "-m", "translate.cli", "article", "a.txt", "--beam", "0"],
                            capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: Invalid value for '--beam'")


def test_output_is_checked_before_any_model_is_loaded(seed_article_path, tmp_path):
    result = invoke("article", seed_article_path, "--model", tmp_path / "no-model-needed", "-o", tmp_path)
    assert_one_line_error(result, f"{tmp_path} is a folder", code=2)


def test_output_through_a_link_or_into_a_device(seed_article_path, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert invoke("segment", seed_article_path, "-o", link).exit_code == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("headline")
    assert invoke("segment", seed_article_path, "-o", os.devnull).exit_code == 0


@pytest.mark.parametrize("command", ["segment", "article"])
def test_the_input_is_never_the_output(seed_article_path, tmp_path, command):
    source = tmp_path / "news.txt"
    source.write_bytes(seed_article_path.read_bytes())
    link = tmp_path / "link.txt"
    link.symlink_to(source)
    model = ["--model", tmp_path / "no-model-needed"] if command == "article" else []
    for output in (source, link):
        result = invoke(command, source, "-o", output, *model)
        assert_one_line_error(result, f"{output} is the input {source}; write to another file", code=2)
    assert source.read_bytes() == seed_article_path.read_bytes()


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(seed_article_path):
    import tempfile

    try:
        with tempfile.TemporaryFile(dir="/sys"):
            pytest.skip("/sys is writable here")
    except OSError:
        pass
    result = invoke("article", seed_article_path, "-o", "/sys/news.en.txt", "--model", "/no-model-needed")
    assert_one_line_error(result, "/sys/news.en.txt: cannot write in /sys (", "choose another place", code=2)


def test_a_piece_too_long_for_any_splitting_names_the_file_and_line(tiny_marian_dir, tmp_path):
    page = tmp_path / "long.txt"
    page.write_text(f"{HEADLINE}\n\nقال مسؤول {'ب' * 3000} اليوم.\n", encoding="utf-8")
    result = invoke("article", page, "--model", tiny_marian_dir, "--beam", 1)
    assert_one_line_error(result, f"{page}: line 3: too long for any splitting: a piece of ", "break it up", code=2)


def test_quiet_leaves_stderr_empty(tiny_marian_dir, seed_article_path):
    loud = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1)
    assert loud.exit_code == 0 and "warning: " in loud.stderr  # the random model's output trips the guard
    quiet = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--beam", 1, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == loud.stdout


def test_version():
    from translate import __version__

    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout == f"translate {__version__}\n"


def test_output_into_a_pipe_closed_early_ends_quietly():
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line (as with '| head -0')
    try:
        done = subprocess.run([sys.executable, "-m", "translate.cli", "models"], stdout=write,
                              stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


def test_a_system_refusal_is_one_line_naming_the_file():
    import errno

    import typer

    from translate.cli.common import reports_errors

    demo = typer.Typer()

    @demo.command()
    @reports_errors
    def write() -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/news.en.jsonl")

    result = runner.invoke(demo, [])
    assert_one_line_error(result, "error: /data/news.en.jsonl: No space left on device; free some space", code=1)
    assert "report" not in result.stderr and "resumes" not in result.stderr  # only a corpus run resumes


def big_page(tmp_path: Path) -> Path:
    """A page whose segmentation is many pipe buffers long."""
    page = tmp_path / "big.txt"
    page.write_text("وصول الرئيس إلى العاصمة\n\n" + "".join(
        f"وصل الرئيس اليوم إلى العاصمة في زيارة رسمية رقم {n}.\n\n" for n in range(3000)), encoding="utf-8")
    return page


def test_a_reader_that_stops_early_ends_a_long_result_with_141(tmp_path):
    command = [sys.executable, "-m", "translate.cli", "segment", str(big_page(tmp_path))]
    whole = subprocess.run(command, capture_output=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert whole.returncode == 0 and len(whole.stdout) > 4 * 65536
    reader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    reader.stdout.read(10)
    reader.stdout.close()  # as `| head -c 10` does
    assert reader.wait(timeout=120) == 141 and reader.stderr.read() == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_output_names_the_file_or_stdout(tmp_path):
    page = big_page(tmp_path)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "translate.cli", "segment", str(page), "-o", "/dev/full"],
                          capture_output=True, text=True, env=env)
    assert (done.returncode, done.stderr) == (1, "error: /dev/full: No space left on device; free some space and "
                                                 "run the command again\n")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "translate.cli", "segment", str(page)], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env)
    assert (done.returncode, done.stderr) == (1, "error: stdout: No space left on device; free some space and "
                                                 "run the command again\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--version"], ["article", "--help"], ["models"]])
def test_stdout_that_cannot_be_written_is_one_line_not_a_traceback(args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "translate.cli", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr


def test_ctrl_c_while_the_commands_load_is_one_line(monkeypatch, capsys):
    import translate.cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(translate.cli, "load_app", interrupted)
    with pytest.raises(SystemExit) as stop:
        translate.cli.main()
    assert stop.value.code == 130 and capsys.readouterr().err == "error: interrupted\n"


def test_ctrl_c_while_the_arguments_are_parsed_is_one_line(monkeypatch):
    def interrupted(self, ctx, args):
        raise KeyboardInterrupt

    monkeypatch.setattr(typer.core.TyperCommand, "parse_args", interrupted)
    result = runner.invoke(app, ["segment", "x.txt"])
    assert result.exit_code == 130 and result.stderr == "error: interrupted\n"


def test_the_app_is_the_typer_app_whatever_was_imported_first():
    code = ("import translate.cli.corpus, typer; from translate.cli import app; "
            "assert isinstance(app, typer.Typer), type(app)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("kind", ["text", "folder"])
def test_a_cache_that_is_no_sqlite_file_is_refused_before_loading_a_model(tmp_path, kind):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "وصل الرئيس اليوم."}\n', encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir() if kind == "folder" else cache.write_text("not a database\n")
    result = invoke("corpus", source, "-o", tmp_path / "out.jsonl", "--cache", cache,
                    "--model", tmp_path / "no-model-needed")
    assert_one_line_error(result, f"{cache}: not a usable sentence cache", code=2)
    assert not (tmp_path / "out.jsonl.run.json").exists()


def test_a_dataset_file_that_cannot_be_read_is_one_line_without_the_datasets_log(tmp_path, tiny_marian_dir):
    hub = tmp_path / "hub"
    hub.mkdir()
    (hub / "data.jsonl").write_text('{"id": "x", "text": oops}\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "translate.cli", "corpus", "--dataset", str(hub), "-o",
                           str(tmp_path / "out.jsonl"), "--model", str(tiny_marian_dir), "-q"],
                          capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: dataset {hub}: cannot read the dataset from row 0 on")


def test_an_empty_id_field_numbers_the_rows(tmp_path, tiny_marian_dir):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a0", "text": "وصل الرئيس اليوم."}\n', encoding="utf-8")
    result = invoke("corpus", source, "-o", tmp_path / "out.jsonl", "--id-field", "", "--model", tiny_marian_dir, "-q")
    assert result.exit_code == 0, result.output
    recorded = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    assert recorded["fields"]["id"] == "" and recorded["fields"]["title"] == "title"
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["id"] == "0"


def test_a_run_whose_model_cannot_load_leaves_no_files(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a0", "text": "وصل الرئيس اليوم."}\n', encoding="utf-8")
    result = invoke("corpus", source, "-o", tmp_path / "out.jsonl", "--model", "x/y")
    assert_one_line_error(result, "x/y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("option", ["--title-field", "--id-field"])
def test_a_named_field_a_csv_lacks_is_refused_before_loading_a_model(tmp_path, option):
    source = tmp_path / "news.csv"
    source.write_text("id,title,text\nc1,وصول الرئيس,وصل الرئيس اليوم.\n", encoding="utf-8")
    result = invoke("corpus", source, "-o", tmp_path / "out.jsonl", option, "heading",
                    "--model", tmp_path / "no-model-needed")
    assert_one_line_error(result, f"{source}: no 'heading' column for {option} (columns: id, title, text); "
                                  "check the name", code=2)
    assert list(tmp_path.iterdir()) == [source]
