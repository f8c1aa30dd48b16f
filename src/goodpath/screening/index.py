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

from rapidfuzz import fuzz

from goodpath.screening.glossary import load_abbreviations, load_glossary
from goodpath.screening.normalize import is_initials_only, name_variants, significant_tokens, tokens

# A token this close to an indexed token (rapidfuzz ratio) still selects its names: typos.
TYPO_SIMILARITY = 80
MIN_TYPO_LENGTH = 4  # shorter tokens must match exactly: "abc" ~ "abd" means nothing
# A name is scored only when it holds at least this share of the query's token weight.
MIN_SHARE = 0.6


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

    @classmethod
    def load(cls) -> Vocabulary:
        abbreviations = load_abbreviations()
        glossary = {zh: tuple(term.en) for zh, term in load_glossary().items()}
        return cls(glossary, dict(abbreviations.expansions), frozenset(g.lower() for g in abbreviations.generic))

    def forms(self, name: str) -> list[Form]:
        found: dict[tuple[str, ...], Form] = {}
        for variant in name_variants(name, glossary=self.glossary, expansions=self.expansions):
            significant = tuple(significant_tokens(tokens(variant), self.generic))
            if significant and significant not in found:
                found[significant] = Form(significant)
        return list(found.values())


def blocking_keys(form: Form) -> set[str]:
    keys = set(form.tokens)
    keys.update(a + b for a, b in zip(form.tokens, form.tokens[1:], strict=False))
    return keys


class ScreeningIndex:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.names: list[IndexedName] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._by_prefix: dict[str, set[str]] = defaultdict(set)  # for typo lookups
        self._by_suffix: dict[str, set[str]] = defaultdict(set)
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
        for key in keys:
            self._postings[key].append(number)
            if len(key) >= MIN_TYPO_LENGTH:
                self._by_prefix[key[:3]].add(key)
                self._by_suffix[key[-3:]].add(key)

    def add_all(self, names: Iterable[IndexedName]) -> ScreeningIndex:
        for name in names:
            self.add(name)
        return self

    def _close_keys(self, key: str) -> dict[str, float]:
        """Indexed keys equal or close to ``key``, with their similarity (0..1)."""
        found = {key: 1.0} if key in self._postings else {}
        if len(key) >= MIN_TYPO_LENGTH:
            for other in self._by_prefix.get(key[:3], set()) | self._by_suffix.get(key[-3:], set()):
                if other not in found and (ratio := fuzz.ratio(key, other)) >= TYPO_SIMILARITY:
                    found[other] = ratio / 100
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
        weight = self._weights.get(token)
        if weight is None:
            weight = max(1.0, math.log((len(self.names) + 1) / (1 + self._frequency.get(token, 0))))
            self._weights[token] = weight
        return weight

    def __len__(self) -> int:
        return len(self.names)
