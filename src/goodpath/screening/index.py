"""The screening index: every name of every listed entity, blocked by token.

A query never compares against every name: its significant tokens (and their close
spellings) select the candidate names, which are then scored precisely. Adjacent tokens
are also indexed joined ("chang cheng" -> "changcheng"), so spaced pinyin meets the
written-together form lists use.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from goodpath.screening.glossary import load_abbreviations, load_glossary
from goodpath.screening.normalize import has_han, is_initials_only, latinize, name_variants, significant_tokens, tokens

# A token this close to an indexed token (rapidfuzz ratio) still selects its names: typos.
TYPO_SIMILARITY = 80
MIN_TYPO_LENGTH = 5  # shorter tokens must match exactly: "blot" ~ "bloto", "li" ~ "lei" mean nothing
# A name is scored only when it holds at least this share of the query's token weight.
MIN_SHARE = 0.6
MAX_TERM_TOKENS = 8  # the longest glossary word in pinyin syllables (股份有限公司: 6)


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
        pure_pinyin = latinize(name) if has_han(name) else None
        for variant in variants:
            if variant == pure_pinyin and len(variants) > 1:
                continue
            words = tokens(variant) if pure_pinyin else self._translate_pinyin(tokens(variant))
            significant = tuple(significant_tokens(words, self.generic))
            if significant and significant not in found:
                found[significant] = Form(significant)
        return list(found.values())

    def _translate_pinyin(self, words: list[str]) -> list[str]:
        """Glossary words written in pinyin, spaced or joined ("you xian gong si", "Youxian Gongsi",
        "jishu"), become their English, as the Chinese characters would: so the pinyin of a
        registered name meets its English rendering, and its generic words stay generic."""
        if not self.pinyin_terms:
            return words
        out: list[str] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_TERM_TOKENS), i, -1):
                english = self.pinyin_terms.get("".join(words[i:j]))
                if english is not None:
                    out.extend(english)
                    i = j
                    break
            else:
                out.append(words[i])
                i += 1
        return out


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

    def add(self, name: IndexedName) -> None:
        name.forms = self.vocabulary.forms(name.value)
        if not name.forms:
            return  # only generic words or numbers: never matched on their own
        number = len(self.names)
        self.names.append(name)
        self._frequency.update({token for form in name.forms for token in form.tokens})
        self._weights.clear()
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
            for bucket in (self._by_prefix.get(key[:3], ()), self._by_suffix.get(key[-3:], ())):
                # rapidfuzz scores the whole bucket in C
                for other, ratio, _ in process.extract(key, bucket, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY,
                                                       limit=None):  # fmt: skip
                    found.setdefault(other, ratio / 100)
        if len(self._close) > 100_000:
            self._close.clear()
        self._close[key] = found
        return found

    def candidates(self, forms: list[Form], min_share: float = MIN_SHARE) -> dict[int, float]:
        """Names that hold (a close spelling of) enough of a query form's weight, with the
        share they hold (the best over the query's forms; joined pairs can push it past 1).

        A name sharing only a common token with the query ("al", "mohammad") cannot score
        high and is not scored at all: this keeps common names fast."""
        found: dict[int, float] = {}
        for form in forms:
            total = sum(map(self.token_weight, form.tokens))
            held: dict[int, float] = defaultdict(float)
            for key in blocking_keys(form):
                weight = self._key_weight(key, form)
                for close, similarity in self._close_keys(key).items():
                    gain = weight * similarity
                    for number in self._postings[close]:
                        held[number] += gain
            for number, weight in held.items():
                share = weight / total
                if share >= min_share and share > found.get(number, 0.0):
                    found[number] = share
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
