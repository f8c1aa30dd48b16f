"""The screening index: every name of every listed entity, blocked by token.

A query never compares against every name: its significant tokens (and their close
spellings) select the candidate names, which are then scored precisely. Adjacent tokens
are also indexed joined ("chang cheng" -> "changcheng"), so spaced pinyin meets the
written-together form lists use.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain

from rapidfuzz import fuzz, process

from goodpath.screening import chinese
from goodpath.screening.glossary import load_abbreviations, load_glossary
from goodpath.screening.normalize import (
    has_han,
    is_initials_only,
    join_letters,
    latinize,
    name_variants,
    significant_tokens,
    tokens,
)

_BRACKETS = re.compile(r"\s*\([^)]*\)")
# A token this close to an indexed token (rapidfuzz ratio) still selects its names: typos.
TYPO_SIMILARITY = 80
MIN_TYPO_LENGTH = 5  # shorter tokens must match exactly: "blot" ~ "bloto", "li" ~ "lei" mean nothing
# A name is scored only when it holds at least this share of the query's token weight.
MIN_SHARE = 0.6
MAX_TERM_TOKENS = 8  # the longest glossary word in pinyin syllables (股份有限公司: 6)
RECENT_QUERIES = 2048  # query forms whose candidates and similarities are kept


@dataclass(frozen=True)
class Form:
    """One latin rendering of a name: its significant tokens, in order."""

    tokens: tuple[str, ...]

    @cached_property
    def sorted_text(self) -> str:
        return " ".join(sorted(self.tokens))

    @cached_property
    def compact(self) -> str:
        return "".join(self.tokens)

    @cached_property
    def initials_only(self) -> bool:
        return is_initials_only(list(self.tokens))


@dataclass
class IndexedName:
    party_id: str
    entry_id: str
    dataset: str
    value: str  # as the list writes it
    kind: str  # primary, alias, weak_alias, former, original_script
    schema: str
    caption: str
    countries: tuple[str, ...]
    forms: list[Form] = field(default_factory=list)


@dataclass(frozen=True)
class Vocabulary:
    """What a name becomes before indexing: the project's glossary and abbreviation data."""

    glossary: dict
    expansions: dict
    generic: frozenset[str]
    pinyin_terms: dict = field(default_factory=dict)  # joined pinyin of a glossary word -> its English tokens

    @classmethod
    def load(cls) -> Vocabulary:
        abbreviations = load_abbreviations()
        terms = load_glossary()
        glossary = {zh: tuple(term.en) for zh, term in terms.items()}
        pinyin_terms = {}
        for zh, term in terms.items():
            syllables = latinize(zh).split()
            if len(syllables) >= 2:  # one syllable alone is too often part of a name
                pinyin_terms["".join(syllables)] = tuple(tokens(term.en[0]))
        generic = frozenset(g.lower() for g in abbreviations.generic)
        return cls(glossary, dict(abbreviations.expansions), generic, pinyin_terms)

    def forms(self, name: str) -> list[Form]:
        found: dict[tuple[str, ...], Form] = {}
        # A Chinese name is rendered word by word from its characters (glossary English, pinyin for
        # the rest); its syllable-by-syllable pinyin would only add generic syllables ("you xian
        # gong si") and homophones. Latin input may be pinyin: its glossary words are translated.
        variants = name_variants(name, glossary=self.glossary, expansions=self.expansions)
        if "(" in name and not has_han(name):
            # also without what the list adds in brackets: "(a subordinate institute of CETC-7)", "(BUPT)"
            bare = _BRACKETS.sub(" ", name).strip()
            if bare and bare != name:
                variants += [v for v in name_variants(bare, glossary=self.glossary, expansions=self.expansions)
                             if v not in variants]  # fmt: skip
        pure_pinyin = latinize(name) if has_han(name) else None
        for variant in variants:
            if variant == pure_pinyin and len(variants) > 1:
                continue
            words = tokens(variant) if pure_pinyin else self._translate_pinyin(tokens(variant))
            # as written, and with runs of single letters joined (S.A. -> sa, M. D. S. -> mds)
            joined = join_letters(words)
            for each in (words, joined) if joined != words else (words,):
                significant = tuple(significant_tokens(each, self.generic))
                if significant and significant not in found:
                    found[significant] = Form(significant)
        return list(found.values())

    def listed_forms(self, name: str, kind: str) -> list[Form]:
        """The forms of a listed name: ``forms``, and for a name a list writes in Chinese (not a
        curated registered name) its light renderings (goodpath.screening.chinese), so that an
        English query finds a party a list names in Chinese only."""
        forms = self.forms(name)
        if kind == "registered_name" or not has_han(name):
            return forms
        found = {form.tokens: form for form in forms}
        for rendering in chinese.renderer(light=True).render(name):
            significant = tuple(significant_tokens(self._translate_pinyin(rendering.text.split()), self.generic))
            if significant:
                found.setdefault(significant, Form(significant))
        return list(found.values())

    def query_forms(self, name: str) -> tuple[list[Form], dict[tuple[str, ...], str]]:
        """The forms of a query, and for a Chinese-script query how each form was rendered.

        A Latin query has its ``forms``. A query holding Chinese characters also has the
        renderings of goodpath.screening.chinese (curated names, organization words, the
        CC-CEDICT extract, pinyin): loaded on the first such query only."""
        if not has_han(name):
            return self.forms(name), {}
        found: dict[tuple[str, ...], Form] = {}
        labels: dict[tuple[str, ...], str] = {}
        for rendering in chinese.renderer().render(name):
            significant = tuple(significant_tokens(self._translate_pinyin(rendering.text.split()), self.generic))
            if significant and significant not in found:
                found[significant] = Form(significant)
                labels[significant] = rendering.how
        if not found:  # nothing but generic words rendered: the pinyin and glossary forms
            for form in self.forms(name):
                found[form.tokens] = form
                labels[form.tokens] = f"pinyin and glossary: {' '.join(form.tokens)}"
        return list(found.values()), labels

    def _translate_pinyin(self, words: list[str]) -> list[str]:
        """Glossary words written in pinyin, spaced or joined ("you xian gong si", "Youxian Gongsi",
        "jishu"), become their English, as the Chinese characters would: so the pinyin of a
        registered name meets its English rendering, and its generic words stay generic."""
        if not self.pinyin_terms:
            return words
        prefixes = self._pinyin_prefixes
        out: list[str] = []
        i = 0
        while i < len(words):
            # the longest run of words joined into a glossary word; stop as soon as no word starts so
            joined, end, english = "", i + 1, None
            for j in range(i, min(len(words), i + MAX_TERM_TOKENS)):
                joined += words[j]
                if joined not in prefixes:
                    break
                if joined in self.pinyin_terms:
                    end, english = j + 1, self.pinyin_terms[joined]
            if english is not None:
                out.extend(english)
            else:
                out.append(words[i])
            i = end
        return out

    @cached_property
    def _pinyin_prefixes(self) -> frozenset[str]:
        return frozenset(term[:n] for term in self.pinyin_terms for n in range(1, len(term) + 1))


def _add(held: dict[int, float], numbers: Collection[int], gain: float) -> None:
    """held[n] += gain for each (distinct) n in numbers, every n already in held; long runs
    are looped in C (map), not in Python."""
    if len(numbers) < 32:  # the C loop costs more to set up than it saves
        for number in numbers:
            held[number] += gain
        return
    numbers = list(numbers)
    held.update(zip(numbers, map(gain.__add__, map(held.__getitem__, numbers)), strict=True))


def _remember(recent: dict, key, value, size: int):
    """recent[key] = value, the oldest entry dropped beyond ``size``; returns value."""
    if len(recent) >= size:
        try:
            del recent[next(iter(recent))]
        except (KeyError, RuntimeError, StopIteration):  # another thread dropped it first
            pass
    recent[key] = value
    return value


def blocking_keys(form: Form) -> set[str]:
    keys = set(form.tokens)
    keys.update(a + b for a, b in zip(form.tokens, form.tokens[1:], strict=False))
    return keys


class ScreeningIndex:
    def __init__(self, vocabulary: Vocabulary, weights_from: ScreeningIndex | None = None) -> None:
        self.vocabulary = vocabulary
        self._weights_from = weights_from  # a small index borrows a large one's token weights
        self.names: list[IndexedName] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._by_prefix: dict[str, list[str]] = defaultdict(list)  # for typo lookups
        self._by_suffix: dict[str, list[str]] = defaultdict(list)
        self._close: dict[str, dict[str, float]] = {}  # typo lookups already made
        self._frequency: Counter[str] = Counter()  # names holding each token, for its weight
        self._weights: dict[str, float] = {}
        self._form_weights: dict[tuple[str, ...], tuple[tuple[float, ...], float]] = {}
        self._posting_sets: dict[int, tuple[list[int], set[int]]] = {}  # long postings, for membership tests
        self._sorted_buckets: dict[tuple[int, str], tuple[list[int], list[str]]] = {}  # typo buckets by length
        # Recent queries' work, by their forms: the same name is often screened again, or a
        # variant that normalizes the same ("ACME Co., Ltd." / "Acme Company Limited").
        self._recent_candidates: dict[tuple, dict[int, float]] = {}
        self._recent_similarities: dict[tuple, dict[tuple[str, ...], float]] = {}

    def add(self, name: IndexedName) -> None:
        name.forms = self.vocabulary.listed_forms(name.value, name.kind)
        if not name.forms:
            return  # only generic words or numbers: never matched on their own
        number = len(self.names)
        self.names.append(name)
        self._frequency.update({token for form in name.forms for token in form.tokens})
        self._weights.clear()
        self._form_weights.clear()
        self._posting_sets.clear()
        self._sorted_buckets.clear()
        self._recent_candidates.clear()
        self._recent_similarities.clear()
        for form in name.forms:  # computed once here rather than by each query that scores the name
            form.sorted_text, form.compact, form.initials_only  # noqa: B018
        keys = set().union(*(blocking_keys(form) for form in name.forms))
        self._close.clear()
        for key in keys:
            if key not in self._postings and len(key) >= MIN_TYPO_LENGTH:
                self._by_prefix[key[:3]].append(key)
                self._by_suffix[key[-3:]].append(key)
            self._postings[key].append(number)

    def add_all(self, names: Iterable[IndexedName]) -> ScreeningIndex:
        for name in names:
            self.add(name)
        return self

    def _close_keys(self, key: str) -> dict[str, float]:
        """Indexed keys equal or close to ``key``, with their similarity (0..1)."""
        found = self._close.get(key)
        if found is not None:
            return found
        found = {key: 1.0} if key in self._postings else {}
        if len(key) >= MIN_TYPO_LENGTH:
            # Only keys of a length that can reach TYPO_SIMILARITY: a ratio of 80 needs the
            # shorter at least 2/3 of the longer (bounds rounded outwards).
            low, high = 2 * len(key) // 3, (3 * len(key) + 1) // 2
            for buckets, part in ((self._by_prefix, key[:3]), (self._by_suffix, key[-3:])):
                # rapidfuzz scores the whole bucket in C
                bucket = self._bucket(buckets, part, low, high)
                for other, ratio, _ in process.extract(key, bucket, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY,
                                                       limit=None):  # fmt: skip
                    found.setdefault(other, ratio / 100)
        if len(self._close) > 100_000:
            self._close.clear()
        self._close[key] = found
        return found

    def _bucket(self, buckets: dict[str, list[str]], part: str, low: int, high: int) -> list[str]:
        """The keys of a typo bucket that are ``low`` to ``high`` letters long (sorted by length once)."""
        found = self._sorted_buckets.get((id(buckets), part))
        if found is None:
            keys = sorted(buckets.get(part, ()), key=len)
            found = self._sorted_buckets[id(buckets), part] = ([len(k) for k in keys], keys)
        lengths, keys = found
        return keys[bisect_left(lengths, low) : bisect_right(lengths, high)]

    def candidates(self, forms: list[Form], min_share: float = MIN_SHARE) -> dict[int, float]:
        """Names that hold (a close spelling of) enough of a query form's weight, with the
        share they hold (the best over the query's forms; joined pairs can push it past 1).

        A name sharing only a common token with the query ("al", "mohammad") cannot score
        high and is not scored at all: this keeps common names fast."""
        recent_key = (tuple(form.tokens for form in forms), min_share, self._weights_generation())
        recent = self._recent_candidates.get(recent_key)
        if recent is not None:
            return dict(recent)
        found: dict[int, float] = {}
        for form in forms:
            total = sum(map(self.token_weight, form.tokens))
            # a name holding a close spelling of a key gains the key's weight times their similarity
            lists = [
                (key_weight * similarity, self._postings[close])
                for key in blocking_keys(form)
                if (key_weight := self._key_weight(key, form))
                for close, similarity in self._close_keys(key).items()
            ]
            held = self._held(lists, min_share * total)
            shares = {number: share for number, weight in held.items() if (share := weight / total) >= min_share}
            if not found:
                found = shares
            else:
                for number, share in shares.items():
                    if share > found.get(number, 0.0):
                        found[number] = share
        _remember(self._recent_candidates, recent_key, found, RECENT_QUERIES)
        return dict(found)

    def similarity_memo(self, form: Form, floor: float) -> dict[tuple[str, ...], float]:
        """Where QueryScorer keeps the similarities of candidate forms to a query form (kept
        for recent query forms: the index's weights, and so the similarities, are fixed
        until a name is added)."""
        key = (form.tokens, floor, self._weights_generation())
        memo = self._recent_similarities.get(key)
        if memo is None:
            memo = _remember(self._recent_similarities, key, {}, RECENT_QUERIES)
        return memo

    def _weights_generation(self) -> int:
        """Changes when the token weights may have changed (a name was added to their index)."""
        return len(self.names) if self._weights_from is None else len(self._weights_from.names)

    def _held(self, lists: list[tuple[float, list[int]]], needed: float) -> dict[int, float]:
        """The weight each name holds, summed over ``lists`` of (gain, names), for the names
        that may hold ``needed``.

        Lists whose gains together fall short of ``needed`` can be set aside: a name found only
        in them can never be a candidate, so only the names of the other lists are entered, and
        the lists set aside just add to those. The longest lists per unit of gain (common tokens:
        "al", "mohammad", "de") are set aside first: most of the work of such queries is skipped."""
        aside: set[int] = set()  # positions of the lists set aside
        room = needed * (1 - 1e-9)  # float sums in another order may differ in the last bits
        density = [len(names) / gain for gain, names in lists]
        for position in sorted(range(len(lists)), key=density.__getitem__, reverse=True):
            if lists[position][0] < room:
                room -= lists[position][0]
                aside.add(position)
        kept = [(gain, names) for position, (gain, names) in enumerate(lists) if position not in aside]
        if not kept:
            return {}
        held = dict.fromkeys(chain.from_iterable(names for _gain, names in kept), 0.0)
        for gain, names in kept:
            _add(held, names, gain)
        if not aside:
            return held
        # the lists set aside only add to the names that can still reach ``needed`` with them
        room = needed * (1 - 1e-9) - sum(lists[position][0] for position in aside)
        if room > 0:
            held = {number: weight for number, weight in held.items() if weight >= room}
        for position in sorted(aside):
            gain, names = lists[position]
            if not held:
                break
            if len(names) > max(64, 4 * len(held)):  # a long list: look the held names up in it instead
                _add(held, self._posting_set(names).intersection(held), gain)
            else:
                _add(held, held.keys() & names, gain)
        return held

    def _posting_set(self, names: list[int]) -> set[int]:
        found = self._posting_sets.get(id(names))
        if found is None or found[0] is not names:
            found = self._posting_sets[id(names)] = (names, set(names))
        return found[1]

    def form_weights(self, form: Form) -> tuple[tuple[float, ...], float]:
        """The token weights of a form, in order, and their sum (cached: every query scores
        the same listed names again)."""
        if self._weights_from is not None:
            return self._weights_from.form_weights(form)
        found = self._form_weights.get(form.tokens)
        if found is None:
            weights = tuple(map(self.token_weight, form.tokens))
            found = (weights, sum(weights))
            if len(self._form_weights) > 1_000_000:
                self._form_weights.clear()
            self._form_weights[form.tokens] = found
        return found

    def _key_weight(self, key: str, form: Form) -> float:
        if key in form.tokens:
            return self.token_weight(key)
        # a joined pair of adjacent tokens ("chang"+"cheng") stands for both
        return sum(self.token_weight(a) for a, b in zip(form.tokens, form.tokens[1:], strict=False) if a + b == key)

    def token_weight(self, token: str) -> float:
        """How much a token says about identity: its inverse frequency over the indexed names
        ("haige" in 2 names weighs about 10, "china" in 300 about 5, "al" in 6700 about 2).
        A token no name holds weighs the most: it can only be matched by a close spelling."""
        if self._weights_from is not None:
            return self._weights_from.token_weight(token)
        weight = self._weights.get(token)
        if weight is None:
            weight = max(1.0, math.log((len(self.names) + 1) / (1 + self._frequency.get(token, 0))))
            self._weights[token] = weight
        return weight

    def __len__(self) -> int:
        return len(self.names)
