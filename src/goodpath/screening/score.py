"""Scoring a candidate name against a query: a table of named features and weights.

The explanation of a score is simply the list of features with their values, in the
manner of nomenklatura's matchers: name similarity sets the base; country, schema and
the kind of name move it up or down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from rapidfuzz import fuzz, process

from goodpath.screening.index import MIN_TYPO_LENGTH, TYPO_SIMILARITY, Form, IndexedName
from goodpath.screening.normalize import abbreviates, contraction_shaped

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
    # how each form of a Chinese-script query was rendered: ((form tokens, explanation), ...)
    renderings: tuple[tuple[tuple[str, ...], str], ...] = ()


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


class QueryScorer:
    """``best_name_similarity`` for one query against many names, faster and to the same value.

    Per query, not per name: the query forms' token weights, each listed token's similarity
    to the query tokens (a listed token recurs across the candidates), and the similarity of
    each distinct candidate form (the same name is often listed several times). A form pair
    that cannot reach ``floor`` is cut short: its value is then only known to be below it."""

    def __init__(
        self, query: Query, form_weights: Callable[[Form], tuple[tuple[float, ...], float]], floor: float = 0.0,
        memo: Callable[[Form, float], dict[tuple[str, ...], float]] | None = None,
    ) -> None:  # fmt: skip
        """``memo(query_form, floor)``, if given, supplies the dict in which the similarities of
        candidate forms to that query form are kept: an index keeps them for recent queries."""
        self.form_weights = form_weights
        self.floor = floor
        self._forms = [(q, *form_weights(q)) for q in query.forms]
        self._rows: list[dict[str, tuple[tuple[float, int], ...]]] = [{} for _ in query.forms]
        self._memo = [{} if memo is None else memo(q, floor) for q in query.forms]
        self._pending: list[IndexedName] = []

    def prepare(self, names: Iterable[IndexedName]) -> None:
        """Compare every token of ``names`` with the query tokens at once, when first needed:
        the typo ratios in one rapidfuzz call per query token (in C), where ``token_similarity``
        would be called for each pair. The similarities are the same; tokens not prepared are
        compared lazily. Nothing is compared when every form's similarity is already known."""
        self._pending.extend(names)

    def _prepare_pending(self) -> None:
        names, self._pending = self._pending, []
        listed = set(chain.from_iterable(form.tokens for name in names for form in name.forms))
        long = [t for t in listed if len(t) >= MIN_TYPO_LENGTH]
        initials = {a[0] for form, _weights, _total in self._forms for a in form.tokens}
        # the listed tokens that may be contractions (which keep their word's first letter)
        shaped = [t for t in listed if t[0] in initials and contraction_shaped(t)]
        similar: dict[str, dict[str, float]] = {}
        for form, _weights, _total in self._forms:
            for a in form.tokens:
                if a in similar:
                    continue
                found = similar[a] = {a: 1.0} if a in listed else {}
                if len(a) >= MIN_TYPO_LENGTH:
                    for b, ratio, _ in process.extract(a, long, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY - 1,
                                                       limit=None):  # fmt: skip
                        if b != a and ratio / 100 >= TYPO_SIMILARITY / 100:  # as token_similarity
                            found[b] = ratio / 100
                # a contraction (of a by b, or of b by a) keeps its word's first letter
                for b in listed if contraction_shaped(a) else shaped:
                    if b[0] == a[0] and b not in found and (abbreviates(a, b) or abbreviates(b, a)):
                        found[b] = CONTRACTION_SIMILARITY
        for position, (form, _weights, _total) in enumerate(self._forms):
            pairs: dict[str, list[tuple[float, int]]] = defaultdict(list)
            for i, a in enumerate(form.tokens):
                for b, similarity in similar[a].items():
                    pairs[b].append((similarity, i))
            row = self._rows[position]
            row.update(dict.fromkeys(listed, ()))
            row.update((b, tuple(found)) for b, found in pairs.items())

    def best(self, name: IndexedName) -> float:
        """max(name_similarity) over the query's and the name's forms; any value below
        ``floor`` when that maximum is below it."""
        best = 0.0
        for position, memo in enumerate(self._memo):
            for form in name.forms:
                similarity = memo.get(form.tokens)
                if similarity is None:
                    similarity = memo[form.tokens] = self._similarity(position, form)
                if similarity > best:
                    best = similarity
        return best

    def best_form(self, name: IndexedName) -> int:
        """The position of the query form closest to ``name`` (after ``best``: from the kept similarities)."""
        found, best = 0, -1.0
        for position, memo in enumerate(self._memo):
            for form in name.forms:
                similarity = memo.get(form.tokens)
                if similarity is None:
                    similarity = memo[form.tokens] = self._similarity(position, form)
                if similarity > best:
                    found, best = position, similarity
        return found

    def _similarity(self, position: int, candidate: Form) -> float:
        query = self._forms[position][0]
        if query.initials_only or candidate.initials_only:
            return 1.0 if query.sorted_text == candidate.sorted_text else 0.0
        if query.sorted_text == candidate.sorted_text or query.compact == candidate.compact:
            return 1.0
        overlap = self._overlap(position, candidate)
        # name_similarity <= overlap + CHARACTER_LEEWAY: no need for the character ratios
        if overlap + CHARACTER_LEEWAY < self.floor:
            return overlap + CHARACTER_LEEWAY
        characters = max(
            fuzz.ratio(query.sorted_text, candidate.sorted_text), fuzz.ratio(query.compact, candidate.compact)
        )
        return max(overlap, min(characters / 100, overlap + CHARACTER_LEEWAY))

    def _overlap(self, position: int, candidate: Form) -> float:
        """weighted_overlap, with the weights and token similarities looked up, not recomputed."""
        row = self._rows[position]
        similars = list(map(row.get, candidate.tokens))
        if None in similars and self._pending:
            self._prepare_pending()
            similars = list(map(row.get, candidate.tokens))
        if None in similars:  # tokens not prepared
            query = self._forms[position][0]
            for j, token in enumerate(candidate.tokens):
                if similars[j] is None:
                    similars[j] = row[token] = tuple(
                        (similarity, i)
                        for i, a in enumerate(query.tokens)
                        if (similarity := token_similarity(a, token)) > 0
                    )
        if not any(similars):
            return 0.0
        _query, query_weights, query_total = self._forms[position]
        candidate_weights, candidate_total = self.form_weights(candidate)
        total = query_total + candidate_total
        pairs = [(similarity, i, j) for j, similar in enumerate(similars) for similarity, i in similar]
        if len(pairs) == 1:
            similarity, i, j = pairs[0]
            return similarity * (query_weights[i] + candidate_weights[j]) / total
        # the same pairing, in the same order, as weighted_overlap: the same sum to the bit
        pairs.sort(reverse=True)
        used_query = used_candidate = 0  # bit masks of the tokens paired
        matched = 0.0
        for similarity, i, j in pairs:
            if used_query >> i & 1 or used_candidate >> j & 1:
                continue
            used_query |= 1 << i
            used_candidate |= 1 << j
            matched += similarity * (query_weights[i] + candidate_weights[j])
        return matched / total


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
