"""Translatable names of the codes the cable, audit, screening and engagement pages show.

Merged into ``labels.LABELS`` when these pages are installed, so ``label(code)`` names them in
English and Chinese like every other code (kept here so as not to edit the shared table)."""

from __future__ import annotations

from goodpath.web.labels import LABELS, N_

RECORD_LABELS: dict[str, str] = {
    # cable drafts and links
    "pledge": N_("Pledge"),
    "consultation": N_("Consultation"),
    "request": N_("Request"),
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
}

for _code, _name in RECORD_LABELS.items():
    LABELS.setdefault(_code, _name)
