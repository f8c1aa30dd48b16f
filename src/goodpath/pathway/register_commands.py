"""CLI: ``goodpath pathway register`` (the public recognition register) and ``goodpath pathway stigma``
(the stigma list), ``[--lang en|zh] [--all] [--json]``.

The ``pathway`` Typer group (commands.py) registers these functions as its ``register`` and ``stigma``
commands. Both texts are always printed (or given in the JSON); ``--lang`` says which comes first."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from goodpath.access.operator import local_viewer
from goodpath.core.cli_support import console, print_json, user_errors
from goodpath.core.db import session_scope
from goodpath.pathway import register

TITLES = {
    ("recognition", "en"): "Recognition register",
    ("recognition", "zh"): "认可名录 (recognition register)",
    ("stigma", "en"): "Stigma list",
    ("stigma", "zh"): "公开谴责名单 (stigma list)",
}


class Lang(StrEnum):
    en = "en"
    zh = "zh"


LANG = typer.Option(Lang.en, "--lang", help="Which language comes first: en or zh (both are shown).")
PAST = typer.Option(False, "--all", help="Include superseded and withdrawn entries.")
JSON = typer.Option(False, "--json", help="Print as JSON.")


def _utf8() -> None:
    """Chinese prints whatever the locale says: UTF-8 where the stream would not encode it."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    if encoding not in ("utf8", "utf16", "utf32", "gb18030") and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")


def _show(which: str, lang: Lang, include_past: bool, as_json: bool) -> None:
    _utf8()
    with user_errors(), session_scope() as session:
        result = register.listing(session, local_viewer(), which, lang.value, include_past)
    if as_json:
        print_json(result)
        return
    count = f"{result['count']} {'entry' if result['count'] == 1 else 'entries'}"
    scope = "current and past" if include_past else "current"
    console.print(f"[bold]{escape(TITLES[which, lang.value])}[/] — {count} ({scope})", highlight=False)
    other = "en" if lang is Lang.zh else "zh"
    for e in result["entries"]:
        names = e["name_en"] if not e["name_zh"] else (
            f"{e['name_zh']} ({e['name_en']})" if lang is Lang.zh else f"{e['name_en']} ({e['name_zh']})")  # fmt: skip
        status = "" if e["status"] == "current" else f" [yellow]{e['status']} {e['status_on'] or ''}[/]"
        if e.get("illustrative"):
            status += " [bold yellow]illustrative scenario (fictional company)[/]"
        console.print(f"\n[bold]{e['id']}[/] {e['published_on']} {escape(names)} — {e['kind']}{status}",
                      highlight=False)  # fmt: skip
        console.print(Padding(Text(e["text"]), (0, 0, 0, 2), expand=False))
        console.print(Padding(Text(e["text_" + other], style="dim"), (0, 0, 0, 2), expand=False))


def recognition_register(lang: Lang = LANG, include_past: bool = PAST, as_json: bool = JSON) -> None:
    """The public recognition register: companies recognized on the good path."""
    _show("recognition", lang, include_past, as_json)


def stigma_list(lang: Lang = LANG, include_past: bool = PAST, as_json: bool = JSON) -> None:
    """The public stigma list: companies that declined or stalled, and snapbacks after a breach."""
    _show("stigma", lang, include_past, as_json)
