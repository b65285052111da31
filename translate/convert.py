"""Converting transformers models for CTranslate2, and the cache of converted models.

A conversion is keyed by the model (hub id, or a hash of a local directory's path and
its files' sizes and times), its revision and the weights' quantization, and lives in
``$TRANSLATE_CACHE`` (default ``~/.cache/translate/ct2``)::

    Helsinki-NLP--opus-mt-ar-en-<commit>-int8/
    my-model.3f2a9c0d1e4b-local-float32/

Each conversion is written into a temporary directory next to its final place and
renamed there when complete, so an interrupted conversion never leaves half a model; the
temporary directory of one that was killed is removed by the next conversion to that place.
Nothing here imports torch or transformers until a conversion actually runs.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from translate.config import is_hub_id
from translate.corpus_write import check_writable_folder
from translate.errors import BackendError, ConfigError, damage_errors, damaged_model, first_line, model_file_error
from translate.types import Notify

QUANTIZATIONS = (
    "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32",
)
"""Weight types CTranslate2's converter writes (the same names as its compute types)."""

MARKER = "translate-conversion.json"
"""Written last into a converted model: where it came from and how it was converted."""

TOKENIZER_FILES = (
    "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json", "vocab.json", "target_vocab.json",
    "source.spm", "target.spm", "sentencepiece.bpe.model", "generation_config.json",
)
"""Copied next to the converted weights, so a converted directory can be used on its own."""

VOCABULARY_MAP = "vmap.txt"
"""CTranslate2's vocabulary map in a converted model: the tokens its output may take."""


def cache_root() -> Path:
    """``$TRANSLATE_CACHE`` when set, else ``~/.cache/translate/ct2``."""
    configured = os.environ.get("TRANSLATE_CACHE")
    root = Path(configured).expanduser() if configured else Path.home() / ".cache" / "translate" / "ct2"
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root}: the CTranslate2 conversion cache{' (TRANSLATE_CACHE)' if configured else ''} "
                          "is a file; point it at a folder")
    return root


def cache_key(model: str, model_dir: str | Path, revision: str | None, quantization: str) -> str:
    """``<model id or dir name.hash>-<revision or 'local'>-<quantization>``, safe as a file name.

    A hub model is keyed by its id and the snapshot's commit (or the revision asked for);
    a local directory by a hash of its resolved path and of its config's, weights' and
    tokenizer files' contents (sampled, as ``model_version``), so rebuilding a model in place
    converts it again.
    """
    directory = Path(model_dir).resolve()
    if not is_hub_id(model):
        contents = f"{_contents_digest(directory)}\0{_contents_digest(directory, TOKENIZER_FILES)}"
        digest = hashlib.sha256(f"{directory}\0{contents}".encode()).hexdigest()
        name, version = f"{directory.name}.{digest[:12]}", "local"
    else:
        commit = directory.name if directory.parent.name == "snapshots" else None
        name, version = model.replace("/", "--"), commit or revision or "main"
    return _safe(f"{name}-{version}-{quantization}")


def model_version(model_dir: str | Path) -> str:
    """What identifies the weights in ``model_dir``: a hub snapshot's commit, else ``local-``
    and a digest of its config's and weights' contents (a model rebuilt in place, or a
    converted one, is another version; a copy elsewhere is the same). The weights are
    sampled (``DIGEST_SAMPLES`` blocks a file): a retraining that leaves the file's size and
    every sampled block unchanged would keep the version."""
    directory = Path(model_dir).resolve()
    if directory.parent.name == "snapshots":
        return directory.name
    return f"local-{_contents_digest(directory)[:12]}"


DIGEST_SAMPLES, DIGEST_SAMPLE_BYTES = 64, 1 << 16
"""A weights file is digested by its size and this many evenly spaced blocks of this size (4 MiB
read, whatever the model's size: hashing all of NLLB-3.3B's 13 GB would take seconds per load)."""


def _contents_digest(directory: Path, names: tuple[str, ...] | None = None) -> str:
    """The hex digest of the names, sizes and sampled contents of the model's config and weights
    files (every shard of a sharded checkpoint), or of the files ``names``; read once per process
    while the files' sizes and modification times stay (a load asks for it twice: the
    conversion's cache key, the weights' version)."""
    if names is None:
        patterns = ("*.safetensors", "*.bin", "*.index.json")
        weights = sorted(p.name for pattern in patterns for p in directory.glob(pattern))
        names = ("config.json", *weights)
    files = [(name, (directory / name).stat()) for name in names if (directory / name).is_file()]
    return _sampled_digest(directory, tuple((name, st.st_size, st.st_mtime_ns) for name, st in files))


@functools.lru_cache(maxsize=16)
def _sampled_digest(directory: Path, files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, size, _ in files:
        digest.update(f"|{name}:{size}:".encode())
        with open(directory / name, "rb") as file:
            for offset in _sample_offsets(size):
                file.seek(offset)
                digest.update(file.read(DIGEST_SAMPLE_BYTES))
    return digest.hexdigest()


def _sample_offsets(size: int) -> list[int]:
    if size <= DIGEST_SAMPLES * DIGEST_SAMPLE_BYTES:
        return list(range(0, size, DIGEST_SAMPLE_BYTES))
    last = size - DIGEST_SAMPLE_BYTES
    return [i * last // (DIGEST_SAMPLES - 1) for i in range(DIGEST_SAMPLES)]


def converted_model(
    model: str,
    model_dir: str | Path,
    revision: str | None,
    quantization: str,
    *,
    on_message: Notify | None = None,
) -> Path:
    """The cached CTranslate2 conversion of ``model_dir``, converting it on first use.

    ``on_message`` gets one line when a conversion starts and one when it is done; a
    cached conversion is returned silently.
    """
    _check_quantization(quantization)
    target = cache_root() / cache_key(model, model_dir, revision, quantization)
    if _reusable(target, model_dir, quantization, cached=True):
        return target
    return _convert_announced(model, model_dir, target, quantization, revision, on_message, cached=True)


def _convert_announced(
    model: str,
    model_dir: str | Path,
    target: Path,
    quantization: str,
    revision: str | None,
    notify: Notify | None,
    *,
    cached: bool,
    force: bool = False,
) -> Path:
    """``convert_model`` between a line that says what is converted where and one that says it is done."""
    where = f"once; cached in {target}" if cached else f"into {target}"
    if notify:
        notify(f"converting {model} for CTranslate2 ({quantization} weights), {where}")
    started = time.perf_counter()
    convert_model(model_dir, target, quantization, source=model, revision=revision, force=force)
    if notify:
        notify(f"converted {model} in {time.perf_counter() - started:.1f}s")
    return target


def convert_model(
    model_dir: str | Path,
    output_dir: str | Path,
    quantization: str,
    *,
    source: str | None = None,
    revision: str | None = None,
    force: bool = False,
) -> Path:
    """Convert the transformers model in ``model_dir`` into ``output_dir``, atomically.

    The converter writes into a temporary sibling directory, which is renamed to
    ``output_dir`` only when the conversion is complete. An existing complete conversion
    is kept unless ``force``; any other existing ``output_dir`` is an error, with ``force`` too.
    """
    _check_quantization(quantization)
    output = Path(output_dir).expanduser().resolve()  # a link: its target is the output
    if _reusable(output, model_dir, quantization, force=force):
        return output
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise BackendError(f"converting needs ctranslate2, transformers and torch ({exc})") from None
    from translate.backends.loading import detect_family, quiet_transformers
    from translate.backends.model_tokenizers import check_tokenizer_files

    family = detect_family(model_dir)
    check_tokenizer_files(Path(model_dir), family)

    quiet_transformers()

    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(output)
    scratch = Path(tempfile.mkdtemp(prefix=f".{output.name}.{_owner()}.", suffix=".tmp", dir=output.parent))
    try:
        converted = scratch / "model"
        try:
            copy = [str(Path(model_dir) / name) for name in TOKENIZER_FILES if (Path(model_dir) / name).is_file()]
            TransformersConverter(str(model_dir), copy_files=copy).convert(str(converted), quantization=quantization)
        except OSError as exc:
            raise model_file_error(model_dir, exc) from None
        except (ValueError, NotImplementedError) as exc:
            raise BackendError(
                f"{model_dir}: CTranslate2 cannot convert this model ({first_line(exc)})"
            ) from None
        except damage_errors() as exc:  # a truncated weights file
            raise damaged_model(model_dir, exc) from None
        write_vocabulary_map(converted, family)
        (converted / MARKER).write_text(
            json.dumps(
                {
                    "source": source or str(model_dir),
                    "source_dir": str(Path(model_dir).resolve()),
                    "revision": revision,
                    "weights": model_version(model_dir),
                    "quantization": quantization,
                    **_source_config(model_dir, family),
                    "ctranslate2": _ctranslate2_version(),
                    "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        if output.exists() and (force or _is_empty(output)):
            shutil.rmtree(output)
        try:
            os.replace(converted, output)
        except OSError:
            if not is_converted(output):  # another process may have finished the same conversion first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return output


def _reusable(
    output: Path, model_dir: str | Path, quantization: str, *, cached: bool = False, force: bool = False
) -> bool:
    """True when ``output`` already holds this conversion of ``model_dir``; False when there
    is nothing there, or an earlier conversion that ``force`` replaces. Anything else there is
    refused, never replaced, but a damaged entry of the cache, which is removed."""
    if not output.exists() or _is_empty(output):
        return False
    if not is_converted(output):
        if cached:
            shutil.rmtree(output)
            return False
        raise ConfigError(f"{output} exists and is not a converted model; choose another output directory")
    if force:
        return False
    if cached:  # its name says which model, revision and quantization (the source may have moved)
        return True
    marker = read_marker(output)
    held = (marker.get("source_dir"), marker.get("quantization"))
    if held != (str(Path(model_dir).resolve()), quantization):
        raise ConfigError(
            f"{output} holds another conversion ({marker.get('source')}, {held[1]} weights); "
            "choose another output directory, or add --force to replace it"
        )
    weights = model_version(model_dir)
    if marker.get("weights", weights) != weights:  # retrained in place
        raise ConfigError(
            f"{output} holds a conversion of {marker.get('source')} as it was before its weights changed "
            f"({marker['weights']}, now {weights}); add --force to convert it again"
        )
    return True


def _is_empty(path: Path) -> bool:
    """An empty folder, e.g. one made for the conversion: it is written into."""
    return path.is_dir() and next(path.iterdir(), None) is None


def _owner() -> str:
    """``host-pid`` of this process, in the name of its temporary conversion directory."""
    return f"{socket.gethostname()}-{os.getpid()}"


def _remove_abandoned(output: Path) -> None:
    """Remove the temporary directories that conversions into ``output`` left when they were
    killed: those named for a process of this machine that is no longer running."""
    if os.name != "posix":
        return
    host = socket.gethostname()
    start = f".{output.name}."
    for scratch in output.parent.glob(f"{glob.escape(start)}*.tmp"):
        owner = scratch.name[len(start):].rsplit(".", 2)[0]  # "<host>-<pid>.<random>.tmp"
        name, _, pid = owner.rpartition("-")
        if name == host and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(scratch, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def write_vocabulary_map(converted: Path, family: str) -> bool:
    """Give a converted MarianMT model the vocabulary map that keeps CTranslate2's output to
    its target-language pieces (``model_tokenizers.output_vocabulary``, which the transformers
    backend keeps to as well), unless it has one; True when it has one. A conversion made
    before these maps gets one when it is loaded; one in a folder that cannot be written
    keeps its whole vocabulary."""
    from translate.backends.model_tokenizers import output_vocabulary

    path = converted / VOCABULARY_MAP
    if path.is_file():
        return True
    tokens = output_vocabulary(converted, family)
    if tokens is None:
        return False
    scratch = path.with_name(f".{path.name}.{_owner()}.tmp")
    try:
        scratch.write_text("\t" + " ".join(tokens) + "\n", encoding="utf-8")  # the empty source n-gram: always
        os.replace(scratch, path)
    except OSError:
        scratch.unlink(missing_ok=True)
        return False
    return True


def is_converted(path: str | Path) -> bool:
    """True for a complete conversion (its marker is written last)."""
    path = Path(path)
    return (path / MARKER).is_file() and (path / "model.bin").is_file()


def convert(
    model: str | None,
    *,
    quantization: str = "int8",
    output: str | Path | None = None,
    revision: str | None = None,
    force: bool = False,
    on_message: Notify | None = None,
) -> Path:
    """What ``translate convert`` does: resolve a preset, hub id or directory and convert it.

    Without ``output`` the conversion goes to (or is found in) the cache that the
    CTranslate2 backend reads; returns the converted model's directory.
    """
    from translate.backends.loading import detect_family, resolve_model_dir
    from translate.config import resolve_settings

    _check_quantization(quantization)
    settings = resolve_settings(model=model, revision=revision)
    model_dir = resolve_model_dir(settings, on_message=on_message)
    if is_converted(model_dir):
        raise ConfigError(f"{model_dir} is already converted for CTranslate2; use it as it is: --model {model_dir}")
    detect_family(model_dir)  # an unsupported model fails here with a clear message
    cached = output is None
    target = cache_root() / cache_key(settings.model, model_dir, settings.revision, quantization) if cached \
        else Path(output).expanduser()  # type: ignore[arg-type]
    if not cached and target.resolve().is_relative_to(Path(model_dir).resolve()):
        raise ConfigError(f"-o {target} is inside the model folder {model_dir}: the conversion would change the "
                          "model's files; choose an output directory outside it")
    if _reusable(target, model_dir, quantization, cached=cached, force=force):
        if on_message:
            on_message(f"{settings.model} is already converted in {target} (--force converts it again)")
        return target
    check_writable_folder(target)
    return _convert_announced(
        settings.model, model_dir, target, quantization, settings.revision, on_message, cached=cached, force=force
    )


def read_marker(path: str | Path) -> dict:
    """What ``convert_model`` recorded about a converted model (source, family, input limit, ...)."""
    return read_model_json(Path(path) / MARKER, required=True)


def read_model_json(path: Path, *, required: bool = False) -> dict[str, Any]:
    """A JSON object of a model's folder (its config, its tokenizer's, a conversion's record);
    ``{}`` for a file it need not have. A file that cannot be read, or holds no object, is a
    damaged model, named."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if not required:
            return {}
        raise damaged_model(path.parent, FileNotFoundError(f"no {path.name}")) from None
    except (OSError, ValueError) as exc:
        raise damaged_model(path.parent, ValueError(f"{path.name}: {first_line(exc)}")) from None
    if not isinstance(data, dict):
        raise damaged_model(path.parent, ValueError(f"{path.name} holds no JSON object"))
    return data


def _source_config(model_dir: str | Path, family: str) -> dict:
    """The facts about the transformers model that a converted directory no longer shows."""
    config = read_model_json(Path(model_dir) / "config.json", required=True)
    return {"family": family, "max_position_embeddings": config.get("max_position_embeddings")}


def _check_quantization(quantization: str) -> None:
    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"unknown quantization {quantization!r}; choose one of: {', '.join(QUANTIZATIONS)}")


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def _ctranslate2_version() -> str:
    import ctranslate2

    return ctranslate2.__version__

