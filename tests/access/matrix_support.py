"""The authorization matrix's world: probe records of every marking, one user per seat, and the
expectations (who may see which probe) written out as a plain table, not computed with the
policy under test. Route checkers live in test_authorization_matrix.py and matrix_*.py."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from goodpath.access import auth
from goodpath.api import app
from goodpath.core import audit_log as audit
from goodpath.lists import service as lists
from goodpath.registry import authorities
from goodpath.registry.models import Party, PartyName, Sanction
from tests.factories import entity, parsed

# Probe records: name -> (classification, releasability, originator, published, company).
# "own_company" is the party the company officer acts for; "other_company" is another company.
PROBES = {
    "listdata": ("UNCLASSIFIED", "ALL", "LIST", False, None),
    "published": ("UNCLASSIFIED", "ALL", "USA", True, None),
    "u_all": ("UNCLASSIFIED", "ALL", "USA", False, None),
    "c_all": ("CONFIDENTIAL", "ALL", "USA", False, None),
    "s_all": ("SECRET", "ALL", "USA", False, None),
    "c_relusa": ("CONFIDENTIAL", "USA", "USA", False, None),
    "c_relusachn": ("CONFIDENTIAL", "USA,CHN", "USA", False, None),
    "u_unmarked_usa": ("UNCLASSIFIED", None, "USA", False, None),
    "u_unmarked_chn": ("UNCLASSIFIED", None, "CHN", False, None),
    "own_company": ("UNCLASSIFIED", "USA,NORINCO", "USA", False, "own"),
    "other_company": ("UNCLASSIFIED", "USA,NORINCO", "USA", False, "other"),
}

# Users: (role, clearance, organization, bound to the company "own_company")
USERS = {
    "analyst": ("analyst", "SECRET", "USA", False),
    "analyst_conf": ("analyst", "CONFIDENTIAL", "USA", False),
    "approver": ("approver", "SECRET", "USA", False),
    "partner": ("partner_officer", "CONFIDENTIAL", "CHN", False),
    "company": ("company_officer", "UNCLASSIFIED", "NORINCO", True),
    "auditor": ("auditor", "SECRET", "USA", False),
    "auditor_conf": ("auditor", "CONFIDENTIAL", "USA", False),
    "admin": ("admin", "SECRET", "USA", False),
    "public": None,
}

ALL_PROBES = set(PROBES)
US_SECRET = ALL_PROBES - {"u_unmarked_chn"}  # everything but a CHN-originated unmarked record
# The spec: which probe records each user may see.
VISIBLE = {
    "analyst": US_SECRET,
    "approver": US_SECRET,
    "auditor": US_SECRET,
    "admin": US_SECRET,
    "analyst_conf": US_SECRET - {"s_all"},
    "auditor_conf": US_SECRET - {"s_all"},
    "partner": {"listdata", "published", "u_all", "c_all", "c_relusachn", "u_unmarked_chn"},
    "company": {"listdata", "published", "own_company"},
    "public": {"published"},
}
# Views derived from a company's records (its pathway, eligibility, disclosure signals, ICP evidence):
# readable where its party is, but a company officer's own company's alone, and never by the public.
DERIVED = VISIBLE | {"company": {"own_company"}, "public": set()}
CAN_IMPORT = {"analyst", "analyst_conf", "approver"}
CAN_BATCH = {"analyst", "analyst_conf", "approver"}  # batch screening: screening.batch
CAN_VERIFY_AUDIT = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"}
CAN_READ_AUDIT = {"auditor", "auditor_conf", "admin"}
CAN_REVIEW_SCREENING = {"analyst", "analyst_conf", "approver"}
# Screening-review records an analyst of USA makes are UNCLASSIFIED and releasable to USA alone.
READS_USA_REVIEW = {"analyst", "analyst_conf", "approver", "auditor", "auditor_conf", "admin"}
LOGGED_IN = set(USERS) - {"public"}


def search_token(probe: str) -> str:
    """A name no other probe's name contains (search matches substrings)."""
    return f"zzprobe{list(PROBES).index(probe)}q"


@dataclass
class World:
    client: TestClient
    tokens: dict[str, str | None]
    party_ids: dict[str, str]
    token_ids: dict[str, int]

    def call(self, user: str, method: str, url: str, **kwargs):
        token = self.tokens[user]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(method, url, headers=headers, **kwargs)


def _marking(probe: str) -> dict:
    classification, releasability, originator, published, _ = PROBES[probe]
    return {
        "classification": classification,
        "releasability": releasability,
        "originator": originator,
        "published": published,
    }


def build_world(session) -> World:
    authorities.sync(session)
    lists.apply_parsed(session, parsed([entity("1", "LISTED TRADING CO")]), dataset="probe-list")
    party_ids = {}
    for probe in PROBES:
        party_id = f"p-{probe}"
        party_ids[probe] = party_id
        marking = _marking(probe)
        session.add(
            Party(id=party_id, schema="Company", caption=f"probe {probe}", countries=[], birth_dates=[], **marking)
        )
        session.flush()
        session.add(
            PartyName(
                party_id=party_id, value=search_token(probe), kind="primary", normalized=search_token(probe), **marking
            )
        )
        session.add(
            Sanction(party_id=party_id, program=f"prog-{probe}", measures=[], status="active", events=[], **marking)
        )
    # A SECRET alias on an unclassified party: must never surface to the uncleared.
    session.add(PartyName(party_id="p-u_all", value="zzsecretalias", kind="alias", normalized="zzsecretalias",
                          classification="SECRET", releasability="ALL", originator="USA"))  # fmt: skip
    audit.record(session, actor="x", action="probe.secret", target_type="t", after={"secret": "payload"},
                 classification="SECRET")  # fmt: skip
    tokens, token_ids = {}, {}
    for name, spec in USERS.items():
        if spec is None:
            tokens[name] = None
            continue
        role, clearance, org, bound = spec
        user = auth.create_user(
            session, name, f"password-of-{name}", role, clearance, org,
            company_party_id=party_ids["own_company"] if bound else None, actor="setup",
        )  # fmt: skip
        token, plaintext = auth.create_token(session, user, "matrix", days=1)
        tokens[name], token_ids[name] = plaintext, token.id
    session.commit()
    return World(TestClient(app), tokens, party_ids, token_ids)
