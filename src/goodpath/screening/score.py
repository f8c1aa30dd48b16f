"""Scoring a candidate name against a query: a table of named features and weights.

The explanation of a score is simply the list of features with their values, in the
manner of nomenklatura's matchers: name similarity sets the base; country, schema and
the kind of name move it up or down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from goodpath.screening.index import MIN_TYPO_LENGTH, TYPO_SIMILARITY, Form, IndexedName
from goodpath.screening.normalize import abbreviates

DEFAULT_THRESHOLD = 0.85  # bench/screening.py: the lowest with false positives under 1% (README)
# Feature adjustments (added to the name similarity, the result kept within 0..1).
COUNTRY_MATCH = 0.05
MAX_RAISE = COUNTRY_MATCH  # the most any feature adds to the name similarity
COUNTRY_MISMATCH = -0.10
SCHEMA_MISMATCH = -0.25
WEAK_ALIAS = -0.05
# A contraction (\"srvcs\" for services) pairs with its word at this similarity.
CONTRACTION_SIMILARITY = 0.9
CHARACTER_LEEWAY = 0.15
# Schemata that can name the same kind of party.
_ORGANIZATIONS = {"Company", "Organization", "LegalEntity", "PublicBody"}


@dataclass(frozen=True)
class Query:
    name: str
    forms: tuple[Form, ...]
    country: str | None = None  # ISO alpha-2, lower case
    schema: str | None = None


@lru_cache(maxsize=500_000)
def token_similarity(a: str, b: str) -> float:
    """0..1 for two tokens: equal, a close spelling (four letters or more), or a contraction."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= MIN_TYPO_LENGTH:
        ratio = fuzz.ratio(a, b) / 100
        if ratio >= TYPO_SIMILARITY / 100:
            return ratio
    if abbreviates(a, b) or abbreviates(b, a):
        return CONTRACTION_SIMILARITY
    return 0.0


def weighted_overlap(query: Form, candidate: Form, weight: Callable[[str], float]) -> float:
    """0..1: the weighted share of both names' tokens that pair up (each token used once).

    Tokens are weighted by how rare they are in the lists, so a query that leaves out a
    common word of the listed name ("HAIGE GUANGZHOU" for "Guangzhou Haige Communication
    Group") still scores high, while one that misses a distinctive word does not."""
    pairs = sorted(
        (
            (similarity, i, j)
            for i, a in enumerate(query.tokens)
            for j, b in enumerate(candidate.tokens)
            if (similarity := token_similarity(a, b)) > 0
        ),
        reverse=True,
    )
    used_query: set[int] = set()
    used_candidate: set[int] = set()
    matched = 0.0
    for similarity, i, j in pairs:
        if i in used_query or j in used_candidate:
            continue
        used_query.add(i)
        used_candidate.add(j)
        matched += similarity * (weight(query.tokens[i]) + weight(candidate.tokens[j]))
    total = sum(map(weight, query.tokens)) + sum(map(weight, candidate.tokens))
    return matched / total if total else 0.0


def name_similarity(query: Form, candidate: Form, weight: Callable[[str], float]) -> float:
    """0..1: the weighted token overlap, raised a little by character similarity.

    Names equal but for spacing or word order score 1. Character similarity (rapidfuzz on
    the sorted and the written-together forms) catches typos across word boundaries, but
    may add at most CHARACTER_LEEWAY to the token overlap: on its own it rates short or
    unrelated names as close ("zhang li" / "zhang lei", "si tong technology" / "saito
    technology"). Initials-only names ("A B C") match only their exact spelling."""
    if query.initials_only or candidate.initials_only:
        return 1.0 if query.sorted_text == candidate.sorted_text else 0.0
    if query.sorted_text == candidate.sorted_text or query.compact == candidate.compact:
        return 1.0
    overlap = weighted_overlap(query, candidate, weight)
    characters = max(fuzz.ratio(query.sorted_text, candidate.sorted_text), fuzz.ratio(query.compact, candidate.compact))
    return max(overlap, min(characters / 100, overlap + CHARACTER_LEEWAY))


def _schemata_compatible(query: str, candidate: str) -> bool:
    if query == candidate or "LegalEntity" in (query, candidate) and "Person" not in (query, candidate):
        return True
    return query in _ORGANIZATIONS and candidate in _ORGANIZATIONS


def best_name_similarity(query: Query, name: IndexedName, weight: Callable[[str], float]) -> tuple[float, Form]:
    """The best similarity over the query's and the name's forms, and the form that gave it."""
    best, best_form = 0.0, name.forms[0]
    for q in query.forms:
        for form in name.forms:
            similarity = name_similarity(q, form, weight)
            if similarity > best:
                best, best_form = similarity, form
    return best, best_form


def explain(query: Query, name: IndexedName, similarity: float) -> tuple[float, dict[str, float]]:
    """The score of a name of the given similarity, and each feature's contribution."""
    features = {"name_similarity": round(similarity, 4)}
    if query.country and name.countries:
        features["country"] = COUNTRY_MATCH if query.country in name.countries else COUNTRY_MISMATCH
    if query.schema and not _schemata_compatible(query.schema, name.schema):
        features["schema"] = SCHEMA_MISMATCH
    if name.kind == "weak_alias":
        features["weak_alias"] = WEAK_ALIAS
    total = min(1.0, max(0.0, sum(features.values())))
    return round(total, 4), features


def score(query: Query, name: IndexedName, weight: Callable[[str], float]) -> tuple[float, dict[str, float], Form]:
    """The score of one indexed name, its features, and the form that matched best."""
    similarity, form = best_name_similarity(query, name, weight)
    value, features = explain(query, name, similarity)
    return value, features, form
