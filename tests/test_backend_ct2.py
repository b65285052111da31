"""The CTranslate2 backend on tiny models converted at test time (and the error paths both backends share)."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import rebuild_in_place
from translate.backends import hf as hf_backend
from translate.backends import load_translator
from translate.backends.ct2 import BATCH_DEFAULTS, CT2Translator, Pending, default_workers
from translate.backends.loading import default_batch
from translate.backends.model_tokenizers import TransformersTokenizer, load_tokenizer, output_vocabulary
from translate.cli import app
from translate.config import resolve_settings
from translate.convert import (
    cache_key, cache_root, convert_model, converted_model, is_converted, model_version, read_marker,
)
from translate.errors import BackendError, ConfigError, ModelUnavailableError
from translate.types import Translation

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = [
    "في يوم الاثنين، أعلن علماء من كلية الطب بجامعة ستانفورد عن اختراع أداة تشخيصية جديدة.",
    "مرحبا",
    "تحطمت الطائرة على المدرج في حوالي الساعة ٩:٣٠ صباحاً بالتوقيت المحلي.",
    "قال الباحثون إن هذا قد يؤدي إلى الكشف المبكر عن السرطان والسل والملاريا في البلدان ذات الدخل المنخفض.",
    "روسيا وكوريا الشمالية.. العلاقات نحو «حقبة جديدة من الازدهار»",
    "وأضاف أن «الحكومة تقدر الدور الذي تلعبه» في الحفاظ على الاستقرار، مؤكدا الدعم الكامل للعملية.",
]
runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def ct2_cache(tmp_path_factory):
    """One conversion cache for the module (conversions of the tiny models are reused)."""
    with pytest.MonkeyPatch.context() as patch:
        path = tmp_path_factory.mktemp("ct2-cache")
        patch.setenv("TRANSLATE_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def model_dirs(tiny_marian_dir, tiny_nllb_dir):
    return {"marian": tiny_marian_dir, "nllb": tiny_nllb_dir}


def load(model_dir, backend="ctranslate2", **overrides):
    return load_translator(resolve_settings(model=str(model_dir), backend=backend, **overrides))


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_loads_with_int8_on_cpu_by_default(model_dirs, family):
    translator = load(model_dirs[family], beam_size=2)
    assert isinstance(translator, CT2Translator)
    info = translator.info
    assert (info.family, info.backend, info.device, info.compute_type, info.beam_size) == (
        family, "ctranslate2", "cpu", "int8_float32", 2
    )
    assert "backend:ctranslate2" in info.signature() and "compute:int8" in info.signature()
    assert info.splitter_version and info.package_version
    assert translator.max_input_tokens == 512
    assert translator.default_batch_size > 0 and translator.default_batch_tokens > 0
    assert translator.batch_step_cost is None  # CTranslate2 drops each sentence when it ends: full batches


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_int8_gives_one_translation_per_input(model_dirs, family):
    translator = load(model_dirs[family], beam_size=1)
    outputs = translator.translate(SOURCES)
    assert len(outputs) == len(SOURCES)
    assert all(isinstance(o, Translation) and isinstance(o.text, str) for o in outputs)
    assert all(isinstance(o.score, float) for o in outputs)
    assert len({o.text for o in outputs}) > 2
    assert translator.translate([]) == []


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_float32_greedy_gives_the_transformers_tokens(model_dirs, family):
    ct2 = load(model_dirs[family], compute_type="float32", beam_size=1)
    hf = load(model_dirs[family], backend="transformers", beam_size=1)
    assert ct2.info.compute_type == "float32"
    assert ct2.count_tokens(SOURCES) == hf.count_tokens(SOURCES)
    expected = [t.text for t in hf.translate(SOURCES)]
    assert [t.text for t in ct2.translate(SOURCES)] == expected
    alone = [ct2.translate([s])[0].text for s in SOURCES]  # the length limit follows the batch's longest
    assert alone == [hf.translate([s])[0].text for s in SOURCES]
    assert any(len(text) > 20 for text in expected)


def test_a_marian_model_generates_only_its_target_pieces(tiny_marian_dir, tiny_nllb_dir, monkeypatch):
    """A MarianMT model keeps its source and target pieces in one vocabulary: both backends score
    only the target pieces (with </s> and <unk>), and give the same tokens for them."""
    import sentencepiece

    vocab = json.loads((tiny_marian_dir / "vocab.json").read_text(encoding="utf-8"))
    target = sentencepiece.SentencePieceProcessor(model_file=str(tiny_marian_dir / "target.spm"))
    pieces = {target.id_to_piece(i) for i in range(target.get_piece_size())}
    kept = output_vocabulary(tiny_marian_dir, "marian")
    assert kept == [t for t in vocab if t in pieces | {"</s>", "<unk>"}]
    assert 100 < len(kept) < len(vocab) - 100
    assert output_vocabulary(tiny_nllb_dir, "nllb") is None  # one vocabulary for every language: all of it

    hf = load(tiny_marian_dir, backend="transformers", beam_size=2)
    generated = {i for ids in hf.generate_ids(SOURCES) for i in ids[1:]}  # after the decoder start
    assert generated and set(hf.tokenizer.convert_ids_to_tokens(sorted(generated))) <= set(kept) | {"<pad>"}
    hf.model.final_logits_bias.zero_()  # the model unrestricted picks source pieces
    hf._rows = None
    unrestricted = {i for ids in hf.generate_ids(SOURCES) for i in ids[1:]}
    assert set(hf.tokenizer.convert_ids_to_tokens(sorted(unrestricted))) - set(kept) - {"<pad>"}

    ct2 = load(tiny_marian_dir, beam_size=2)
    assert ct2.use_vmap and ct2.decoding_options([["a"]], [5], False)["use_vmap"]
    converted = cache_root() / cache_key(str(tiny_marian_dir), tiny_marian_dir, None, "int8")
    assert (converted / "vmap.txt").read_text(encoding="utf-8") == "\t" + " ".join(kept) + "\n"
    assert not load(tiny_nllb_dir, beam_size=2).use_vmap
    assert (hf.info.vocabulary, ct2.info.vocabulary) == ("target", "target")
    assert "|vocab:target|" in ct2.info.signature()


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_model_that_never_picks_source_pieces_translates_alike_restricted(tiny_marian_dir, tmp_path, backend):
    """As a trained OPUS-MT model gives its source-language pieces next to no probability, the
    restriction to the target pieces leaves its translations as they were (greedy and beam)."""
    import torch
    from transformers import MarianMTModel

    model_dir = shutil.copytree(tiny_marian_dir, tmp_path / "model")
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
    model = MarianMTModel.from_pretrained(model_dir)
    source_side = torch.ones(model.final_logits_bias.shape[-1], dtype=torch.bool)
    source_side[[vocab[t] for t in output_vocabulary(model_dir, "marian")]] = False
    with torch.no_grad():
        model.final_logits_bias[0, source_side] = -30.0
    model.save_pretrained(model_dir)
    sentences = (FIXTURES / "flores_dev_200.ar").read_text(encoding="utf-8").splitlines()[:30]
    for beam_size in (1, 3):
        options = {"backend": backend, "compute_type": "float32", "beam_size": beam_size}
        restricted = load(model_dir, **options)
        assert restricted.info.vocabulary == "target"
        expected = [t.text for t in load(model_dir, output_vocabulary="full", **options).translate(sentences)]
        assert [t.text for t in restricted.translate(sentences)] == expected


def test_the_whole_vocabulary_on_request(tiny_marian_dir):
    """``output_vocabulary = "full"``: both backends score every token, as transformers does, and agree."""
    ct2 = load(tiny_marian_dir, compute_type="float32", beam_size=1, output_vocabulary="full")
    hf = load(tiny_marian_dir, backend="transformers", beam_size=1, output_vocabulary="full")
    assert not ct2.use_vmap and hf._rows is None and not hf.model.final_logits_bias.isinf().any()
    assert (hf.info.vocabulary, ct2.info.vocabulary) == ("full", "full")
    assert [t.text for t in ct2.translate(SOURCES)] == [t.text for t in hf.translate(SOURCES)]
    restricted = load(tiny_marian_dir, compute_type="float32", beam_size=1)
    assert [t.text for t in restricted.translate(SOURCES)] != [t.text for t in ct2.translate(SOURCES)]


def test_a_conversion_without_a_vocabulary_map_gets_one_when_loaded(tiny_marian_dir, tmp_path, monkeypatch):
    """A model converted before vocabulary maps gets its map when loaded; in a folder that
    cannot be written it keeps its whole vocabulary, and still translates."""
    converted = convert_model(tiny_marian_dir, tmp_path / "converted", "int8")
    vmap = converted / "vmap.txt"
    expected = vmap.read_text(encoding="utf-8")
    vmap.unlink()
    translator = load(converted)
    assert translator.use_vmap and vmap.read_text(encoding="utf-8") == expected
    vmap.unlink()

    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr("translate.convert.os.replace", refuse)
    translator = load(converted)
    assert not translator.use_vmap and not vmap.exists()
    assert not [p for p in converted.iterdir() if p.name.endswith(".tmp")]
    assert len(translator.translate(SOURCES[:2])) == 2


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_float32_greedy_retries_like_the_transformers_backend(model_dirs, family):
    """The guard's strict retry: NLLB's decoder start is its EOS, which no backend may penalise."""
    ct2 = load(model_dirs[family], compute_type="float32", beam_size=1)
    hf = load(model_dirs[family], backend="transformers", beam_size=1)
    sentences = (FIXTURES / "flores_dev_200.ar").read_text(encoding="utf-8").splitlines()[:40]
    assert [t.text for t in ct2.translate(sentences, strict=True)] == [t.text for t in hf.translate(sentences, strict=True)]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_batches_in_flight_come_back_in_order_with_the_same_translations(tiny_marian_dir, workers):
    one = load(tiny_marian_dir, compute_type="float32", beam_size=1, inter_threads=1)
    many = load(tiny_marian_dir, compute_type="float32", beam_size=1, inter_threads=workers)
    assert many.workers == workers
    batches = [SOURCES[:2], SOURCES[2:3], [], SOURCES[3:], SOURCES[::-1]]
    expected = [[t.text for t in one.translate(batch)] for batch in batches]
    assert [[t.text for t in outputs] for outputs in many.translate_batches(batches)] == expected
    # fewer batches than workers: each batch is shared out among them
    assert [t.text for t in many.translate(SOURCES)] == [t.text for t in one.translate(SOURCES)]


class LateResult:
    """An ``AsyncTranslationResult`` that is ready after a few looks; ``result()`` before
    that would block Python, out of reach of Ctrl-C."""

    def __init__(self, looks: int) -> None:
        self.looks = looks

    def done(self) -> bool:
        self.looks -= 1
        return self.looks < 0

    def result(self) -> str:
        assert self.looks < 0, "result() called before done(): a wait Ctrl-C cannot interrupt"
        return "ready"


def test_waiting_for_results_never_blocks_in_result(tiny_marian_dir):
    translator = load(tiny_marian_dir)
    assert translator._wait(Pending([], [], [LateResult(3), LateResult(0), LateResult(2)])) == ["ready"] * 3


def test_two_workers_by_default_on_a_cpu_with_two_threads(tiny_marian_dir):
    assert load(tiny_marian_dir, threads=2).translator.num_translators == 2
    assert load(tiny_marian_dir, threads=1).translator.num_translators == 1
    assert load(tiny_marian_dir, threads=2, inter_threads=1).translator.num_translators == 1
    assert load(tiny_marian_dir, inter_threads=3).translator.num_translators == 3


@pytest.mark.parametrize(("device", "threads", "workers"), [("cpu", 1, 1), ("cpu", 2, 2), ("cpu", 16, 2), ("cuda", 0, 1)])
def test_default_workers(device, threads, workers):
    assert default_workers(device, threads) == workers


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_tokenizer_read_directly_agrees_with_transformers(model_dirs, family, fixtures_dir):
    direct = load_tokenizer(model_dirs[family], family, "ar")
    assert not isinstance(direct, TransformersTokenizer)
    reference = TransformersTokenizer(model_dirs[family], family, "ar")
    lines = (fixtures_dir / "bench_sentences.ar").read_text(encoding="utf-8").splitlines()[:200]
    texts = SOURCES + lines + ["", "  مسافات   كثيرة  ", "قال </s> ثم <unk> و<pad>", ">>eng<< مرحبا", "BBC News 2024 «x»"]
    assert direct.encode(texts) == reference.encode(texts)
    vocabulary = reference.tokenizer.convert_ids_to_tokens(list(range(len(reference.tokenizer))))
    rng = random.Random(0)
    for _ in range(200):
        tokens = rng.choices(vocabulary, k=rng.randint(0, 25))
        assert direct.decode(tokens) == reference.decode(tokens), tokens


def test_an_opus_mt_tokenizer_config_without_a_class_is_read_as_marian(tiny_marian_dir, tmp_path):
    """OPUS-MT models on the hub ship a tokenizer_config.json of two language codes and no
    tokenizer class; AutoTokenizer takes MarianTokenizer from the model type, and so do the
    direct tokenizer, the target vocabulary and the check of the tokenizer's files."""
    model = shutil.copytree(tiny_marian_dir, tmp_path / "model")
    (model / "tokenizer_config.json").write_text(json.dumps({"target_lang": "eng", "source_lang": "ara"}))
    direct = load_tokenizer(model, "marian", "ar")
    assert not isinstance(direct, TransformersTokenizer)
    reference = TransformersTokenizer(model, "marian", "ar")
    assert direct.encode(SOURCES) == reference.encode(SOURCES)
    tokens = reference.encode(SOURCES[:2])[0] + ["<pad>", "▁the"]
    assert direct.decode(tokens) == reference.decode(tokens)
    assert output_vocabulary(model, "marian") == output_vocabulary(tiny_marian_dir, "marian")
    (model / "target.spm").unlink()
    with pytest.raises(ModelUnavailableError, match="target.spm is missing"):
        load_tokenizer(model, "marian", "ar")


def test_nllb_translates_into_english_and_strips_the_code(tiny_nllb_dir):
    translator = load(tiny_nllb_dir, compute_type="float32", beam_size=2)
    assert translator.target_prefix == ["eng_Latn"]
    sources = translator.tokenizer.encode(SOURCES[:3])
    assert all(tokens[0] == "arb_Arab" and tokens[-1] == "</s>" for tokens in sources)
    raw = translator.translator.translate_batch(sources, [["eng_Latn"]] * 3, beam_size=2, max_decoding_length=8)
    assert all(r.hypotheses[0][0] == "eng_Latn" for r in raw)
    for output in translator.translate(SOURCES[:3]):
        assert not output.text.startswith("eng_Latn") and "eng_Latn" not in output.text


@pytest.mark.parametrize("family", ["marian", "nllb"])
def test_output_length_is_limited_by_ratio_and_offset(model_dirs, family):
    translator = load(model_dirs[family], compute_type="float32", beam_size=1, max_length_ratio=1.0,
                      max_length_offset=3)
    hf = load(model_dirs[family], backend="transformers", beam_size=1, max_length_ratio=1.0, max_length_offset=3)
    sources = translator.tokenizer.encode(SOURCES)
    longest = max(len(tokens) for tokens in sources)
    for strict in (False, True):
        limits = [translator.output_limit(len(tokens), strict=strict) for tokens in sources]
        assert limits == [hf.output_limit(len(tokens), strict=strict) for tokens in sources]
        options = translator.decoding_options(sources, limits, strict)
        assert options["max_input_length"] == 0  # never truncated
        assert options["max_decoding_length"] < math.ceil(longest + 3)
        if strict:
            assert options["repetition_penalty"] > 1 and options["no_repeat_ngram_size"] == 3
    # the same limit as the transformers backend: equal outputs even when it cuts them
    assert [t.text for t in translator.translate(SOURCES)] == [t.text for t in hf.translate(SOURCES)]


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_batch_defaults_are_per_hypothesis(backend):
    table = BATCH_DEFAULTS if backend == "ctranslate2" else hf_backend.BATCH_DEFAULTS
    greedy_tokens, greedy_size = default_batch(table["cpu"], 1)
    beam_tokens, beam_size = default_batch(table["cpu"], 4)
    assert beam_tokens < greedy_tokens and beam_size < greedy_size
    assert default_batch(table["cuda"], 1)[0] > greedy_tokens
    assert all(n > 0 for n in default_batch(table["cpu"], 64))


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_too_long_input_is_an_error_not_a_truncation(tiny_marian_dir, backend):
    translator = load(tiny_marian_dir, backend, beam_size=1)
    with pytest.raises(BackendError, match="over the model's limit of 512"):
        translator.translate(["مرحبا", "كلمة " * 600])


def test_compute_type_not_available_lists_the_valid_ones(tiny_marian_dir):
    import ctranslate2

    valid = ", ".join(sorted(ctranslate2.get_supported_compute_types("cpu")))  # int16 only on some CPUs
    with pytest.raises(ConfigError, match=f"float16.*choose one of: auto, {valid}$"):
        load(tiny_marian_dir, compute_type="float16")


@pytest.mark.parametrize("error, fix", [
    ("Library libcublas.so.12 is not found or cannot be loaded", "link named libcublas.so.12 to libcublas.so.13"),
    ("CUDA failed with error out of memory", "use --backend transformers or --device cpu"),
])
def test_a_ctranslate2_failure_is_one_line_with_its_fix(model_dirs, error, fix):
    """CTranslate2's CUDA errors become one line; a missing cuBLAS 12 (its wheels' CUDA) names
    how to provide it, other failures name the other backend and device."""
    translator = load(model_dirs["marian"])
    message = str(translator._failure(RuntimeError(error + "\nat line 2")))

    assert "\n" not in message and message.startswith(f"CTranslate2 failed on cpu: {error};")
    assert fix in message
    assert ("LD_LIBRARY_PATH" in message) == ("libcublas" in error)


def test_a_missing_cublas_at_load_names_its_fix_not_a_conversion(model_dirs, monkeypatch):
    import ctranslate2

    def fails(*args, **kwargs):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    monkeypatch.setattr(ctranslate2, "Translator", fails)
    with pytest.raises(BackendError, match="libcublas.so.12 is not found.*LD_LIBRARY_PATH") as error:
        load(model_dirs["marian"])
    assert "convert" not in str(error.value)


def test_cuda_without_a_gpu_is_a_config_error(tiny_marian_dir):
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        load(tiny_marian_dir, device="cuda")


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_family_that_contradicts_the_model_is_an_error(tiny_marian_dir, backend):
    with pytest.raises(ConfigError, match="is a marian model, but the settings say family .nllb. .*set it to .marian."):
        load(tiny_marian_dir, backend, family="nllb")


def test_conversion_is_cached_and_reused(tiny_marian_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    messages: list[str] = []
    settings = resolve_settings(model=str(tiny_marian_dir), backend="ctranslate2", beam_size=1)
    first = CT2Translator(settings, on_message=messages.append)
    assert len(messages) == 2 and messages[0].startswith("converting ") and "once" in messages[0]
    (converted,) = [p for p in (tmp_path / "cache").iterdir()]
    assert converted.name.endswith("-local-int8") and is_converted(converted)
    stamp = (converted / "model.bin").stat().st_mtime_ns
    second = CT2Translator(settings, on_message=messages.append)
    assert len(messages) == 2  # no second conversion
    assert (converted / "model.bin").stat().st_mtime_ns == stamp
    assert [t.text for t in first.translate(SOURCES)] == [t.text for t in second.translate(SOURCES)]
    CT2Translator(resolve_settings(model=str(tiny_marian_dir), backend="ctranslate2", compute_type="float32"),
                  on_message=messages.append)
    assert len(messages) == 4 and len(list((tmp_path / "cache").iterdir())) == 2  # one per quantization


def test_a_conversion_cache_that_is_a_file_is_refused_before_converting(tiny_marian_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "notes.txt"))
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match=r"notes.txt: the CTranslate2 conversion cache \(TRANSLATE_CACHE\) is a file"):
        load(tiny_marian_dir)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_the_weights_version_changes_when_a_model_is_rebuilt_in_place(tiny_marian_dir, tmp_path, backend):
    model = shutil.copytree(tiny_marian_dir, tmp_path / "model")
    before = load(model, backend).info
    assert load(shutil.copytree(model, tmp_path / "copy"), backend).info.version == before.version
    rebuild_in_place(model)
    after = load(model, backend).info
    assert before.version.startswith("local-") and after.version != before.version
    assert f"weights:{after.version}" in after.signature()
    assert model_version(tmp_path / "hub" / "snapshots" / ("a" * 40)) == "a" * 40


def test_cache_key_names_model_revision_and_quantization(tiny_marian_dir, tmp_path):
    local = cache_key(str(tiny_marian_dir), tiny_marian_dir, None, "int8")
    assert local.startswith(tiny_marian_dir.name + ".") and local.endswith("-local-int8")
    assert cache_key(str(tiny_marian_dir), tiny_marian_dir, None, "float32") != local
    snapshot = tmp_path / "models--Helsinki-NLP--opus-mt-ar-en" / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    assert cache_key("Helsinki-NLP/opus-mt-ar-en", snapshot, None, "int8") == (
        f"Helsinki-NLP--opus-mt-ar-en-{'a' * 40}-int8"
    )
    copy = shutil.copytree(tiny_marian_dir, tmp_path / "copy")
    before = cache_key(str(copy), copy, None, "int8")
    rebuild_in_place(copy)  # a model rebuilt in place is converted again
    assert cache_key(str(copy), copy, None, "int8") != before
    rebuilt = cache_key(str(copy), copy, None, "int8")
    vocab = json.loads((copy / "vocab.json").read_text(encoding="utf-8"))
    (copy / "vocab.json").write_text(json.dumps({**vocab, "<extra>": len(vocab)}), encoding="utf-8")
    assert cache_key(str(copy), copy, None, "int8") != rebuilt  # so is one whose tokenizer changed


def test_interrupted_conversion_leaves_nothing_behind(tiny_marian_dir, tmp_path, monkeypatch):
    from ctranslate2.converters import TransformersConverter

    def fail(self, output_dir, **kwargs):
        os.makedirs(output_dir)
        (open(os.path.join(output_dir, "model.bin"), "wb")).close()
        raise KeyboardInterrupt

    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(TransformersConverter, "convert", fail)
    with pytest.raises(KeyboardInterrupt):
        converted_model(str(tiny_marian_dir), tiny_marian_dir, None, "int8", on_message=lambda m: None)
    assert list(cache_root().iterdir()) == []


def test_converted_directory_is_usable_as_the_model(tiny_nllb_dir, tmp_path):
    out = convert_model(tiny_nllb_dir, tmp_path / "nllb-ct2", "float32")
    assert is_converted(out) and (out / "tokenizer.json").is_file()
    direct = load(out, beam_size=1)  # computed as stored: float32
    assert direct.info.compute_type == "float32"
    via_cache = load(tiny_nllb_dir, compute_type="float32", beam_size=1)
    assert direct.info.family == "nllb"
    assert [t.text for t in direct.translate(SOURCES)] == [t.text for t in via_cache.translate(SOURCES)]
    with pytest.raises(ConfigError, match="exists and is not a converted model"):
        convert_model(tiny_nllb_dir, tiny_nllb_dir, "int8")
    assert resolve_settings(model=str(out)).backend == "ctranslate2"  # no --backend needed
    with pytest.raises(ConfigError, match="a model converted for CTranslate2; run it with --backend ctranslate2"):
        load(out, backend="transformers")


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch):
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    return cache


def test_uncached_hub_model_offline_is_unavailable(empty_hub_cache):
    with pytest.raises(ModelUnavailableError, match="translate download Helsinki-NLP/opus-mt-ar-en"):
        load("Helsinki-NLP/opus-mt-ar-en")


def test_missing_path_is_unavailable(tmp_path):
    with pytest.raises(ModelUnavailableError, match="no such directory"):
        load(tmp_path / "nope", family="marian")


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2", "converted"])
def test_a_revision_for_a_local_directory_is_refused(tiny_marian_dir, tmp_path, backend):
    model = convert_model(tiny_marian_dir, tmp_path / "ct2", "int8") if backend == "converted" else tiny_marian_dir
    with pytest.raises(ConfigError, match="revision 'abc' is for hub models"):
        load(model, backend="ctranslate2" if backend == "converted" else backend, revision="abc")


# ---------------------------------------------------------------- CLI


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def structure(data):
    return (
        data["headline"]["source"] if data["headline"] else None,
        [(p["role"], len(p["sentences"])) for p in data["paragraphs"]],
        data["dropped"],
    )


def test_article_with_ctranslate2_has_the_transformers_structure(tiny_marian_dir, seed_article_path):
    results = {}
    for backend in ("transformers", "ctranslate2"):
        result = invoke("article", seed_article_path, "--model", tiny_marian_dir, "--backend", backend,
                        "--beam", 1, "--format", "json")
        assert result.exit_code == 0, result.output
        results[backend] = json.loads(result.stdout)
    assert structure(results["ctranslate2"]) == structure(results["transformers"])
    assert results["ctranslate2"]["headline"]["translation"]
    assert len(results["ctranslate2"]["paragraphs"]) == 16
    assert "backend:ctranslate2" in json.dumps(results["ctranslate2"])


def test_convert_command_writes_a_usable_model(tiny_marian_dir, tmp_path):
    result = invoke("convert", tiny_marian_dir, "--quantization", "float32", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "out")
    assert is_converted(tmp_path / "out")
    assert result.stderr.splitlines()[0].endswith(f"(float32 weights), into {tmp_path / 'out'}")
    assert len(result.stderr.splitlines()) == 2 and "Loading weights" not in result.stderr  # no loader's bar
    again = invoke("convert", tiny_marian_dir, "--quantization", "float32", "-o", tmp_path / "out")
    assert again.exit_code == 0 and "is already converted in" in again.stderr and "converting" not in again.stderr
    quiet = invoke("convert", tiny_marian_dir, "--quantization", "float32", "-o", tmp_path / "out", "-q")
    assert (quiet.exit_code, quiet.stderr, quiet.stdout.strip()) == (0, "", str(tmp_path / "out"))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    refused = invoke("convert", tiny_marian_dir, "-o", tmp_path / "mine", "--force")
    assert refused.exit_code == 2 and "exists and is not a converted model" in refused.stderr
    assert refused.stderr.count("\n") == 1 and (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    result = invoke("convert", tiny_marian_dir)  # into the cache
    assert result.exit_code == 0, result.output
    assert is_converted(result.stdout.strip())


def test_convert_writes_into_an_empty_folder(tiny_marian_dir, tmp_path):
    (tmp_path / "out").mkdir()
    result = invoke("convert", tiny_marian_dir, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert is_converted(tmp_path / "out")


def test_the_next_conversion_removes_what_a_killed_one_left(tiny_marian_dir, tmp_path):
    out = tmp_path / "out"
    killed = (
        "import os, sys; import ctranslate2.converters as c; "
        "c.TransformersConverter.convert = lambda self, where, **kw: (os.makedirs(where), os._exit(9)); "
        f"from translate.convert import convert_model; convert_model({str(tiny_marian_dir)!r}, {str(out)!r}, 'int8')"
    )
    done = subprocess.run([sys.executable, "-c", killed], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    (left,) = tmp_path.glob(".out.*.tmp")
    assert (left / "model").is_dir() and not out.exists()
    running = tmp_path / f".out.{socket.gethostname()}-{os.getpid()}.abcd1234.tmp"  # a conversion still at work
    elsewhere = tmp_path / ".out.another-host-1.efgh5678.tmp"  # a process on another machine sharing the folder
    running.mkdir(), elsewhere.mkdir()
    convert_model(tiny_marian_dir, out, "int8")
    assert is_converted(out) and not left.exists() and running.exists() and elsewhere.exists()


def test_convert_refuses_another_conversion_and_repairs_the_cache(tiny_marian_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert invoke("convert", tiny_marian_dir, "--quantization", "float32", "-o", out).exit_code == 0
    other = invoke("convert", tiny_marian_dir, "--quantization", "int8", "-o", out)
    assert other.exit_code == 2 and "holds another conversion" in other.stderr and "float32 weights" in other.stderr
    assert read_marker(out)["quantization"] == "float32"
    assert invoke("convert", tiny_marian_dir, "--quantization", "int8", "-o", out, "--force").exit_code == 0
    assert read_marker(out)["quantization"] == "int8"
    again = invoke("convert", out)
    assert again.exit_code == 2 and "is already converted for CTranslate2; use it as it is: --model" in again.stderr

    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    cached = Path(invoke("convert", tiny_marian_dir).stdout.strip())
    (cached / "model.bin").unlink()  # a damaged cache entry
    repaired = invoke("convert", tiny_marian_dir)
    assert repaired.exit_code == 0 and is_converted(cached), repaired.output


def test_convert_to_a_folder_notices_weights_changed_in_place_and_follows_a_link(tiny_marian_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(tiny_marian_dir, model)
    out = tmp_path / "out"
    assert invoke("convert", model, "--quantization", "float32", "-o", out).exit_code == 0
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    (model / "config.json").write_text(json.dumps({**config, "dropout": 0.25}), encoding="utf-8")  # retrained
    stale = invoke("convert", model, "--quantization", "float32", "-o", out)
    assert stale.exit_code == 2 and "as it was before its weights changed" in stale.stderr and "--force" in stale.stderr
    (tmp_path / "link").symlink_to(out)
    forced = invoke("convert", model, "--quantization", "float32", "-o", tmp_path / "link", "--force")
    assert forced.exit_code == 0 and (tmp_path / "link").is_symlink() and is_converted(out), forced.output
    assert invoke("convert", model, "--quantization", "float32", "-o", out).exit_code == 0


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("family, name", [("marian", "source.spm"), ("marian", "vocab.json"), ("nllb", "tokenizer.json")])
def test_a_missing_tokenizer_file_is_named(model_dirs, tmp_path, monkeypatch, backend, family, name):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model"
    shutil.copytree(model_dirs[family], model)
    (model / name).unlink()
    with pytest.raises(ModelUnavailableError, match=f"^{model}: its tokenizer file {name}.* is missing"):
        load(model, backend=backend)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_missing_weights_are_a_damaged_model_for_both_backends(tiny_marian_dir, tmp_path, monkeypatch, backend):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "model"
    shutil.copytree(tiny_marian_dir, model)
    (model / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailableError, match=f"^{model}: cannot load the model .*download it again"):
        load(model, backend=backend)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_ctranslate2_model_converted_elsewhere_is_refused_with_the_fix(tiny_marian_dir, tmp_path, backend):
    out = tmp_path / "out"
    assert invoke("convert", tiny_marian_dir, "--quantization", "float32", "-o", out).exit_code == 0
    (out / "translate-conversion.json").unlink()  # as ct2-transformers-converter writes it
    with pytest.raises(ConfigError, match="a CTranslate2 model that 'translate convert' did not write"):
        load(out, backend=backend)


def test_a_damaged_conversion_record_is_named(tiny_marian_dir, tmp_path):
    out = convert_model(tiny_marian_dir, tmp_path / "ct2", "float32")
    (out / "translate-conversion.json").write_text('{"family": "mar', encoding="utf-8")  # cut short
    with pytest.raises(ModelUnavailableError, match=f"^{out}: cannot load the model .*translate-conversion.json"):
        load(out, backend="ctranslate2")


def test_a_hub_model_missing_offline_at_a_revision_names_it_in_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    page = tmp_path / "page.txt"
    page.write_text("وصل الرئيس اليوم إلى العاصمة في زيارة رسمية.\n", encoding="utf-8")
    result = invoke("article", page, "--model", "owner/tiny", "--revision", "v2")
    assert result.exit_code == 3
    assert "'owner/tiny' at revision 'v2' is not in the local cache" in result.stderr
    assert "run 'translate download owner/tiny --revision v2'" in result.stderr


def test_quiet_hides_the_first_use_conversion(tiny_marian_dir, seed_article_path, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "cache"))
    args = ["article", seed_article_path, "--model", tiny_marian_dir, "--backend", "ctranslate2", "--beam", 1]
    quiet = invoke(*args, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "other-cache"))
    loud = invoke(*args)
    assert loud.exit_code == 0 and "converting " in loud.stderr and quiet.stdout == loud.stdout


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["/no/such/model"], "no such directory"),
        (["{tiny}", "--quantization", "int9"], "unknown quantization 'int9'"),
        (["{tiny}", "-o", "{tmp}/notes.txt/ct2"], "notes.txt/ct2: cannot create its folder"),
        (["{tiny}", "-o", "{tiny}/ct2"], "is inside the model folder"),
    ],
)
def test_convert_command_errors_are_one_line(tiny_marian_dir, tmp_path, args, fragment):
    (tmp_path / "notes.txt").write_text("x")
    result = invoke("convert", *[a.format(tiny=tiny_marian_dir, tmp=tmp_path) for a in args])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not (tiny_marian_dir / "ct2").exists()


def test_translating_with_a_converted_model_does_not_import_torch(tiny_marian_dir, tmp_path):
    out = convert_model(tiny_marian_dir, tmp_path / "ct2", "int8")
    code = (
        "import sys; from translate.backends import load_translator; from translate.config import resolve_settings; "
        f"t = load_translator(resolve_settings(model={str(tiny_marian_dir)!r}, backend='ctranslate2', beam_size=1)); "
        f"u = load_translator(resolve_settings(model={str(out)!r}, backend='ctranslate2', beam_size=1)); "
        "assert t.translate(['مرحبا بكم']) and u.translate(['مرحبا']); "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'"
    )
    load(tiny_marian_dir)  # converted into the cache beforehand
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("damage", ["weights cut short", "tokenizer files missing"])
def test_a_damaged_model_folder_is_one_typed_error_naming_it(tiny_marian_dir, tmp_path, ct2_cache, backend, damage):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_marian_dir, broken)
    if damage == "weights cut short":
        with open(broken / "model.safetensors", "r+b") as weights:
            weights.truncate(1000)
    else:
        for name in ("source.spm", "target.spm"):
            (broken / name).unlink()
    found = ("cannot load the model .*" if damage == "weights cut short"
             else "its tokenizer files source.spm, target.spm are missing.*")
    with pytest.raises(ModelUnavailableError, match=f"^{broken}: {found}download it again"):
        load(broken, backend)
