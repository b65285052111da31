"""The transformers backend on tiny random-weight models, loaded the way a hub model is."""

from __future__ import annotations

import json
import math
import re
import shutil
import time
from pathlib import Path

import pytest

from translate.backends import hf, load_translator
from translate.backends.hf import HFTranslator
from translate.backends.loading import detect_family, download_model, parse_device, resolve_model_dir, select_device
from translate.config import resolve_settings
from translate.errors import ConfigError, ModelUnavailableError
from translate.types import Translation

SOURCES = [
    "في يوم الاثنين، أعلن علماء من كلية الطب بجامعة ستانفورد عن اختراع أداة تشخيصية جديدة.",
    "مرحبا",
    "تحطمت الطائرة على المدرج في حوالي الساعة ٩:٣٠ صباحاً بالتوقيت المحلي.",
    "",
    "قال الباحثون إن هذا قد يؤدي إلى الكشف المبكر عن السرطان والسل والملاريا في البلدان ذات الدخل المنخفض.",
    "روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة من الازدهار»",
]


@pytest.fixture(scope="module")
def model_dirs(tiny_marian_dir, tiny_nllb_dir):
    return {"marian": tiny_marian_dir, "nllb": tiny_nllb_dir}


def load(model_dir, **overrides) -> HFTranslator:
    # One thread: tiny matrices gain nothing from more, and a busy machine makes them spin.
    return load_translator(resolve_settings(model=str(model_dir), **{"threads": 1, **overrides}))


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_loads_like_a_hub_model(model_dirs, family):
    translator = load(model_dirs[family], beam_size=2)
    assert isinstance(translator, HFTranslator)
    info = translator.info
    assert (info.family, info.backend, info.device, info.compute_type, info.beam_size) == (
        family, "transformers", "cpu", "float32", 2
    )
    assert info.model == str(model_dirs[family])
    assert info.splitter_version and info.package_version
    assert "backend:transformers" in info.signature()
    assert translator.max_input_tokens == 512
    assert translator.default_batch_size > 0 and translator.default_batch_tokens > 0
    assert translator.batch_step_cost > 0  # generate decodes a batch until its longest sentence ends


@pytest.mark.parametrize("family, empty_length", [("marian", 1), ("nllb", 2)])
def test_count_tokens_includes_special_tokens(model_dirs, family, empty_length):
    translator = load(model_dirs[family])
    counts = translator.count_tokens(["", "مرحبا", SOURCES[0]])
    assert counts[0] == empty_length  # </s>, and NLLB's source language code
    assert empty_length < counts[1] < counts[2]
    assert translator.count_tokens([]) == []
    long_text = "كلمة " * 600
    assert translator.count_tokens([long_text])[0] > 600  # counted in full, not truncated


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_translate_returns_one_string_per_input(model_dirs, family):
    translator = load(model_dirs[family], beam_size=1)
    outputs = translator.translate(SOURCES)
    assert len(outputs) == len(SOURCES)
    assert all(isinstance(o, Translation) and isinstance(o.text, str) for o in outputs)
    assert len({o.text for o in outputs}) > 2  # the tiny models' outputs depend on their input
    assert translator.translate([]) == []


@pytest.mark.parametrize("beam_size", [1, 4])
@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_batch_gives_the_same_outputs_as_one_at_a_time(model_dirs, family, beam_size):
    translator = load(model_dirs[family], beam_size=beam_size, max_length_ratio=0.5, max_length_offset=4)
    batched = [t.text for t in translator.translate(SOURCES)]
    alone = [translator.translate([source])[0].text for source in SOURCES]
    assert batched == alone
    assert len(set(batched)) > 2
    reversed_batch = [t.text for t in translator.translate(SOURCES[::-1])]
    assert reversed_batch == batched[::-1]


def plain_generate_ids(translator, sources, beam_size):
    """What ``model.generate`` gives with the model's own generation settings and the backend's
    output limits."""
    import torch

    batch = translator.tokenizer(sources, return_tensors="pt", padding=True).to(translator.model.device)
    limits = [translator.output_limit(n) for n in batch["attention_mask"].sum(dim=1).tolist()]
    options = {} if translator.forced_bos_token_id is None else {"forced_bos_token_id": translator.forced_bos_token_id}
    with torch.inference_mode():
        return translator.model.generate(
            **batch, num_beams=beam_size, do_sample=False, max_new_tokens=max(limits),
            logits_processor=[hf.OutputLimit(limits, beam_size, translator.tokenizer.eos_token_id)], **options,
        ).tolist()


@pytest.mark.parametrize("beam_size", [1, 3])
@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_cpu_shortcuts_give_the_ids_of_plain_generate(model_dirs, family, beam_size, monkeypatch):
    """The sliced output projection, the in-place ban of single-token bad words and greedy
    decoding without renormalization change the speed, not the output."""

    monkeypatch.setattr(hf, "OUTPUT_SLICE_ROWS", 96)  # the tiny vocabularies are a few hundred rows
    translator = load(model_dirs[family], beam_size=beam_size, max_length_ratio=1.0, max_length_offset=4)
    head = translator.model.get_output_embeddings()
    assert "forward" in vars(head)  # sliced
    if family == "marian":
        assert translator._banned == [translator.tokenizer.pad_token_id]  # MarianMT bans its pad token
    ours = translator.generate_ids(SOURCES)

    del head.forward  # the model as transformers loads it, with its own generation settings
    assert ours == plain_generate_ids(translator, SOURCES, beam_size)


@pytest.mark.parametrize("beam_size", [1, 4])
def test_decoding_never_uses_cudnn_attention(tiny_marian_dir, monkeypatch, beam_size):
    """cuDNN attention (torch's first choice for half precision on Hopper GPUs) builds a plan
    for every new key length, i.e. at every decoding step; decoding runs with it switched off."""
    import torch

    translator = load(tiny_marian_dir, beam_size=beam_size)
    decode, seen = translator.decode, []

    def recording(batch, options):
        seen.append(torch.backends.cuda.cudnn_sdp_enabled())
        return decode(batch, options)

    monkeypatch.setattr(translator, "decode", recording)
    translator.translate(SOURCES[:1])
    assert seen == [False]
    assert torch.backends.cuda.cudnn_sdp_enabled()  # switched off for decoding only


GENERATION_VARIANTS = {
    "hub settings": {},
    "short outputs": {"length_penalty": 1.0},
    "long outputs favoured": {"length_penalty": 2.0},
    "short outputs favoured": {"length_penalty": -0.5},
    "early stopping": {"early_stopping": True},
    "never stop early": {"early_stopping": "never", "length_penalty": 1.5},
    "no renormalization": {"renormalize_logits": False},
}


@pytest.mark.parametrize(("beam_size", "variant"), [(1, "hub settings"), (1, "short outputs"), (2, "hub settings"),
                                                     (5, "hub settings")]
                         + [(4, variant) for variant in GENERATION_VARIANTS])
@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_own_decoding_gives_the_ids_of_generate(model_dirs, family, beam_size, variant):
    """Decoding outside generate() (translate.backends.decoding) picks the same tokens, greedy
    or with beams, whatever the length penalty and early-stopping rule of the model's
    generation config."""

    ratio, offset = (0.3, 1) if variant == "short outputs" else (1.5, 6)
    translator = load(model_dirs[family], beam_size=beam_size, max_length_ratio=ratio, max_length_offset=offset)
    for name, value in GENERATION_VARIANTS[variant].items():
        setattr(translator.model.generation_config, name, value)
    assert translator._own_decoding
    sources = SOURCES + [" ".join(SOURCES)]
    ours = translator.generate_ids(sources)

    assert ours == plain_generate_ids(translator, sources, beam_size)


def test_generation_settings_beyond_the_own_decoding_go_to_generate(tiny_marian_dir, tmp_path, monkeypatch):
    """A model whose generation config asks for more than translate.backends.decoding does
    (here no repeated trigrams) is decoded by generate(), as are strict retries."""
    def generate_calls(translator) -> list:
        calls, generate = [], translator.model.generate
        monkeypatch.setattr(translator.model, "generate", lambda **kwargs: calls.append(kwargs) or generate(**kwargs))
        return calls

    translator = load(tiny_marian_dir, beam_size=3)
    calls = generate_calls(translator)
    translator.translate(SOURCES[:2])
    assert calls == []
    translator.translate(SOURCES[:2], strict=True)
    assert len(calls) == 1

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_marian_dir, model_dir)
    config = json.loads((model_dir / "generation_config.json").read_text())
    (model_dir / "generation_config.json").write_text(json.dumps({**config, "no_repeat_ngram_size": 3}))
    translator = load(model_dir, beam_size=3)
    calls = generate_calls(translator)
    translator.translate(SOURCES[:2])
    assert len(calls) == 1


def test_nllb_forces_the_english_language_code(tiny_nllb_dir):
    translator = load(tiny_nllb_dir, beam_size=2)
    eng = translator.tokenizer.convert_tokens_to_ids("eng_Latn")
    assert eng != translator.tokenizer.unk_token_id
    assert translator.forced_bos_token_id == eng
    src_ids = translator.tokenizer(SOURCES[1])["input_ids"]
    assert src_ids[0] == translator.tokenizer.convert_tokens_to_ids("arb_Arab")
    for ids in translator.generate_ids(SOURCES[:3]):
        assert ids[:2] == [translator.model.config.decoder_start_token_id, eng]


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_each_output_is_limited_by_its_own_source_length(model_dirs, family):
    translator = load(model_dirs[family], beam_size=1, max_length_ratio=1.0, max_length_offset=3)
    for strict in (False, True):
        outputs = translator.generate_ids(SOURCES, strict=strict)
        for source_tokens, ids in zip(translator.count_tokens(SOURCES), outputs):
            generated = len([i for i in ids[1:] if i != translator.tokenizer.pad_token_id])
            assert generated <= max(2, source_tokens + 3)


def test_strict_mode_tightens_the_length_limit(tiny_marian_dir):
    translator = load(tiny_marian_dir, beam_size=1, max_length_ratio=3.0, max_length_offset=0)
    source_tokens = translator.count_tokens([SOURCES[0]])[0]
    assert translator.output_limit(source_tokens) == 3 * source_tokens
    assert translator.output_limit(source_tokens, strict=True) == math.ceil(1.5 * source_tokens)
    normal = translator.generate_ids([SOURCES[0]])[0]
    strict = translator.generate_ids([SOURCES[0]], strict=True)[0]
    assert len(strict) - 1 <= math.ceil(1.5 * source_tokens) < len(normal) - 1
    assert translator.translate([SOURCES[0]], strict=True)[0].text != ""


def test_unknown_compute_type_lists_the_valid_ones(tiny_marian_dir):
    with pytest.raises(ConfigError, match="float32, float16, bfloat16"):
        load(tiny_marian_dir, compute_type="int8")


def test_detect_family(model_dirs, tmp_path):
    assert detect_family(model_dirs["marian"]) == "marian"
    assert detect_family(model_dirs["nllb"]) == "nllb"
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ConfigError, match="'bert' is not supported"):
        detect_family(tmp_path)


@pytest.mark.parametrize(
    "content, reason",
    [("[]", "config.json holds no JSON object"), ("{", "config.json: Expecting"),
     ('{"model_type": ["marian"]}', "model type ['marian'] is not supported")],
)
def test_a_config_of_the_wrong_shape_is_named(tmp_path, content, reason):
    (tmp_path / "config.json").write_text(content)
    with pytest.raises((ModelUnavailableError, ConfigError), match=f"{tmp_path}.*{re.escape(reason)}"):
        detect_family(tmp_path)


def test_directory_without_config_is_unavailable(tmp_path):
    (tmp_path / "README.md").write_text("not a model")
    with pytest.raises(ModelUnavailableError, match=str(tmp_path)):
        load(tmp_path)


def test_missing_path_is_unavailable(tmp_path):
    with pytest.raises(ModelUnavailableError, match="no such directory"):
        resolve_model_dir(resolve_settings(model=str(tmp_path / "nope"), family="marian"))


def test_a_file_given_as_the_model_is_named_a_file(tmp_path):
    (tmp_path / "news.jsonl").write_text("{}\n")
    with pytest.raises(ModelUnavailableError, match="news.jsonl'?: a file, not a model directory"):
        resolve_model_dir(resolve_settings(model=str(tmp_path / "news.jsonl"), family="marian"))


@pytest.mark.parametrize("name", ["./my-model", "models/opus--v2", "out/model."])
def test_a_missing_relative_path_is_unavailable_not_looked_up(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # names the hub would refuse are paths, reported missing
    with pytest.raises(ModelUnavailableError, match="no such directory"):
        resolve_model_dir(resolve_settings(model=name, family="marian"))


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache. huggingface_hub reads HF_HUB_CACHE once at import,
    and snapshot_download looks the constant up at each call, so the constant is patched."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    return cache


def test_uncached_hub_model_offline_is_unavailable_fast(empty_hub_cache):
    settings = resolve_settings(model="Helsinki-NLP/opus-mt-ar-en")
    start = time.monotonic()
    with pytest.raises(ModelUnavailableError) as caught:
        load_translator(settings)
    assert time.monotonic() - start < 3
    message = str(caught.value)
    assert "\n" not in message
    assert "'Helsinki-NLP/opus-mt-ar-en' is not in the local cache" in message
    assert "translate download Helsinki-NLP/opus-mt-ar-en" in message
    assert "or give the path of a local copy instead" in message


def test_unreachable_hub_is_unavailable_fast(empty_hub_cache, monkeypatch):
    """Not marked offline, but nothing answers: the same one-line error, without waiting."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE")
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")  # the discard port: connection refused
    start = time.monotonic()
    with pytest.raises(ModelUnavailableError, match="translate download Helsinki-NLP/opus-mt-ar-en"):
        resolve_model_dir(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en"))
    with pytest.raises(ModelUnavailableError, match="cannot download .* the Hugging Face hub cannot be reached; check"):
        download_model(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en"))
    assert time.monotonic() - start < 20  # two lookups, neither waiting on retries


def cache_snapshot(hub_cache: Path, model_dir: Path, ignore=None) -> str:
    """``model_dir`` as the hub cache holds Helsinki-NLP/opus-mt-ar-en at a commit; returns the commit."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = hub_cache / "models--Helsinki-NLP--opus-mt-ar-en"
    shutil.copytree(model_dir, repo / "snapshots" / commit, ignore=ignore)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return commit


def test_cached_hub_model_loads_offline(empty_hub_cache, tiny_marian_dir):
    commit = cache_snapshot(empty_hub_cache, tiny_marian_dir)
    translator = load_translator(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en", beam_size=1))
    assert translator.info.model == "Helsinki-NLP/opus-mt-ar-en"
    assert translator.info.family == "marian"
    assert len(translator.translate(SOURCES[:2])) == 2
    pinned = resolve_settings(model="Helsinki-NLP/opus-mt-ar-en", revision=commit)
    assert resolve_model_dir(pinned).endswith(commit)


def test_a_hub_model_cached_without_weights_is_not_taken_for_cached(empty_hub_cache, tiny_marian_dir):
    cache_snapshot(empty_hub_cache, tiny_marian_dir, ignore=shutil.ignore_patterns("*.safetensors"))
    with pytest.raises(ModelUnavailableError, match="'Helsinki-NLP/opus-mt-ar-en' is cached without its weights .*translate download"):
        resolve_model_dir(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en"))


def test_download_needs_a_hub_id_and_the_network(tiny_marian_dir):
    with pytest.raises(ConfigError, match="not a hub id"):
        download_model(resolve_settings(model=str(tiny_marian_dir)))
    with pytest.raises(ModelUnavailableError, match="offline mode is on .* and it is not cached"):
        download_model(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en"))


def test_download_of_a_cached_model_offline_gives_its_folder(empty_hub_cache, tiny_marian_dir):
    commit = cache_snapshot(empty_hub_cache, tiny_marian_dir)
    assert download_model(resolve_settings(model="Helsinki-NLP/opus-mt-ar-en")).name == commit


def test_select_device(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert select_device("auto") == "cpu"
    assert select_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        select_device("cuda:1")
    with pytest.raises(ConfigError, match="auto, cpu, cuda, cuda:N"):
        select_device("tpu")


def test_parse_device_with_gpus():
    """The rules both backends apply, with the GPU count each backend's library reports."""
    assert parse_device("auto", 2) == ("cuda", 0)
    assert parse_device("auto", 0) == ("cpu", 0)
    assert parse_device("cuda", 2) == ("cuda", 0)
    assert parse_device("cuda:1", 2) == ("cuda", 1)
    with pytest.raises(ConfigError, match=r"2 CUDA GPU\(s\) visible \(cuda:0 to cuda:1\)"):
        parse_device("cuda:2", 2)
