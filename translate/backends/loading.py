"""Finding a model on disk, its family and the device to run it on; shared by the backends.

``resolve_model_dir`` never waits on an unreachable hub: it looks in the local cache first
and only goes online when that misses and offline mode is off.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from translate.config import DEVICE, Settings, is_hub_id
from translate.convert import is_converted, read_model_json
from translate.errors import BackendError, ConfigError, ModelUnavailableError
from translate.types import Notify

FAMILIES = {"marian": "marian", "m2m_100": "nllb"}
"""config.json ``model_type`` -> model family."""

NLLB_CODES = {"ar": "arb_Arab", "en": "eng_Latn"}
"""ISO language code -> NLLB-200 (FLORES-200) language code."""

SUPPORT_FILES = ["*.json", "*.spm", "*.model", "*.txt"]
"""Configs and tokenizer files; a download adds one weights format (safetensors if the repo has it, else .bin)."""

STRICT_LENGTH_RATIO = 1.5
"""Strict mode's cap on output tokens per source token (the normal limit is ``settings.max_length_ratio``)."""
STRICT_REPETITION_PENALTY = 1.3
STRICT_NO_REPEAT_NGRAM_SIZE = 3

def resolve_model_dir(settings: Settings, *, on_message: Notify | None = None) -> str:
    """A local directory holding ``settings.model``: the path itself, or the hub id's snapshot.

    A hub id is looked up in the local cache first; when it is not there and the hub is
    not marked offline, it is downloaded (``settings.revision`` pinned), with a line to
    ``on_message`` and the hub's progress bars; without ``on_message``, silently.
    """
    name = settings.model
    if not is_hub_id(name):
        refuse_revision(settings)
        return str(check_local_model(Path(name).expanduser(), name))
    try:
        return str(check_local_model(Path(_cached_snapshot(settings)), name))
    except ModelUnavailableError:
        if _offline():
            raise
    if on_message:
        on_message(f"downloading {name} from the Hugging Face hub, once (then it is cached)")
    return str(check_local_model(Path(_download_snapshot(settings, quiet=on_message is None)), name))


def refuse_revision(settings: Settings) -> None:
    """A revision names a hub commit: refused for a local directory rather than recorded as fact."""
    if settings.revision:
        raise ConfigError(f"revision {settings.revision!r} is for hub models, and {settings.model} is a local "
                          "directory; leave the revision out")


def download_model(settings: Settings, *, quiet: bool = False) -> Path:
    """Fetch ``settings.model`` at ``settings.revision`` into the Hugging Face cache; returns its
    snapshot (in offline mode, the cached one). ``quiet``: without the hub's progress bars."""
    if not is_hub_id(settings.model):
        raise ConfigError(f"{settings.model!r} is not a hub id (owner/name); only hub models can be downloaded")
    if _offline():
        try:
            return check_local_model(Path(_cached_snapshot(settings)), settings.model)
        except ModelUnavailableError:
            raise ModelUnavailableError(
                f"cannot download {settings.model!r}: offline mode is on (HF_HUB_OFFLINE) and it is not cached; "
                "unset it and retry"
            ) from None
    return check_local_model(Path(_download_snapshot(settings, downloading=True, quiet=quiet)), settings.model)


def quiet_transformers() -> None:
    """Our own progress bars and warnings are the ones on stderr, not transformers' loader's."""
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, as a container or ``taskset`` sets it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def check_family(settings: Settings, family: str) -> None:
    """Refuse a model whose family is not the one the settings name (a preset's, or ``family =``)."""
    if settings.family is not None and settings.family != family:
        raise ConfigError(
            f"model {settings.model!r} is a {family} model, but the settings say family {settings.family!r} "
            "(the preset's, or 'family' in the --config file); leave 'family' out or set it to "
            f"{family!r}"
        )


def converted_for_ct2(model_dir: str | Path) -> ConfigError:
    return ConfigError(f"{model_dir}: a model converted for CTranslate2; run it with --backend ctranslate2")


def detect_family(model_dir: str | Path) -> str:
    """``marian`` or ``nllb``, from the ``model_type`` in the directory's config.json."""
    model_type = read_model_json(Path(model_dir) / "config.json", required=True).get("model_type")
    if isinstance(model_type, str) and model_type in FAMILIES:
        return FAMILIES[model_type]
    if is_converted(model_dir):
        raise converted_for_ct2(model_dir)
    if (Path(model_dir) / "model.bin").is_file() and model_type is None:
        raise ConfigError(
            f"{model_dir}: a CTranslate2 model that 'translate convert' did not write (it lacks what model "
            "and tokenizer it holds); give the transformers model instead, or convert it with 'translate convert'"
        )
    raise ConfigError(
        f"{model_dir}: model type {model_type!r} is not supported; supported types: "
        "marian (OPUS-MT), m2m_100 (NLLB-200)"
    )


def select_device(requested: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``; ``cuda`` / ``cuda:N`` are checked to exist."""
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    kind, _ = parse_device(requested, count)
    return requested if kind == "cuda" and requested != "auto" else kind


def parse_device(requested: str, cuda_count: int) -> tuple[str, int]:
    """(``cpu`` or ``cuda``, GPU index) for a device setting, given how many GPUs are visible;
    ``auto`` takes GPU 0 when there is one. A device that does not exist is a ConfigError."""
    if requested == "auto":
        return ("cuda", 0) if cuda_count else ("cpu", 0)
    if requested == "cpu":
        return "cpu", 0
    match = DEVICE.fullmatch(requested)
    if match is None:
        raise ConfigError(f"unknown device {requested!r}; choose one of: auto, cpu, cuda, cuda:N")
    if cuda_count == 0:
        raise ConfigError(f"device {requested!r} requested but no CUDA GPU is available; use --device cpu")
    index = int(match.group(1) or 0)
    if index >= cuda_count:
        raise ConfigError(
            f"device {requested!r} does not exist: {cuda_count} CUDA GPU(s) visible (cuda:0 to cuda:{cuda_count - 1})"
        )
    return "cuda", index


def check_local_model(path: Path, name: str) -> Path:
    """``path``, resolved, where it is a folder holding a transformers model (``name`` as given)."""
    if path.is_file():
        raise ModelUnavailableError(f"model {name!r}: a file, not a model directory; give the folder that holds "
                                    "the model's config.json, or a hub id (owner/name)")
    if not path.is_dir():
        raise ModelUnavailableError(f"model {name!r}: no such directory, and not a hub id (owner/name) either")
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(f"{path}: no config.json there, so it holds no transformers model")
    return path.resolve()


def _offline() -> bool:
    from huggingface_hub import constants

    flag = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return constants.HF_HUB_OFFLINE or flag.upper() in {"1", "ON", "YES", "TRUE"}


def _unreachable(name: str, revision: str | None = None, *, downloading: bool = False,
                 weightless: bool = False) -> ModelUnavailableError:
    if downloading:
        return ModelUnavailableError(
            f"cannot download {name!r}: the Hugging Face hub cannot be reached; check the network "
            "(or the HF_ENDPOINT and proxy settings) and retry"
        )
    cached = "is cached without its weights" if weightless else "is not in the local cache"
    at = f" at revision {revision!r}" if revision else ""
    again = f"translate download {name}" + (f" --revision {revision}" if revision else "")
    return ModelUnavailableError(
        f"model {name!r}{at} {cached} and the Hugging Face hub cannot be reached; "
        f"run '{again}' on a connected machine, or give the path of a local copy instead"
    )


def _cached_snapshot(settings: Settings) -> str:
    """The cached snapshot, never touching the network. Weights are not checked here (from_pretrained does)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            settings.model, revision=settings.revision, allow_patterns=SUPPORT_FILES, local_files_only=True
        )
    except LocalEntryNotFoundError:
        raise _unreachable(settings.model, settings.revision) from None
    if not any(Path(folder).glob("*.safetensors")) and not any(Path(folder).glob("*.bin")):  # an interrupted download
        raise _unreachable(settings.model, settings.revision, weightless=True)
    return folder


def _download_snapshot(settings: Settings, *, downloading: bool = False, quiet: bool = False) -> str:
    """Configs, tokenizer and safetensors weights; the .bin weights only for repos without safetensors."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    name, revision = settings.model, settings.revision
    silenced = quiet and not are_progress_bars_disabled()
    if silenced:
        disable_progress_bars()
    try:
        folder = snapshot_download(name, revision=revision, allow_patterns=[*SUPPORT_FILES, "*.safetensors"])
        if not any(Path(folder).glob("*.safetensors")):
            folder = snapshot_download(name, revision=revision, allow_patterns=[*SUPPORT_FILES, "*.bin"])
    except RevisionNotFoundError:
        raise ModelUnavailableError(f"model {name!r} has no revision {revision!r} on the hub") from None
    except RepositoryNotFoundError:
        raise ModelUnavailableError(
            f"model {name!r} was not found on the hub (or it is gated or private and no token is set: 'hf auth login')"
        ) from None
    except LocalEntryNotFoundError:  # what huggingface_hub raises for connection errors, timeouts and hub outages
        raise _unreachable(name, revision, downloading=downloading) from None
    finally:
        if silenced:
            enable_progress_bars()
    return folder


def default_batch(defaults: tuple[int, int, int], beam_size: int) -> tuple[int, int]:
    """(token budget, most sentences) of a batch for this beam size, from a backend's defaults
    for a device: the budget of a greedy batch in padded source cells, the most sentences in a
    greedy batch, and the budget in hypothesis cells that beam search divides by its beam size
    (each hypothesis costs about what a sentence costs in greedy decoding, in time and memory)."""
    greedy_tokens, greedy_size, hypothesis_tokens = defaults
    beams = max(1, beam_size)
    return min(greedy_tokens, max(hypothesis_tokens // beams, 256)), max(greedy_size // beams, 4)


def nllb_code(language: str) -> str:
    """The NLLB-200 code of an ISO language code."""
    try:
        return NLLB_CODES[language]
    except KeyError:
        raise ConfigError(
            f"language {language!r} has no NLLB code here; choose one of: {', '.join(NLLB_CODES)}"
        ) from None


def check_lengths(lengths: list[int], most: int) -> None:
    """Refuse a batch with a source over the model's input limit: it is never truncated."""
    for index, length in enumerate(lengths):
        if length > most:
            raise BackendError(
                f"source {index} of the batch has {length} tokens, over the model's limit of "
                f"{most}; split it before translating (it is never truncated)"
            )


def output_limit(settings: Settings, source_tokens: int, most: int, *, strict: bool = False) -> int:
    """Most tokens generated for a source of this length (EOS and NLLB's language code
    included), at most ``most``: the same rule in both backends."""
    ratio = settings.max_length_ratio
    if strict:
        ratio = min(ratio, STRICT_LENGTH_RATIO)
    return max(2, min(math.ceil(ratio * source_tokens + settings.max_length_offset), most))


def package_version() -> str:
    from translate import __version__

    return __version__


def splitter_version() -> str:
    from translate.segment import SPLITTER_VERSION

    return SPLITTER_VERSION
