"""``parse_text`` / ``parse_file``: one cable, any rendering, to a :class:`Cable` (pure: no database).

Fields the cable does not print stay None; nothing is inferred beyond what the text states
(the reference id of a raw telegram is the DTG's year + the banner's station and serial number,
all three printed). Problems that leave the cable readable become ``warnings``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from goodpath.cables import extract
from goodpath.cables.body import read_body
from goodpath.cables.formats import Source, decode, unwrap
from goodpath.cables.header import BANNER, parse_banner, parse_tags, read_header
from goodpath.cables.parsed_cable import Cable, CableFormatError

_REFERENCE_ID = re.compile(r"(?:19|20)?\d{2}[A-Z][A-Z0-9]*\d+(?:_[a-z])?")  # "07BEIJING1900", "1975STATE061234_b"
_REFERENCE_PARTS = re.compile(r"(?:19|20)?(\d{2})([A-Z][A-Z0-9]*?)0*(\d+)(?:_[A-Za-z])?")
_MIN_SIGNALS = 2  # header lines (DTG, FM, banner, TAGS, SUBJECT ...) that make a text a cable


def parse_file(path: str | Path) -> Cable:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CableFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        text = decode(data)
    except CableFormatError as exc:
        raise CableFormatError(f"{path}: {exc}") from exc
    return parse_text(text, name=str(path))


def parse_text(text: str, *, name: str | None = None) -> Cable:
    where = f"{name}: " if name else ""
    try:
        source = unwrap(text)
    except CableFormatError as exc:
        raise CableFormatError(f"{where}{exc}") from exc
    header = read_header(source.lines)
    if header.signals < _MIN_SIGNALS and not source.meta.get("reference_id"):
        raise CableFormatError(
            f"{where}not a cable: none of the telegram header lines (DTG, FM/TO, classification banner, "
            "E.O., TAGS, SUBJECT) were found"
        )
    fields = header.fields
    body = read_body(header.lines[header.body_start :], _classification(fields, source), fields.get("sections"))  # type: ignore[arg-type]
    cable = Cable(
        date_time_group=fields.get("date_time_group"),  # type: ignore[arg-type]
        created=_iso_created(source.meta.get("created")),
        classification=_classification(fields, source),
        caveats=fields.get("caveats"),  # type: ignore[arg-type]
        origin=source.meta.get("origin") or fields.get("from"),  # type: ignore[arg-type]
        from_=fields.get("from"),  # type: ignore[arg-type]
        to=fields.get("to"),  # type: ignore[arg-type]
        info=fields.get("info"),  # type: ignore[arg-type]
        precedence=fields.get("precedence"),  # type: ignore[arg-type]
        sipdis=bool(fields.get("sipdis")),
        passing_instructions=fields.get("passing_instructions"),  # type: ignore[arg-type]
        tags=fields.get("tags") or (parse_tags(source.meta["tags"]) if source.meta.get("tags") else None),  # type: ignore[arg-type]
        subject=fields.get("subject") or source.meta.get("title"),  # type: ignore[arg-type]
        references=fields.get("references"),  # type: ignore[arg-type]
        classified_by=fields.get("classified_by"),  # type: ignore[arg-type]
        reasons=fields.get("reasons"),  # type: ignore[arg-type]
        declassify_on=fields.get("declassify_on"),  # type: ignore[arg-type]
        sections=fields.get("sections"),  # type: ignore[arg-type]
        signature=body.signature,
        paragraphs=body.paragraphs,
        source_format=source.format,
    )
    warnings = [*source.warnings, *header.warnings]
    cable.reference_id = _reference_id(source, header.station, header.number, cable.date_time_group, warnings)
    if cable.caveats is None and cable.classification is not None:
        cable.caveats = []  # the classification is known and carries no caveat
    for name_, value in (("reference id", cable.reference_id), ("classification", cable.classification)):
        if value is None:
            warnings.append(f"no {name_} found")
    if cable.subject is None:
        warnings.append("no SUBJECT line found")
    cable.warnings = [*warnings, *body.warnings]
    cable.organizations = extract.organizations(cable.paragraphs)
    cable.people, cable.countries = extract.people_and_countries(cable.paragraphs, cable.classified_by)
    return cable


def _classification(fields: dict[str, object], source: Source) -> str | None:
    if fields.get("classification"):
        return str(fields["classification"])
    printed = source.meta.get("classification")
    if not printed:
        return None
    # The preamble prints "SECRET//NOFORN" or "UNCLASSIFIED//FOR OFFICIAL USE ONLY": the level is the first part.
    banner = parse_banner(printed.split("//")[0].strip() + " X 000000") if BANNER.match(printed) else None
    return str(banner["classification"]) if banner else None


_CREATED = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", re.ASCII)


_WEEKDAY = re.compile(r" \([A-Za-z]+\)$")
_RUBY_TIME = re.compile(r"[A-Z][a-z]{2} ([A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}) [+-]\d{4} (\d{4})")


def _iso_created(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    fixed = _CREATED.fullmatch(text)  # the usual layouts, read without strptime (which is slow)
    if fixed and not ("T" in text and fixed.group(6) is None):  # the layouts: with a T, seconds too
        try:
            day = datetime(*(int(part) for part in fixed.groups() if part is not None))
        except ValueError:
            return None
        return day.isoformat()
    ruby = _RUBY_TIME.fullmatch(text)  # "Wed Nov 13 00:00:00 +0100 2002": the copy's local time, as printed
    if ruby:
        text = f"{ruby.group(1)} {ruby.group(2)}"
    text = _WEEKDAY.sub("", text)  # PlusD: "1975 March 12, 00:00 (Wednesday)"
    for layout in (
        "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y",
        "%b %d %H:%M:%S %Y", "%d %B %Y", "%d %b %Y", "%d %B %Y %H:%M", "%B %d, %Y", "%Y %B %d, %H:%M",
    ):  # fmt: skip
        try:
            return datetime.strptime(text, layout).isoformat()
        except ValueError:
            continue
    return None


def _same_reference(printed: str, derived: str) -> bool | None:
    """Whether two reference ids name the same cable ("1975STATE061234_b" is PlusD's "75STATE61234")."""
    first, second = _REFERENCE_PARTS.fullmatch(printed.upper()), _REFERENCE_PARTS.fullmatch(derived.upper())
    if not first or not second:
        return printed.upper() == derived.upper()
    return first.groups() == second.groups()


def _reference_id(
    source: Source, station: str | None, number: int | None, dtg: str | None, warnings: list[str]
) -> str | None:
    printed = source.meta.get("reference_id")
    derived = None
    if station and number is not None and dtg:
        derived = f"{dtg[-2:]}{station.replace(' ', '')}{number}"
    if printed and derived and _same_reference(printed, derived) is False:
        warnings.append(f"reference id {printed!r} of the page differs from the telegram's {derived!r}")
    if printed and not _REFERENCE_ID.fullmatch(printed):
        warnings.append(f"reference id {printed!r} does not look like a cable reference")
    return printed or derived
