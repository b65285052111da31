"""The article pipeline: the sentences of many articles translated together, then put back.

For a window of articles: split the content blocks into sentences, cut each sentence
into the pieces the model must translate (protected spans pass through), split pieces
over the input limit at clause boundaries, translate each distinct piece once in
length-sorted batches under a token budget, check every output with the guard, and
rebuild the articles from the spans.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from translate.backends.base import Translator
from translate.batching import MemoryCache, SentenceCache, make_batches
from translate.config import Settings
from translate.errors import UnsplittableError
from translate.guard import find_problem, number_flags
from translate.normalize import missing_numbers, to_western_digits
from translate.protect import split_protected
from translate.reassemble import build_article
from translate.segment import segment_blocks, split_clauses
from translate.types import Article, Notify, Segment, TranslatedArticle, Translation

_PUNCTUATION = str.maketrans({"،": ",", "؛": ";", "؟": "?", "«": '"', "»": '"', "٪": "%"})


@dataclass(frozen=True)
class Part:
    """A piece of a sentence: passed through as it is (``units`` empty) or translated by units."""

    source: str
    gap: str
    """The whitespace before this part in the sentence."""
    units: tuple[str, ...]


@dataclass(frozen=True)
class SentencePlan:
    segment: Segment
    source: str
    """The sentence as the model sees it (Western digits)."""
    parts: tuple[Part, ...]


def translate_articles(
    articles: Iterable[Article],
    translator: Translator,
    settings: Settings,
    *,
    plans: Iterable[list[SentencePlan]] | None = None,
    warnings: Iterable[Notify | None] | None = None,
    cache: SentenceCache | None = None,
    window: int = 64,
    keep_boilerplate: bool = False,
    on_progress: Callable[[int], None] | None = None,
    on_warning: Notify | None = None,
) -> Iterator[TranslatedArticle]:
    """Translate articles ``window`` at a time, yielding them in input order.

    Sentences of all articles of a window are batched together, and each distinct
    sentence is translated once (``cache`` keeps them across windows; a fresh
    in-memory cache by default). ``on_progress`` gets the number of distinct sentences
    (or pieces of long ones) done: those found in the cache as a window starts, then each
    batch's; ``on_warning`` one line per long-sentence split, retry or changed number
    (a retry once, at the first place its sentence is).

    ``plans``, one per article, are the articles' ``plan_article``: planning is where a
    piece too long for any splitting is found, so a caller that plans first can set such
    an article aside before anything is translated. Without them, each window is planned
    as it starts. ``warnings``, one per article, take the warnings about that article's
    sentences (a number missing from a translation, a retry) in place of ``on_warning``, so
    that a caller can say which article they are about.
    """
    planned = zip(articles, plans, strict=True) if plans is not None else (
        (article, plan_article(article, translator, settings, on_warning)) for article in articles)
    cache = cache if cache is not None else MemoryCache()
    notes = iter(warnings) if warnings is not None else None
    iterator = iter(planned)
    while True:
        started = time.perf_counter()  # a lazily planned window's planning counts too
        if not (chunk := list(islice(iterator, window))):
            return
        units = [u for _, plan in chunk for sentence in plan for part in sentence.parts for u in part.units]
        outputs, retried = translate_units(units, translator, settings, cache, on_progress)
        elapsed = time.perf_counter() - started
        unreported = set(retried)  # each retry is reported once, where its sentence first is
        for article, plan in chunk:
            warn = next(notes) if notes is not None else on_warning
            sentences = [assemble_sentence(s, outputs, warn, place(article, s.segment)) for s in plan]
            if warn and unreported:
                report_retries(article, plan, outputs, unreported, warn)
            yield build_article(
                article, plan, sentences, translator.info, keep_boilerplate,
                {"translate_s": round(elapsed / len(chunk), 4)},
            )


def plan_article(
    article: Article, translator: Translator, settings: Settings, on_warning: Notify | None
) -> list[SentencePlan]:
    """Sentences of the article's content blocks, each cut into parts and units."""
    limit = min(settings.max_sentence_tokens, translator.max_input_tokens)
    content = article.content
    cut = []
    for segment in segment_blocks(content):
        source = to_western_digits(segment.text)
        pieces, previous_end = [], 0
        for start, end, protected in split_protected(source):
            text = source[start:end]
            keep = protected or not any(ch.isalpha() for ch in text)
            pieces.append((text, source[previous_end:start], keep))
            previous_end = end
        cut.append((segment, source, pieces))
    texts = list(dict.fromkeys(t for _, _, pieces in cut for t, _, keep in pieces if not keep))
    lengths = dict(zip(texts, translator.count_tokens(texts), strict=True)) if texts else {}
    plans = []
    for segment, source, pieces in cut:
        parts = []
        for text, gap, keep in pieces:
            if keep:
                units: tuple[str, ...] = ()
            elif lengths[text] <= limit:
                units = (text,)
            else:
                where = place(article, segment)
                units = tuple(text[s:e] for s, e in split_clauses(text, limit, translator.count_tokens))
                longest = max(translator.count_tokens(list(units)))
                if longest > translator.max_input_tokens:
                    raise UnsplittableError(
                        f"{where}: too long for any splitting: a piece of {longest} tokens without spaces "
                        f"(the model's limit is {translator.max_input_tokens}); break it up or remove it"
                    )
                if on_warning:
                    on_warning(
                        f"{where}: a sentence of {lengths[text]} tokens "
                        f"(limit {limit}) was split into {len(units)} pieces, at clause boundaries where it has them"
                    )
            parts.append(Part(text, gap, units))
        plans.append(SentencePlan(segment, source, tuple(parts)))
    return plans


def translate_units(
    units: Sequence[str],
    translator: Translator,
    settings: Settings,
    cache: SentenceCache,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Translation], list[str]]:
    """Translations of the distinct units, from the cache or in budgeted batches, and the units
    retried here (the guard rejected their first output)."""
    distinct = list(dict.fromkeys(units))
    found = cache.get_many(distinct)
    todo = [u for u in distinct if u not in found]
    if on_progress and len(found):
        on_progress(len(found))
    lengths = translator.count_tokens(todo) if todo else []
    budget = settings.batch_tokens or translator.default_batch_tokens
    size = settings.batch_size or translator.default_batch_size
    batches = [[todo[i] for i in batch] for batch in make_batches(lengths, budget, size, translator.batch_step_cost)]
    retried: list[str] = []
    for sources, outputs in zip(batches, translator.translate_batches(batches), strict=True):
        done = dict(zip(sources, guard_outputs(sources, outputs, translator)))
        retried += [source for source in sources if done[source].retried]
        cache.put_many(done)
        found.update(done)
        if on_progress:
            on_progress(len(sources))
    return found, retried


def guard_outputs(sources: list[str], outputs: list[Translation], translator: Translator) -> list[Translation]:
    """Retry, with the strict settings, every output the guard rejects; flag what stays bad."""
    rejected = [i for i, (s, o) in enumerate(zip(sources, outputs, strict=True)) if find_problem(s, o.text)]
    if not rejected:
        return outputs
    retried = translator.translate([sources[i] for i in rejected], strict=True)
    result = list(outputs)
    for i, again in zip(rejected, retried, strict=True):
        problem = find_problem(sources[i], again.text)
        flags = again.flags + ((problem,) if problem else ())
        result[i] = Translation(again.text, again.score, retried=True, split=again.split, flags=flags)
    return result


def report_retries(
    article: Article, plan: list[SentencePlan], outputs: dict[str, Translation], unreported: set[str], warn: Notify
) -> None:
    """Say where each unit of ``unreported`` that this article holds was retried, and whether the
    retry fixed it; reported units leave the set."""
    for sentence in plan:
        for unit in (u for part in sentence.parts for u in part.units if u in unreported):
            unreported.discard(unit)
            problem = find_problem(unit, outputs[unit].text)
            status = f"still {problem}" if problem else "fixed"
            warn(f"{place(article, sentence.segment)}: degenerate output retried with stricter settings ({status}): "
                 f"{unit[:60]}")


def _ends_in_english(kept: str) -> str:
    """A kept span with the Arabic punctuation glued to its ends in English: ``«BBC»،`` → ``"BBC",``."""
    start, end = 0, len(kept)
    while start < end and not kept[start].isalnum():
        start += 1
    while end > start and not kept[end - 1].isalnum():
        end -= 1
    return kept[:start].translate(_PUNCTUATION) + kept[start:end] + kept[end:].translate(_PUNCTUATION)


def _scripts_meet(before: Part, after: Part) -> bool:
    """A translated part and a kept one meet letter to letter (an Arabic clitic on a Latin
    name: ``لCNN``); ``BBC-عربي`` keeps its hyphen's join."""
    return bool(before.units) != bool(after.units) and before.source[-1].isalnum() and after.source[0].isalnum()


def place(article: Article, segment: Segment) -> str:
    """Where a sentence is, for a message: ``line N`` of the input, or ``the title`` (a JSON
    record's or a corpus row's title, which has no line)."""
    line = article.content[segment.block].line
    return f"line {line}" if line else "the title"


def assemble_sentence(
    plan: SentencePlan, outputs: dict[str, Translation], on_warning: Notify | None, where: str = ""
) -> Translation:
    """One sentence's translation: its parts in order, protected text unchanged but for the
    Arabic punctuation glued to its ends. A translated part and a kept word glued together in
    the source (``لCNN``, "to CNN") are a space apart in English."""
    texts, retried, split, flags = [], False, False, []
    for index, part in enumerate(plan.parts):
        if part.units:
            pieces = [outputs[u] for u in part.units]
            text = " ".join(p.text for p in pieces)
            retried |= any(p.retried for p in pieces)
            split |= len(pieces) > 1
            flags += [f for p in pieces for f in p.flags]
        elif any(ch.isalpha() for ch in part.source):
            text = _ends_in_english(part.source)
        else:
            text = part.source.translate(_PUNCTUATION)
        if texts and (part.gap or _scripts_meet(plan.parts[index - 1], part)):
            text = " " + text
        texts.append(text)
    translation = "".join(texts)
    missing = missing_numbers(plan.source, translation)
    numbers = number_flags(missing)
    if missing and on_warning:
        on_warning(f"{where + ': ' if where else ''}number(s) {', '.join(missing)} missing from the translation of: "
                   f"{plan.segment.text[:60]}")
    return Translation(translation, None, retried, split, tuple(dict.fromkeys(flags)) + numbers)
