"""Membership of the multilateral export-control regimes (registry/data/regimes.yaml) on a date.

``member_on(regime, country, day)`` answers True, False or None (unknown) with the reason and the
source: the relief routes' ``applies_if`` conditions (AECA 73(b)/(c): an MTCR adherent's government)
are evaluated with it. A regime whose list is complete answers False for a country not listed; an
incomplete one answers None, never a silent "not a member"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Membership", "Regimes", "load_regimes", "member_on"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Strict):
    since: dt.date
    precision: Literal["day", "month", "year"] = "day"
    until: dt.date | None = None
    verified: Literal["V", "K"]
    note: str | None = None


class NonMember(_Strict):
    note: str
    verified: Literal["V", "K"]


class Regime(_Strict):
    title: str
    founded: dt.date
    complete: bool
    sources: list[str] = Field(min_length=1)
    members: dict[str, Member]
    not_member: dict[str, NonMember] = Field(default_factory=dict)


class Regimes(_Strict):
    schema_version: Literal[1]
    reviewed: dt.date
    regimes: dict[str, Regime]


@dataclass(frozen=True)
class Membership:
    member: bool | None  # None: not known from the data
    why: str
    verified: bool


def _start_known(member: Member) -> tuple[dt.date, dt.date]:
    """(first day membership may have begun, first day it surely had)."""
    start = member.since
    if member.precision == "year":
        return start.replace(month=1, day=1), start.replace(year=start.year + 1, month=1, day=1)
    if member.precision == "month":
        nxt = start.replace(day=28) + dt.timedelta(days=4)
        return start.replace(day=1), nxt.replace(day=1)
    return start, start


def member_on(regimes: Regimes, regime: str, country: str | None, day: dt.date) -> Membership:
    """Whether ``country`` (ISO alpha-2) belonged to ``regime`` on ``day``, with why and the source."""
    found = regimes.regimes.get(regime)
    if found is None:
        return Membership(None, f"no membership data for the regime {regime!r}", False)
    if not country:
        return Membership(None, f"the party's country is not recorded: {regime} membership unknown", False)
    cc = country.lower()
    source = f"regimes.yaml, {regime}"
    member = found.members.get(cc)
    if member is not None:
        earliest, surely = _start_known(member)
        verified = member.verified == "V"
        if member.until is not None and day > member.until:
            return Membership(
                False, f"{cc.upper()} left the {regime} on {member.until.isoformat()} ({source})", verified
            )
        if day >= surely:
            return Membership(True, f"{cc.upper()} is a {regime} member since {member.since.isoformat()}"
                                    f"{'' if member.precision == 'day' else f' ({member.precision} known)'} ({source})",
                              verified)  # fmt: skip
        if day < earliest:
            return Membership(False, f"{cc.upper()} joined the {regime} only on {member.since.isoformat()}, after "
                                     f"{day.isoformat()} ({source})", verified)  # fmt: skip
        return Membership(None, f"{cc.upper()} joined the {regime} in {member.since.year}; the day is not known, so "
                                f"membership on {day.isoformat()} is not known", False)  # fmt: skip
    if day < found.founded:
        return Membership(False, f"the {regime} did not exist on {day.isoformat()} (founded {found.founded})", True)
    if cc in found.not_member:
        entry = found.not_member[cc]
        return Membership(False, f"{cc.upper()} is not a {regime} member: {entry.note}", entry.verified == "V")
    if found.complete:
        return Membership(False, f"{cc.upper()} is not among the {regime} members ({source})", True)
    return Membership(None, f"{regime} membership of {cc.upper()} is not in the data (the list is incomplete)", False)


@cache
def load_regimes() -> Regimes:
    text = resources.files("goodpath.registry").joinpath("data/regimes.yaml").read_text(encoding="utf-8")
    return Regimes.model_validate(yaml.safe_load(text))
