"""Near misses of issue 20: a legal form inside a short name, hyphen-joined given names, a
dropped generic word; and the names that must still not match."""

from __future__ import annotations

import pytest

from goodpath.screening.index import IndexedName, ScreeningIndex, Vocabulary
from goodpath.screening.match import best_hits, make_query
from goodpath.screening.normalize import abbreviates, contraction_shaped, join_letters
from goodpath.screening.score import DEFAULT_THRESHOLD


def test_join_letters() -> None:
    assert join_letters(["irsa", "s", "a"]) == ["irsa", "sa"]
    assert join_letters(["m", "d", "s", "import", "export"]) == ["mds", "import", "export"]
    assert join_letters(["a", "b", "c"]) == ["a", "b", "c"]  # initials only: matched by exact spelling
    assert join_letters(["john", "f", "kennedy"]) == ["john", "f", "kennedy"]


def test_a_pinyin_syllable_is_no_contraction() -> None:
    # "hong" read as a contraction of "holdings" dropped it from RI, Hong-il as a generic word
    assert not abbreviates("hong", "holdings") and not contraction_shaped("hong")
    assert not abbreviates("jing", "jiantong")
    assert abbreviates("hldgs", "holdings") and abbreviates("intl", "international")


LISTED = [
    ("irsa", "IRSA S.A.", "Company"),
    ("ri", "RI, Hong-il", "Person"),
    ("mds", "MDS IMPORT EXPORT CO., LTD.", "Company"),
    ("mds2", "M. D. S. TRADING", "Company"),
    ("abc", "A.B.C.", "Company"),
    ("hk", "HONG KONG ELECTRONICS HOLDINGS", "Company"),
    ("wang", "WANG, Jiantong", "Person"),
    ("other", "NORTH STAR SHIPPING", "Company"),
]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    index = ScreeningIndex(Vocabulary.load())
    for party, name, schema in LISTED:
        index.add(IndexedName(party, f"e-{party}", "test", name, "primary", schema, name, ()))
    return index


@pytest.mark.parametrize(
    ("query", "party"),
    [
        ("irsa sa", "irsa"),
        ("IRSA", "irsa"),
        ("RI, Hongil", "ri"),
        ("Ri Hong Il", "ri"),
        ("MDS IMPORT CO. LTD.", "mds"),
        ("MDS EXPORT", "mds"),
        ("MDS Trading", "mds"),
        ("Hong Kong Electronics", "hk"),
    ],
)
def test_near_misses_are_found(index: ScreeningIndex, query: str, party: str) -> None:
    hits = best_hits(index, make_query(index, query))
    assert hits and hits[0].party_id == party and hits[0].score >= DEFAULT_THRESHOLD, [
        (h.party_id, h.score) for h in hits
    ]


@pytest.mark.parametrize("query", ["Wang Jing", "A B D", "IMPORT EXPORT CO LTD", "Hong Holdings", "S.A."])
def test_and_others_are_not(index: ScreeningIndex, query: str) -> None:
    assert best_hits(index, make_query(index, query)) == []
