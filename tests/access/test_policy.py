"""The policy's two forms agree: what read_filter returns is exactly what can_read allows."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from goodpath.access.policy import PUBLIC, Permission, Role, Viewer, can, can_read, read_filter
from goodpath.core.models import Classification
from goodpath.registry.models import Party, PartyName

ORGS = ["USA", "CHN", "NORINCO", "LIST"]
markings = st.fixed_dictionaries(
    {
        "classification": st.sampled_from([c.name for c in Classification]),
        "releasability": st.one_of(
            st.none(),
            st.just("ALL"),
            st.lists(st.sampled_from(ORGS), min_size=1, max_size=3, unique=True).map(",".join),
        ),
        "originator": st.sampled_from(ORGS),
        "published": st.booleans(),
        "own": st.booleans(),  # belongs to the company party "p-own"
    }
)
viewers = st.builds(
    Viewer,
    role=st.sampled_from(list(Role)),
    clearance=st.sampled_from(list(Classification)),
    organization=st.one_of(st.none(), st.sampled_from(ORGS)),
    user_id=st.just(1),
    username=st.just("u"),
    company_party_id=st.sampled_from([None, "p-own"]),
).map(lambda v: PUBLIC if v.role is Role.PUBLIC else v)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(markings, min_size=1, max_size=12), viewers)
def test_filter_and_predicate_agree(session, records, viewer):
    session.execute(delete(PartyName))
    session.execute(delete(Party))
    session.add(Party(id="p-own", schema="Company", caption="own", countries=[], birth_dates=[]))
    session.flush()
    for i, m in enumerate(records):
        marking = {k: v for k, v in m.items() if k != "own"}
        party_id = "p-own" if m["own"] else f"p{i}"
        if not m["own"]:
            session.add(Party(id=party_id, schema="Company", caption=party_id, countries=[], birth_dates=[], **marking))
        session.add(PartyName(party_id=party_id, value=f"n{i}", kind="alias", normalized=f"n{i}", **marking))
    session.flush()
    names = session.scalars(select(PartyName)).all()
    allowed = {n.id for n in names if can_read(viewer, n)}
    filtered = set(session.scalars(select(PartyName.id).where(read_filter(viewer, PartyName))))
    assert filtered == allowed
    parties = session.scalars(select(Party)).all()
    assert set(session.scalars(select(Party.id).where(read_filter(viewer, Party)))) == {
        p.id for p in parties if can_read(viewer, p)
    }
    session.rollback()


def test_rules_in_plain_words():
    analyst = Viewer(Role.ANALYST, Classification.CONFIDENTIAL, "USA", 1, "a")
    partner = Viewer(Role.PARTNER_OFFICER, Classification.SECRET, "CHN", 2, "p")
    company = Viewer(Role.COMPANY_OFFICER, Classification.UNCLASSIFIED, "NORINCO", 3, "c", "p-own")

    def rec(classification="UNCLASSIFIED", releasability="ALL", originator="USA", published=False, party_id="x"):
        return PartyName(
            classification=classification, releasability=releasability, originator=originator,
            published=published, party_id=party_id,
        )  # fmt: skip

    assert not can_read(analyst, rec("SECRET"))  # above clearance
    assert not can_read(partner, rec(releasability="USA"))  # REL USA only
    assert can_read(partner, rec(releasability="USA,CHN"))
    assert not can_read(partner, rec(releasability=None))  # unmarked: originator only
    assert can_read(analyst, rec(releasability=None))
    assert can_read(company, rec(party_id="p-own", releasability="USA,NORINCO"))
    assert not can_read(company, rec(party_id="p-other", releasability="USA,NORINCO"))
    assert can_read(company, rec(originator="LIST"))  # published list data
    assert can_read(PUBLIC, rec(published=True)) and not can_read(PUBLIC, rec())
    assert can(analyst, Permission.IMPORT_LISTS) and not can(partner, Permission.IMPORT_LISTS)
    assert not can(PUBLIC, Permission.READ_AUDIT)
