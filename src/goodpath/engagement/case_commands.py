"""Commands of the engagement case workflows (stub: being built)."""

from __future__ import annotations

import typer

cases_app = typer.Typer(help="cases.", no_args_is_help=True)
enforcement_app = typer.Typer(help="enforcement.", no_args_is_help=True)
