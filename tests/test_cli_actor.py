"""The command line acts as a named user (issue 18, item 3): ``goodpath --as USER``, else the operator
account; that user's role, clearance and organization apply as on the API, and the audit log names them."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from goodpath.access import auth
from goodpath.access.models import User
from goodpath.cli import app
from goodpath.core.audit_log import AuditEntry
from goodpath.engagement.models import ViolationCase as Case

PASSWORD = "a password long enough"
runner = CliRunner()


def goodpath(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def _user(session, username, role, clearance="SECRET", organization="USA", disabled=False) -> User:
    user = auth.create_user(session, username, PASSWORD, role, clearance, organization, actor="setup")
    user.disabled = disabled
    session.commit()
    return user


def _raise(*before: str, reference="WLC-1", classification="SECRET"):
    return goodpath(*before, "cases", "raise", reference, "--title", "Valves to a missile programme", "--facts",
                    "Shipment of controlled valves", "--classification", classification, "--json")  # fmt: skip


def test_the_operator_account_acts_by_default_and_is_named_in_the_audit_log(session):
    raised = _raise()
    assert raised.exit_code == 0, raised.output
    operator = session.scalars(select(User).filter_by(username="operator")).one()
    assert (operator.role, operator.clearance, operator.organization) == ("analyst", "SECRET", "USA")
    assert session.scalars(select(Case.created_by)).one() == "operator"
    actors = set(session.scalars(select(AuditEntry.actor)))
    assert "operator" in actors and not any(a.startswith("cli:") for a in actors)
    # The operator account has a password nobody was told: it cannot log in to the web.
    assert goodpath("cases", "show", "WLC-1").exit_code == 0  # created once, then found


def test_as_user_applies_their_role_clearance_and_organization(session):
    _user(session, "analyst2", "analyst")
    _user(session, "low", "analyst", clearance="UNCLASSIFIED")
    _user(session, "partner1", "partner_officer", clearance="CONFIDENTIAL", organization="CHN")
    _user(session, "auditor1", "auditor")
    raised = _raise("--as", "analyst2")
    assert raised.exit_code == 0, raised.output
    assert session.scalars(select(Case.created_by)).one() == "analyst2"
    assert goodpath("--as", "analyst2", "cases", "show", "WLC-1").exit_code == 0
    # Need-to-know as on the API: above one's clearance, or not released to one's organization, a record
    # does not exist.
    for reader in ("low", "partner1"):
        shown = goodpath("--as", reader, "cases", "show", "WLC-1")
        assert shown.exit_code == 1 and "no case" in shown.stderr, (reader, shown.output)
        assert json.loads(goodpath("--as", reader, "cases", "list", "--json").stdout) == []
    # Permissions as on the API: an auditor reads but raises no case and imports no list.
    refused = _raise("--as", "auditor1", reference="WLC-2")
    assert refused.exit_code == 1 and "permission" in refused.stderr
    imported = goodpath("--as", "auditor1", "lists", "import", "nothing.csv", "--format", "ofac-csv")
    assert imported.exit_code == 1 and "permission to import sanctions lists" in imported.stderr
    watched = goodpath("--as", "auditor1", "watch", "add", "ACME TRADING")
    assert watched.exit_code == 1 and "permission to review screening results" in watched.stderr
    scanned = goodpath("--as", "auditor1", "pathway", "scan")
    assert scanned.exit_code == 1 and "permission to manage engagement records" in scanned.stderr
    assert goodpath("--as", "auditor1", "cases", "show", "WLC-1").exit_code == 0


def test_an_unknown_or_disabled_user_is_refused_with_status_2(session, monkeypatch):
    _user(session, "gone", "analyst", disabled=True)
    unknown = goodpath("--as", "ghost", "cases", "list")
    assert unknown.exit_code == 2 and "no user 'ghost' to act as" in unknown.stderr
    disabled = goodpath("--as", "gone", "cases", "list")
    assert disabled.exit_code == 2 and "user gone is disabled" in disabled.stderr
    # A disabled operator account is not re-created: every command then needs --as.
    monkeypatch.setenv("GOODPATH_OPERATOR", "gone")
    assert goodpath("cases", "list").exit_code == 2
    assert session.scalars(select(User.username)).all() == ["gone"]


def test_user_administration_is_for_admins_after_the_first_one(session):
    first = goodpath("users", "add", "chief", "--role", "admin", "--clearance", "SECRET", "--org", "USA",
                     "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert first.exit_code == 0, first.output  # no admin yet: the operator may create the first one
    refused = goodpath("users", "add", "clerk", "--role", "analyst", "--clearance", "SECRET", "--org", "USA",
                       "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert refused.exit_code == 1 and "may not manage users" in refused.stderr
    assert goodpath("users", "list").exit_code == 1
    followups = goodpath("followups", "--json")  # administrators only, as on the API
    assert followups.exit_code == 1 and "operator may not use goodpath followups" in followups.stderr
    assert goodpath("--as", "chief", "followups", "--json").exit_code == 0
    added = goodpath("--as", "chief", "users", "add", "clerk", "--role", "analyst", "--clearance", "SECRET",
                     "--org", "USA", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    created = session.scalars(select(AuditEntry.actor).filter_by(action="users.create", target_id="clerk")).one()
    assert created == "chief"
    # Anyone manages their own tokens; an admin anyone's.
    assert goodpath("--as", "clerk", "tokens", "create", "clerk", "--json").exit_code == 0
    assert goodpath("--as", "clerk", "tokens", "create", "chief").exit_code == 1
    assert goodpath("--as", "chief", "tokens", "create", "clerk").exit_code == 0


def test_someone_elses_work_shows_no_more_than_the_acting_users_need_to_know(session):
    _user(session, "boss", "approver")
    _user(session, "low", "analyst", clearance="UNCLASSIFIED")
    assert _raise().exit_code == 0  # SECRET, by the operator
    assert goodpath("work", "assign", "case", "1", "--to", "boss").exit_code == 0
    theirs = json.loads(goodpath("work", "mine", "--user", "boss", "--json").stdout)
    assert [r["record_id"] for r in theirs["results"]] == [1]
    hidden = json.loads(goodpath("--as", "low", "work", "mine", "--user", "boss", "--json").stdout)
    assert hidden["results"] == []
