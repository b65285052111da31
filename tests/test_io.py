"""Reading articles: encodings, stdin, JSON records and the one-line errors for bad input."""

import codecs
import io
import json
import sys
from pathlib import Path

import pytest

from translate.errors import ConfigError, InputError
from translate.io import parse_article, read_article, read_text

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed-article.ar.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
ARABIC = "افتتاح معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def input_error(source, **options) -> str:
    """The message of the InputError read_text raises; it must be one line."""
    with pytest.raises(InputError) as caught:
        read_text(source, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def use_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- decoding -----------------------------------------------------------------------------------


def test_utf8_without_bom():
    assert read_text(SEED) == SEED_TEXT


def test_utf8_bom_is_stripped(tmp_path):
    path = write(tmp_path, "bom.txt", codecs.BOM_UTF8 + SEED_TEXT.encode("utf-8"))
    assert read_text(path) == SEED_TEXT


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    path = write(tmp_path, "u16.txt", bom + SEED_TEXT.encode(codec))
    assert read_text(path) == SEED_TEXT


def test_utf16_fixture_file():
    assert ARABIC in read_text(FIXTURES / "article.utf16le.txt")


def test_windows_1256_arabic_is_detected():
    text = read_text(FIXTURES / "article.cp1256.txt")
    assert ARABIC in text
    assert text == (FIXTURES / "article.cp1256.txt").read_bytes().decode("cp1256")


def test_windows_1256_article_is_structured():
    article = read_article(FIXTURES / "article.cp1256.txt")
    assert article.headline.text == ARABIC
    assert [b.role for b in article.blocks] == ["boilerplate", "headline", "body", "body"]


def test_latin1_text_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path, "french.txt", "Le café était très bon. À bientôt, élève déçu!".encode("latin-1"))
    message = input_error(path)
    assert str(path) in message and "--encoding" in message


def test_utf8_with_one_stray_byte_names_its_line_and_byte(tmp_path):
    data = f"{ARABIC}\n\nفقرة أولى.\n".encode() + b"\xa0" + "فقرة ثانية.\n".encode()
    message = input_error(write(tmp_path, "stray.txt", data))
    assert "stray.txt: line 4: byte 0xa0 is not UTF-8" in message and "remove that byte" in message


def test_forced_encoding_decodes(tmp_path):
    path = write(tmp_path, "french.txt", "Le café était très bon.".encode("latin-1"))
    assert read_text(path, encoding="latin-1") == "Le café était très bon."


def test_forced_encoding_that_fails_names_file_and_codec(tmp_path):
    path = write(tmp_path, "cp.txt", ARABIC.encode("cp1256"))
    message = input_error(path, encoding="utf-8")
    assert str(path) in message and "utf-8" in message and "--encoding" in message
    path = write(tmp_path, "later.txt", b"title\n\n" + ARABIC.encode("cp1256"))
    assert f"{path}: line 3: cannot be decoded as utf-8" in input_error(path, encoding="utf-8")


def test_a_forced_encoding_that_yields_nul_characters_is_refused(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes("\ufeffعنوان الخبر هنا\nنص الخبر.\n".encode("utf-16-le"))
    with pytest.raises(InputError, match=r"page\.txt: decoded as cp1256 the text holds NUL characters"):
        read_text(path, encoding="cp1256")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_refused_with_the_encoding_to_give(tmp_path, codec):
    path = tmp_path / "page.txt"
    path.write_bytes("عنوان الخبر هنا\nنص الخبر.\n".encode(codec))
    with pytest.raises(InputError, match=f"give --encoding {codec}$"):
        read_text(path)
    assert read_text(path, encoding=codec).startswith("عنوان")


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "base64", "undefined"])
def test_an_unknown_or_non_text_encoding_is_a_config_error(encoding):
    with pytest.raises(ConfigError, match=f"--encoding '{encoding}': not a (known|usable) text encoding; e.g. utf-8"):
        read_text(SEED, encoding=encoding)


def test_forced_utf8_strips_the_bom(tmp_path):
    path = write(tmp_path, "bom.txt", codecs.BOM_UTF8 + "نص".encode("utf-8"))
    assert read_text(path, encoding="UTF8") == "نص"


# --- unreadable input ---------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.txt"
    assert input_error(path) == f"{path}: no such file"


def test_directory(tmp_path):
    message = input_error(tmp_path)
    assert message.startswith(f"{tmp_path}: ") and "directory" in message


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", codecs.BOM_UTF8 + b" \n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_empty_or_whitespace_only(tmp_path, data):
    path = write(tmp_path, "empty.txt", data)
    assert input_error(path) == f"{path}: file is empty; give an article in UTF-8 text or JSON"


@pytest.mark.parametrize(("name", "data"), [
    ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(40))),
    ("page.txt.gz", b"\x1f\x8b\x08\x00" + bytes(range(200))),
    ("blob.bin", b"abc\x00def" * 10),
    ("controls.bin", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"text"),
])
def test_binary_files_are_refused(tmp_path, name, data):
    path = write(tmp_path, name, data)
    message = input_error(path)
    assert message.startswith(f"{path}: looks like a binary file, not text")


# --- stdin -------------------------------------------------------------------------------------


def test_stdin_is_read_as_bytes(monkeypatch):
    use_stdin(monkeypatch, codecs.BOM_UTF8 + SEED_TEXT.encode("utf-8"))
    article = read_article("-")
    assert article.id == "stdin"
    assert article.headline.line == 3


def test_stdin_in_cp1256(monkeypatch):
    use_stdin(monkeypatch, (FIXTURES / "article.cp1256.txt").read_bytes())
    assert ARABIC in read_text("-")


def test_empty_stdin_is_named(monkeypatch):
    use_stdin(monkeypatch, b"\n")
    assert input_error("-").startswith("<stdin>: file is empty")


def test_a_file_named_dash_as_path_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "-", "نص عربي".encode("utf-8"))
    assert read_text(Path("-")) == "نص عربي"


# --- articles and JSON records -----------------------------------------------------------------


def test_read_article_ids_and_normalization(tmp_path):
    path = write(tmp_path, "story.txt", "اخبار لايف\n\nعنوان\u200f الخبر الرئيسي اليوم\n\nفقرة الخبر تنتهي هنا بنقطة.\n".encode())
    article = read_article(path)
    assert article.id == "story"
    assert article.headline.text == "عنوان الخبر الرئيسي اليوم"
    assert read_article(path, id="x1").id == "x1"
    assert read_article(path, headline="first-line").headline.text == "اخبار لايف"


def test_json_record_with_title_and_text():
    article = read_article(FIXTURES / "record.json")
    assert article.id == "record"
    assert [(b.role, b.line) for b in article.blocks] == [
        ("headline", 0), ("body", 1), ("subheading", 3), ("body", 5)]
    assert article.headline.text == "الأمم المتحدة تحذر من تفاقم الأزمة الإنسانية في السودان"


def test_a_page_that_opens_with_a_brace_is_text_but_json_stays_json():
    page = "{عاجل} الحكومة تعلن خطة جديدة اليوم\n\nأعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد.\n"
    assert parse_article(page, name="p.txt").headline.text == "{عاجل} الحكومة تعلن خطة جديدة اليوم"
    with pytest.raises(InputError, match="invalid JSON"):
        parse_article('{"title": "عنوان", ', name="stdin")
    with pytest.raises(InputError, match="invalid JSON"):
        parse_article("{عاجل}", name="p.json")


def test_json_record_with_headline_and_body():
    text = json.dumps({"headline": "عنوان  الخبر", "body": "اخبار لايف\nفقرة تنتهي بنقطة."}, ensure_ascii=False)
    article = parse_article(text, name="r.json", id="r")
    assert [(b.role, b.text) for b in article.blocks] == [
        ("headline", "عنوان الخبر"), ("subheading", "اخبار لايف"), ("body", "فقرة تنتهي بنقطة.")]


def test_json_record_without_title_detects_the_headline():
    text = json.dumps({"text": SEED_TEXT}, ensure_ascii=False)
    article = parse_article(text, name="r.json")
    assert article.headline.line == 3


@pytest.mark.parametrize("record", [{"title": "عنوان"}, {"title": "عنوان", "text": "  "}, {}])
def test_json_record_without_body_is_refused(record):
    with pytest.raises(InputError) as caught:
        parse_article(json.dumps(record, ensure_ascii=False), name="r.json")
    message = str(caught.value)
    assert message.startswith("r.json: ") and '"text"' in message and '"body"' in message
    assert "\n" not in message


def test_json_record_with_a_non_string_body_is_refused():
    with pytest.raises(InputError, match=r'^r\.json: JSON key "text" must be a string, not list$'):
        parse_article('{"text": ["a"]}', name="r.json")


def test_broken_json_names_line_and_column():
    with pytest.raises(InputError) as caught:
        parse_article('{\n  "title": "عنوان",\n  "text": "نص"\n  "x": 1\n}', name="bad.json")
    message = str(caught.value)
    assert message.startswith("bad.json: invalid JSON at line 4, column 3")
    assert "\n" not in message


def test_json_lines_are_refused_with_a_hint():
    with pytest.raises(InputError, match="one JSON object per file"):
        parse_article('{"text": "أ."}\n{"text": "ب."}\n', name="many.jsonl")


@pytest.mark.parametrize("text", ["[1, 2]", '"a headline"', "42"])
def test_a_json_file_that_is_not_an_object_is_refused(text):
    with pytest.raises(InputError, match=r"^a\.json: the JSON is not an object"):
        parse_article(text, name="a.json")


@pytest.mark.parametrize("text", ['{"title": "t", "text": "x", "n": ' + "1" * 5000 + "}",
                                  '{"title": "t", "text": "x", "m": ' + "[" * 2000 + "]" * 2000 + "}"])
def test_json_that_python_cannot_read_is_an_input_error(text):
    with pytest.raises(InputError, match=r"^page\.json: invalid JSON at line 1, column 1 \("):
        parse_article(text, name="page.json")
