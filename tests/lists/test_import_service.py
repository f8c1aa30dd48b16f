"""Incremental import: change-sets, carry-over of unknown fields, refusals, linking, rollback.

Built on hand-made ParsedLists so that the rules are tested apart from any file format.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from goodpath.core.audit_log import AuditEntry
from goodpath.core.errors import Refused
from goodpath.lists import service
from goodpath.lists.models import ListVersion
from goodpath.lists.records import (
    ParsedAddress,
    ParsedLink,
    ParsedName,
)
from goodpath.registry import service as registry
from goodpath.registry.models import ListEntry, OwnershipLink, Party, PartyName, Sanction
from tests.factories import OPERATOR, entity, parsed


def counts(session) -> dict:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (Party, PartyName, Sanction, ListEntry, ListVersion, AuditEntry, OwnershipLink)
    }


def test_first_import_adds_everything(session):
    result = service.apply_parsed(session, parsed([entity("1", "ALPHA CO"), entity("2", "BETA LTD", "B")]))
    session.commit()
    assert result.to_dict() == {
        "dataset": "test-list", "version": 1, "entities": 2, "added": 2, "removed": 0, "changed": 0, "unchanged": 0,
    }  # fmt: skip
    assert counts(session)["party"] == 2
    assert counts(session)["party_name"] == 3
    assert session.scalar(select(Sanction.authority_code).limit(1)) == "EO13382"


def test_reimport_of_unchanged_file_is_a_noop(session):
    first = parsed([entity("1", "ALPHA CO")])
    service.apply_parsed(session, first)
    session.commit()
    before = counts(session)
    again = service.apply_parsed(session, parsed([entity("1", "ALPHA CO")]))
    assert again.noop and again.version == 1 and again.unchanged == 1
    assert counts(session) == before


def test_new_version_records_added_removed_changed(session):
    service.apply_parsed(session, parsed([entity("1", "ALPHA CO"), entity("2", "BETA LTD"), entity("3", "GAMMA")]))
    result = service.apply_parsed(
        session, parsed([entity("1", "ALPHA CO"), entity("2", "BETA LIMITED"), entity("4", "DELTA")])
    )
    session.commit()
    assert (result.version, result.added, result.removed, result.changed, result.unchanged) == (2, 1, 1, 1, 1)
    version = session.scalars(select(ListVersion).where(ListVersion.version == 2)).one()
    changes = {c["external_id"]: c for c in version.changeset}
    assert changes["4"]["change"] == "added"
    assert changes["3"]["change"] == "removed"
    assert changes["2"]["fields"]["names"] == {"added": ["BETA LIMITED"], "removed": ["BETA LTD"]}
    # The delisted entry stays, with its history and its sanction marked delisted.
    gone = session.scalars(select(ListEntry).where(ListEntry.external_id == "3")).one()
    assert gone.status == "delisted" and gone.delisted_version == 2 and gone.first_version == 1
    assert session.scalar(select(Sanction.status).where(Sanction.entry_id == gone.id)) == "delisted"
    # Search ignores delisted names unless asked.
    assert registry.search_parties(session, OPERATOR, "gamma")[0] == 0
    assert registry.search_parties(session, OPERATOR, "gamma", include_delisted=True)[0] == 1


def test_relisting_reuses_the_entry_and_party(session):
    service.apply_parsed(session, parsed([entity("1", "ALPHA"), entity("2", "BETA"), entity("3", "GAMMA")]))
    service.apply_parsed(session, parsed([entity("1", "ALPHA"), entity("2", "BETA")]))
    party = session.scalar(select(ListEntry.party_id).where(ListEntry.external_id == "3"))
    # A later file (other bytes, same three entries) lists GAMMA again.
    again = [entity("1", "ALPHA"), entity("2", "BETA"), entity("3", "GAMMA")]
    result = service.apply_parsed(session, parsed(again, tag="third file"))
    assert result.added == 1
    entry = session.scalars(select(ListEntry).where(ListEntry.external_id == "3")).one()
    assert entry.status == "listed" and entry.party_id == party and entry.delisted_version is None


def test_unknown_fields_keep_previous_aliases_and_addresses(session):
    full = entity("1", "ALPHA CO", "ALPHA ALIAS")
    full.addresses = [ParsedAddress(full="1 Main St, Beijing", country="cn")]
    service.apply_parsed(session, parsed([full]))
    # A later file without alt/add companions: only the primary name and a weak a.k.a.
    thin = entity("1", "ALPHA CO")
    thin.names.append(ParsedName("ALFA", "weak_alias"))
    result = service.apply_parsed(session, parsed([thin], unknown=("addresses", "aliases")))
    session.commit()
    assert result.removed == 0
    names = set(session.scalars(select(PartyName.value)))
    assert {"ALPHA CO", "ALPHA ALIAS", "ALFA"} <= names
    detail = registry.party_detail(
        session, OPERATOR, registry.get_party(session, OPERATOR, session.scalar(select(Party.id)))
    )
    assert detail["addresses"][0]["full"] == "1 Main St, Beijing"
    assert any("previous values kept for 1 entries" in n for n in result.notes)


def test_a_sample_under_the_full_lists_name_is_refused_and_nothing_changes(session):
    service.apply_parsed(session, parsed([entity(str(i), f"NAME {i}") for i in range(150)]))
    session.commit()
    before = counts(session)
    with pytest.raises(Refused, match="sample or a partial file"):
        service.apply_parsed(session, parsed([entity("1", "NAME 1")]))
    session.rollback()
    assert counts(session) == before
    accepted = service.apply_parsed(session, parsed([entity("1", "NAME 1")]), accept_removals=True)
    assert accepted.removed == 149


def test_reimporting_an_older_version_is_refused(session):
    old = [entity("1", "ALPHA")]
    service.apply_parsed(session, parsed(old))
    service.apply_parsed(session, parsed([entity("1", "ALPHA"), entity("2", "BETA")]))
    with pytest.raises(Refused, match="already imported as version 1"):
        service.apply_parsed(session, parsed(old))


def test_entries_of_different_lists_with_one_link_key_are_one_party(session):
    service.apply_parsed(session, parsed([entity("9749", "LIMMT ECONOMIC AND TRADE", link_key="ofac:9749")]))
    service.apply_parsed(
        session,
        parsed([entity("abc", "LIMMT Economic and Trade Company, Ltd.", link_key="ofac:9749", program="IFSR")]),
        dataset="other-list",
    )
    session.commit()
    assert counts(session)["party"] == 1
    party = session.scalar(select(Party))
    assert {e.dataset for e in registry.list_entries_of(session, OPERATOR, party.id)} == {"test-list", "other-list"}


def test_ownership_links_are_queryable_both_ways(session):
    parent = entity("P", "CHINA GREAT WALL INDUSTRY")
    child = entity("C", "GREAT WALL AIRLINES", links=[ParsedLink("owned_by", target_id="P", share=51.0)])
    grandchild = entity("G", "GWA CARGO", links=[ParsedLink("subsidiary_of", target_name="GREAT WALL AIRLINES")])
    minority = entity("M", "MINOR HOLDING", links=[ParsedLink("owned_by", target_id="P", share=24.0)])
    service.apply_parsed(session, parsed([parent, child, grandchild, minority]))
    session.commit()
    ids = dict(session.execute(select(ListEntry.external_id, ListEntry.party_id)).all())
    reached = {r.party_id: r for r in registry.controlled_by(session, OPERATOR, ids["P"])}
    assert set(reached) == {ids["C"], ids["G"]}  # 24% is not control
    assert [s.party_id for s in reached[ids["G"]].path] == [ids["C"], ids["G"]]
    controllers = {r.party_id for r in registry.controllers_of(session, OPERATOR, ids["G"])}
    assert controllers == {ids["C"], ids["P"]}
    links = registry.direct_links(session, OPERATOR, ids["P"])
    assert {link.child_id for link in links["holdings"]} == {ids["C"], ids["M"]}


def test_failure_half_way_leaves_the_database_as_it_was(session):
    service.apply_parsed(session, parsed([entity("1", "ALPHA"), entity("2", "BETA")]))
    session.commit()
    before = counts(session)

    def explode(stage, done, total):
        if done:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        service.apply_parsed(session, parsed([entity("3", "GAMMA"), entity("2", "BETA 2")]), progress=explode)
    session.rollback()
    assert counts(session) == before


def test_each_import_is_one_audit_entry_with_its_changeset(session):
    service.apply_parsed(session, parsed([entity(str(i), f"N{i}") for i in range(50)]), actor="analyst1")
    service.apply_parsed(session, parsed([entity(str(i), f"N{i}") for i in range(60)]), actor="analyst2")
    session.commit()
    imports = session.scalars(select(AuditEntry).where(AuditEntry.action == "lists.import")).all()
    assert [(e.actor, json.loads(e.after)["added"]) for e in imports] == [("analyst1", 50), ("analyst2", 10)]
    # Besides the imports, only the first sync of the legal-authority catalogue is recorded.
    others = session.scalars(select(AuditEntry.action).where(AuditEntry.action != "lists.import")).all()
    assert others == ["registry.authorities.sync"]


# --- the planner as a property -------------------------------------------------------------

names = st.text(alphabet="ABCDEFG 长城", min_size=1, max_size=6)
lists_ = st.dictionaries(st.integers(0, 30).map(str), names, max_size=20)


@settings(max_examples=60)
@given(lists_, lists_)
def test_plan_accounts_for_every_entity(old, new):
    stored = {
        ext: service._Stored(
            f"e{ext}", f"p{ext}", "listed", entity(ext, name).content_hash(), entity(ext, name).to_dict(), name
        )  # fmt: skip
        for ext, name in old.items()
    }
    plan = service._plan("d", [entity(ext, name) for ext, name in new.items()], stored)
    assert len(plan.added) + len(plan.changed) + plan.unchanged == len(new)
    assert {_ext for _ext in (s.data["external_id"] for s in plan.removed)} == set(old) - set(new)
    assert {e.external_id for e in plan.added} == set(new) - set(old)
    assert {e.external_id for e, _ in plan.changed} == {k for k in set(old) & set(new) if old[k] != new[k]}
