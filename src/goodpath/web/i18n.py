"""Languages of the web pages: gettext catalogues (``locale/<lang>/LC_MESSAGES/messages.po``).

The ``.po`` files are the source and are compiled in memory the first time a language is used,
so there is no build step and no ``.mo`` file to forget. A user's language is the
``goodpath_lang`` cookie (set by the switch in the header), else the browser's
Accept-Language, else English. Records keep their names in their own script: only labels
and messages are translated.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "goodpath_lang"
DEFAULT_LANGUAGE = "en"
# Code -> the language's own name (how the switch shows it).
LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}
# Code -> the HTML lang attribute (BCP 47), which also picks the right CJK glyphs.
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of ``language`` (unknown languages: English)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    with po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they are not translations yet
    compiled.seek(0)
    return Translations(fp=compiled, domain="messages")


def from_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most, if any (``zh``, ``zh-CN`` ... are zh_Hans)."""
    choices = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        choices.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(choices):
        if negative_quality >= 0:
            continue
        if tag == "zh" or tag.startswith("zh-"):
            return "zh_Hans"
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return None


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(accept_language) or DEFAULT_LANGUAGE
