"""Matching one query against a screening index: no database, no policy.

The service, the batch runner and the benchmark all go through ``best_hits``, so they
rank and score identically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from goodpath.screening.index import ScreeningIndex
from goodpath.screening.score import DEFAULT_THRESHOLD, MAX_RAISE, Query, QueryScorer, explain

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
    rendering: str | None = None  # a Chinese-script query: how the rendering that matched was made

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        if out["rendering"] is None:
            del out["rendering"]
        return out


def make_query(index: ScreeningIndex, name: str, country: str | None = None, schema: str | None = None) -> Query:
    forms, labels = index.vocabulary.query_forms(name)
    return Query(name, tuple(forms), country.lower() if country else None, schema, tuple(labels.items()))


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
    named: dict[str, object] = {}  # the indexed name of each party's best hit
    held = index.candidates(list(query.forms))
    if not held:
        return []
    # Names holding the most of the query's weight first (ties: the first indexed); a query of
    # common words only ("China Electronics Technology") still scores a bounded number of names.
    ranked = sorted(held)
    ranked.sort(key=held.__getitem__, reverse=True)  # stable: equal shares stay in number order
    del ranked[MAX_CANDIDATES:]
    # No feature adds more than MAX_RAISE: a name below threshold - MAX_RAISE need not be scored exactly.
    scorer = QueryScorer(query, index.form_weights, floor=threshold - MAX_RAISE - 1e-9, memo=index.similarity_memo)
    scorer.prepare(index.names[number] for number in ranked)
    for number in ranked:
        if readable is not None and not readable(number):
            continue
        indexed = index.names[number]
        if query.renderings and indexed.kind == "registered_name":
            continue  # a Chinese query meets the curated names through its renderings, not their pinyin
        similarity = scorer.best(indexed)
        if similarity + MAX_RAISE < threshold:
            continue
        value, features = explain(query, indexed, similarity)
        if value < threshold:
            continue
        current = best.get(indexed.party_id)
        if current is None or value > current.score:
            named[indexed.party_id] = indexed
            best[indexed.party_id] = Hit(
                indexed.party_id, indexed.caption, indexed.schema, indexed.dataset, indexed.entry_id,
                indexed.value, indexed.kind, value, features,
            )  # fmt: skip
    hits = sorted(best.values(), key=lambda h: (-h.score, h.party_id))[:limit]
    if query.renderings:  # which rendering of a Chinese query matched: the query form closest to the name
        labels = dict(query.renderings)
        for hit in hits:
            hit.rendering = labels.get(query.forms[scorer.best_form(named[hit.party_id])].tokens)
    return hits
