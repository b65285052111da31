"""Backend name -> implementation table, imported lazily so `import translate` stays light."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from translate.errors import ConfigError

if TYPE_CHECKING:
    from translate.backends.base import Translator
    from translate.config import Settings
    from translate.types import Notify

BACKENDS = {
    "transformers": "translate.backends.hf:HFTranslator",
    "ctranslate2": "translate.backends.ct2:CT2Translator",
}


def load_translator(settings: Settings, *, on_message: Notify | None = None) -> Translator:
    """Load the model named by ``settings`` with the chosen backend (once per call; callers keep it).
    ``on_message`` hears of a download or a CTranslate2 conversion on the way; None: silence."""
    module, class_name = _backend(settings)
    return getattr(module, class_name)(settings, on_message=on_message)


def check_settings(settings: Settings) -> None:
    """Refuse, without loading a model, what the backend cannot run: its compute type on the device."""
    module, _ = _backend(settings)
    module.check_settings(settings)


def _backend(settings: Settings) -> tuple[Any, str]:
    try:
        target = BACKENDS[settings.backend]
    except KeyError:
        raise ConfigError(
            f"unknown backend {settings.backend!r}; choose one of: {', '.join(BACKENDS)}"
        ) from None
    module_name, class_name = target.split(":")
    return import_module(module_name), class_name
