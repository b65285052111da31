"""Reading one article: bytes from a file or stdin, decoded, then parsed as text or a JSON record.

Every failure is an InputError whose message is one line naming the file and saying
how to fix it.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from pathlib import Path
from typing import Any

from translate.article import check_headline_mode, detect_structure
from translate.errors import ConfigError, InputError, first_line
from translate.normalize import normalize_text
from translate.types import Article, Block

STDIN = "-"
STDIN_NAME = "<stdin>"
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Checked in this order: a UTF-32 LE BOM starts with the UTF-16 LE one."""
MAGIC = (
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"%PDF", "PDF"), (b"\x1f\x8b", "gzip archive"), (b"PK\x03\x04", "zip archive"),
    (b"BZh", "bzip2 archive"), (b"\xfd7zXZ", "xz archive"),
)
TITLE_KEYS = ("title", "headline")
BODY_KEYS = ("text", "body")
MAX_CONTROL_RATIO = 0.05
"""More control bytes than this (in the first 8 KiB) mark a binary file."""
MIN_ARABIC_RATIO = 0.5
"""Windows-1256 is accepted when at least this share of the letters are Arabic..."""
MAX_ODD_RATIO = 0.02
"""... and at most this share of the visible characters are neither ASCII nor Arabic."""
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_COMMON_SYMBOLS = frozenset("«»“”‘’–—…•·°×÷")


def name_source(source: str | Path) -> str:
    """How messages name the input: the path as given, or ``<stdin>``."""
    return STDIN_NAME if str(source) == STDIN and not isinstance(source, Path) else str(source)


def read_bytes(source: str | Path) -> bytes:
    name = name_source(source)
    if name == STDIN_NAME:
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            raise InputError(f"{name}: standard input cannot be read as bytes; give a file path")
        return buffer.read()
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{name}: is a directory; give the path of a file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; check the file's permissions") from None
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror}); check the path") from None


def describe_binary(data: bytes) -> str | None:
    """What kind of binary file ``data`` looks like, or None when it looks like text."""
    kind = next((label for magic, label in MAGIC if data.startswith(magic)), None)
    if kind:
        return kind
    head = data[:8192]
    if b"\x00" in head:
        return "NUL bytes"
    controls = sum(1 for byte in head if (byte < 0x20 and byte not in _TEXT_CONTROLS) or byte == 0x7F)
    return "control bytes" if controls > MAX_CONTROL_RATIO * len(head) else None


def bom_less_utf16(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` reads in it as mostly ASCII and Arabic, else None."""
    head = data[:8192 & ~1]
    for codec in ("utf-16-le", "utf-16-be"):
        text = head.decode(codec, errors="replace")
        usual = sum(1 for ch in text if ch.isascii() and ch != "\x00" or "\u0600" <= ch <= "\u06ff")
        if usual >= MIN_ARABIC_RATIO * len(text):
            return codec
    return None


def is_plausible_arabic(text: str) -> bool:
    """Mostly Arabic letters, with few characters that are neither ASCII nor Arabic."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = [ch for ch in visible if ch.isalpha()]
    arabic = sum(1 for ch in letters if "\u0600" <= ch <= "\u06ff")
    odd = sum(1 for ch in visible
              if not ch.isascii() and not "\u0600" <= ch <= "\u06ff" and ch not in _COMMON_SYMBOLS)
    return bool(letters) and arabic >= MIN_ARABIC_RATIO * len(letters) and odd <= MAX_ODD_RATIO * len(visible)


def text_codec(encoding: str) -> str:
    """The codec name of a text encoding; ConfigError for an unknown name or a codec that is
    not a text encoding (rot13, base64)."""
    try:
        b"a".decode(encoding)
    except LookupError:
        raise ConfigError(f"--encoding {encoding!r}: not a known text encoding; e.g. utf-8, cp1256, utf-16") from None
    except UnicodeDecodeError:  # a wide encoding (UTF-32) cannot decode one byte
        pass
    except UnicodeError:  # "undefined", which decodes nothing
        raise ConfigError(f"--encoding {encoding!r}: not a usable text encoding; e.g. utf-8, cp1256, utf-16") from None
    return codecs.lookup(encoding).name


def byte_line(data: bytes, offset: int) -> int:
    """The line (from 1) of the byte at ``offset``, for a message about an undecodable byte."""
    return data.count(b"\n", 0, offset) + 1


def decode_forced(data: bytes, name: str, encoding: str) -> str:
    codec = text_codec(encoding)
    try:
        text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: line {byte_line(data, error.start)}: cannot be decoded as {encoding} (byte "
            f"0x{data[error.start]:02x} at offset {error.start}); give the file's real --encoding or convert it "
            "to UTF-8"
        ) from None
    if "\x00" in text:
        raise InputError(
            f"{name}: decoded as {encoding} the text holds NUL characters, so it is not {encoding}; "
            "give the file's real --encoding (UTF-16 files have NUL bytes: utf-16) or convert it to UTF-8"
        )
    return text


def decode_detected(data: bytes, name: str) -> str:
    """UTF-8/16/32 by BOM, else UTF-8, else Windows-1256 when the result is plausibly Arabic."""
    codec = next((codec for bom, codec in BOMS if data.startswith(bom)), None)
    if codec is None:
        kind = describe_binary(data)
        if kind:
            hint = f"; if it is UTF-16 text without a byte-order mark, give --encoding {utf16}" if (
                utf16 := bom_less_utf16(data)) else ""
            raise InputError(
                f"{name}: looks like a binary file, not text ({kind}); give the article as UTF-8 text or JSON{hint}"
            )
        codec = "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        if codec != "utf-8":
            raise InputError(
                f"{name}: has a {codec} byte-order mark but is not valid {codec} (offset {error.start}); "
                "convert it to UTF-8 or give --encoding"
            ) from None
        first_bad = error.start
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and is_plausible_arabic(text):
        return text
    raise InputError(
        f"{name}: line {byte_line(data, first_bad)}: byte 0x{data[first_bad]:02x} is not UTF-8, and the file is "
        "not Windows-1256 Arabic either; remove that byte if the rest is UTF-8, or give the file's codec with --encoding"
    )


def read_text(source: str | Path, encoding: str | None = None) -> str:
    """The decoded text of a file, or of stdin when ``source`` is ``"-"``.

    Without ``encoding``: UTF-8 (BOM stripped), UTF-16/32 with a BOM, then
    Windows-1256 when the bytes are not UTF-8 but decode to plausible Arabic.
    """
    name = name_source(source)
    data = read_bytes(source)
    if not data.strip():
        raise InputError(f"{name}: file is empty; give an article in UTF-8 text or JSON")
    text = decode_forced(data, name, encoding) if encoding else decode_detected(data, name)
    if not text.strip():
        raise InputError(f"{name}: file is empty; give an article in UTF-8 text or JSON")
    return text


def loads_json(text: str) -> Any:
    """``json.loads``, with what Python's reader cannot take (an integer of thousands of digits,
    nesting a thousand deep) raised as the ``JSONDecodeError`` of invalid JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        raise json.JSONDecodeError(first_line(exc), text, 0) from None


def load_record(text: str, name: str) -> dict[str, Any]:
    try:
        record = loads_json(text)
    except json.JSONDecodeError as error:
        hint = "give one JSON object per file" if error.msg == "Extra data" else "fix the JSON"
        raise InputError(
            f"{name}: invalid JSON at line {error.lineno}, column {error.colno} ({error.msg}); {hint}"
        ) from None
    if not isinstance(record, dict):
        raise InputError(f"{name}: the JSON is not an object; give {{\"title\": ..., \"text\": ...}}")
    return record


def pick_string(record: dict[str, Any], keys: tuple[str, ...], name: str) -> str | None:
    """The value of the first of ``keys`` present in the record; it must be a string."""
    key = next((k for k in keys if k in record and record[k] is not None), None)
    if key is None:
        return None
    if not isinstance(record[key], str):
        kind = type(record[key]).__name__
        raise InputError(f"{name}: JSON key \"{key}\" must be a string, not {kind}")
    return record[key]


def id_text(value: Any) -> str:
    """A record's id as text: a string as it is, any other JSON value as JSON (``5``, ``true``,
    ``{"n": 1}``), so that ids read the same in every output and pair alike in ``evaluate``;
    Parquet's other types as they print (a timestamp ``2020-01-01 00:00:00``, bytes decoded)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if value is None or isinstance(value, (bool, int, float, list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def parse_record(text: str, *, name: str, id: str = "", headline: str = "auto") -> Article:
    """A JSON article: ``title``/``headline`` becomes the headline, ``text``/``body`` is detected.

    With a title, the body is detected with headline mode ``none`` and the headline block
    has line 0; without one, the body is detected with ``headline``. Body block lines
    count within the body string.
    """
    check_headline_mode(headline)
    record = load_record(text, name)
    body = pick_string(record, BODY_KEYS, name)
    if body is None or not body.strip():
        raise InputError(
            f"{name}: JSON record has no article text; expected a \"text\" or \"body\" string "
            "(and optionally \"title\" or \"headline\")"
        )
    title = pick_string(record, TITLE_KEYS, name) or ""
    article = detect_structure(normalize_text(body), id=id, headline="none" if title.strip() else headline)
    return add_title(article, title)


def add_title(article: Article, title: str) -> Article:
    """``article`` with ``title`` (normalized, on one line) as its headline block, line 0;
    unchanged for a blank title. A body of site chrome alone keeps its title to translate."""
    title = " ".join(normalize_text(title).split())
    if not title:
        return article
    return Article(id=article.id, blocks=(Block("headline", title, 0),) + article.blocks)


_JSON_OBJECT = re.compile(r"\s*\{\s*[\"}]")


def parse_article(text: str, *, name: str, id: str = "", headline: str = "auto") -> Article:
    """An article from decoded text: a JSON record when the file is ``.json`` or the text
    opens as a JSON object does (``{"`` or ``{}``), else a scraped page (``{عاجل} ...``)."""
    if _JSON_OBJECT.match(text) or name.lower().endswith(".json"):
        return parse_record(text, name=name, id=id, headline=headline)
    return detect_structure(normalize_text(text), id=id, headline=headline)


def read_article(
    source: str | Path, *, encoding: str | None = None, headline: str = "auto", id: str | None = None
) -> Article:
    """Read, decode and parse one article; ``id`` defaults to the file name's stem, or ``stdin``."""
    name = name_source(source)
    if id is None:
        id = "stdin" if name == STDIN_NAME else Path(source).stem
    return parse_article(read_text(source, encoding), name=name, id=id, headline=headline)
