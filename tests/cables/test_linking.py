"""Organizations of stored cables linked to registry parties through the screening engine."""

from __future__ import annotations

from sqlalchemy import select

from goodpath.cables import ingest, review
from goodpath.cables.models import CableLink
from goodpath.lists import service as lists
from tests.cables.test_ingest import engagement_parties  # noqa: F401 - a fixture
from tests.factories import OPERATOR, entity, parsed


def links_of(session, reference_id: str) -> dict[str, dict]:
    return {link["name"]: link for link in ingest.detail(session, OPERATOR, reference_id)["links"]}


def test_norinco_and_cgwic_link_to_their_parties(session, cable_files, engagement_parties):  # noqa: F811
    results = ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"], cable_files["07BEIJING1900"]])
    assert [r["outcome"] for r in results] == ["stored", "stored"]
    links = links_of(session, "07BEIJING5360")
    norinco = links["China North Industries Corporation"]
    assert (norinco["status"], norinco["party_key"]) == ("linked", "norinco")
    assert norinco["caption"].startswith("China North Industries Corp")
    assert "NORINCO" in norinco["forms"] and norinco["paragraphs"] == [1, 3, 5]
    assert norinco["score"] >= 0.85 and norinco["matched_name"]
    cgwic = links["China Great Wall Industry Corporation"]
    assert (cgwic["status"], cgwic["party_key"]) == ("linked", "cgwic")
    assert cgwic["caption"].startswith("China Great Wall Industry Corp")
    # Governments and universities are on no list here: listed as unlinked, not guessed.
    for name in ("University of Georgia", "MFA Arms Control and Disarmament Department"):
        assert (links[name]["status"], links[name]["party_id"], links[name]["score"]) == ("unlinked", None, None)
    in_1900 = links_of(session, "07BEIJING1900")
    # Written "China Great Wall Industry" there.
    assert in_1900["China Great Wall Industry Corporation"]["party_key"] == "cgwic"
    assert results[0]["linked"] == sum(1 for link in links.values() if link["status"] == "linked")


def test_links_follow_a_small_list_and_are_rebuilt_when_a_version_is_accepted(session, cable_files, tmp_path):
    lists.apply_parsed(session, parsed([entity("1", "CHINA NORTH INDUSTRIES CORP.", "NORINCO")]), dataset="test-list")
    session.flush()
    ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"]])
    assert links_of(session, "07BEIJING5360")["China North Industries Corporation"]["status"] == "linked"
    assert links_of(session, "07BEIJING5360")["China Great Wall Industry Corporation"]["status"] == "unlinked"
    changed = tmp_path / "5360.txt"
    changed.write_text(cable_files["07BEIJING5360"].read_text(encoding="utf-8").replace("University of Georgia",
                                                                                          "Georgia"))  # fmt: skip
    assert ingest.ingest_paths(session, OPERATOR, [changed])[0]["outcome"] == "pending_version"
    assert "University of Georgia" in session.scalars(select(CableLink.name)).all()  # kept while pending
    review.accept_version(session, OPERATOR, "07BEIJING5360", 2)
    names = list(session.scalars(select(CableLink.name)))
    assert "University of Georgia" not in names and len(names) == len(set(names))


def test_nothing_links_without_lists(session, cable_files):
    result = ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"]])[0]
    assert result["linked"] == 0 and result["unlinked"] >= 2  # NORINCO and CGWIC at least


def test_among_equal_scores_the_name_as_written_wins(session, cable_files, engagement_parties):  # noqa: F811
    # Generic words tie "China North Industries Group Corporation Limited" with NORINCO's own name;
    # the party reading most like the cable's words is the link, whatever the party ids.
    lists.apply_parsed(session, parsed([entity("0", "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED")]),
                       dataset="aaa-list")  # fmt: skip
    session.flush()
    ingest.ingest_paths(session, OPERATOR, [cable_files["07BEIJING5360"]])
    assert links_of(session, "07BEIJING5360")["China North Industries Corporation"]["party_key"] == "norinco"
