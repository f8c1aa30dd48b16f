"""The public recognition register and the stigma list (``PublicStatement``), in English and Chinese.

An entry is published when an approved proposal is applied (``publish_for``, called at the end of
``proposals._apply``, so only after the two-person rule): ``recognized`` adds a recognition register
entry; ``public_stigma`` and ``snapped_back`` add a stigma list entry. Its text is the proposal's own
statement ({"en", "zh"}, both required) or the stage's template (``data/statements.yaml``) filled in
with the company's English name (its registry caption) and its Chinese name (a ``PartyName`` in
Chinese, Simplified and original script preferred; else the English name).

A company has at most one current entry across both lists, the one of its last published decision:
a new entry ends the current ones, a recognition replaced by a stigma being ``withdrawn`` and
anything else ``superseded``. Entries are published (UNCLASSIFIED, releasable to ALL, ``published``):
the public role reads them without logging in. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from goodpath.access.policy import Role, Viewer
from goodpath.access.records import get_readable, readable
from goodpath.core.errors import GoodpathError, NotFound
from goodpath.core.fields import to_dict
from goodpath.core.models import RELEASABLE_TO_ALL
from goodpath.core.workflow import audited
from goodpath.pathway.models import PathwayProposal, PublicStatement
from goodpath.registry.datasets import illustrative_party_ids
from goodpath.registry.models import Party, PartyName

REGISTERS = ("recognition", "stigma")
LANGS = ("en", "zh")
STATUSES = ("current", "superseded", "withdrawn")
MAX_TEXT = 4000
CHINESE = ("zho", "zh", "chi", "cmn")
# Which Chinese name to publish: original script first, then the primary name, aliases last.
NAME_KINDS = {"original_script": 0, "primary": 1, "alias": 2, "weak_alias": 3, "former": 4}


@cache
def templates() -> dict[str, dict]:
    """Per stage that publishes: {register, en, zh} (``data/statements.yaml``), checked."""
    text = resources.files("goodpath.pathway").joinpath("data/statements.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


def parse(data: dict) -> dict[str, dict]:
    out = {}
    for stage, spec in (data.get("statements") or {}).items():
        if spec.get("register") not in REGISTERS:
            raise ValueError(f"statement {stage}: register must be one of {REGISTERS}")
        missing = [lang for lang in LANGS if not str(spec.get(lang) or "").strip()]
        if missing:
            raise ValueError(f"statement {stage}: missing {', '.join(missing)} text")
        out[stage] = {"register": spec["register"], "en": spec["en"].strip(), "zh": spec["zh"].strip()}
    return out


def register_of(stage: str) -> str | None:
    """The public list a stage publishes to (None: the stage publishes nothing)."""
    spec = templates().get(stage)
    return spec["register"] if spec else None


def clean_statement(statement: dict | None, to_stage: str | None) -> dict | None:
    """A proposal's own public statement: both texts, trimmed; only for a stage that publishes."""
    if statement is None:
        return None
    if register_of(to_stage or "") is None:
        stages = ", ".join(templates())
        raise GoodpathError(f"a public statement is published only on {stages}; not on {to_stage or 'a relief'}")
    if not isinstance(statement, dict):
        raise GoodpathError('a statement is an object {"en": English text, "zh": Chinese text}')
    unknown = set(statement) - set(LANGS)
    if unknown:
        raise GoodpathError(f"a statement has en and zh texts only, not {', '.join(sorted(map(str, unknown)))}")
    texts = {lang: str(statement.get(lang) or "").strip() for lang in LANGS}
    missing = [lang for lang in LANGS if not texts[lang]]
    if missing:
        raise GoodpathError(f"a statement needs both its English (en) and its Chinese (zh) text: missing "
                            f"{' and '.join(missing)}")  # fmt: skip
    long = [lang for lang in LANGS if len(texts[lang]) > MAX_TEXT]
    if long:
        raise GoodpathError(f"the statement's {' and '.join(long)} text is longer than {MAX_TEXT} characters")
    return texts


# --- names and texts -------------------------------------------------------------------------------


def _simplified(value: str) -> bool:
    """Written in Simplified characters (GB 2312 has no Traditional-only character)."""
    try:
        value.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def chinese_name(session: Session, party: Party) -> str | None:
    """The company's Chinese name to publish: among its public names (UNCLASSIFIED, releasable to all)
    in Chinese, original script before primary before aliases, Simplified before Traditional."""
    names = session.scalars(
        select(PartyName).where(PartyName.party_id == party.id, PartyName.lang.in_(CHINESE),
                                PartyName.classification == "UNCLASSIFIED",
                                PartyName.releasability == RELEASABLE_TO_ALL)
        .order_by(PartyName.id)
    ).all()  # fmt: skip
    if not names:
        return None
    best = min(names, key=lambda n: (NAME_KINDS.get(n.kind, 9), not _simplified(n.value), n.id))
    return best.value.strip() or None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def date_en(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"  # not strftime: the locale may not be English


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render(stage: str, name_en: str, name_zh: str | None, on: date) -> dict:
    """The stage's template texts for the company as of ``on``."""
    spec = templates()[stage]
    values = {"name_en": name_en, "name_zh": name_zh or name_en, "date_en": date_en(on), "date_zh": date_zh(on)}
    return {lang: spec[lang].format(**values) for lang in LANGS}


# --- publishing ------------------------------------------------------------------------------------


def current_entries(session: Session, party_id: str) -> list[PublicStatement]:
    query = select(PublicStatement).where(PublicStatement.party_id == party_id, PublicStatement.status == "current")
    return list(session.scalars(query.order_by(PublicStatement.id)))


def publish_for(session: Session, viewer: Viewer, proposal: PathwayProposal) -> PublicStatement | None:
    """Publish the entry an approved proposal calls for (recognized, public_stigma, snapped_back), ending
    the company's current entries; nothing for any other proposal."""
    which = register_of(proposal.to_stage)
    if which is None or proposal.status != "approved":
        return None
    party = session.get(Party, proposal.party_id)
    on = proposal.effective_on
    name_en, name_zh = party.caption, chinese_name(session, party)
    texts = proposal.statement or render(proposal.to_stage, name_en, name_zh, on)
    reason = f"proposal {proposal.id} ({proposal.to_stage}) approved by {proposal.decided_by}"
    for old in current_entries(session, party.id):
        before = to_dict(old)
        old.status = "withdrawn" if old.register == "recognition" and which == "stigma" else "superseded"
        old.status_on = on
        audited(session, viewer, f"register.{old.status}", old, before=before, reason=reason)
    entry = PublicStatement(
        party_id=party.id, register=which, kind=proposal.to_stage, name_en=name_en, name_zh=name_zh,
        text_en=texts["en"], text_zh=texts["zh"], published_on=on, proposal_id=proposal.id,
        published_by=proposal.decided_by or viewer.actor, status="current", status_on=on,
        classification="UNCLASSIFIED", releasability=RELEASABLE_TO_ALL, originator=viewer.organization or "USA",
        published=True,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    audited(session, viewer, "register.publish", entry, reason=reason)
    return entry


# --- reading ---------------------------------------------------------------------------------------


def register(
    session: Session, viewer: Viewer, which: str = "recognition", include_past: bool = False
) -> list[PublicStatement]:
    """The entries of the recognition register or the stigma list the viewer may read (published ones
    only), newest first; current entries only unless ``include_past`` (superseded, withdrawn)."""
    if which not in REGISTERS:
        raise GoodpathError(f"register must be one of {', '.join(REGISTERS)}, not {which!r}")
    query = readable(session, viewer, PublicStatement).where(
        PublicStatement.register == which, PublicStatement.published.is_(True)
    )
    if not include_past:
        query = query.where(PublicStatement.status == "current")
    current_first = case((PublicStatement.status == "current", 0), else_=1)
    return list(session.scalars(query.order_by(current_first, PublicStatement.published_on.desc(),
                                               PublicStatement.id.desc())))  # fmt: skip


def statement(session: Session, viewer: Viewer, statement_id: int | str) -> PublicStatement:
    """One published entry, or NotFound."""
    try:
        number = int(statement_id)
    except (TypeError, ValueError):
        raise NotFound(f"no statement {statement_id!r}") from None
    entry = get_readable(session, viewer, PublicStatement, number, "statement")
    if not entry.published:
        raise NotFound(f"no statement {statement_id!r}")
    return entry


def as_row(entry: PublicStatement, lang: str = "en", viewer: Viewer | None = None, illustrative: bool = False) -> dict:
    """An entry for output: both texts always, ``name``/``text`` in ``lang``; who published it and from
    which proposal only for logged-in users (the public sees the statement, not the officials);
    ``illustrative``: the entry is about an illustrative (fictional) company (registry/datasets.py)."""
    if lang not in LANGS:
        raise GoodpathError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    zh = lang == "zh"
    row = {
        "id": entry.id, "register": entry.register, "kind": entry.kind, "party_id": entry.party_id,
        "lang": lang, "name": (entry.name_zh or entry.name_en) if zh else entry.name_en,
        "text": entry.text_zh if zh else entry.text_en,
        "name_en": entry.name_en, "name_zh": entry.name_zh, "text_en": entry.text_en, "text_zh": entry.text_zh,
        "published_on": entry.published_on.isoformat(), "status": entry.status,
        "status_on": entry.status_on.isoformat() if entry.status_on else None, "illustrative": illustrative,
    }  # fmt: skip
    if viewer is not None and viewer.role is not Role.PUBLIC:
        row |= {"proposal_id": entry.proposal_id, "published_by": entry.published_by}
    return row


def listing(session: Session, viewer: Viewer, which: str, lang: str = "en", include_past: bool = False) -> dict:
    """A register as output: {register, lang, include_past, count, entries}."""
    fictional = illustrative_party_ids(session)
    entries = [as_row(e, lang, viewer, e.party_id in fictional) for e in register(session, viewer, which, include_past)]
    return {"register": which, "lang": lang, "include_past": include_past, "count": len(entries), "entries": entries}
