"""Drawing pages: the Jinja2 environment, the per-request page context and HTML errors.

``Page`` is what every page handler gets: who is asking (through the same access policy and
credentials as the API), the CSRF token for its forms, the language, and ``render``. Errors
of a page (not found, forbidden, login required) are raised as ``PageError`` and drawn as
pages, never as JSON.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from goodpath import __version__
from goodpath.access import auth
from goodpath.access.deps import CSRF_FIELD, current_viewer, record_denial, session_cookie
from goodpath.access.policy import PUBLIC, Permission, Role, Viewer, can
from goodpath.core.api_support import SESSION
from goodpath.pathway import stages
from goodpath.registry.names import name_script
from goodpath.web import i18n
from goodpath.web.illustrative import illustrative
from goodpath.web.labels import LABELS, N_, humanize, tone
from goodpath.web.markings import PageMarks

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
BANNER_SLOT = "<!--gp:banner-->"
BANNER_CLASS_SLOT = "gp-banner-class"


@dataclass
class _Drawing:
    """What the template helpers need while one page is drawn."""

    translations: object
    marks: PageMarks = field(default_factory=PageMarks)
    language: str = i18n.DEFAULT_LANGUAGE


_drawing: contextvars.ContextVar[_Drawing] = contextvars.ContextVar("goodpath_drawing")


def _current() -> _Drawing:
    try:
        return _drawing.get()
    except LookupError:  # outside a page (e.g. extracting strings): English
        return _Drawing(i18n.translations(i18n.DEFAULT_LANGUAGE))


def gettext(message: str) -> str:
    return _current().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current().translations.ngettext(singular, plural, n)


def label(code) -> str:
    """The translated name of a code (status, role, kind ...); a pathway stage's from its labels in
    ``pathway/data/stages.yaml``; unknown codes humanized."""
    if code is None or code == "":
        return "—"
    code = str(code)
    if code in LABELS:
        return gettext(LABELS[code])
    stage = stages.load().label(code, _current().language)
    return stage if stage is not None else humanize(code)


def portion(record=None, classification=None, releasability="ALL", originator=None) -> Markup:
    """The portion marking of a shown record, e.g. ``(S)``; raises the page's banner to match."""
    marks = _current().marks
    letter = marks.add_record(record) if record is not None else marks.add(classification, releasability, originator)
    title = {"U": N_("Unclassified"), "C": N_("Confidential"), "S": N_("Secret")}[letter]
    return Markup('<span class="portion portion-{}" title="{}">({})</span>').format(
        letter.lower(), gettext(title), letter
    )


def lang_of(value) -> str | None:
    """The HTML lang of a name in its own script, so that the right glyphs are used."""
    script = name_script(str(value or ""))
    return {"Han": "zh", "Cyrillic": "ru", "Arabic": "ar", "Hangul": "ko"}.get(script or "")


def iso(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if len(text) >= 16 and text[4] == "-" and text[10] == "T":  # an ISO 8601 moment (stored in UTC)
        return f"{text[:10]} {text[11:16]} UTC"
    return text


def percent(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(label=label, portion=portion, lang_of=lang_of, languages=i18n.LANGUAGES, version=__version__)
    env.globals.update(tone=tone)  # the status palette (labels.tone)
    env.globals.update(illustrative=illustrative)  # the label of a fictional party (web/illustrative.py)
    env.filters.update(iso=iso, percent=percent, label=label)
    return env


ENV = _environment()
HTMX = (VENDOR_DIR / "htmx.min.js").is_file()


class PageError(Exception):
    """An error drawn as a page. ``redirect``: go there instead (e.g. the login page)."""

    def __init__(self, status_code: int, message: str, *, redirect: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.redirect = redirect


@dataclass
class Page:
    request: Request
    session: Session
    viewer: Viewer
    csrf_token: str | None
    language: str

    @property
    def logged_in(self) -> bool:
        return self.viewer.role is not Role.PUBLIC

    def can(self, permission: Permission) -> bool:
        return can(self.viewer, permission)

    def require_login(self) -> Viewer:
        if not self.logged_in:
            target = self.request.url.path + (f"?{self.request.url.query}" if self.request.url.query else "")
            raise PageError(401, N_("Please log in to see this page."), redirect=f"/login?next={quote(target)}")
        return self.viewer

    def deny(self) -> None:
        """Record a refusal of this page's action to this viewer (logged, audited apart from the
        request, as the API's ``require`` does); once per request."""
        if self.logged_in and not getattr(self.request.state, "denial_recorded", False):
            self.request.state.denial_recorded = True
            record_denial(self.session, self.request, self.viewer, "access.denied", self.request.url.path)

    def render(self, template: str, status_code: int = 200, **context) -> HTMLResponse:
        if status_code == 403:
            self.deny()
        return render(self.request, template, viewer=self.viewer, csrf_token=self.csrf_token,
                      language=self.language, status_code=status_code, page_session=self.session,
                      **context)  # fmt: skip


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer,
    csrf_token: str | None,
    language: str,
    status_code: int = 200,
    **context,
) -> HTMLResponse:
    """Draw ``template``; the banners are filled in last, at the level of everything drawn."""
    drawing = _Drawing(i18n.translations(language), language=language)
    token = _drawing.set(drawing)
    try:
        html = ENV.get_template(template).render(
            request=request, viewer=viewer, csrf_token=csrf_token, csrf_field=CSRF_FIELD, language=language,
            html_lang=i18n.HTML_LANG[language], htmx=HTMX, path=request.url.path, **context,
        )  # fmt: skip
        marks = drawing.marks
        level_word = {"UNCLASSIFIED": N_("Unclassified"), "CONFIDENTIAL": N_("Confidential"), "SECRET": N_("Secret")}
        note = (
            ""
            if language == i18n.DEFAULT_LANGUAGE
            else f' <span class="banner-note">{gettext(level_word[marks.highest.name])}</span>'
        )
    finally:
        _drawing.reset(token)
    html = html.replace(BANNER_SLOT, Markup.escape(marks.banner) + Markup(note))
    html = html.replace(BANNER_CLASS_SLOT, f"banner-{marks.css_class}")
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Vary"] = "Accept, Cookie"
    response.headers["Cache-Control"] = "no-store"  # classified content is never cached
    return response


async def page(request: Request, session: Session = SESSION) -> Page:
    """The page context of a request: the same credentials and CSRF rule as the API."""
    try:
        viewer = await current_viewer(request, session)
    except HTTPException as exc:
        message = N_("The form has expired. Please go back, reload the page and try again.")
        raise PageError(exc.status_code, message if exc.status_code == 403 else N_("Please log in again.")) from None
    csrf_token = None
    if request.state.credential == "session":
        _, csrf_token = await run_in_threadpool(auth.viewer_for_session, session, session_cookie(request))
    language = i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
    return Page(request, session, viewer, csrf_token, language)


def error_response(request: Request, exc: PageError) -> Response:
    if exc.redirect:
        return RedirectResponse(exc.redirect, status_code=303)
    language = i18n.choose_language(request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language"))
    titles = {401: N_("Login required"), 403: N_("Not allowed"), 404: N_("Not found")}
    return render(
        request, "error.html", viewer=PUBLIC, csrf_token=None, language=language, status_code=exc.status_code,
        title=titles.get(exc.status_code, N_("Something went wrong")), message=exc.message,
    )  # fmt: skip
