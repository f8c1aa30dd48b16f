"""What follows from what: every cross-domain consequence, declared here and nowhere else.

A domain announces what happened by recording an event in its own transaction
(``core.followups.record``); it never calls the domains that react, nor imports them. This table says
which reactions each event has, in the order they are run; the runner (``core.followup_runner``) runs
each at least once after the commit -- in the CLI process that made the change, right after an API
request, or by the server's background thread -- retried with backoff and shown by ``goodpath followups``
when it keeps failing. Every reaction is idempotent: running it twice raises no second alert or proposal.

    list_imported {dataset, version}     lists/service.apply_parsed, demo engagement load
      1. rescreen_watched_names            screening: watched names screened again; alerts on new,
                                           changed and cleared hits       -> watched_names_rescreened
      2. breach_scan_of_listed_companies   pathway: companies whose (or whose subsidiaries') entries
                                           changed in this version
    watched_names_rescreened             screening/monitoring.rescreen_all
      1. refresh_disclosures               engagement: disclosed counterparties take their new hits
                                                                          -> disclosures_rescreened
    disclosures_rescreened               engagement/disclosures.refresh_from_subjects
      1. breach_scan_of_confirmed_hits     pathway: companies with a confirmed hit
    hit_confirmed {party_id, ...}        engagement/disclosures.confirm_hit
      1. breach_scan_of_company            pathway
    case_closed {case_id, outcome}       engagement/cases.close
      1. breach_scan_of_case_parties       pathway: when closed 'sanctioned'
    snapback_applied {proposal_id}       pathway/proposals (a snapback approved)
      1. close_snapback_alerts             pathway: the company's breach alerts are snapped_back
    sanction_recorded {party_id, ...}    registry/sanction_records (an analyst recorded a sanction or event)
      1. breach_scan_of_recorded_sanction  pathway: the companies whose group holds the party

Order. Runners take due follow-ups oldest first (by id). An event, when its turn comes, becomes one
pending row per reaction, in the order of this table, and those run after it in that order -- each in a
transaction of its own that also marks it done, so one reaction's work is committed before the next one
starts, and a reaction never shares a transaction with the change or with another reaction. An event a
reaction records (the ``->`` above) is committed with that reaction's work and runs after it. The order is
the order of the attempts, not a dependency: a reaction that fails does not hold back the ones after it
(each reads what is committed when it runs, and is idempotent). A reaction waiting to run with the same key
as a new one is that one (``Reaction.key``): ten imports in a row re-screen the watched names once.

Retries (``core.settings.FollowupSettings``, ``GOODPATH_FOLLOWUP_*``). A reaction that raises is rolled
back and tried again after ``backoff_seconds`` (5), the wait doubled at every attempt and at most 10
minutes (``followup_runner.MAX_BACKOFF_SECONDS``), up to ``attempts`` (5) attempts in all -- by default
after 5, 10, 20 and 40 seconds. A runner that dies while running one holds it for ``lease_seconds`` (600),
then another runner takes it over; that counts as an attempt too. After the last attempt it is ``failed``,
with its last error, and stays so: nothing runs it again until someone retries it (its attempts start
over). Done ones are kept ``keep_days`` (30), then deleted.

Where a failed one shows. ``goodpath followups`` (the pending, running and failed ones with their error;
``goodpath followups retry ID`` runs one again now); ``GET /followups`` (``?status=failed``) with
``POST /followups/{id}/retry`` and ``POST /followups/retry`` (every failed one); and the page
``/ui/followups``, linked from the administrator's home with the counts of pending, running and failed
ones, with a Retry button on each failed one. The API and the page are for administrators alone
(``followups.manage``, through ``access.followups``): payloads and errors name records of any marking.
A retry from the API or the page runs right after the request's commit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from goodpath.core import followup_runner
from goodpath.core.followup_runner import Reaction
from goodpath.engagement import disclosures
from goodpath.engagement.models import ViolationCase
from goodpath.pathway import breaches
from goodpath.pathway.models import PathwayProposal
from goodpath.screening import monitoring


def _once(name: str):
    """Reactions waiting to run are one, whatever their event: the work covers every event before it."""
    return lambda _payload: name


def _scan_summary(result: dict | None) -> dict:
    if result is None:
        return {"companies": 0}
    return {"companies": result["companies"], "counts": result["counts"],
            "proposals": [p["id"] for p in result["proposals"]], "problems": result["problems"]}  # fmt: skip


def rescreen_watched_names(session: Session, _payload: dict, actor: str) -> dict:
    return monitoring.rescreen_all(session, actor)


def breach_scan_of_listed_companies(session: Session, payload: dict, _actor: str) -> dict:
    return _scan_summary(breaches.after_list_import(session, payload["dataset"], int(payload["version"])))


def refresh_disclosures(session: Session, _payload: dict, actor: str) -> dict:
    return {"disclosures_changed": disclosures.refresh_from_subjects(session, actor)}


def breach_scan_of_confirmed_hits(session: Session, _payload: dict, _actor: str) -> dict:
    return _scan_summary(breaches.after_rescreen(session))


def breach_scan_of_company(session: Session, payload: dict, _actor: str) -> dict:
    return _scan_summary(breaches.after_hit_confirmed(session, payload["party_id"]))


def breach_scan_of_case_parties(session: Session, payload: dict, _actor: str) -> dict:
    case = session.get(ViolationCase, int(payload["case_id"]))
    return _scan_summary(breaches.after_case_closed(session, case) if case is not None else None)


def breach_scan_of_recorded_sanction(session: Session, payload: dict, _actor: str) -> dict:
    return _scan_summary(breaches.after_sanction_recorded(session, payload["party_id"]))


def close_snapback_alerts(session: Session, payload: dict, _actor: str) -> dict:
    proposal = session.get(PathwayProposal, int(payload["proposal_id"]))
    return {"closed": breaches.close_alerts(session, proposal) if proposal is not None else 0}


REACTIONS: dict[str, tuple[Reaction, ...]] = {
    "list_imported": (
        Reaction(
            monitoring.RESCREEN,
            rescreen_watched_names,
            key=_once(monitoring.RESCREEN),
            describe=monitoring.describe_rescreen,
        ),  # fmt: skip
        Reaction("breach_scan_of_listed_companies", breach_scan_of_listed_companies),
    ),
    "watched_names_rescreened": (
        Reaction("refresh_disclosures", refresh_disclosures, key=_once("refresh_disclosures")),
    ),
    "disclosures_rescreened": (
        Reaction(
            "breach_scan_of_confirmed_hits", breach_scan_of_confirmed_hits, key=_once("breach_scan_of_confirmed_hits")
        ),
    ),
    "hit_confirmed": (Reaction("breach_scan_of_company", breach_scan_of_company),),
    "case_closed": (Reaction("breach_scan_of_case_parties", breach_scan_of_case_parties),),
    "snapback_applied": (Reaction("close_snapback_alerts", close_snapback_alerts),),
    "sanction_recorded": (Reaction("breach_scan_of_recorded_sanction", breach_scan_of_recorded_sanction),),
}


def install() -> None:
    """Make this process run the reactions (the CLI and the API call it once, at import)."""
    followup_runner.install(REACTIONS)
