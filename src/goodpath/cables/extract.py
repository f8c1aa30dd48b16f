"""Organizations, people and countries named in a cable's paragraphs, with where they occur.

Organizations come from a curated gazetteer (data/organizations.yaml, each entry citing its
source) plus capitalised phrases ending in an organization word (Corporation, Agency, ...);
people from titles (DG, A/S, PDAS, DCM, Ambassador ...) followed by a name, later mentions by a
name part; countries from names, adjectives and abbreviations (data/countries.yaml) to ISO codes.
All matching is case-sensitive: "MFA" is an acronym, "mfa" is not.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from goodpath.cables.parsed_cable import Paragraph

_ORG_WORDS = (
    "Corporation|Company|Industries|Industry Corporation|Group|Agency|Department|Ministry|Commission|Bureau|"
    "Institute|Administration|Academy|Council|Committee|Organization|University"
)
# The organization word is found first; the capitalised words before it are read in a short window
# (scanning every capital letter of the text with a backtracking pattern is far slower).
# _ORG_WORD (below) is ``(?<![\w])(?:{_ORG_WORDS})(?![\w])``, compiled in the fast form of _bounded.
# ``(?<![\w’'])((?:[A-Z][\w&’'.-]*\s+(?:(?:of|and|for|the)\s+)?){1,5})$`` with the lookbehind after the first
# capital (``X(?<![\w’']X)`` asserts what ``(?<![\w’'])X`` does): the search skips to capitals, same matches.
_ORG_NAME = re.compile(
    r"([A-Z](?<![\w’'][A-Z])[\w&’'.-]*\s+(?:(?:of|and|for|the)\s+)?(?:[A-Z][\w&’'.-]*\s+(?:(?:of|and|for|the)\s+)?){0,4})$"
)
_ORG_STOP_START = {"The", "A", "An", "In", "On", "At", "By", "For", "And", "But", "If", "As", "With", "This", "That"}

_TITLES = [
    "Principal Deputy Assistant Secretary", "Deputy Assistant Secretary", "Assistant Secretary", "Under Secretary",
    "Deputy Director General", "Director General", "Assistant Foreign Minister", "Vice Foreign Minister",
    "Foreign Minister", "Vice Minister", "Minister", "Party Secretary", "General Secretary", "State Councilor",
    "Vice Premier", "Premier", "Vice President", "President", "Ambassador", "Counselor", "Chairman", "Governor",
    "Secretary", "Director", "Mayor", "PDAS", "DAS", "A/S", "U/S", "DDG", "DG", "DCM", "AFM", "VFM", "FM", "Amb.",
]  # fmt: skip
_NAME_TOKEN = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?|[A-Z]\.)"
# "the DCM", "the Ambassador": a bare title refers to the one person known to hold it, if any.
_BARE_TITLES = ("DCM", "Ambassador", "Charge", "Consul General")
_MONTHS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
}  # fmt: skip
_NOT_NAMES = _MONTHS | _ORG_STOP_START | {
    "Arms", "Control", "State", "General", "Secretary", "Minister", "Embassy", "Mission", "Department", "Party",
    "Congress", "Government", "Chinese", "China", "American", "United", "States", "He", "She", "They", "We", "Of",
    "Nonproliferation", "International", "Security", "Deputy", "Assistant", "Principal", "Foreign", "Affairs",
    "Director", "Summary", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}  # fmt: skip


def _bounded(forms: list[str], before: str = r"\w") -> str:
    """``(?<![before])(?:form1|form2|...)`` in a form the regex engine scans fast, same matches.

    A pattern opening with a lookaround is tried at every position of the text; one opening with
    alternatives that each start with a literal character lets the engine skip to the positions
    holding one of those characters. So the forms are grouped by first character (keeping their
    order: the first form that matches wins, as in the plain alternation) and the lookbehind moves
    after that character: ``X(?<![before]X)rest`` asserts the same as ``(?<![before])Xrest``.
    """
    groups: dict[str, list[str]] = {}
    for form in forms:
        groups.setdefault(form[0], []).append(re.escape(form[1:]))
    return "(?:{})".format(
        "|".join(
            "{0}(?<![{1}]{0})(?:{2})".format(re.escape(first), before, "|".join(rests))
            for first, rests in groups.items()
        )
    )


_ORG_WORD = re.compile(rf"{_bounded(_ORG_WORDS.split('|'))}(?![\w])")
_TITLE_RE = _bounded(sorted(_TITLES, key=len, reverse=True), r"\w/")
_TITLED = re.compile(rf"({_TITLE_RE})\s+({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})(?![\w])")


# Per printed form: the key of the entity and the record ``_add`` copies (built once, not per mention).
_Records = dict[str, tuple[str, dict[str, Any]]]


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[re.Pattern[str], _Records]:
    entries = yaml.safe_load(resources.files("goodpath.cables").joinpath("data/organizations.yaml").read_text("utf-8"))
    by_form = {form: entry for entry in entries for form in entry["aliases"]}
    records = {
        form: (entry["name"], {"name": entry["name"], "kind": entry["kind"], "source": "gazetteer"})
        for form, entry in by_form.items()
    }
    return _alternation(by_form), records


@lru_cache(maxsize=1)
def _countries() -> tuple[re.Pattern[str], _Records]:
    entries = yaml.safe_load(resources.files("goodpath.cables").joinpath("data/countries.yaml").read_text("utf-8"))
    by_form = {form: entry for entry in entries for form in entry["forms"]}
    records = {form: (entry["code"], {"code": entry["code"], "name": entry["name"]}) for form, entry in by_form.items()}
    return _alternation(by_form), records


def _alternation(forms: dict[str, Any]) -> re.Pattern[str]:
    # Longest form first, so "MFA Arms Control Department" wins over "MFA" at the same position.
    ordered = sorted(forms, key=len, reverse=True)
    # Every form starts with a capital (the old leading ``(?=[A-Z])``): grouped by first character.
    assert all("A" <= form[:1] <= "Z" for form in ordered)
    return re.compile(rf"({_bounded(ordered)})(?![\w])")


def _add(found: dict[str, dict[str, Any]], key: str, record: dict[str, Any], form: str, number: int | None) -> None:
    item = found.get(key)
    if item is None:
        item = found[key] = {**record, "forms": [], "paragraphs": []}
    if form not in item["forms"]:
        item["forms"].append(form)
    if number is not None and number not in item["paragraphs"]:
        item["paragraphs"].append(number)


@lru_cache(maxsize=1)
def _organization_scan() -> re.Pattern[str] | None:
    r"""The gazetteer and the organization words in one scan: ``G(?![\w])|W(?![\w])`` per first letter.

    At a position both could match, the gazetteer form wins; an organization word found there (or
    inside a gazetteer name) would be inside a gazetteer span, so skipped anyway. A gazetteer form
    could be missed only by starting inside a multi-word organization word ("Industry Corporation"):
    then (no such form today) None, and the two scans run apart.
    """
    pattern, records = _gazetteer()
    words = _ORG_WORDS.split("|")
    inner = [word[index + 1 :] for word in words for index, char in enumerate(word) if char == " "]
    if any(form.startswith(start) for form in records for start in inner):
        return None
    forms: dict[str, list[str]] = {}
    kinds: dict[str, list[str]] = {}
    for form in sorted(records, key=len, reverse=True):
        forms.setdefault(form[0], []).append(re.escape(form[1:]))
    for word in words:
        kinds.setdefault(word[0], []).append(re.escape(word[1:]))
    branches = []
    for first in dict.fromkeys([*forms, *kinds]):
        parts = [rf"(?:{'|'.join(alts)})(?![\w])" for alts in (forms.get(first), kinds.get(first)) if alts]
        branches.append("{0}(?<![\\w]{0})(?:{1})".format(re.escape(first), "|".join(parts)))
    return re.compile("|".join(branches))


def organizations(paragraphs: list[Paragraph]) -> list[dict[str, Any]]:
    scan = _organization_scan()
    if scan is None:
        return _organizations_apart(paragraphs)
    _pattern, records = _gazetteer()
    found: dict[str, dict[str, Any]] = {}
    for paragraph in paragraphs:
        text = paragraph.text.replace("\n", " ")
        spans = []
        org_words = []
        for match in scan.finditer(text):
            form = match.group()
            entry = records.get(form)
            if entry is None:
                org_words.append(match)
                continue
            name, record = entry
            spans.append(match.span())
            _add(found, name, record, form, paragraph.number)
        _pattern_names(found, text, spans, org_words, paragraph.number)
    return list(found.values())


def _pattern_names(
    found: dict[str, dict[str, Any]], text: str, spans: list[tuple[int, int]], org_words: Any, number: int | None
) -> None:
    for word in org_words:
        window_start = max(0, word.start() - 100)
        before = _ORG_NAME.search(text, window_start, word.start())
        if not before:
            continue
        start, end = before.start(1), word.end()
        if any(start < s_end and s_start < end for s_start, s_end in spans):
            continue  # already a gazetteer name
        name = text[start:end]
        words = name.split()
        while words and words[0] in _ORG_STOP_START:
            words = words[1:]
        if len(words) < 2:
            continue
        name = " ".join(words)
        _add(found, name, {"name": name, "kind": None, "source": "pattern"}, name, number)


def _organizations_apart(paragraphs: list[Paragraph]) -> list[dict[str, Any]]:
    """``organizations`` with the gazetteer and the organization words scanned apart (the plain way)."""
    pattern, records = _gazetteer()
    found: dict[str, dict[str, Any]] = {}
    for paragraph in paragraphs:
        text = paragraph.text.replace("\n", " ")
        spans = []
        for match in pattern.finditer(text):
            start, end, form = match.start(), match.end(), match.group(1)
            name, record = records[form]
            spans.append((start, end))
            _add(found, name, record, form, paragraph.number)
        _pattern_names(found, text, spans, _ORG_WORD.finditer(text), paragraph.number)
    return list(found.values())


# Per paragraph: the country forms found, in order, and the (title, name as printed) pairs of _TITLED.
_Scanned = list[tuple[list[str], list[tuple[str, str]]]]


@lru_cache(maxsize=1)
def _country_title_scan() -> re.Pattern[str] | None:
    r"""The country forms and _TITLED in one scan, per first letter: ``X(?:COUNTRY_REST(?![\w])|(?=TITLED_REST))``.

    A title is looked ahead of its first letter (groups: the rest of the title, the name), so the scan
    goes on after that letter and finds the country forms inside the name as the country scan does;
    titles found inside an earlier title's match are skipped by the reader, as _TITLED's scan skips
    them. A title could be missed only where a country form matches (tried first): at its start or
    inside it. None when some title could start there (no such form today): the two scans run apart.
    """
    _pattern, records = _countries()
    forms = sorted(records, key=len, reverse=True)
    for form in forms:
        for index in range(len(form)):
            if index and (re.match(r"[\w/]", form[index - 1]) or not form[index].isupper()):
                continue  # no title starts here (titles start with a capital, after no word character or /)
            rest = form[index:]
            if any(rest.startswith(title) or title.startswith(rest) for title in _TITLES):
                return None
    countries_by_first: dict[str, list[str]] = {}
    titles_by_first: dict[str, list[str]] = {}
    for form in forms:
        countries_by_first.setdefault(form[0], []).append(re.escape(form[1:]))
    for title in sorted(_TITLES, key=len, reverse=True):
        titles_by_first.setdefault(title[0], []).append(re.escape(title[1:]))
    name = rf"({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})(?![\w])"
    branches = []
    for first in dict.fromkeys([*countries_by_first, *titles_by_first]):
        letter = re.escape(first)
        parts = []
        if first in countries_by_first:
            parts.append(rf"(?<![\w]{letter})(?:{'|'.join(countries_by_first[first])})(?![\w])")
        if first in titles_by_first:
            parts.append(rf"(?<![\w/]{letter})(?=({'|'.join(titles_by_first[first])})\s+{name})")
        branches.append(f"{letter}(?:{'|'.join(parts)})")
    return re.compile("|".join(branches))


def _scan(paragraphs: list[Paragraph]) -> _Scanned:
    """Country forms and titled names of each paragraph: one scan when it can, else the two."""
    scan = _country_title_scan()
    if scan is None:
        pattern, _records = _countries()
        return [
            (pattern.findall(p.text), [(m.group(1), m.group(2)) for m in _TITLED.finditer(p.text)]) for p in paragraphs
        ]
    scanned: _Scanned = []
    for paragraph in paragraphs:
        forms: list[str] = []
        titled: list[tuple[str, str]] = []
        title_end = 0
        for match in scan.finditer(paragraph.text):
            last = match.lastindex
            if last is None:
                forms.append(match.group())
            elif match.start() >= title_end:
                titled.append((match.group() + match.group(last - 1), match.group(last)))
                title_end = match.end(last)
        scanned.append((forms, titled))
    return scanned


def people_and_countries(
    paragraphs: list[Paragraph], classified_by: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(people(paragraphs, classified_by), countries(paragraphs))``, the paragraphs scanned once."""
    scanned = _scan(paragraphs)
    return _people(paragraphs, classified_by, scanned), _countries_found(paragraphs, scanned)


def countries(paragraphs: list[Paragraph]) -> list[dict[str, Any]]:
    return _countries_found(paragraphs, _scan(paragraphs))


def _countries_found(paragraphs: list[Paragraph], scanned: _Scanned) -> list[dict[str, Any]]:
    _pattern, records = _countries()
    found: dict[str, dict[str, Any]] = {}
    for paragraph, (forms, _titled) in zip(paragraphs, scanned, strict=True):
        # A form printed again in the same paragraph adds nothing: each distinct form, in order of appearance.
        for form in dict.fromkeys(forms):
            key, record = records[form]
            _add(found, key, record, form, paragraph.number)
    return list(found.values())


def _name_tokens(raw: str) -> list[str]:
    tokens = []
    for token in raw.split():
        if token in _NOT_NAMES or token in _TITLES:
            break
        tokens.append(token)
    return tokens


def people(paragraphs: list[Paragraph], classified_by: str | None = None) -> list[dict[str, Any]]:
    return _people(paragraphs, classified_by, _scan(paragraphs))


def _people(paragraphs: list[Paragraph], classified_by: str | None, scanned: _Scanned) -> list[dict[str, Any]]:
    persons: list[dict[str, Any]] = []

    def person_for(tokens: list[str]) -> dict[str, Any]:
        # The same person printed as "Zhang", "Zhang Yan", "DG Zhang Yan": merge on shared name parts.
        for person in persons:
            if set(tokens) <= set(person["_tokens"]) or set(person["_tokens"]) <= set(tokens):
                if len(tokens) > len(person["_tokens"]):
                    person["_tokens"] = tokens
                return person
        person = {"_tokens": tokens, "titles": [], "paragraphs": []}
        persons.append(person)
        return person

    def note(person: dict[str, Any], title: str | None, number: int | None) -> None:
        if title and title not in person["titles"]:
            person["titles"].append(title)
        if number is not None and number not in person["paragraphs"]:
            person["paragraphs"].append(number)

    if classified_by:  # "DCM David Sedney": the official is named in the header
        match = _TITLED.match(classified_by)
        if match and _name_tokens(match.group(2)):
            note(person_for(_name_tokens(match.group(2))), match.group(1), None)
    for paragraph, (_forms, titled) in zip(paragraphs, scanned, strict=True):
        for title, printed in titled:
            tokens = _name_tokens(printed)
            if tokens and not all(t.endswith(".") for t in tokens):
                note(person_for(tokens), title, paragraph.number)
    _extend_given_names(persons, paragraphs)
    for person in persons:  # later mentions by a name part ("Zhang said", "Rood's nomination")
        parts = [t for t in person["_tokens"] if len(t) >= 2 and not t.endswith(".") and _unique(t, persons)]
        if not parts:
            continue
        # Mentioned when ``(?<![\w])(?:parts)(?![\w])`` is found: when one of the parts is, as a word.
        # Each part is its own pattern (a literal first letter is found fast), tried where it is a substring.
        patterns = [(part, _word_pattern(part)) for part in parts]
        for paragraph in paragraphs:
            text = paragraph.text
            for part, pattern in patterns:
                if part in text and pattern.search(text):
                    note(person, None, paragraph.number)
                    break
    for title in _BARE_TITLES:
        holders = [p for p in persons if title in p["titles"]]
        if len(holders) != 1:
            continue  # nobody, or several: a bare title is not attributed by guess
        bare = _bare_title_pattern(title)
        for paragraph in paragraphs:
            if title in paragraph.text and bare.search(paragraph.text):
                note(holders[0], None, paragraph.number)
    return [
        {"name": " ".join(p["_tokens"]), "titles": p["titles"], "paragraphs": sorted(p["paragraphs"])} for p in persons
    ]


@lru_cache(maxsize=16)
def _bare_title_pattern(title: str) -> re.Pattern[str]:
    r"""``\b[Tt]he TITLE\b``, found from its literal part: ``he TITLE\b(?<=\b[Tt]he TITLE)``, the same matches."""
    return re.compile(rf"he {re.escape(title)}\b(?<=\b[Tt]he {re.escape(title)})")


@lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern[str]:
    # (?<![\w])word(?![\w])
    return re.compile(rf"{_bounded([word])}(?![\w])")


@lru_cache(maxsize=4096)
def _given_name_pattern(surname: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/])([A-Z][a-z]+) {re.escape(surname)}(?![\w])")


def _unique(token: str, persons: list[dict[str, Any]]) -> bool:
    return sum(token in p["_tokens"] for p in persons) == 1


def _extend_given_names(persons: list[dict[str, Any]], paragraphs: list[Paragraph]) -> None:
    """ "PDAS McNerney" elsewhere printed "Patricia McNerney": take the given name when it is printed."""
    for person in persons:
        if len(person["_tokens"]) != 1:
            continue
        surname = person["_tokens"][0]
        pattern = _given_name_pattern(surname)
        for paragraph in paragraphs:
            match = _first_given_name(pattern, paragraph.text, " " + surname)
            if match and match.group(1) not in _NOT_NAMES and match.group(1) not in _TITLES:
                person["_tokens"] = [match.group(1), person["_tokens"][0]]
                break


def _first_given_name(pattern: re.Pattern[str], text: str, needle: str) -> re.Match[str] | None:
    r"""``pattern.search(text)`` for ``(?<![\w/])([A-Z][a-z]+) SURNAME(?![\w])``, without scanning every position.

    A match ends its given name at an occurrence of " SURNAME" and starts at the capital opening
    the run of lowercase letters before it (only one start is possible), so each occurrence, in
    order, is tried at that one position; the first that matches is the leftmost match.
    """
    index = text.find(needle)
    while index >= 0:
        start = index
        while start > 0 and "a" <= text[start - 1] <= "z":
            start -= 1
        if start < index and start > 0:
            match = pattern.match(text, start - 1)
            if match:
                return match
        index = text.find(needle, index + 1)
    return None
