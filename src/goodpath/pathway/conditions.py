"""The conditions relief carries (``data/conditions.yaml``) and the classification of list programmes.

A condition is data: its description, what breaches it (a confirmed screening hit of a disclosed
counterparty, a case closed 'sanctioned', a new nonproliferation list entry) or what makes it overdue
(no final ICP assessment, no disclosure within its period: a review, never a breach). Every relief
carries the default conditions unless its proposer names others.

``classify`` answers whether a list programme is a nonproliferation programme (a new entry under it
is a breach), an unrelated or mixed one (a review), or unknown (a review, never a silent breach).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from goodpath.core.errors import GoodpathError
from goodpath.registry.curated import load_authorities

SOURCES = ("case", "screening_hit", "list_entry")
CLASSES = ("nonproliferation", "mixed", "unrelated")


@dataclass(frozen=True)
class Condition:
    code: str
    description: str
    breached_by: tuple[str, ...] = ()
    every_months: int | None = None  # overdue after this many months without its evidence
    evidence: str | None = None  # icp_assessment, disclosure

    def as_dict(self) -> dict:
        return {"code": self.code, "description": self.description, "breached_by": list(self.breached_by),
                "every_months": self.every_months, "evidence": self.evidence}  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    conditions: dict[str, Condition]
    defaults: tuple[str, ...]
    programs: dict[str, dict[str, dict[str, str]]]  # class -> {"authorities": {...}, "programs": {...}}

    def breached_by(self, source: str) -> list[str]:
        """The condition codes a breach from ``source`` breaches."""
        return [c.code for c in self.conditions.values() if source in c.breached_by]


def parse(data: dict) -> Catalogue:
    conditions = {}
    for code, raw in data["conditions"].items():
        bad = [s for s in raw.get("breached_by", []) if s not in SOURCES]
        if bad:
            raise ValueError(f"condition {code}: unknown breach sources {bad}")
        overdue = raw.get("overdue") or {}
        conditions[code] = Condition(code, " ".join(str(raw["description"]).split()), tuple(raw.get("breached_by", [])),
                                     overdue.get("every_months"), overdue.get("evidence"))  # fmt: skip
    defaults = tuple(data.get("settings", {}).get("default_conditions", []))
    unknown = [c for c in defaults if c not in conditions]
    if unknown:
        raise ValueError(f"default conditions {unknown} are not defined")
    programs = {k: {"authorities": dict(v.get("authorities") or {}), "programs": dict(v.get("programs") or {})}
                for k, v in data["programs"].items()}  # fmt: skip
    if set(programs) - set(CLASSES):
        raise ValueError(f"programme classes must be among {CLASSES}")
    return Catalogue(conditions, defaults, programs)


@cache
def load() -> Catalogue:
    text = resources.files("goodpath.pathway").joinpath("data/conditions.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


def validate(codes: Iterable[str] | None) -> list[dict]:
    """The conditions a relief proposal names, as ``[{"code": ...}]``; None: the defaults."""
    catalogue = load()
    if codes is None:
        return [{"code": c} for c in catalogue.defaults]
    if isinstance(codes, str):
        codes = [codes]
    out, seen = [], set()
    for code in codes:
        code = (code.get("code") if isinstance(code, dict) else str(code or "")).strip()
        if code not in catalogue.conditions:
            raise GoodpathError(f"unknown relief condition {code!r} (known: {', '.join(catalogue.conditions)})")
        if code not in seen:
            seen.add(code)
            out.append({"code": code})
    return out


def for_relief(stored: list | None) -> list[dict]:
    """The conditions a relief takes from its proposal: the proposal's, else the defaults."""
    return [dict(c) for c in stored] if stored is not None else validate(None)


def codes_of(conditions: Iterable) -> set[str]:
    return {(c.get("code") if isinstance(c, dict) else str(c)) for c in conditions or ()}


@dataclass(frozen=True)
class Classification:
    kind: str  # nonproliferation, mixed, unrelated, unknown
    authority: str | None
    reason: str

    @property
    def breach(self) -> bool:
        return self.kind == "nonproliferation"


def classify(program: str | None, dataset: str | None = None) -> Classification:
    """Whether a list programme is a nonproliferation programme: the programme's own entry first,
    else its authority's (authorities.yaml ``programs:``); anything not named is unknown (a review).
    UN regimes are looked up as ``UN:<regime>`` for UN datasets, as the authority catalogue does."""
    mapping = load_authorities().program(program, dataset) if program else None
    key = (mapping.program if mapping else (program or "")).strip().casefold()
    authority = mapping.authority if mapping else None
    classes = load().programs
    for kind in CLASSES:
        named = {k.strip().casefold(): v for k, v in classes.get(kind, {}).get("programs", {}).items()}
        if key and key in named:
            return Classification(kind, authority, named[key])
    for kind in CLASSES:
        reason = classes.get(kind, {}).get("authorities", {}).get(authority or "")
        if reason:
            return Classification(kind, authority, reason)
    what = f"programme {program!r}" if program else "an entry without a programme"
    return Classification("unknown", authority, f"{what} is not classified in conditions.yaml: review it")


def classify_authority(code: str | None) -> Classification:
    """The class of an authority itself (a sanction recorded from a notice names no list programme)."""
    classes = load().programs
    for kind in CLASSES:
        reason = classes.get(kind, {}).get("authorities", {}).get(code or "")
        if reason:
            return Classification(kind, code, reason)
    return Classification("unknown", code, f"authority {code!r} is not classified in conditions.yaml: review it")
