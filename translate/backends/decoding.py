"""Decoding for the transformers backend: ``generate``'s token ids with less work per step.

transformers' beam search makes four new tensors of hypotheses x vocabulary floats at every
decoding step (a float32 copy of the logits, their log-softmax, the renormalized scores, the
scores plus each beam's running score) and reorders the cross-attention cache, which every
beam of a sentence shares. On CPU these passes took about 40 % of a beam-4 batch's time with
the opus-mt-ar-en shape (a 128 x 62,834 tensor is 32 MB, and every new one is fresh memory).

Here the logits and the log-softmax are written to buffers kept for the whole batch, each hypothesis keeps
only its best ``2 x beams`` tokens before the running scores are added (the best
``2 x beams`` continuations of a sentence are among them), and only the self-attention
cache is reordered. Choosing the running beams, keeping the finished ones, the length
penalty and the early-stopping rule follow ``generate``, and the tests compare the ids.
Greedy decoding (one beam) is ``generate``'s too, with the logits buffer. A MarianMT model's
output layer computes the rows of its target-language pieces alone (``restrict_output``).

``supported(generation_config)`` says whether a model's generation settings ask only for
what is done here: the decoder start, a forced first token (NLLB's target language), a
forced EOS at the length limit (MarianMT), renormalization, and the caller's processors
(which may only set scores to ``-inf``). Anything else goes through ``generate``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

NEG = -1.0e9
"""The score transformers gives a hypothesis that must not be chosen."""

PLAIN_SETTINGS: dict[str, tuple[Any, ...]] = {
    "guidance_scale": (None, 1, 1.0),
    "sequence_bias": (None,),
    "encoder_repetition_penalty": (None, 1.0),
    "repetition_penalty": (None, 1.0),
    "no_repeat_ngram_size": (None, 0),
    "encoder_no_repeat_ngram_size": (None, 0),
    "min_length": (None, 0),
    "min_new_tokens": (None, 0),
    "remove_invalid_values": (None, False),
    "exponential_decay_length_penalty": (None,),
    "suppress_tokens": (None,),
    "begin_suppress_tokens": (None,),
    "watermarking_config": (None,),
    "num_return_sequences": (None, 1),
    "cache_implementation": (None, "dynamic"),
    "diversity_penalty": (None, 0.0),
    "constraints": (None,),
    "force_words_ids": (None,),
}
"""Generation settings that would add work to each step: ``search`` needs them at
these values (bad words are the backend's own ban, and must be single tokens)."""

Processor = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class SearchSettings:
    """What one search needs besides the model and its inputs."""

    num_beams: int
    max_new_tokens: int
    eos_token_id: int
    pad_token_id: int | None
    decoder_start_token_id: int
    forced_bos_token_id: int | None = None
    forced_eos_token_id: int | None = None
    length_penalty: float = 1.0
    early_stopping: bool | str = False
    renormalize: bool = False


def supported(config) -> bool:
    """Whether ``generate`` would, for this generation config, do nothing beyond what
    ``search`` does (the backend's single-token bad words aside)."""
    for name, allowed in PLAIN_SETTINGS.items():
        if getattr(config, name, None) not in allowed:
            return False
    eos = config.eos_token_id
    one_eos = isinstance(eos, int) or (eos is not None and len(eos) == 1)
    return single_token_bans(config) is not None and one_eos and config.decoder_start_token_id is not None


def single_token_bans(config) -> list[int] | None:
    """The tokens a generation config bans (``bad_words_ids``), when each ban is one token;
    ``None`` when a ban is a sequence of tokens."""
    bad_words = config.bad_words_ids or []
    if not all(len(ids) == 1 for ids in bad_words):
        return None
    return sorted({ids[0] for ids in bad_words})


def settings_from(config, options: dict[str, Any]) -> SearchSettings:
    """``SearchSettings`` from a model's generation config and the options ``generate`` would get."""
    eos = config.eos_token_id
    return SearchSettings(
        num_beams=options["num_beams"],
        max_new_tokens=options["max_new_tokens"],
        eos_token_id=eos if isinstance(eos, int) else eos[0],
        pad_token_id=config.pad_token_id,
        decoder_start_token_id=config.decoder_start_token_id,
        forced_bos_token_id=options.get("forced_bos_token_id", config.forced_bos_token_id),
        forced_eos_token_id=config.forced_eos_token_id,
        length_penalty=1.0 if config.length_penalty is None else config.length_penalty,
        early_stopping=False if config.early_stopping is None else config.early_stopping,
        renormalize=bool(options.get("renormalize_logits", config.renormalize_logits)),
    )


def search(model, input_ids, attention_mask, settings: SearchSettings, processors: Sequence[Processor] = (), *,
           slice_rows: int = 0, rows: OutputRows | None = None):
    """The best output per source, as ``generate`` returns it (decoder start first, padded to
    the longest): greedy for one beam, else beam search.

    ``model`` is a MarianMT or M2M100 (NLLB) model: its logits are its output layer applied
    to the decoder's last hidden state, plus MarianMT's ``final_logits_bias``; only for the
    vocabulary ``rows`` keeps (``output_rows``; all of it by default), every other token
    scoring ``-inf``. With float32 weights they are computed ``slice_rows`` vocabulary rows
    at a time (0: all at once) into a buffer kept for the whole batch.
    """
    steps = Steps(model, input_ids, attention_mask, settings.num_beams, slice_rows, rows or output_rows(model))
    if settings.num_beams == 1:
        return _greedy(steps, settings, processors)
    return _beam(steps, settings, processors)


class Steps:
    """The decoder run one token per hypothesis at a time, ``copies`` hypotheses per source,
    with its cache and the forced tokens of ``generate``."""

    def __init__(self, model, input_ids, attention_mask, copies: int, slice_rows: int, rows: OutputRows) -> None:
        from transformers.cache_utils import DynamicCache, EncoderDecoderCache

        encoded = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)
        self.memory = encoded.last_hidden_state.repeat_interleave(copies, dim=0)
        self.memory_mask = attention_mask.repeat_interleave(copies, dim=0)
        self.decoder = model.get_decoder()
        config = model.config.get_text_config(decoder=True)
        self.cache = EncoderDecoderCache(DynamicCache(config=config), DynamicCache(config=config))
        parameters = inspect.signature(self.decoder.forward).parameters
        self.cache_argument = "cache" if "cache" in parameters else "past_key_values"
        self.project = OutputLayer(rows, slice_rows)
        self.batch, self.device = input_ids.shape[0], input_ids.device

    def logits(self, tokens):
        """The float32 logits of the next token, given each hypothesis's last one."""
        hidden = self.decoder(
            input_ids=tokens.reshape(-1, 1), encoder_hidden_states=self.memory,
            encoder_attention_mask=self.memory_mask, use_cache=True, return_dict=True,
            **{self.cache_argument: self.cache},
        ).last_hidden_state[:, -1, :]
        return self.project(hidden)

    def force(self, scores, cur_len: int, max_length: int, s: SearchSettings) -> None:
        """``generate``'s forced tokens: the first one (NLLB's language code), EOS at the limit."""
        if s.forced_bos_token_id is not None and cur_len == 1:
            _force(scores, s.forced_bos_token_id)
        if s.forced_eos_token_id is not None and cur_len == max_length - 1:
            _force(scores, s.forced_eos_token_id)

    def reorder(self, rows) -> None:
        """Each hypothesis's self-attention cache taken from ``rows`` (the cross-attention cache is
        the same for every hypothesis of a source, and beams never leave their source)."""
        self.cache.self_attention_cache.reorder_cache(rows)


def _greedy(steps: Steps, s: SearchSettings, processors: Sequence[Processor]):
    import torch

    max_length = 1 + s.max_new_tokens
    pad = s.eos_token_id if s.pad_token_id is None else s.pad_token_id
    sequences = torch.full((steps.batch, max_length), pad, dtype=torch.long, device=steps.device)
    sequences[:, 0] = s.decoder_start_token_id
    going = torch.ones(steps.batch, dtype=torch.bool, device=steps.device)
    cur_len = 1
    while True:
        scores = steps.logits(sequences[:, cur_len - 1])
        steps.force(scores, cur_len, max_length, s)
        for processor in processors:
            scores = processor(sequences[:, :cur_len], scores)
        tokens = torch.where(going, scores.argmax(dim=-1), pad)
        sequences[:, cur_len] = tokens
        cur_len += 1
        going &= (tokens != s.eos_token_id) & (cur_len < max_length)
        if not bool(going.any()):
            return sequences[:, :cur_len]


def _beam(steps: Steps, s: SearchSettings, processors: Sequence[Processor]):
    import torch

    beams, keep = s.num_beams, 2 * s.num_beams
    batch, device = steps.batch, steps.device
    max_length = 1 + s.max_new_tokens
    fill = s.pad_token_id or s.eos_token_id  # as generate's beam search, where a pad id of 0 gives EOS too
    running = torch.full((batch, beams, max_length), fill, dtype=torch.long, device=device)
    running[:, :, 0] = s.decoder_start_token_id
    running_scores = torch.zeros((batch, beams), device=device)
    running_scores[:, 1:] = NEG  # all beams start equal: only the first one's tokens count
    state = Finished.start(running)
    top_beams = torch.arange(keep, device=device) < beams
    first_row = torch.arange(batch, device=device)[:, None] * beams
    log_probs = None

    cur_len = 1
    while True:
        logits = steps.logits(running[:, :, cur_len - 1])
        if log_probs is None:
            log_probs = torch.empty_like(logits)
        scores = torch.log_softmax(logits, dim=-1, out=log_probs)
        steps.force(scores, cur_len, max_length, s)
        flat = running[:, :, :cur_len].reshape(batch * beams, cur_len)
        for processor in processors:
            scores = processor(flat, scores)
        if s.renormalize:  # the logits are not needed any more: their buffer takes the result
            scores = torch.log_softmax(scores, dim=-1, out=logits)

        # The best `keep` continuations of each sentence, from the best `keep` of each hypothesis.
        row_scores, row_tokens = scores.topk(keep, dim=-1)
        candidates = (row_scores.view(batch, beams, keep) + running_scores[:, :, None]).view(batch, beams * keep)
        top_scores, top_index = candidates.topk(keep, dim=-1)
        origin = top_index // keep
        tokens = row_tokens.view(batch, beams * keep).gather(1, top_index)
        top_sequences = running.gather(1, origin[:, :, None].expand(-1, -1, max_length))
        top_sequences[:, :, cur_len] = tokens
        ended = (tokens == s.eos_token_id) | (cur_len + 1 >= max_length)

        # The best `beams` that have not ended go on.
        going_scores = top_scores + ended.to(torch.float32) * NEG
        going = going_scores.topk(beams, dim=-1).indices
        running = top_sequences.gather(1, going[:, :, None].expand(-1, -1, max_length))
        running_scores = going_scores.gather(1, going)
        reorder = (origin.gather(1, going) + first_row).view(-1)

        state.update(top_sequences, top_scores, ended & top_beams, cur_len, s)
        steps.reorder(reorder)
        cur_len += 1
        state.check_improvable(running_scores, cur_len, max_length, s)
        if not state.going_on(ended, s):
            return state.best()


@dataclass(frozen=True)
class OutputRows:
    """The rows of a model's output layer that decoding scores, with their biases."""

    weight: Any
    bias: Any | None
    """The output layer's own bias, if it has one."""
    logits_bias: Any | None
    """MarianMT's ``final_logits_bias``, added after the layer as its forward adds it."""
    ids: Any | None
    """The rows' token ids; ``None``: every row, in order."""
    size: int
    """The whole vocabulary's."""


def output_rows(model, ids: Sequence[int] | None = None) -> OutputRows:
    """The rows of ``model``'s output layer for the tokens ``ids`` (``None``: all), copied out
    once and used for every batch."""
    import torch

    head = model.get_output_embeddings()
    logits_bias = getattr(model, "final_logits_bias", None)
    size = head.weight.shape[0]
    if ids is None:
        return OutputRows(head.weight, head.bias, logits_bias, None, size)
    index = torch.tensor(sorted({i for i in ids if 0 <= i < size}), device=head.weight.device)
    return OutputRows(
        head.weight.index_select(0, index),
        None if head.bias is None else head.bias.index_select(0, index),
        None if logits_bias is None else logits_bias.index_select(-1, index),
        index,
        size,
    )


def restrict_output(model, ids: Sequence[int]) -> OutputRows | None:
    """Keep ``model``'s output to the tokens ``ids``: the others' ``final_logits_bias`` becomes
    ``-inf``, so that ``generate`` and the model's own forward leave them out of the softmax
    too, and ``search`` scores the rows of ``ids`` alone (the rows returned). A model without
    that bias keeps its whole vocabulary (``None``)."""
    import torch

    bias = getattr(model, "final_logits_bias", None)
    if bias is None:
        return None
    rows = output_rows(model, ids)
    outside = torch.ones(bias.shape[-1], dtype=torch.bool, device=bias.device)
    outside[rows.ids] = False
    with torch.no_grad():
        bias.masked_fill_(outside, float("-inf"))
    return rows


class OutputLayer:
    """A model's float32 logits for a decoder hidden state, as its own forward computes them.

    With float32 weights they go to one buffer, reused at every step: a new hypotheses x
    vocabulary tensor per step is fresh memory (page faults), where the buffer stays mapped.
    Restricted rows are computed alone and spread over a second buffer of the whole
    vocabulary, the other tokens at ``-inf``.
    """

    def __init__(self, rows: OutputRows, slice_rows: int) -> None:
        self.rows = rows
        self.slice_rows = slice_rows
        self.buffer = None
        self.spread_buffer = None

    def __call__(self, hidden):
        import torch

        rows = self.rows
        if rows.weight.dtype != torch.float32:
            logits = project(hidden, rows.weight, 0, bias=rows.bias)
            return self.spread((logits if rows.logits_bias is None else logits + rows.logits_bias).float())
        if self.buffer is None:
            self.buffer = hidden.new_empty((hidden.shape[0], rows.weight.shape[0]))
        out = project(hidden, rows.weight, self.slice_rows, bias=rows.bias, out=self.buffer)
        if rows.logits_bias is not None:
            out.add_(rows.logits_bias)
        return self.spread(out)

    def spread(self, logits):
        """The logits over the whole vocabulary: ``-inf`` for the tokens left out."""
        if self.rows.ids is None:
            return logits
        if self.spread_buffer is None:
            self.spread_buffer = logits.new_empty((logits.shape[0], self.rows.size))
        self.spread_buffer.fill_(float("-inf"))
        return self.spread_buffer.index_copy_(1, self.rows.ids, logits)


def project(hidden, weight, rows: int, *, bias=None, out=None):
    """``linear(hidden, weight, bias)``, ``rows`` rows of ``weight`` at a time (0: all at once),
    written to ``out`` (a new tensor when ``None``). Slicing changes the speed, not the values."""
    import torch
    from torch.nn.functional import linear

    outputs = weight.shape[0]
    if out is None:
        out = hidden.new_empty((*hidden.shape[:-1], outputs))
    step = rows if 0 < rows < outputs else outputs
    if step == outputs and bias is None and hidden.dim() == 2:
        return torch.mm(hidden, weight.t(), out=out)
    for i in range(0, outputs, step):
        out[..., i:i + step] = linear(hidden, weight[i:i + step], None if bias is None else bias[i:i + step])
    return out


class Finished:
    """The ``beams`` best ended hypotheses of each sentence, with their length-penalized
    scores, and whether a running one could still beat them."""

    def __init__(self, sequences, scores, done, lengths, improvable) -> None:
        self.sequences, self.scores, self.done, self.lengths = sequences, scores, done, lengths
        self.improvable = improvable

    @classmethod
    def start(cls, running) -> Finished:
        """Nothing finished yet: ``running`` (sources x beams x length) as placeholders."""
        import torch

        batch, beams, device = running.shape[0], running.shape[1], running.device
        return cls(
            running.clone(),
            torch.full((batch, beams), NEG, device=device),
            torch.zeros((batch, beams), dtype=torch.bool, device=device),
            torch.zeros((batch, beams), dtype=torch.long, device=device),
            torch.ones((batch, 1), dtype=torch.bool, device=device),
        )

    def update(self, sequences, scores, ended, cur_len: int, s: SearchSettings) -> None:
        """Keep the best of the finished hypotheses and those that just ended among the top ``beams``."""
        import torch

        scores = scores / (cur_len ** s.length_penalty)
        full = torch.all(self.done, dim=-1, keepdim=True) & (s.early_stopping is True)
        scores += full.to(torch.float32) * NEG
        scores += (~self.improvable).to(torch.float32) * NEG
        scores += (~ended) * NEG
        lengths = torch.full_like(ended, cur_len, dtype=torch.long)
        merged_scores = torch.cat((self.scores, scores), dim=1)
        best = merged_scores.topk(self.scores.shape[1], dim=-1).indices
        self.scores = merged_scores.gather(1, best)
        self.done = torch.cat((self.done, ended), dim=1).gather(1, best)
        self.lengths = torch.cat((self.lengths, lengths), dim=1).gather(1, best)
        merged = torch.cat((self.sequences, sequences), dim=1)
        self.sequences = merged.gather(1, best[:, :, None].expand(-1, -1, merged.shape[2]))

    def check_improvable(self, running_scores, cur_len: int, max_length: int, s: SearchSettings) -> None:
        """Whether the best running beam could still beat the worst finished one (generate's heuristic)."""
        import torch

        if s.early_stopping == "never" and s.length_penalty > 0.0:
            best_length = max_length - 1
        else:
            best_length = cur_len - 1
        best_possible = running_scores[:, :1] / (best_length ** s.length_penalty)
        worst = torch.where(self.done, torch.min(self.scores, dim=1, keepdim=True)[0], NEG)
        self.improvable = self.improvable & torch.any(best_possible > worst, dim=-1, keepdim=True)

    def going_on(self, ended, s: SearchSettings) -> bool:
        import torch

        open_beam = not (s.early_stopping is True and bool(torch.all(self.done)))
        return bool(torch.any(self.improvable)) and open_beam and not bool(torch.all(ended))

    def best(self):
        """Each sentence's best hypothesis, cut after the longest of them."""
        length = 1 + int(self.lengths[:, 0].max())
        return self.sequences[:, 0, :length]


def _force(scores, token: int) -> None:
    """Only ``token`` possible, with log-probability 0 (generate's forced first and last tokens)."""
    scores.fill_(float("-inf"))
    scores[:, token] = 0.0
