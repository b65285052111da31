"""Random-weight MarianMT and NLLB models with real tokenizers, for tests and benchmarks.

Each builder trains SentencePiece on a few hundred lines, creates a model with random
weights and writes both with ``save_pretrained``, so the directory loads exactly like a
hub model through ``AutoTokenizer`` / ``AutoModelForSeq2SeqLM`` (and converts with
CTranslate2's transformers converter).

The same builders give the real architectures' shapes, for timing without downloads::

    build_marian(out, ar, en, d_model=512, layers=6, heads=8, ffn=2048, vocab_size=62834)
    build_marian(out, ar, en, d_model=1024, layers=6, heads=16, ffn=4096, vocab_size=...)
    build_nllb(out, ar, en, d_model=1024, layers=12, heads=16, ffn=4096, vocab_size=256206,
               max_position_embeddings=1024)

``spm_vocab_size`` is how many pieces SentencePiece learns (a few hundred lines cannot
give 62k real ones); ``vocab_size`` is the model's embedding rows. When it is larger
than the tokenizer, the tokenizer's vocabulary is padded with ``<unused_N>`` entries so
that tokenizer and model agree on every id: tokenization never produces them, a random
model may generate them, and they decode as their literal text. The padding sits before
the special tokens that real models keep at the end (Marian's ``<pad>``, NLLB's ``<mask>``
and language codes), so those keep their usual places.

Nothing heavy is imported at module import time.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

UNUSED = "<unused_{}>"


def build_marian(
    out_dir: str | Path,
    lines_src: Sequence[str],
    lines_tgt: Sequence[str],
    *,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    spm_vocab_size: int = 500,
    vocab_size: int | None = None,
    target_vocab_size: int | None = None,
    max_position_embeddings: int = 512,
    seed: int = 0,
    **config: Any,
) -> Path:
    """Write an OPUS-MT-shaped model: unigram ``source.spm`` / ``target.spm``, one shared
    ``vocab.json`` (``</s>`` 0, ``<unk>`` 1, pieces, ``<pad>`` last), MarianConfig with
    shared embeddings and the generation config opus-mt models ship. ``config`` overrides
    MarianConfig fields. Returns ``out_dir``.

    ``target_vocab_size`` pads ``target.spm`` with unused pieces (never produced by encoding)
    to that many pieces: the share of the vocabulary that generation scores
    (``model_tokenizers.output_vocabulary``), as a real model's target side holds."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pieces: dict[str, None] = {"</s>": None, "<unk>": None}
    unused = 0
    for name, lines in (("source.spm", lines_src), ("target.spm", lines_tgt)):
        proto = train_sentencepiece(lines, spm_vocab_size, "unigram")
        if name == "target.spm" and target_vocab_size:
            proto, unused = _pad_pieces(proto, target_vocab_size)
        (out / name).write_bytes(proto)
        pieces.update(dict.fromkeys(_pieces(proto)))
    tokens = _pad_vocab(list(pieces), vocab_size, reserved=1, what="Marian", first=unused)
    tokens.append("<pad>")
    (out / "vocab.json").write_text(
        json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False, indent=0), encoding="utf-8"
    )
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang="ar",
        target_lang="en",
        model_max_length=max_position_embeddings,
    )
    tokenizer.save_pretrained(out)

    pad, eos = len(tokens) - 1, 0
    model_config = MarianConfig(**{
        **_architecture(len(tokens), d_model, layers, heads, ffn, max_position_embeddings),
        "activation_function": "swish",
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "pad_token_id": pad,
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "decoder_start_token_id": pad,
        **config,
    })
    torch.manual_seed(seed)
    model = MarianMTModel(model_config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=eos,
        eos_token_id=eos,
        forced_eos_token_id=eos,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        bad_words_ids=[[pad]],
        max_length=max_position_embeddings,
        num_beams=4,
        renormalize_logits=True,
    )
    model.save_pretrained(out)
    return out


def build_nllb(
    out_dir: str | Path,
    lines_src: Sequence[str],
    lines_tgt: Sequence[str],
    *,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    spm_vocab_size: int = 500,
    vocab_size: int | None = None,
    max_position_embeddings: int = 512,
    seed: int = 0,
    **config: Any,
) -> Path:
    """Write an NLLB-200-shaped model: one BPE SentencePiece model over both languages with
    fairseq ids (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3), an NllbTokenizer whose
    special tokens are ``<mask>`` and all FLORES-200 language codes, and an M2M100 model.
    ``config`` overrides M2M100Config fields. Returns ``out_dir``."""
    import torch
    from tokenizers.models import BPE
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer
    from transformers.convert_slow_tokenizer import SentencePieceExtractor
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    proto = train_sentencepiece([*lines_src, *lines_tgt], spm_vocab_size, "bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    spm_file = out / "sentencepiece.bpe.model"
    spm_file.write_bytes(proto)
    extracted = SentencePieceExtractor(str(spm_file)).extract(BPE)
    spm_file.unlink()  # tokenizer.json holds it all; a stray .model would suggest fairseq's id offset
    tokens = _pad_vocab(list(extracted["vocab"]), vocab_size, reserved=len(FAIRSEQ_LANGUAGE_CODES) + 1, what="NLLB")
    tokenizer = NllbTokenizer(
        vocab={t: i for i, t in enumerate(tokens)},
        merges=extracted["merges"],
        _spm_precompiled_charsmap=extracted["_spm_precompiled_charsmap"],
        src_lang="arb_Arab",
        tgt_lang="eng_Latn",
        model_max_length=max_position_embeddings,
    )
    tokenizer.save_pretrained(out)

    model_config = M2M100Config(**{
        **_architecture(len(tokenizer), d_model, layers, heads, ffn, max_position_embeddings),
        "encoder_layerdrop": 0.0,
        "decoder_layerdrop": 0.0,
        "tokenizer_class": "NllbTokenizer",
        **config,
    })
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(model_config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2, max_length=200
    )
    model.save_pretrained(out)
    return out


def _architecture(vocab_size: int, d_model: int, layers: int, heads: int, ffn: int, positions: int) -> dict[str, int]:
    """The config fields of an encoder-decoder with equal encoder and decoder stacks."""
    return {
        "vocab_size": vocab_size,
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "max_position_embeddings": positions,
    }


def train_sentencepiece(lines: Sequence[str], vocab_size: int, model_type: str, **options: Any) -> bytes:
    """Train a SentencePiece model in memory; returns the serialized model."""
    import sentencepiece

    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter([line.strip() for line in lines if line.strip()]),
        model_writer=buffer,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        **options,
    )
    return buffer.getvalue()


def _pieces(proto: bytes) -> list[str]:
    """The model's ordinary pieces (control and unknown pieces left out)."""
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_proto=proto)
    return [
        sp.id_to_piece(i)
        for i in range(sp.get_piece_size())
        if not (sp.is_control(i) or sp.is_unknown(i))
    ]


def _pad_pieces(proto: bytes, size: int) -> tuple[bytes, int]:
    """A SentencePiece model with unused pieces ``<unused_0>``... appended up to ``size`` pieces,
    and how many were appended."""
    from sentencepiece import sentencepiece_model_pb2

    model = sentencepiece_model_pb2.ModelProto()
    model.ParseFromString(proto)
    added = max(0, size - len(model.pieces))
    for i in range(added):
        piece = model.pieces.add()
        piece.piece, piece.type = UNUSED.format(i), sentencepiece_model_pb2.ModelProto.SentencePiece.UNUSED
    return model.SerializeToString(), added


def _pad_vocab(tokens: list[str], vocab_size: int | None, *, reserved: int, what: str, first: int = 0) -> list[str]:
    """Append ``<unused_N>`` entries (N from ``first``) so that ``tokens`` plus ``reserved``
    specials make ``vocab_size``."""
    if vocab_size is None:
        return tokens
    missing = vocab_size - len(tokens) - reserved
    if missing < 0:
        raise ValueError(
            f"{what} vocab_size={vocab_size} is smaller than the tokenizer's {len(tokens) + reserved} tokens; "
            "pass a larger vocab_size, a smaller spm_vocab_size, or vocab_size=None"
        )
    return tokens + [UNUSED.format(first + i) for i in range(missing)]
