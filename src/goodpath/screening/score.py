"""Scoring a candidate name against a query: a table of named features and weights.

The explanation of a score is simply the list of features with their values, in the
manner of nomenklatura's matchers: name similarity sets the base; country, schema and
the kind of name move it up or down.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from goodpath.screening.index import Form, IndexedName

DEFAULT_THRESHOLD = 0.80
# Feature adjustments (added to the name similarity, the result kept within 0..1).
COUNTRY_MATCH = 0.05
COUNTRY_MISMATCH = -0.10
SCHEMA_MISMATCH = -0.25
WEAK_ALIAS = -0.05
# Schemata that can name the same kind of party.
_ORGANIZATIONS = {"Company", "Organization", "LegalEntity", "PublicBody"}


@dataclass(frozen=True)
class Query:
    name: str
    forms: tuple[Form, ...]
    country: str | None = None  # ISO alpha-2, lower case
    schema: str | None = None


def name_similarity(query: Form, candidate: Form) -> float:
    """0..1: the best of word-order-free token similarity and written-together similarity.

    Initials-only names (\"A B C\") match only their exact spelling."""
    if query.initials_only or candidate.initials_only:
        return 1.0 if query.sorted_text == candidate.sorted_text else 0.0
    by_tokens = fuzz.token_sort_ratio(query.sorted_text, candidate.sorted_text) / 100
    together = fuzz.ratio(query.compact, candidate.compact) / 100
    return max(by_tokens, together)


def _schemata_compatible(query: str, candidate: str) -> bool:
    if query == candidate or "LegalEntity" in (query, candidate) and "Person" not in (query, candidate):
        return True
    return query in _ORGANIZATIONS and candidate in _ORGANIZATIONS


def score(query: Query, name: IndexedName) -> tuple[float, dict[str, float], Form]:
    """The score of one indexed name, its features, and the form that matched best."""
    best, best_form = 0.0, name.forms[0]
    for q in query.forms:
        for form in name.forms:
            similarity = name_similarity(q, form)
            if similarity > best:
                best, best_form = similarity, form
    features = {"name_similarity": round(best, 4)}
    if query.country and name.countries:
        features["country"] = COUNTRY_MATCH if query.country in name.countries else COUNTRY_MISMATCH
    if query.schema and not _schemata_compatible(query.schema, name.schema):
        features["schema"] = SCHEMA_MISMATCH
    if name.kind == "weak_alias":
        features["weak_alias"] = WEAK_ALIAS
    total = min(1.0, max(0.0, sum(features.values())))
    return round(total, 4), features, best_form
