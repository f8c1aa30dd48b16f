"""Drawing a report: a Jinja HTML template to a marked PDF with WeasyPrint.

Every record a template shows goes through ``portion``, which prints its portion mark and raises the
report's marking (``web.markings.PageMarks``, the same rule as the pages): the banner at the top and
bottom of every page is the highest classification of the content and the releasability common to all
of it, filled in once the body is drawn. Page numbers are CSS counters in the page's margin boxes.

The same input gives the same bytes: the PDF's dates are the report's as-of day, its identifier a hash
of the drawn HTML, and nothing in it reads the clock.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import weasyprint
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from goodpath.core.errors import GoodpathError
from goodpath.core.models import RELEASABLE_TO_ALL
from goodpath.pathway import stages
from goodpath.registry.names import name_script
from goodpath.reports.text import LANGUAGES, translate
from goodpath.web import i18n
from goodpath.web.labels import LABELS, humanize
from goodpath.web.markings import PageMarks

TEMPLATES = Path(__file__).parent / "templates"
BANNER_SLOT = "GP-BANNER-SLOT"
FONT_FAMILY = "Noto Sans CJK SC"  # Debian fonts-noto-cjk (scripts/ensure-pdf); Latin glyphs included
PORTION_TITLE = {"U": "Unclassified", "C": "Confidential", "S": "Secret"}
BANNER_COLOR = {"UNCLASSIFIED": "#007a33", "CONFIDENTIAL": "#0033a0", "SECRET": "#c8102e"}  # the usual colours


@dataclass(frozen=True)
class Rendered:
    """A drawn report: its bytes, its marking (banner text; classification and releasability for the
    audit log) and how many records it shows."""

    pdf: bytes
    banner: str
    classification: str
    releasability: str
    records: int
    html: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@cache
def font_file() -> str:
    """The Noto CJK font file the reports embed; a clear error when it is not installed."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}|%{family}", f"{FONT_FAMILY}:lang=zh-cn"],
                               capture_output=True, text=True, timeout=30, check=False).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        found = ""
    path, _, family = found.partition("|")
    if "Noto Sans CJK" not in family or not Path(path).is_file():
        raise GoodpathError(f"the font {FONT_FAMILY!r} is missing: run scripts/ensure-pdf (Debian fonts-noto-cjk)")
    return path


class Drawing:
    """The helpers of one report being drawn, in one language, with its own marking."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise GoodpathError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        self.language = language
        self.web_language = LANGUAGES[language]
        self.catalogue = i18n.translations(self.web_language)
        self.marks = PageMarks()

    def text(self, message: str, **values) -> str:
        """A report's own sentence in the report's language (reports/text.py)."""
        out = translate(message, self.language)
        return out % values if values else out

    def label(self, code) -> str:
        """A code's name as the web UI shows it (its gettext catalogue), stages from stages.yaml."""
        if code is None or code == "":
            return "—"
        code = str(code)
        if code in LABELS:
            return self.catalogue.gettext(LABELS[code])
        stage = stages.load().label(code, self.language)
        return stage if stage is not None else humanize(code)

    def portion(self, record=None, classification=None, releasability=RELEASABLE_TO_ALL, originator=None) -> Markup:
        marks = self.marks
        if record is not None:
            letter = marks.add_record(record)
        else:
            letter = marks.add(classification, releasability, originator)
        return Markup('<span class="portion" title="{}">({})</span>').format(self.text(PORTION_TITLE[letter]), letter)

    @staticmethod
    def lang_of(value) -> str:
        script = name_script(str(value or ""))
        return {"Han": "zh-Hans", "Cyrillic": "ru", "Arabic": "ar", "Hangul": "ko"}.get(script or "", "")

    def releasability(self) -> str:
        """The report's releasability as the audit log stores it (``ALL`` or the organizations)."""
        if self.marks.releasable is None:
            return RELEASABLE_TO_ALL
        return ",".join(sorted(self.marks.releasable)) or "NONE"


def iso(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else text


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.filters.update(iso=iso, css=css_string)
    return env


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for the margin boxes' ``content``)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup('"' + escaped + '"')


def render(template: str, *, language: str, as_of: date, title: str, **context) -> Rendered:
    """Draw ``template`` in ``language`` (en, zh) and print it to PDF; deterministic for one input."""
    drawing = Drawing(language)
    html = environment().get_template(template).render(
        _=drawing.text, label=drawing.label, portion=drawing.portion, lang_of=drawing.lang_of, language=language,
        html_lang="zh-Hans" if language == "zh" else "en", as_of=as_of.isoformat(), title=title,
        font_family=FONT_FAMILY, banner_slot=BANNER_SLOT, **context,
    )  # fmt: skip
    banner = drawing.marks.banner
    html = html.replace(css_string(BANNER_SLOT), css_string(banner))
    html = html.replace("GP-BANNER-COLOR", BANNER_COLOR[drawing.marks.highest.name])
    font_file()  # fail clearly, before WeasyPrint silently falls back to another font
    moment = f"{as_of.isoformat()}T00:00:00Z"  # the PDF's dates: the report's as-of day, never the clock
    html = html.replace("GP-PDF-DATE", moment)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_identifier=identifier)
    return Rendered(pdf=pdf, banner=banner, classification=drawing.marks.highest.name,
                    releasability=drawing.releasability(), records=drawing.marks.shown, html=html)  # fmt: skip
