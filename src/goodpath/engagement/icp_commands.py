"""``goodpath icp``: assessments of a company's internal compliance programme (ICP) against
EU 2019/1318 and the BIS guidelines, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.engagement import icp
from goodpath.engagement.interfaces import (
    COMPANY_CLASSIFICATION,
    COMPANY_RELEASABILITY,
    EXPORT,
    JSON,
    SHARE_WITH,
    done,
    print_rows,
)

icp_app = typer.Typer(help="ICP assessments against EU 2019/1318 and the BIS guidelines.", no_args_is_help=True)

SOURCE = typer.Option(None, help='Citation, e.g. "07BEIJING5360 ¶3".')


@icp_app.command("rubric")
def icp_rubric(
    framework: str | None = typer.Option(None, help="eu-2019-1318 or bis-ecg; default both."),
    as_json: bool = JSON,
) -> None:
    """The frameworks' elements, with citations and guidance questions."""
    with user_errors():
        frameworks = icp.rubric(framework)
    if as_json:
        print_json(frameworks)
        return
    for fw in frameworks:
        console.print(f"[bold]{fw['framework']}[/]: {fw['title']}\n{fw['citation']}", highlight=False)
        print_rows(fw["elements"], ["code", "title", "citation"], title=fw["framework"])


@icp_app.command("start")
def icp_start(
    party: str = typer.Argument(..., help="The company's party id."),
    framework: str = typer.Option(..., help="eu-2019-1318 or bis-ecg."),
    assessed_on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    classification: str | None = COMPANY_CLASSIFICATION,
    releasability: str | None = COMPANY_RELEASABILITY,
    share_with: list[str] = SHARE_WITH,
    source: str | None = SOURCE,
    as_json: bool = JSON,
) -> None:
    """Start a draft assessment, with you as assessor."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        a = icp.start_assessment(session, viewer, party, framework, assessed_on=assessed_on,
                                 classification=classification, releasability=releasability,
                                 share_with=share_with, source=source)  # fmt: skip
        result = icp.assessment_to_dict(session, viewer, a)
    done(result, as_json, f"ICP assessment {result['id']} started ({framework}): score {', '.join(result['missing'])}")


@icp_app.command("score")
def icp_score(
    assessment: int = typer.Argument(..., help="The assessment id."),
    element: str = typer.Argument(..., help="The element code, e.g. EU-4."),
    score: int = typer.Argument(..., help="0 absent, 1 initial, 2 established, 3 effective."),
    evidence: str = typer.Option(..., help="What shows it (required)."),
) -> None:
    """Score one element with evidence; re-scoring replaces it."""
    with user_errors(), session_scope() as session:
        s = icp.score_element(session, local_viewer(), assessment, element, score, evidence)
        console.print(f"assessment {assessment}: {s.element} = {s.score} ({icp.scale()[s.score]})", highlight=False)


@icp_app.command("finalize")
def icp_finalize(
    assessment: int = typer.Argument(..., help="The assessment id."),
    on: str | None = typer.Option(None, "--on", help="YYYY-MM-DD; default today."),
    note: str | None = typer.Option(None),
) -> None:
    """Finalize (every element scored); the score is sum / (3 x elements)."""
    with user_errors(), session_scope() as session:
        a = icp.finalize(session, local_viewer(), assessment, occurred_on=on, note=note)
        console.print(f"assessment {a.id} final: score {a.score:.2f}", highlight=False)


@icp_app.command("list")
def icp_list(
    party: str | None = typer.Argument(None, help="The company's party id; default all."),
    framework: str | None = typer.Option(None),
    as_json: bool = JSON,
    export_to: Path | None = EXPORT,
) -> None:
    """Assessments over time, newest first, with per-element scores."""
    with user_errors(), session_scope() as session:
        rows = icp.list_assessments(session, local_viewer(), party_id=party, framework=framework)
        cols = ["id", "party_id", "framework", "assessed_on", "assessor", "status", "score", "elements"]
        print_rows(rows, cols, title="ICP assessments", as_json=as_json, export_to=export_to)


@icp_app.command("show")
def icp_show(assessment: int = typer.Argument(..., help="The assessment id."), as_json: bool = JSON) -> None:
    """One assessment with its element scores and evidence."""
    with user_errors(), session_scope() as session:
        viewer = local_viewer()
        result = icp.assessment_to_dict(session, viewer, icp.get_assessment(session, viewer, assessment))
    if as_json:
        print_json(result)
        return
    console.print(f"assessment {result['id']} of {result['party_id']} ({result['framework']}, {result['assessed_on']}):"
                  f" {result['status']}, score {result['score']}", highlight=False)  # fmt: skip
    print_rows(result["scores"], ["element", "title", "score", "label", "evidence", "assessor"], title="scores")
    if result["missing"]:
        console.print(f"not yet scored: {', '.join(result['missing'])}", highlight=False)


@icp_app.command("evidence")
def icp_evidence(
    party: str = typer.Argument(..., help="The company's party id."),
    threshold: float = typer.Option(icp.DEFAULT_THRESHOLD, help="Score (0..1) that counts as established."),
    as_json: bool = JSON,
) -> None:
    """The latest final score per framework and whether the ICP counts as established."""
    with user_errors(), session_scope() as session:
        result = icp.icp_evidence(session, local_viewer(), party, threshold=threshold)
    if as_json:
        print_json(result)
        return
    rows = [{"framework": fw, **v} for fw, v in result["frameworks"].items()]
    print_rows(rows, ["framework", "assessment_id", "assessed_on", "score", "meets_threshold"], title="ICP evidence")
    console.print(f"ICP established: {'yes' if result['established'] else 'no'}", highlight=False)
