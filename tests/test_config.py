"""Settings: presets, config files and overrides, their precedence, and the refusal of bad values."""

import pytest

from translate.config import DEFAULT_PRESET, is_hub_id, list_presets, resolve_settings
from translate.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "user.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_preset_is_a_valid_config():
    presets = list_presets()
    assert DEFAULT_PRESET in presets
    for name in presets:
        settings = resolve_settings(model=name)
        assert settings.preset == name and settings.model


def test_precedence_defaults_preset_file_options(tmp_path):
    config = write(tmp_path, 'preset = "opus-mt-ar-en"\nbeam_size = 3\nthreads = 1\n')
    settings = resolve_settings(config=config, beam_size=2, batch_size=None)
    assert settings.model == "Helsinki-NLP/opus-mt-ar-en"  # the file's preset
    assert (settings.beam_size, settings.threads) == (2, 1)  # the option over the file over the preset
    assert settings.batch_size == 0  # None leaves the default


@pytest.mark.parametrize("line", ['model = "someone/other-model"\nrevision = "abc123"\nfamily = "nllb"',
                                  'preset = "nllb-200-distilled-600M"'])
def test_a_model_given_as_an_option_beats_the_file_s(tmp_path, line):
    config = write(tmp_path, f"{line}\nbeam_size = 3\n")
    settings = resolve_settings(model="opus-mt-ar-en", config=config)
    assert (settings.model, settings.preset, settings.family) == ("Helsinki-NLP/opus-mt-ar-en", "opus-mt-ar-en", "marian")
    assert settings.revision is None  # the file's revision pinned its own model
    assert settings.beam_size == 3  # the file's other settings still apply


def test_a_config_file_s_model_may_be_a_preset_or_a_folder_beside_it(tmp_path):
    settings = resolve_settings(config=write(tmp_path, 'model = "opus-mt-ar-en"\nbeam_size = 3\n'))
    assert (settings.model, settings.family, settings.beam_size) == ("Helsinki-NLP/opus-mt-ar-en", "marian", 3)
    (tmp_path / "models" / "mine").mkdir(parents=True)
    config = write(tmp_path, 'preset = "nllb-200-distilled-600M"\nmodel = "models/mine"\n')
    settings = resolve_settings(config=config)  # the file's model replaces the preset's model, revision and family
    assert (settings.model, settings.family) == (str((tmp_path / "models" / "mine").resolve()), None)
    assert settings.max_sentence_tokens == 200  # the preset's other settings stay
    assert settings.preset is None  # named after its own model, not the preset below it
    config = write(tmp_path, 'preset = "nope"\n')
    with pytest.raises(ConfigError, match=f"^{config}: unknown model 'nope'"):
        resolve_settings(config=config)
    assert resolve_settings(model="opus-mt-ar-en", config=config).preset == "opus-mt-ar-en"  # unused with -m


def test_a_model_given_as_an_option_drops_the_file_s_pins(tmp_path):
    config = write(tmp_path, 'preset = "opus-mt-ar-en"\nrevision = "v1.0"\nfamily = "marian"\nbeam_size = 3\n')
    settings = resolve_settings(model=str(tmp_path), config=config)
    assert (settings.revision, settings.family, settings.beam_size) == (None, None, 3)


@pytest.mark.parametrize("line, message", [
    ('beam_size = "four"', 'beam_size must be a whole number, got \'four\''),
    ("model = 5", "model must be text, got 5"),
    ("threads = true", "threads must be a whole number, got True"),
    ("max_sentence_tokens = 1", "max_sentence_tokens must be at least 8, got 1"),
    ("batch_tokens = -5", "batch_tokens must be at least 0, got -5"),
    ("beam_size = 0", "beam_size must be at least 1, got 0"),
    ("threads = 99999999999999999999", "threads must be at most 1024, got 99999999999999999999"),
    ("batch_tokens = 3000000000", "batch_tokens must be at most 2147483647, got 3000000000"),
    ('backend = "onnx"', "backend 'onnx' is not one of: transformers, ctranslate2"),
    ('source_lang = "fr"', "source_lang 'fr' is not one of: ar"),
    ('compute_type = "int3"', "compute_type 'int3' is not one of: auto, float32, float16, bfloat16, int8,"),
    ("colour = 1", "unknown config key(s) colour; valid keys: backend, batch_size, batch_tokens, beam_size, compute_type, description,"),
    ('model = ""', "model is empty; give a model or leave the key out"),
    ('revision = " "', "revision is empty; give a revision or leave the key out"),
    ("beam_size = [", "not a valid TOML config"),
    ("max_length_ratio = nan", "max_length_ratio must be a finite number, got nan"),
    ("max_length_ratio = inf", "max_length_ratio must be a finite number, got inf"),
    ('device = "gpu"', "device 'gpu' is not one of: auto, cpu, cuda, cuda:N"),
    ('output_vocabulary = "english"', "output_vocabulary 'english' is not one of: target, full"),
    ('preset = "nope"', "unknown model 'nope'"),
])
def test_a_bad_config_file_is_refused_naming_the_file(tmp_path, line, message):
    config = write(tmp_path, line + "\n")
    with pytest.raises(ConfigError) as caught:
        resolve_settings(config=config)
    assert str(caught.value).startswith(f"{config}: ")
    assert message in str(caught.value)


def test_the_output_vocabulary_is_the_target_side_unless_a_config_asks_for_all(tmp_path):
    assert resolve_settings(model="opus-mt-ar-en").output_vocabulary == "target"
    settings = resolve_settings(model="opus-mt-ar-en", config=write(tmp_path, 'output_vocabulary = "full"\n'))
    assert settings.output_vocabulary == "full" and settings.generation_key()["output_vocabulary"] == "full"


def test_a_float_key_takes_an_integer(tmp_path):
    assert resolve_settings(config=write(tmp_path, "max_length_ratio = 2\n")).max_length_ratio == 2


def test_unreadable_config_files(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        resolve_settings(config=tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        resolve_settings(config=tmp_path)


def test_bad_overrides_are_refused():
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) beam;"):
        resolve_settings(model="opus-mt-ar-en", beam=3)
    with pytest.raises(ConfigError, match="beam_size must be at least 1"):
        resolve_settings(model="opus-mt-ar-en", beam_size=0)
    with pytest.raises(ConfigError, match="unknown model 'nope'"):
        resolve_settings(model="nope")


def test_the_preset_key_is_only_the_base_when_no_model_is_given(tmp_path):
    config = write(tmp_path, 'preset = "opus-mt-ar-en"\nbeam_size = 2\n')
    based = resolve_settings(config=config)
    assert (based.preset, based.model, based.beam_size) == ("opus-mt-ar-en", "Helsinki-NLP/opus-mt-ar-en", 2)
    other = resolve_settings(model="nllb-200-distilled-600M", config=config)
    assert (other.preset, other.model, other.beam_size) == ("nllb-200-distilled-600M", "facebook/nllb-200-distilled-600M", 2)


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:1"])
def test_valid_devices_are_taken(device):
    assert resolve_settings(model="opus-mt-ar-en", device=device).device == device


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_model_name_is_refused_not_the_default(name):
    with pytest.raises(ConfigError, match="the model name is empty"):
        resolve_settings(model=name)


def test_a_config_file_saved_with_a_utf8_bom_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffbeam_size = 2\n".encode("utf-8"))
    assert resolve_settings(config=path).beam_size == 2



@pytest.mark.parametrize("lines, given, named", [
    ('backend = "transformers"\ncompute_type = "int8"\n', {}, True),
    ('compute_type = "int8"\n', {}, True),  # the default preset's backend: transformers
    ('backend = "transformers"\n', {"compute_type": "int8_float32"}, True),
    ('compute_type = "float16"\n', {"compute_type": "int8", "backend": "transformers"}, False),
    ("beam_size = 2\n", {"compute_type": "int8"}, False),
])
def test_a_compute_type_the_backend_lacks_is_refused_naming_the_file_it_came_from(tmp_path, lines, given, named):
    config = write(tmp_path, lines)
    with pytest.raises(ConfigError) as caught:
        resolve_settings(config=config, **given)
    message = str(caught.value)
    assert message.startswith(f"{config}: ") == named
    assert "is not a transformers compute type; choose one of: auto, float32, float16, bfloat16" in message
    assert message.endswith("(int8 types need the ctranslate2 backend)")


def test_every_compute_type_is_a_ctranslate2_type():
    for compute_type in ("int8", "int8_float16", "bfloat16", "auto"):
        assert resolve_settings(backend="ctranslate2", compute_type=compute_type).compute_type == compute_type


@pytest.mark.parametrize(
    "name, hub",
    [
        ("Helsinki-NLP/opus-mt-ar-en", True),
        ("facebook/nllb-200-distilled-600M", True),
        ("a/b", True),
        ("./my-model", False),
        ("../models/opus", False),
        ("~/models", False),
        ("models/opus--v2", False),
        ("out/model.", False),
        ("owner/name.git", False),
        ("owner/" + "x" * 97, False),
        ("a/b/c", False),
    ],
)
def test_a_hub_id_is_what_the_hub_accepts(name, hub):
    assert is_hub_id(name) is hub
