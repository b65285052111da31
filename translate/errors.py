"""Typed exceptions. The library raises them; only the CLI turns them into a message and an exit code."""


class TranslateError(Exception):
    """Base class: the message is one line that says what went wrong and how to fix it."""

    exit_code = 1


class InputError(TranslateError):
    """The user's input cannot be read or parsed (file, line or row named in the message)."""

    exit_code = 2


class UnsplittableError(InputError):
    """A piece of text (a long run without spaces) over the model's input limit after every split."""


class ConfigError(TranslateError):
    """An unknown preset, a bad config file or conflicting options."""

    exit_code = 2


class ModelUnavailableError(TranslateError):
    """The model is not cached and cannot be downloaded, or a path holds no model."""

    exit_code = 3


class BackendError(TranslateError):
    """The translation backend failed or is not installed."""

    exit_code = 4


def first_line(exc: BaseException) -> str:
    """An exception's message cut to its first line (its type's name when it has none), for one-line errors."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def damage_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged model folder raises: a weights file cut short (safetensors'
    error, or pickle's), a tokenizer file missing (a None path: TypeError)."""
    import pickle

    kinds: list[type[BaseException]] = [EOFError, pickle.UnpicklingError, TypeError]
    try:
        from safetensors import SafetensorError

        kinds.append(SafetensorError)
    except ImportError:
        pass
    return tuple(kinds)


def model_file_error(model_dir: object, exc: OSError) -> OSError | ModelUnavailableError:
    """An OSError from loading or converting a model: transformers' own (no errno: a file of the
    model missing) as a damaged model; the system's (a full disk, a permission) as it is."""
    return exc if exc.errno is not None else damaged_model(model_dir, exc)


def damaged_model(model_dir: object, exc: BaseException) -> ModelUnavailableError:
    """A model folder whose files cannot be read (a weights file cut short, a tokenizer file missing)."""
    return ModelUnavailableError(
        f"{model_dir}: cannot load the model ({type(exc).__name__}: {first_line(exc)}); its files look damaged "
        "or incomplete: download it again ('translate download MODEL') or rebuild the folder"
    )
