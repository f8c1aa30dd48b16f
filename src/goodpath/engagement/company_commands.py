"""Commands of the engagement company workflows (stub: being built)."""

from __future__ import annotations

import typer

dossiers_app = typer.Typer(help="dossiers.", no_args_is_help=True)
disclosures_app = typer.Typer(help="disclosures.", no_args_is_help=True)
icp_app = typer.Typer(help="icp.", no_args_is_help=True)
