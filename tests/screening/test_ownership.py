"""Indirect hits: a party that a listed or sanctioned party controls is reported with the path."""

from __future__ import annotations

from goodpath.access.policy import PUBLIC
from goodpath.lists import service as lists
from goodpath.lists.records import ParsedEntity, ParsedLink, ParsedName
from goodpath.screening import service
from tests.factories import OPERATOR, entity, parsed


def _company(ext: str, name: str, *links: ParsedLink) -> ParsedEntity:
    return ParsedEntity(external_id=ext, schema="Company", names=[ParsedName(name)], links=list(links))


def _load_group(session) -> None:
    # The registry's record of engaged parties is not a listing: only the parent's own
    # sanction makes it a controller that screening must report.
    engaged = [
        entity("1", "ALPHA DEFENSE CORPORATION"),
        _company("2", "OMEGA PRECISION WORKS", ParsedLink("owned_by", target_id="1", share=60.0)),
        _company("3", "DELTA OPTICS", ParsedLink("owned_by", target_id="1", share=30.0)),
        _company("4", "SIGMA LABS", ParsedLink("owned_by", target_id="1", share=60.0, end_date="2020-01-01")),
        _company("5", "KAPPA SYSTEMS", ParsedLink("subsidiary_of", target_id="2")),
    ]
    lists.apply_parsed(session, parsed(engaged), dataset="goodpath-engagement")
    session.commit()


def _indirect(session, name: str, viewer=OPERATOR) -> list[tuple[str, str, list[tuple[str, str]]]]:
    result = service.screen(session, viewer, name)
    return [
        (hit["caption"], hit["via"]["caption"], [(step["caption"], step["relation"]) for step in hit["path"]])
        for hit in result["indirect_hits"]
    ]


def test_controlled_parties_are_indirect_hits_with_their_path(session):
    _load_group(session)
    assert _indirect(session, "Omega Precision Works Ltd") == [
        ("ALPHA DEFENSE CORPORATION", "OMEGA PRECISION WORKS", [("ALPHA DEFENSE CORPORATION", "owned")])
    ]
    assert _indirect(session, "KAPPA SYSTEMS") == [
        (
            "ALPHA DEFENSE CORPORATION",
            "KAPPA SYSTEMS",
            [("OMEGA PRECISION WORKS", "subsidiary"), ("ALPHA DEFENSE CORPORATION", "owned")],
        )
    ]
    # neither a party itself
    assert _indirect(session, "Alpha Defense Corporation") == []


def test_minority_and_ended_holdings_do_not_make_indirect_hits(session):
    _load_group(session)
    assert _indirect(session, "Delta Optics") == []  # 30%: below the 50% rule
    assert _indirect(session, "Sigma Labs") == []  # the holding ended in 2020


def test_indirect_hits_go_through_the_access_policy(session):
    _load_group(session)
    assert _indirect(session, "Omega Precision Works", viewer=PUBLIC) == []


def test_a_parent_without_an_active_listing_is_not_reported(session):
    parent = entity("1", "ALPHA DEFENSE CORPORATION")
    parent.sanctions = []
    child = _company("2", "OMEGA PRECISION WORKS", ParsedLink("owned_by", target_id="1", share=60.0))
    lists.apply_parsed(session, parsed([parent, child]), dataset="goodpath-engagement")
    session.commit()
    assert _indirect(session, "Omega Precision Works") == []
