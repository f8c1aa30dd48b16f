"""Scored identity candidates: pairs of parties that may be one real-world entity, for an analyst.

In the manner of nomenklatura's cross-referencing (``xref``): parties are *blocked* by what few
others share (rare name tokens and their sounds, full birth dates, identifier numbers), each pair
of a block is compared by small named features, and the score is their weighted sum, so that the
explanation of a score is the list of its features. Everything is read as the asking viewer may
read it (names, identifiers, entries), so neither a candidate nor a feature reveals a hidden record.

Only parties of one kind are compared, never two parties of one and the same list (the list itself
keeps them apart), nor a pair an analyst decided is two parties. Parties an analyst recorded (with
no list entry) are candidates with every list's parties.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz import fuzz
from rigour.names import remove_org_types
from rigour.text import metaphone
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, read_filter
from goodpath.registry.identity import distinct_pairs, family
from goodpath.registry.models import ListEntry, Party, PartyIdentifier, PartyName, Sanction
from goodpath.registry.names import normalize_name

# bench/identity.py, identifiers off, 124 UN-SDN pairs known by document numbers: at 0.75 recall 0.99,
# precision 0.98 over labelled pairs; at 0.8 precision 1.0, recall 0.97. No score merges on its own:
# below the deterministic keys every merge is an analyst's.
DEFAULT_MIN_SCORE = 0.75
MAX_BLOCK = 40  # a blocking key shared by more parties says nothing (common tokens, "al", "company")
MIN_TOKEN = 3
MAX_NAMES = 12  # names per party compared (lists give some parties dozens of aliases)
# Weights of the features (see explain): a score of 1 needs names alike and more agreeing.
WEIGHTS = {
    "name": 0.75,
    "identifier": 0.25,
    "birth_date": 0.15,
    "birth_year": 0.05,
    "birth_date_conflict": -0.3,
    "country": 0.05,
    "country_conflict": -0.15,
}
STOPWORDS = frozenset(
    "the and for of de del la el al bin ibn abu abd von van der des du le les da do dos das company co "
    "corporation corp limited ltd llc inc group trading international industries industry bank".split()
)


@dataclass
class Profile:
    party_id: str
    schema: str
    caption: str
    names: list[str] = field(default_factory=list)  # normalized, legal forms removed
    identifiers: set[str] = field(default_factory=set)
    birth_dates: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    lists: set[str] = field(default_factory=set)  # dataset, or dataset/source list in an aggregate

    @property
    def recorded(self) -> bool:
        """Recorded by an analyst: on no list."""
        return not self.lists


@dataclass
class Candidate:
    first: str
    second: str
    score: float
    features: dict[str, float]
    captions: tuple[str, str]
    schema: str
    lists: tuple[list[str], list[str]]

    def to_dict(self) -> dict:
        return {
            "first": self.first,
            "second": self.second,
            "score": round(self.score, 4),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "captions": list(self.captions),
            "schema": self.schema,
            "lists": [sorted(self.lists[0]), sorted(self.lists[1])],
        }


def _clean(value: str, org: bool) -> str:
    text = normalize_name(value)
    if org:
        text = remove_org_types(text) or text
    return " ".join(text.split())


def load_profiles(session: Session, viewer: Viewer, ids: list[str] | None = None) -> dict[str, Profile]:
    """The live parties the viewer may read (``ids``: only those), with what the viewer may read of them."""

    def only(column):
        return column.in_(ids) if ids is not None else column.is_not(None)

    profiles: dict[str, Profile] = {}
    rows = session.execute(
        select(Party.id, Party.schema, Party.caption, Party.birth_dates, Party.countries).where(
            Party.merged_into.is_(None), read_filter(viewer, Party), only(Party.id)
        )
    )
    for party_id, schema, caption, births, countries in rows:
        profiles[party_id] = Profile(
            party_id, schema, caption, birth_dates={b for b in births or () if b}, countries=set(countries or ())
        )
    names = session.execute(
        select(PartyName.party_id, PartyName.value, PartyName.kind)
        .where(read_filter(viewer, PartyName), only(PartyName.party_id))
        .order_by(PartyName.id)
    )
    for party_id, value, kind in names:
        profile = profiles.get(party_id)
        if profile is None or kind == "weak_alias" or len(profile.names) >= MAX_NAMES:
            continue
        clean = _clean(value, family(profile.schema) == "org")
        if clean and clean not in profile.names:
            profile.names.append(clean)
    identifiers = session.execute(
        select(PartyIdentifier.party_id, PartyIdentifier.scheme, PartyIdentifier.value).where(
            read_filter(viewer, PartyIdentifier), only(PartyIdentifier.party_id)
        )
    )
    skipped = ("Website", "Email Address", "Telephone", "Phone Number", "Fax", "Phone No.", "Fax No.", "UN DATAID")
    for party_id, scheme, value in identifiers:
        profile = profiles.get(party_id)
        plain = re.sub(r"[^0-9A-Z]", "", (value or "").upper())
        if profile is not None and scheme not in skipped and len(plain) >= 5 and any(c.isdigit() for c in plain):
            profile.identifiers.add(plain)
    entries = session.execute(
        select(ListEntry.party_id, ListEntry.id, ListEntry.dataset).where(
            read_filter(viewer, ListEntry), only(ListEntry.party_id)
        )
    ).all()
    list_names = dict(
        session.execute(
            select(Sanction.entry_id, Sanction.list_name).where(
                Sanction.entry_id.is_not(None), read_filter(viewer, Sanction), only(Sanction.party_id)
            )
        ).all()
    )
    for party_id, entry_id, dataset in entries:
        profile = profiles.get(party_id)
        if profile is not None:
            source = list_names.get(entry_id)
            profile.lists.add(f"{dataset}/{source}" if dataset.endswith("csl") and source else dataset)
    return profiles


def load_profiles_of(session: Session, viewer: Viewer, ids: list[str]) -> dict[str, Profile]:
    return load_profiles(session, viewer, list(ids))


def blocking_keys(profile: Profile) -> set[str]:
    keys = set()
    for name in profile.names:
        for token in name.split():
            if len(token) >= MIN_TOKEN and token not in STOPWORDS:
                keys.add("t:" + token)
                if len(token) >= 4:
                    keys.add("m:" + metaphone(token))
    keys.update("d:" + b for b in profile.birth_dates if len(b) == 10)
    keys.update("i:" + i for i in profile.identifiers)
    return keys


# --- features (each compares two profiles, in the manner of nomenklatura's) -------------------


def name_similarity(a: Profile, b: Profile) -> float:
    """The best similarity of a name of one to a name of the other (word order free), 0..1."""
    best = 0.0
    for x in a.names:
        for y in b.names:
            if x == y:
                return 1.0
            value = max(fuzz.token_sort_ratio(x, y), 0.9 * fuzz.token_set_ratio(x, y)) / 100
            best = max(best, value)
    return best


def identifier_match(a: Profile, b: Profile) -> float:
    return 1.0 if a.identifiers & b.identifiers else 0.0


def birth_dates(a: Profile, b: Profile) -> dict[str, float]:
    if not a.birth_dates or not b.birth_dates:
        return {}
    if a.birth_dates & b.birth_dates and any(len(d) == 10 for d in a.birth_dates & b.birth_dates):
        return {"birth_date": 1.0}
    years_a, years_b = {d[:4] for d in a.birth_dates}, {d[:4] for d in b.birth_dates}
    if years_a & years_b:
        return {"birth_year": 1.0}
    return {"birth_date_conflict": 1.0}


def countries(a: Profile, b: Profile) -> dict[str, float]:
    if not a.countries or not b.countries:
        return {}
    return {"country": 1.0} if a.countries & b.countries else {"country_conflict": 1.0}


def explain(a: Profile, b: Profile, similarity: float | None = None) -> tuple[float, dict[str, float]]:
    """The score of a pair and its features (name similarity, shared identifier, birth dates, countries)."""
    features = {"name": name_similarity(a, b) if similarity is None else similarity}
    if identifier_match(a, b):
        features["identifier"] = 1.0
    if family(a.schema) == "person":
        features.update(birth_dates(a, b))
    features.update(countries(a, b))
    score = sum(WEIGHTS[name] * value for name, value in features.items())
    return max(0.0, min(1.0, score)), features


def comparable(a: Profile, b: Profile) -> bool:
    if family(a.schema) != family(b.schema):
        return False
    # Two parties of one and the same list: the list keeps them apart.
    return not (len(a.lists) == 1 and a.lists == b.lists)


def candidates(
    session: Session,
    viewer: Viewer,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int | None = 100,
    party_id: str | None = None,
    profiles: dict[str, Profile] | None = None,
) -> list[Candidate]:
    """Pairs of live parties scoring ``min_score`` or more, best first (``party_id``: its pairs only)."""
    profiles = profiles if profiles is not None else load_profiles(session, viewer)
    blocks: dict[str, list[str]] = defaultdict(list)
    for profile in profiles.values():
        for key in blocking_keys(profile):
            blocks[key].append(profile.party_id)
    pairs: set[tuple[str, str]] = set()
    for members in blocks.values():
        if len(members) > MAX_BLOCK or len(members) < 2:
            continue
        if party_id is not None:
            if party_id in members:
                pairs.update(tuple(sorted((party_id, m))) for m in members if m != party_id)
            continue
        pairs.update(
            (a, b) for a, b in combinations(sorted(members), 2) if profiles[a].lists.isdisjoint(profiles[b].lists)
        )
    distinct = distinct_pairs(session, viewer)
    found = []
    # No name below this can reach min_score whatever else agrees.
    name_floor = (min_score - (1.0 - WEIGHTS["name"])) / WEIGHTS["name"]
    for first, second in pairs:
        a, b = profiles[first], profiles[second]
        if (first, second) in distinct or not comparable(a, b):
            continue
        similarity = name_similarity(a, b)
        if similarity < name_floor and not (a.identifiers & b.identifiers):
            continue
        score, features = explain(a, b, similarity)
        if score >= min_score:
            found.append(
                Candidate(first, second, score, features, (a.caption, b.caption), a.schema,
                          (sorted(a.lists), sorted(b.lists)))
            )  # fmt: skip
    found.sort(key=lambda c: (-c.score, c.first, c.second))
    return found[:limit] if limit is not None else found
