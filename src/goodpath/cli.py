"""The ``goodpath`` command: each domain's commands mounted under one Typer app."""

from __future__ import annotations

import typer
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from goodpath import consequences
from goodpath.access.commands import tokens_app, users_app
from goodpath.access.operator import local_viewer
from goodpath.access.policy import Permission, can
from goodpath.access.work_commands import work_app
from goodpath.audit.commands import app as audit_app
from goodpath.cables.commands import cables_app
from goodpath.core.cli_support import ActingUserRefused, act_as, err_console, run_followups
from goodpath.core.db_commands import db_app
from goodpath.core.followup_commands import followups_app
from goodpath.demo.commands import app as demo_app
from goodpath.engagement.case_commands import cases_app
from goodpath.engagement.consultation_commands import consultations_app
from goodpath.engagement.disclosure_commands import disclosures_app
from goodpath.engagement.dossier_commands import dossiers_app
from goodpath.engagement.enforcement_commands import enforcement_app
from goodpath.engagement.icp_commands import icp_app
from goodpath.engagement.pledge_commands import pledges_app
from goodpath.engagement.project_commands import projects_app
from goodpath.lists.commands import app as lists_app
from goodpath.pathway.commands import pathway_app
from goodpath.pathway.sanction_commands import sanctions_app
from goodpath.registry.commands import app as parties_app
from goodpath.registry.identity_commands import app as identity_app
from goodpath.reports.commands import reports_app
from goodpath.screening.batch_commands import screen_batch
from goodpath.screening.commands import screen
from goodpath.screening.review_commands import alerts_app, dispositions_app, rescreen, watch_app
from goodpath.serving import serve

app = typer.Typer(
    help="goodpath: nonproliferation sanctions engagement.", no_args_is_help=True, pretty_exceptions_show_locals=False
)
consequences.install()
RUN_THEIR_OWN_FOLLOWUPS = {"serve", "followups"}  # the server's background runner; `followups` shows them
ACT_AS_NOBODY = {"serve", "db"}  # the server acts for each web user; the schema may not exist yet
ADMINISTRATIVE = {"followups": Permission.MANAGE_FOLLOWUPS}  # groups whose commands check no permission themselves


@app.callback()
def _around_every_command(
    ctx: typer.Context,
    as_user: str | None = typer.Option(
        None,
        "--as",
        metavar="USER",
        envvar="GOODPATH_AS",
        help="Act as this user (their role, clearance and organization); default: the operator account "
        "(GOODPATH_OPERATOR, 'operator').",
    ),  # fmt: skip
) -> None:
    act_as(as_user)
    ctx.call_on_close(lambda: act_as(None))
    if ctx.invoked_subcommand not in ACT_AS_NOBODY and not ctx.resilient_parsing:
        try:  # an unknown or disabled user: exit 2 before anything runs
            viewer = local_viewer()
        except ActingUserRefused as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, emoji=False)
            raise typer.Exit(2) from None
        except SQLAlchemyError:
            viewer = None  # no database yet (e.g. `cables parse` needs none): a command that needs one says so
        needed = ADMINISTRATIVE.get(ctx.invoked_subcommand or "")
        if viewer is not None and needed is not None and not can(viewer, needed):  # as on the API
            what = f"{escape(viewer.username)} may not use goodpath {ctx.invoked_subcommand} ({needed.value}: admins)"
            err_console.print(f"[bold red]error:[/] {what}", highlight=False)
            raise typer.Exit(1)
    # What a killed process left undone runs first; what this command records, before it exits.
    if ctx.invoked_subcommand in RUN_THEIR_OWN_FOLLOWUPS:
        return
    run_followups()
    ctx.call_on_close(run_followups)


app.add_typer(db_app, name="db")
app.add_typer(lists_app, name="lists")
app.add_typer(parties_app, name="parties")
app.add_typer(identity_app, name="identity")
app.add_typer(audit_app, name="audit")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.command("serve")(serve)
app.command("screen")(screen)
app.command("screen-batch")(screen_batch)
app.add_typer(dispositions_app, name="dispositions")
app.add_typer(watch_app, name="watch")
app.add_typer(alerts_app, name="alerts")
app.command("rescreen")(rescreen)
app.add_typer(consultations_app, name="consultations")
app.add_typer(pledges_app, name="pledges")
app.add_typer(projects_app, name="projects")
app.add_typer(cases_app, name="cases")
app.add_typer(enforcement_app, name="enforcement")
app.add_typer(dossiers_app, name="dossiers")
app.add_typer(disclosures_app, name="disclosures")
app.add_typer(icp_app, name="icp")
app.add_typer(cables_app, name="cables")
app.add_typer(pathway_app, name="pathway")
app.add_typer(sanctions_app, name="sanctions")
app.add_typer(followups_app, name="followups")
app.add_typer(work_app, name="work")
app.add_typer(reports_app, name="reports")

if __name__ == "__main__":
    app()
