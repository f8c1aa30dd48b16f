"""Matching one query against a screening index: no database, no policy.

The service, the batch runner and the benchmark all go through ``best_hits``, so they
rank and score identically.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass

from goodpath.screening.index import ScreeningIndex
from goodpath.screening.score import DEFAULT_THRESHOLD, MAX_RAISE, Query, best_name_similarity, explain

MAX_CANDIDATES = 300


@dataclass
class Hit:
    party_id: str
    caption: str
    schema: str
    dataset: str
    entry_id: str
    matched_name: str
    name_kind: str
    score: float
    features: dict[str, float]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def make_query(index: ScreeningIndex, name: str, country: str | None = None, schema: str | None = None) -> Query:
    return Query(name, tuple(index.vocabulary.forms(name)), country.lower() if country else None, schema)


def best_hits(
    index: ScreeningIndex,
    query: Query,
    *,
    limit: int = 10,
    threshold: float = DEFAULT_THRESHOLD,
    readable: Callable[[int], bool] | None = None,
) -> list[Hit]:
    """The best hit per party at or above ``threshold``, best first, ties by party id.

    ``readable(number)`` says whether the caller may see the indexed name ``number``."""
    best: dict[str, Hit] = {}
    held = index.candidates(list(query.forms))
    # Names holding the most of the query's weight first; a query of common words only
    # ("China Electronics Technology") still scores a bounded number of names.
    for number in heapq.nlargest(MAX_CANDIDATES, held, key=lambda n: (held[n], -n)):
        if readable is not None and not readable(number):
            continue
        indexed = index.names[number]
        similarity, _form = best_name_similarity(query, indexed, index.token_weight)
        if similarity + MAX_RAISE < threshold:
            continue
        value, features = explain(query, indexed, similarity)
        if value < threshold:
            continue
        current = best.get(indexed.party_id)
        if current is None or value > current.score:
            best[indexed.party_id] = Hit(
                indexed.party_id, indexed.caption, indexed.schema, indexed.dataset, indexed.entry_id,
                indexed.value, indexed.kind, value, features,
            )  # fmt: skip
    return sorted(best.values(), key=lambda h: (-h.score, h.party_id))[:limit]
