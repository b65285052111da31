"""Settings and model presets, with their precedence in one place.

Precedence, lowest first: built-in defaults < preset (``configs/NAME.toml``) <
user config file (``--config FILE``) < options given on the command line or to the API.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, get_args, get_type_hints

from translate.errors import ConfigError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a package
    import tomli as tomllib

DEFAULT_PRESET = "opus-mt-tc-big-ar-en"
BACKENDS = ("transformers", "ctranslate2")
FAMILIES = ("marian", "nllb")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to load a model and translate. Every field is a config key."""

    model: str = ""
    """Hub id or local directory of the transformers model."""
    preset: str | None = None
    family: str | None = None
    """``marian`` or ``nllb``; detected from the model's config when not given."""
    backend: str = "transformers"
    revision: str | None = None
    device: str = "auto"
    """``auto`` (CUDA when present, else CPU), ``cpu``, ``cuda`` or ``cuda:N``."""
    compute_type: str = "auto"
    """transformers: float32, float16, bfloat16; ctranslate2: int8, int8_float16, float16, float32, ..."""
    beam_size: int = 4
    max_length_ratio: float = 2.0
    """Output length limit: ratio * source tokens + max_length_offset."""
    max_length_offset: int = 10
    max_sentence_tokens: int = 200
    """Sentences longer than this (or than the model's own input limit) are split at clauses."""
    batch_tokens: int = 0
    """Token budget of a batch, counted as padded cells (batch size * longest). 0: backend default."""
    batch_size: int = 0
    """Most sentences in a batch. 0: backend default."""
    threads: int = 0
    """CPU threads. 0: all cores."""
    inter_threads: int = 0
    """CTranslate2 only: batches translated in parallel, each by a worker with an equal share of the
    threads. 0: the backend's default (two on a CPU with two or more threads, one on CUDA)."""
    source_lang: str = "ar"
    target_lang: str = "en"
    output_vocabulary: str = "target"
    """``target``: a MarianMT model scores only its target-language pieces at each step
    (``model_tokenizers.output_vocabulary``); ``full``: all of its vocabulary, as transformers does."""

    def generation_key(self) -> dict[str, Any]:
        """The settings that change translations; a corpus run refuses to resume if they differ."""
        keys = ("model", "revision", "backend", "family", "compute_type", "beam_size",
                "max_length_ratio", "max_length_offset", "max_sentence_tokens", "output_vocabulary")
        return {k: getattr(self, k) for k in keys}


FIELDS = {f.name for f in dataclasses.fields(Settings)}
TYPES = {name: get_args(hint) or (hint,) for name, hint in get_type_hints(Settings).items()}
"""The types each config key accepts (``None`` for the optional ones)."""
COMPUTE_TYPES = ("auto", "float32", "float16", "bfloat16", "int8", "int8_float32", "int8_float16", "int8_bfloat16",
                 "int16")
"""Every compute type a backend knows; which ones run depends on the backend and the device."""
BACKEND_TYPES = {"transformers": ("auto", "float32", "float16", "bfloat16"), "ctranslate2": COMPUTE_TYPES}
"""The compute types of each backend; which of them run depends on the device."""
CHOICES = {"backend": BACKENDS, "family": FAMILIES, "source_lang": ("ar",), "target_lang": ("en",),
           "compute_type": COMPUTE_TYPES, "output_vocabulary": ("target", "full")}
LEAST = {"beam_size": 1, "max_sentence_tokens": 8, "batch_tokens": 0, "batch_size": 0, "threads": 0,
         "inter_threads": 0, "max_length_ratio": 0, "max_length_offset": 0}
"""The smallest value of each numeric key (0 means the backend's default for the batch keys and
``inter_threads``, and all cores for ``threads``)."""
MOST = {"threads": 1024, "inter_threads": 1024}
"""The largest value of a key where more cannot help (each thread is started); every other
whole number stays under 2**31, what the backends' native code takes."""
_LARGEST_INT = 2**31 - 1
TYPE_NAMES = {str: "text", int: "a whole number", float: "a number"}
_HUB_NAME = r"\w(?:[\w.-]{0,94}\w)?"
_HUB_ID = re.compile(rf"(?!.*(?:--|\.\.)){_HUB_NAME}/{_HUB_NAME}(?<!\.git)")
"""``owner/name`` as the hub takes it: letters, digits, ``_``, ``-`` and ``.``, each part
beginning and ending with a letter or digit, at most 96 long, no ``--`` or ``..``, no ``.git``
ending. Anything else (``./my-model``, ``out/model.``) can only be a local path."""
DEVICE = re.compile(r"auto|cpu|cuda(?::([0-9]+))?")
"""A device setting; its group is the GPU index of ``cuda:N``."""


def configs_dir() -> Path:
    """Presets ship inside the wheel as ``translate/configs``; a source checkout has ``configs/``."""
    packaged = Path(str(resources.files("translate"))) / "configs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "configs"


def list_presets() -> dict[str, dict[str, Any]]:
    return {p.stem: read_config(p) for p in sorted(configs_dir().glob("*.toml"))}


def read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))  # Notepad saves UTF-8 with a BOM
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML config ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}); give a TOML file") from None
    unknown = sorted(set(data) - FIELDS - {"description"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown config key(s) {', '.join(unknown)}; valid keys: "
            f"{', '.join(sorted(FIELDS | {'description'}))}"
        )
    for key, value in data.items():
        check_value(key, value, where=f"{path}: ")
    return data


def check_value(key: str, value: Any, *, where: str = "") -> None:
    """Refuse a config value of the wrong type or out of range, naming ``where`` it came from."""
    allowed = (str,) if key == "description" else TYPES[key]
    if float in allowed:
        allowed = (*allowed, int)
    if isinstance(value, bool) or not isinstance(value, allowed):
        names = " or ".join(dict.fromkeys(TYPE_NAMES[t] for t in allowed if t in TYPE_NAMES))
        raise ConfigError(f"{where}{key} must be {names}, got {value!r}")
    if key in ("model", "preset", "revision") and not value.strip():
        raise ConfigError(f"{where}{key} is empty; give a {'revision' if key == 'revision' else 'model'} "
                          "or leave the key out")
    if key in CHOICES and value not in CHOICES[key]:
        raise ConfigError(f"{where}{key} {value!r} is not one of: {', '.join(CHOICES[key])}")
    if key == "device" and not DEVICE.fullmatch(value):
        raise ConfigError(f"{where}device {value!r} is not one of: auto, cpu, cuda, cuda:N")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}{key} must be a finite number, got {value}")
    if key in LEAST and value < LEAST[key]:
        raise ConfigError(f"{where}{key} must be at least {LEAST[key]}, got {value}")
    most = MOST.get(key, _LARGEST_INT)
    if isinstance(value, (int, float)) and value > most:
        raise ConfigError(f"{where}{key} must be at most {most}, got {value}")


def resolve_settings(model: str | None = None, config: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from a preset name / hub id / local path, a config file and overrides.

    ``None`` overrides are ignored, so CLI options left unset keep the preset's values. A model
    (on the command line, or the file's ``model``: a preset name, hub id, or directory, relative
    to the file) replaces the preset, model, revision and family of what is below it.
    """
    if model is not None and not model.strip():
        raise ConfigError("the model name is empty; give a preset name, hub id or model directory, or leave it out")
    file_values = read_config(config) if config else {}
    own = ("preset", "model", "revision", "family")  # what a named model brings, and replaces below it
    preset = _file_model(config, file_values["preset"]) if "preset" in file_values and not model else None
    if model:
        base, skipped = _model_values(model), own
    elif "model" in file_values:
        below = {k: v for k, v in (preset or {}).items() if k not in own}
        base, skipped = {**below, **_file_model(config, file_values["model"])}, ("preset", "model")
    else:
        base, skipped = preset or _model_values(DEFAULT_PRESET), ("preset",)
    values = {**base, **{k: v for k, v in file_values.items() if k not in skipped}}
    given = {k: v for k, v in overrides.items() if v is not None}
    unknown = sorted(set(given) - FIELDS)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; valid keys: {', '.join(sorted(FIELDS))}")
    for key, value in given.items():
        check_value(key, value)
    values.update(given)
    values.pop("description", None)
    if "backend" not in file_values and "backend" not in given and _is_conversion(values.get("model", "")):
        values["backend"] = "ctranslate2"
    settings = Settings(**values)
    from_file = any(key in file_values and key not in given for key in ("backend", "compute_type"))
    check_backend_type(settings.backend, settings.compute_type, where=f"{config}: " if from_file else "")
    return settings


def check_backend_type(backend: str, compute_type: str, *, where: str = "") -> None:
    """Refuse a compute type that the backend does not have, naming ``where`` it was set."""
    known = BACKEND_TYPES.get(backend, COMPUTE_TYPES)
    if compute_type not in known:
        raise ConfigError(
            f"{where}compute_type {compute_type!r} is not a {backend} compute type; choose one of: "
            f"{', '.join(known)} (int8 types need the ctranslate2 backend)"
        )


def _file_model(config: Path, name: str) -> dict[str, Any]:
    """The values a config file's ``preset`` or ``model`` names (a relative directory is taken
    from the file's folder); an unknown one is an error naming the file."""
    beside = Path(config).parent / Path(name).expanduser()
    try:
        return _model_values(str(beside) if not Path(name).expanduser().is_absolute() and beside.exists() else name)
    except ConfigError as exc:
        raise ConfigError(f"{config}: {exc}") from None


def is_hub_id(name: str) -> bool:
    """``owner/name`` of a hub model, and not a path on this machine."""
    return _HUB_ID.fullmatch(name) is not None and not Path(name).expanduser().exists()


def _is_conversion(model: str) -> bool:
    """A local directory written by ``translate convert -o DIR``: only CTranslate2 can run it."""
    from translate.convert import is_converted

    return bool(model) and is_converted(Path(model).expanduser())


def _model_values(name: str) -> dict[str, Any]:
    presets = list_presets()
    if name in presets:
        return {**presets[name], "preset": name}
    if Path(name).expanduser().exists():
        return {"model": str(Path(name).expanduser().resolve())}
    if "/" in name:  # a hub id, or a path that resolve_model_dir reports missing
        return {"model": name}
    raise ConfigError(
        f"unknown model {name!r}: not a preset ({', '.join(presets)}), a local directory or a hub id (owner/name)"
    )
