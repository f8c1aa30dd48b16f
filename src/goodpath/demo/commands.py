"""``goodpath demo load``."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.core.cli_support import actor, console, print_json, run_followups, user_errors
from goodpath.core.db import new_session, session_scope
from goodpath.core.followup_runner import described, result_of
from goodpath.core.settings import get_settings
from goodpath.demo import service
from goodpath.demo.cables import load_cables
from goodpath.demo.engagement_records import load_records
from goodpath.demo.illustrative import load_story, party_key
from goodpath.demo.pathway_records import load_pathway
from goodpath.demo.users import ensure_demo_users
from goodpath.screening import monitoring

app = typer.Typer(help="Demo data from ../shared.", no_args_is_help=True)


@app.command("load")
def load(as_json: bool = typer.Option(False, "--json", help="Print what was loaded as JSON.")) -> None:
    """Load the real lists, the seed cables' engagement parties and the illustrative scenario (idempotent)."""
    data_dir = get_settings().shared_dir / "data"
    if not data_dir.is_dir():
        console.print(f"[red]error:[/] the shared data folder is missing: {data_dir} (set GOODPATH_SHARED_DIR)")
        raise typer.Exit(1)

    def report(step: service.DemoStep) -> None:
        if as_json:
            return
        if step.result and step.outcome == "imported":
            r = step.result
            console.print(
                f"  {step.source}: {r['dataset']} v{r['version']} — {r['entities']} entities "
                f"(+{r['added']} −{r['removed']} ~{r['changed']})"
            )
        else:
            console.print(f"  {step.source}: already loaded")

    with user_errors():
        if not as_json:
            console.print(f"loading demo lists from {data_dir}")
        steps = service.load_lists(new_session, data_dir, actor(), report)
        engagement = service.load_engagement(new_session, actor())
        with session_scope() as session:
            records = load_records(session, actor())
        # The imports' follow-ups (goodpath.consequences) now: the watched names re-screened, ...
        followed = run_followups()
        rescreened = result_of(followed, monitoring.RESCREEN)
        with session_scope() as session:
            cables = load_cables(session, actor(), get_settings().shared_dir)
        with session_scope() as session:
            pathway = load_pathway(session, actor(), get_settings().shared_dir)
        with session_scope() as session:
            illustrative = load_story(session)  # the fictional company of the whole good path
        with session_scope() as session:
            users = ensure_demo_users(session, actor())
        run_followups()  # the pathway's: nothing is left pending
    if as_json:
        print_json(
            {
                "lists": [s.__dict__ for s in steps],
                "engagement": engagement,
                "engagement_records": records,
                "cables": cables,
                "pathway": pathway,
                "illustrative": illustrative,
                "users": users,
                "rescreen": rescreened,
            }  # fmt: skip
        )
        return
    console.print(f"engagement parties: {engagement['outcome']} ({engagement['parties']} parties)")
    new = ", ".join(f"{count} {kind}" for kind, count in records.items() if count)
    console.print(f"engagement records of the seed cables: {new or 'already loaded'}")
    console.print("seed cables: " + ", ".join(f"{Path(r['file']).name} {r['outcome']}" for r in cables),
                  highlight=False)  # fmt: skip
    moved = ", ".join(f"{count} {kind}" for kind, count in pathway.items() if count)
    console.print(f"pathway of the engaged companies: {moved or 'already loaded'}")
    console.print(
        "illustrative scenario (a fictional company on the whole good path, labelled as such): "
        + (f"{illustrative['steps']} steps, now {illustrative['stage']}" if illustrative["steps"] else "already loaded")
        + f" — /ui/pathway/{party_key()}"
    )
    for line in described(followed):
        console.print(line, highlight=False)
    console.print("demo users (demo passwords, not for real use):")
    for u in users:
        if u["outcome"] != "skipped":
            console.print(
                f"  {u['username']:<9} {u['password']:<26} {u['role']} ({u['clearance']}, {u['organization']})"
            )
    console.print(
        "open http://127.0.0.1:8000/ in a browser and log in as one of them; for the API, POST /auth/login "
        "{username, password}, or create a token: .venv/bin/goodpath tokens create analyst"
    )
