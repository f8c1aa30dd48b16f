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

from goodpath.cables.model import Paragraph

_ORG_WORDS = (
    "Corporation|Company|Industries|Industry Corporation|Group|Agency|Department|Ministry|Commission|Bureau|"
    "Institute|Administration|Academy|Council|Committee|Organization|University"
)
# The organization word is found first; the capitalised words before it are read in a short window
# (scanning every capital letter of the text with a backtracking pattern is far slower).
_ORG_WORD = re.compile(rf"(?<![\w])(?:{_ORG_WORDS})(?![\w])")
_ORG_NAME = re.compile(r"(?<![\w’'])((?:[A-Z][\w&’'.-]*\s+(?:(?:of|and|for|the)\s+)?){1,5})$")
_ORG_STOP_START = {"The", "A", "An", "In", "On", "At", "By", "For", "And", "But", "If", "As", "With", "This", "That"}

_TITLES = [
    "Principal Deputy Assistant Secretary", "Deputy Assistant Secretary", "Assistant Secretary", "Under Secretary",
    "Deputy Director General", "Director General", "Assistant Foreign Minister", "Vice Foreign Minister",
    "Foreign Minister", "Vice Minister", "Minister", "Party Secretary", "General Secretary", "State Councilor",
    "Vice Premier", "Premier", "Vice President", "President", "Ambassador", "Counselor", "Chairman", "Governor",
    "Secretary", "Director", "Mayor", "PDAS", "DAS", "A/S", "U/S", "DDG", "DG", "DCM", "AFM", "VFM", "FM", "Amb.",
]  # fmt: skip
_TITLE_RE = "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))
_NAME_TOKEN = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?|[A-Z]\.)"
_TITLED = re.compile(rf"(?=[A-Z])(?<![\w/])({_TITLE_RE})\s+({_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{0,2}})(?![\w])")
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


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[re.Pattern[str], dict[str, dict[str, Any]]]:
    entries = yaml.safe_load(resources.files("goodpath.cables").joinpath("data/organizations.yaml").read_text("utf-8"))
    by_form = {form: entry for entry in entries for form in entry["aliases"]}
    return _alternation(by_form), by_form


@lru_cache(maxsize=1)
def _countries() -> tuple[re.Pattern[str], dict[str, dict[str, Any]]]:
    entries = yaml.safe_load(resources.files("goodpath.cables").joinpath("data/countries.yaml").read_text("utf-8"))
    by_form = {form: entry for entry in entries for form in entry["forms"]}
    return _alternation(by_form), by_form


def _alternation(forms: dict[str, Any]) -> re.Pattern[str]:
    # Longest form first, so "MFA Arms Control Department" wins over "MFA" at the same position.
    ordered = sorted(forms, key=len, reverse=True)
    # Every form starts with a capital: the lookahead skips other positions before trying the alternation.
    return re.compile(r"(?=[A-Z])(?<![\w])({})(?![\w])".format("|".join(re.escape(form) for form in ordered)))


def _add(found: dict[str, dict[str, Any]], key: str, record: dict[str, Any], form: str, number: int | None) -> None:
    item = found.setdefault(key, {**record, "forms": [], "paragraphs": []})
    if form not in item["forms"]:
        item["forms"].append(form)
    if number is not None and number not in item["paragraphs"]:
        item["paragraphs"].append(number)


def organizations(paragraphs: list[Paragraph]) -> list[dict[str, Any]]:
    pattern, by_form = _gazetteer()
    found: dict[str, dict[str, Any]] = {}
    for paragraph in paragraphs:
        text = paragraph.text.replace("\n", " ")
        spans = []
        for match in pattern.finditer(text):
            start, end, form = match.start(), match.end(), match.group(1)
            entry = by_form[form]
            spans.append((start, end))
            record = {"name": entry["name"], "kind": entry["kind"], "source": "gazetteer"}
            _add(found, entry["name"], record, form, paragraph.number)
        for word in _ORG_WORD.finditer(text):
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
            _add(found, name, {"name": name, "kind": None, "source": "pattern"}, name, paragraph.number)
    return list(found.values())


def countries(paragraphs: list[Paragraph]) -> list[dict[str, Any]]:
    pattern, by_form = _countries()
    found: dict[str, dict[str, Any]] = {}
    for paragraph in paragraphs:
        for match in pattern.finditer(paragraph.text):
            form = match.group(1)
            entry = by_form[form]
            _add(found, entry["code"], {"code": entry["code"], "name": entry["name"]}, form, paragraph.number)
    return list(found.values())


def _name_tokens(raw: str) -> list[str]:
    tokens = []
    for token in raw.split():
        if token in _NOT_NAMES or token in _TITLES:
            break
        tokens.append(token)
    return tokens


def people(paragraphs: list[Paragraph], classified_by: str | None = None) -> list[dict[str, Any]]:
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
    for paragraph in paragraphs:
        for match in _TITLED.finditer(paragraph.text):
            tokens = _name_tokens(match.group(2))
            if tokens and not all(t.endswith(".") for t in tokens):
                note(person_for(tokens), match.group(1), paragraph.number)
    _extend_given_names(persons, paragraphs)
    for person in persons:  # later mentions by a name part ("Zhang said", "Rood's nomination")
        parts = [t for t in person["_tokens"] if len(t) >= 2 and not t.endswith(".") and _unique(t, persons)]
        if not parts:
            continue
        mention = re.compile(r"(?<![\w])(?:{})(?![\w])".format("|".join(map(re.escape, parts))))
        for paragraph in paragraphs:
            if mention.search(paragraph.text):
                note(person, None, paragraph.number)
    for title in _BARE_TITLES:
        holders = [p for p in persons if title in p["titles"]]
        if len(holders) != 1:
            continue  # nobody, or several: a bare title is not attributed by guess
        bare = re.compile(rf"\b[Tt]he {re.escape(title)}\b")
        for paragraph in paragraphs:
            if bare.search(paragraph.text):
                note(holders[0], None, paragraph.number)
    return [
        {"name": " ".join(p["_tokens"]), "titles": p["titles"], "paragraphs": sorted(p["paragraphs"])} for p in persons
    ]


def _unique(token: str, persons: list[dict[str, Any]]) -> bool:
    return sum(token in p["_tokens"] for p in persons) == 1


def _extend_given_names(persons: list[dict[str, Any]], paragraphs: list[Paragraph]) -> None:
    """ "PDAS McNerney" elsewhere printed "Patricia McNerney": take the given name when it is printed."""
    for person in persons:
        if len(person["_tokens"]) != 1:
            continue
        surname = re.escape(person["_tokens"][0])
        for paragraph in paragraphs:
            match = re.search(rf"(?<![\w/])([A-Z][a-z]+) {surname}(?![\w])", paragraph.text)
            if match and match.group(1) not in _NOT_NAMES and match.group(1) not in _TITLES:
                person["_tokens"] = [match.group(1), person["_tokens"][0]]
                break
