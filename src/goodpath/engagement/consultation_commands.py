"""Commands of the engagement consultation workflows (stub: being built)."""

from __future__ import annotations

import typer

consultations_app = typer.Typer(help="consultations.", no_args_is_help=True)
pledges_app = typer.Typer(help="pledges.", no_args_is_help=True)
projects_app = typer.Typer(help="projects.", no_args_is_help=True)
