"""The models' own tokenizers for the CTranslate2 backend, without importing torch.

``load_tokenizer`` reads a MarianMT (sentencepiece + ``vocab.json``) or NLLB
(``tokenizer.json``) tokenizer with ``sentencepiece`` / ``tokenizers`` directly: importing
transformers imports torch, which alone takes longer than loading and running an int8
model on a short article. Each gives the tokens that the transformers tokenizer gives
(the tests compare them token for token); any other tokenizer goes through
``transformers.AutoTokenizer``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from translate.backends.loading import nllb_code
from translate.convert import read_model_json
from translate.errors import BackendError, ModelUnavailableError, damage_errors, damaged_model, first_line


class Tokenizer(Protocol):
    model_max_length: int | None

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Source tokens, special tokens included: ``convert_ids_to_tokens(tokenizer(text).input_ids)``."""
        ...

    def decode(self, tokens: Sequence[str]) -> str:
        """``tokenizer.decode(ids, skip_special_tokens=True)`` of the tokens' ids."""
        ...

    def check_token(self, token: str, model: str) -> None:
        """Raise BackendError when ``token`` is not in the vocabulary."""
        ...


def load_tokenizer(model_dir: str | Path, family: str, source_lang: str) -> Tokenizer:
    """The model's tokenizer: read directly from its files when they are the usual
    Marian / NLLB ones, else through ``transformers.AutoTokenizer``."""
    model_dir = Path(model_dir)
    config = read_model_json(model_dir / "tokenizer_config.json")
    kind = tokenizer_kind(config, family)
    _check_files(model_dir, kind)
    if family == "marian" and kind == "MarianTokenizer" and not config.get("separate_vocabs") and all(
        (model_dir / name).is_file() for name in ("source.spm", "vocab.json")
    ):
        return MarianTokenizer(model_dir, config)
    if family == "nllb" and kind == "NllbTokenizer" and (model_dir / "tokenizer.json").is_file():
        return NllbTokenizer(model_dir, config, nllb_code(source_lang))
    return TransformersTokenizer(model_dir, family, source_lang)


FAMILY_TOKENIZERS = {"marian": "MarianTokenizer"}
"""The tokenizer ``AutoTokenizer`` takes for a model family when ``tokenizer_config.json`` names
none, as the OPUS-MT models' own (``{"target_lang": "eng", "source_lang": "ara"}``) do not."""


def tokenizer_kind(config: dict, family: str | None) -> str:
    """The tokenizer class a ``tokenizer_config.json`` names, without its ``Fast`` suffix, or
    the family's when it names none."""
    return str(config.get("tokenizer_class") or FAMILY_TOKENIZERS.get(family or "", "")).removesuffix("Fast")


TOKENIZER_NEEDS = {"MarianTokenizer": [("source.spm",), ("target.spm",), ("vocab.json",)],
                   "NllbTokenizer": [("tokenizer.json", "sentencepiece.bpe.model")]}
"""The files each tokenizer class needs (any one of a tuple)."""


def check_tokenizer_files(model_dir: Path, family: str) -> None:
    """Refuse a Marian or NLLB folder without a file its tokenizer needs, naming it (the
    tokenizers themselves fail on it with a TypeError about a None path)."""
    _check_files(model_dir, tokenizer_kind(read_model_json(model_dir / "tokenizer_config.json"), family))


def _check_files(model_dir: Path, kind: str) -> None:
    needed = TOKENIZER_NEEDS.get(kind, [])
    missing = [" or ".join(names) for names in needed if not any((model_dir / name).is_file() for name in names)]
    if missing:
        raise ModelUnavailableError(
            f"{model_dir}: its tokenizer file{'s' * (len(missing) > 1)} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing; the folder is incomplete: download it again "
            "('translate download MODEL') or rebuild it"
        )


def output_vocabulary(model_dir: str | Path, family: str) -> list[str] | None:
    """The tokens a MarianMT model with one vocabulary for both languages can usefully generate,
    in the vocabulary's order: the pieces of its target SentencePiece model, ``</s>`` and ``<unk>``.
    ``None`` for any other model: it may generate all of its vocabulary.

    OPUS-MT keeps the source and the target pieces (about 32,000 each for Arabic-English) in
    one ``vocab.json`` that both the encoder and the output layer use, though training only
    ever asks for target pieces. Scoring only those halves the output layer's work, and the
    softmax and top-k passes over it, at every decoding step; the translations change only where
    the model would have chosen a source-language piece, which its training never asked of it.
    """
    model_dir = Path(model_dir)
    config = read_model_json(model_dir / "tokenizer_config.json")
    files = [model_dir / name for name in ("target.spm", "vocab.json")]
    if tokenizer_kind(config, family) != "MarianTokenizer" or config.get("separate_vocabs") or not all(
        f.is_file() for f in files
    ):
        return None
    import sentencepiece

    try:
        target = sentencepiece.SentencePieceProcessor(model_file=str(files[0]))
    except (OSError, RuntimeError) as exc:
        raise damaged_model(model_dir, ValueError(f"target.spm: {first_line(exc)}")) from None
    vocab = read_model_json(files[1])
    eos, unk, pad = _marian_specials(config)
    kept = {target.id_to_piece(i) for i in range(target.get_piece_size())} | {eos, unk}
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda item: item[1]) if t in kept]
    return tokens if len(tokens) < len(set(vocab) - {pad}) else None


class MarianTokenizer:
    """transformers' ``MarianTokenizer`` (shared vocabulary) with sentencepiece alone.

    Encoding: a leading ``>>xx<<`` code kept whole, special tokens written in the text
    kept whole, the rest split by ``source.spm``; pieces outside ``vocab.json`` become
    ``<unk>``; ``</s>`` appended. Decoding: special tokens dropped, pieces joined by the
    source sentencepiece model (as transformers does for a shared vocabulary).
    """

    def __init__(self, model_dir: Path, config: dict[str, Any]) -> None:
        import sentencepiece

        self.vocab: dict[str, int] = read_model_json(model_dir / "vocab.json")
        self.spm = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
        self.eos, self.unk, pad = _marian_specials(config)
        self.special = {self.eos, self.unk, pad}
        self.special |= {_content(t) for t in config.get("additional_special_tokens") or ()}
        self.special |= {
            t["content"] for t in (config.get("added_tokens_decoder") or {}).values() if t.get("special")
        }
        self._special_re = re.compile("(" + "|".join(map(re.escape, sorted(self.special, key=len, reverse=True))) + ")")
        self.clean_up = bool(config.get("clean_up_tokenization_spaces", False))
        self.model_max_length = config.get("model_max_length")

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._encode(text) for text in texts]

    def _encode(self, text: str) -> list[str]:
        tokens: list[str] = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            tokens.append(text[: end + 2])
            text = text[end + 2:]
        for i, part in enumerate(self._special_re.split(text)):
            if i % 2:
                tokens.append(part)
            elif part:
                tokens += self.spm.encode(part, out_type=str)
        return [t if t in self.vocab else self.unk for t in tokens] + [self.eos]

    def decode(self, tokens: Sequence[str]) -> str:
        text = self.spm.decode_pieces([t for t in tokens if t not in self.special])
        text = text.replace("\u2581", " ").strip()
        return _clean_up(text) if self.clean_up else text

    def check_token(self, token: str, model: str) -> None:
        if token not in self.vocab:
            raise BackendError(f"model {model!r}: its vocabulary has no token {token!r}")


class NllbTokenizer:
    """transformers' ``NllbTokenizer`` with the ``tokenizers`` library alone.

    Encoding: ``tokenizer.json`` without its template, then the source language code
    before and ``</s>`` after (legacy mode: ``</s>`` and the code after). Decoding:
    ``tokenizer.json``'s decoder, special tokens skipped (transformers never applies its
    space clean-up to a BPE tokenizer).
    """

    def __init__(self, model_dir: Path, config: dict[str, Any], source_code: str) -> None:
        from tokenizers import Tokenizer as RustTokenizer

        self.tokenizer = RustTokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        eos = _content(config.get("eos_token", "</s>"))
        self.check_token(source_code, str(model_dir))
        legacy = bool(config.get("legacy_behaviour", False))
        self.prefix, self.suffix = ([], [eos, source_code]) if legacy else ([source_code], [eos])
        self.model_max_length = config.get("model_max_length")

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [self.prefix + e.tokens + self.suffix for e in encodings]

    def decode(self, tokens: Sequence[str]) -> str:
        return self.tokenizer.decode([self.tokenizer.token_to_id(t) for t in tokens], skip_special_tokens=True)

    def check_token(self, token: str, model: str) -> None:
        if self.tokenizer.token_to_id(token) is None:
            raise BackendError(
                f"model {model!r}: its tokenizer has no language code {token!r}; is this an NLLB-200 tokenizer?"
            )


class TransformersTokenizer:
    """Any tokenizer, through ``transformers.AutoTokenizer`` (imports torch)."""

    def __init__(self, model_dir: Path, family: str, source_lang: str) -> None:
        try:
            from transformers import AutoTokenizer
        except ImportError as exc:
            raise BackendError(f"this model's tokenizer needs transformers ({exc})") from None
        options = {"src_lang": nllb_code(source_lang)} if family == "nllb" else {}
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), **options)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(f"{model_dir}: cannot load the tokenizer ({first_line(exc)})") from None
        except damage_errors() as exc:  # a tokenizer file missing or cut short
            raise damaged_model(model_dir, exc) from None
        self.model_max_length = self.tokenizer.model_max_length

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [self.tokenizer.convert_ids_to_tokens(ids) for ids in encoded["input_ids"]]

    def decode(self, tokens: Sequence[str]) -> str:
        return self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(list(tokens)), skip_special_tokens=True)

    def check_token(self, token: str, model: str) -> None:
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise BackendError(
                f"model {model!r}: its tokenizer has no language code {token!r}; is this an NLLB-200 tokenizer?"
            )


def _marian_specials(config: dict[str, Any]) -> tuple[str, str, str]:
    """A MarianMT tokenizer's EOS, unknown and pad tokens, as its config names them or by default."""
    return (_content(config.get("eos_token", "</s>")), _content(config.get("unk_token", "<unk>")),
            _content(config.get("pad_token", "<pad>")))


def _content(token: Any) -> str:
    return token["content"] if isinstance(token, dict) else str(token)


def _clean_up(text: str) -> str:
    """transformers' ``clean_up_tokenization``."""
    for before, after in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                          (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
        text = text.replace(before, after)
    return text

