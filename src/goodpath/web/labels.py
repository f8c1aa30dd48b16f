"""Translatable names of the codes records carry (statuses, roles, kinds, measures ...).

``N_`` only marks a string for the catalogue; ``label(code)`` translates it when a page is
drawn. A pathway stage without an entry here is named by its labels in ``pathway/data/stages.yaml``;
any other code without one is shown humanized ("foo_bar" -> "foo bar"), never raw.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


LABELS: dict[str, str] = {
    # roles
    "analyst": N_("Analyst"),
    "approver": N_("Approver"),
    "partner_officer": N_("Partner government officer"),
    "company_officer": N_("Company compliance officer"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
    "public": N_("Public"),
    # party schemata
    "Company": N_("Company"),
    "Organization": N_("Organization"),
    "Person": N_("Person"),
    "LegalEntity": N_("Legal entity"),
    "Vessel": N_("Vessel"),
    "Airplane": N_("Aircraft"),
    # name kinds
    "primary": N_("Primary name"),
    "alias": N_("Alias"),
    "weak_alias": N_("Weak alias"),
    "former": N_("Former name"),
    "original_script": N_("Original script"),
    "registered_name": N_("Registered name"),
    # scripts
    "Latin": N_("Latin"),
    "Han": N_("Chinese characters"),
    "Cyrillic": N_("Cyrillic"),
    "Arabic": N_("Arabic"),
    "Hangul": N_("Korean"),
    # statuses of sanctions and list entries
    "active": N_("Active"),
    "waived": N_("Waived"),
    "terminated": N_("Terminated"),
    "expired": N_("Expired"),
    "delisted": N_("Delisted"),
    "listed": N_("Listed"),
    # cases
    "raised": N_("Raised"),
    "acknowledged": N_("Acknowledged"),
    "under_investigation": N_("Under investigation"),
    "response_reported": N_("Response reported"),
    "sanctioned": N_("Sanctioned"),
    "closed_unsubstantiated": N_("Closed, unsubstantiated"),
    # pledges, consultations, dossiers, proposals
    "open": N_("Open"),
    "fulfilled": N_("Fulfilled"),
    "broken": N_("Broken"),
    "withdrawn": N_("Withdrawn"),
    "suspended": N_("Suspended"),
    "ended": N_("Ended"),
    "proposed": N_("Proposed"),
    "invited": N_("Invited"),
    "in_dialogue": N_("In dialogue"),
    "paused": N_("Paused"),
    "closed": N_("Closed"),
    "pending": N_("Pending"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "draft": N_("Draft"),
    "sent": N_("Sent"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "planned": N_("Planned"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
    # pathway paths and kinds of step (the stages' own labels: pathway/data/stages.yaml, read by label())
    "start": N_("Start"),
    "good": N_("Good path"),
    "bad": N_("Bad path"),
    "transition": N_("Stage change"),
    "relief": N_("Relief"),
    "snapback": N_("Snapback"),
    # ownership relations
    "subsidiary": N_("Subsidiary"),
    "sub_unit": N_("Sub-unit"),
    "successor": N_("Successor"),
    "owned": N_("Owned"),
    "linked": N_("Linked"),
    # screening alert kinds
    "new": N_("New match"),
    "changed": N_("Match changed"),
    "cleared": N_("Match cleared"),
    # screening features
    "name_similarity": N_("Name similarity"),
    "country": N_("Country"),
    "schema": N_("Type"),
    # consultation levels
    "director_general": N_("Director-General"),
    "working_level": N_("Working level"),
    # measures (the authorities' measure codes)
    "procurement_ban": N_("Procurement ban"),
    "assistance_ban": N_("Assistance ban"),
    "import_ban": N_("Import ban"),
    "itar_export_suspension": N_("ITAR export suspension"),
    "usml_sales_ban": N_("USML sales ban"),
    "dual_use_licence_denial": N_("Dual-use licence denial"),
    "missile_contract_ban": N_("Missile contract ban"),
    "missile_licence_denial": N_("Missile licence denial"),
    "all_contract_ban": N_("Ban on all contracts"),
    "usml_licence_denial": N_("USML licence denial"),
    "blocking": N_("Blocking of property"),
    "asset_freeze": N_("Asset freeze"),
    "travel_ban": N_("Travel ban"),
    "arms_embargo": N_("Arms embargo"),
    "export_licence_denial": N_("Export licence denial"),
    "licence_requirement": N_("Licence requirement"),
    "securities_transaction_ban": N_("Securities transaction ban"),
    "procurement_exclusion": N_("Procurement exclusion"),
    # cable drafts and links
    "pledge": N_("Pledge"),
    "consultation": N_("Consultation"),
    "request": N_("Request"),
    "proposal": N_("Proposal"),
    "offer": N_("Offer"),
    "status": N_("Status statement"),
    "case": N_("Case"),
    "case_update": N_("Case update"),
    "confirmed": N_("Confirmed"),
    "discarded": N_("Discarded"),
    "company": N_("Company"),
    "government": N_("Government"),
    "international": N_("International organization"),
    "cable": N_("Cable"),
    "cable_draft": N_("Cable draft"),
    # screening
    "true_match": N_("True match"),
    "false_positive": N_("False positive"),
    "queued": N_("Queued"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "interrupted": N_("Interrupted"),
    "screening_disposition": N_("Screening decision"),
    # engagement
    "agreed": N_("Agreed"),
    "completed": N_("Completed"),
    "final": N_("Final"),
    "exbs": N_("Export control and border security"),
    "training": N_("Training"),
    "exchange": N_("Exchange"),
    "other": N_("Other"),
    "investigation": N_("Investigation"),
    "penalty": N_("Penalty"),
    "licence_denial": N_("Licence denial"),
    "licence_revocation": N_("Licence revocation"),
    "seizure": N_("Seizure"),
    "prosecution": N_("Prosecution"),
    "warning": N_("Warning"),
    "none": N_("No detail"),
    "summary": N_("Summary"),
    "detailed": N_("Detailed"),
    "assistant_foreign_minister": N_("Assistant Foreign Minister"),
    "vice_minister": N_("Vice Minister"),
    "small_group": N_("Small group"),
    "project": N_("Cooperation project"),
    "enforcement_action": N_("Enforcement action"),
    "icp_assessment": N_("Compliance programme assessment"),
    # evidence links, disclosures
    "supports": N_("Supports"),
    "notice": N_("Notice"),
    "publication": N_("Publication"),
    "possible_hit": N_("Possible hit"),
    "confirmed_hit": N_("Confirmed hit"),
}


def humanize(code: str) -> str:
    return code.replace("_", " ").strip()


# --- the status palette ----------------------------------------------------------------------------
# Every badge has one of five tones, each with its own colour and mark (the text says what it is; colour
# and mark only repeat it): good (the good path, done, cleared), progress (under way, waiting on someone),
# warning (needs attention), bad (sanctioned, failed, a hit) and neutral (ended, withdrawn, no verdict).
GOOD, PROGRESS, WARNING, BAD, NEUTRAL = "good", "progress", "warning", "bad", "neutral"
TONES: dict[str, str] = {
    **dict.fromkeys(
        "delisted terminated waived fulfilled approved accepted held resolved_by_consultation dismissed stored updated "
        "done completed final current false_positive cleared confirmed in_effect no_hit".split(),
        GOOD,
    ),
    **dict.fromkeys(
        "active open pending acknowledged under_investigation invited in_dialogue sent queued running proposed agreed "
        "planned awaiting_notice response_reported draft new pending_version".split(),
        PROGRESS,
    ),
    **dict.fromkeys(
        "raised escalated possible_hit overdue suspended paused snapback_proposed interrupted changed".split(), WARNING
    ),
    **dict.fromkeys("listed sanctioned broken failed revoked confirmed_hit true_match snapback refused".split(), BAD),
    **dict.fromkeys(
        "withdrawn closed ended cancelled superseded unchanged expired closed_unsubstantiated discarded declined "
        "rejected none disabled".split(),
        NEUTRAL,
    ),
}
# Where a code means something else: a sanction or measure in force is the bad path, not work under way.
TONES_OF_KIND: dict[str, dict[str, str]] = {
    "sanction": {"active": BAD, "waived": GOOD, "terminated": GOOD, "expired": NEUTRAL},
    "user": {"active": GOOD},
}


def tone(code, kind: str | None = None) -> str:
    """The palette tone of a status ``code`` (of a record of ``kind``, where that changes it): one of good,
    progress, warning, bad, neutral; unknown codes neutral."""
    code = str(code or "")
    return TONES_OF_KIND.get(kind or "", {}).get(code) or TONES.get(code, NEUTRAL)
