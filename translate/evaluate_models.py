"""Translate the source of an evaluation with each model, saving the hypotheses for reuse, and
name the systems scored."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from translate.config import Settings, resolve_settings
from translate.errors import BackendError, InputError, UnsplittableError
from translate.evaluate_inputs import Texts, join_by_doc


SUBJECT_END = ": "
"""Ends the system name that begins each warning of a model's translation."""


def warning_subject(message: str) -> str:
    """The system whose translation a warning is about (the name it begins with)."""
    return message.split(SUBJECT_END, 1)[0]


def hypothesis_name(name: str, index: int, paths: Sequence[Path]) -> str:
    """A hypothesis file's name, or its path where two files share a name."""
    same = [str(p) for p in paths if Path(p).name == name]
    return name if len(same) == 1 else str(paths[index])


def unique_names(names: Sequence[str]) -> list[str]:
    """System names told apart: a repeated name gets its rank (``a.en``, ``a.en (2)``)."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def model_names(models: Sequence[Settings]) -> list[str]:
    """System names, which name the saved translations too: the preset or model, then how its
    settings differ from the model's own (``opus-mt-ar-en.ctranslate2.beam1``), so that runs of one
    model with other settings keep their own translations."""
    names: list[str] = []
    for settings in models:
        base = settings.preset or Path(settings.model).name or settings.model.replace("/", "--")
        base += "".join(f".{part}" for part in _variant(settings))
        names.append(base if base not in names else f"{base}-{len(names) + 1}")
    return names


def _variant(settings: Settings) -> list[str]:
    """How ``settings`` compute otherwise than the model's own: backend, compute type, beam size, revision."""
    own = resolve_settings(model=settings.preset or settings.model)
    parts = [value for key in ("backend", "compute_type")
             if (value := getattr(settings, key)) != getattr(own, key)]
    if settings.beam_size != own.beam_size:
        parts.append(f"beam{settings.beam_size}")
    if settings.revision and settings.revision != own.revision:
        parts.append("rev-" + re.sub(r"[^\w.-]", "-", settings.revision))
    return parts


def saved_files(name: str, save_dir: Path, documents: bool) -> tuple[Path, Path]:
    """Where a model's translations are saved: ``NAME.hyp.txt`` (``NAME.doc.hyp.txt`` by document)
    and its record ``.hyp.json``."""
    stem = f"{name}.doc" if documents else name
    return save_dir / f"{stem}.hyp.txt", save_dir / f"{stem}.hyp.json"


def weights_version(settings: Settings, on_info: Callable[[str], None] | None = None) -> str:
    """The version of the weights ``settings`` name (``convert.model_version``), found (or
    downloaded) without loading the model: an unavailable model, or one its backend cannot run
    (compute type, device, family), fails here, before any work."""
    from translate.backends import check_settings
    from translate.backends.loading import check_family, converted_for_ct2, detect_family, resolve_model_dir
    from translate.convert import is_converted, model_version

    check_settings(settings)
    given = Path(settings.model).expanduser()
    if is_converted(given):
        if settings.backend != "ctranslate2":
            raise converted_for_ct2(given)
        return model_version(given)
    model_dir = resolve_model_dir(settings, on_message=on_info)
    check_family(settings, detect_family(model_dir))
    return model_version(model_dir)


def translate_to_file(
    source: Texts,
    settings: Settings,
    save_dir: Path,
    name: str,
    version: str,
    *,
    docs: Sequence[str] | None = None,
    on_info: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Translate the source lines (or, with ``docs``, each document's joined lines) with the pipeline
    of `translate corpus`; save them as ``NAME.hyp.txt``, reused while ``NAME.hyp.json`` matches
    (the source, the settings and the ``version`` of the weights)."""
    texts = list(source.texts) if docs is None else join_by_doc(source.texts, docs)
    path, meta_path = saved_files(name, save_dir, docs is not None)
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()
    key = {"source_sha256": digest, "lines": len(texts), "unit": "line" if docs is None else "document",
           "settings": settings.generation_key(), "model_version": version}
    meta = {"name": name, "source": source.path, "key": key, "settings": asdict(settings)}
    if path.is_file() and meta_path.is_file() and _saved_key(meta_path) == key:
        if on_info:
            on_info(f"{name}: reusing the translations in {path}")
        return path, meta
    from translate.api import translate_texts

    if on_info:
        on_info(f"{name}: translating {len(texts)} {key['unit']}s of {source.path} with {settings.model}")
    warn = (lambda message: on_warning(f"{name}{SUBJECT_END}{message}")) if on_warning else None
    try:
        translations = translate_texts(texts, settings=settings, on_progress=on_progress, on_warning=warn,
                                       on_message=on_info)
    except UnsplittableError as exc:  # "line N": the Nth text, a line of the source (or its Nth document)
        raise InputError(f"{source.path}: {exc}") from None
    if len(translations) != len(texts):
        raise BackendError(f"{name}: {len(translations)} translations for {len(texts)} source texts")
    from translate.corpus_write import atomic_file, write_json

    save_dir.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as file:
        file.writelines(" ".join(t.splitlines()) + "\n" for t in translations)
    write_json(meta_path, meta)
    return path, meta


def _saved_key(meta_path: Path) -> Any:
    """What the saved translations were made from; None for a damaged record (translate again)."""
    from translate.corpus_write import read_json_object

    try:
        return read_json_object(meta_path).get("key")
    except InputError:
        return None
