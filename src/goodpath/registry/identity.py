"""One party per real-world entity: deterministic keys, merges and their undo.

Entries of different lists that are the same party become one registry party holding every list
membership. At import, entries sharing a *deterministic key* are merged automatically: the OFAC
entity number (the CSL's SDN rows), a UN reference number (the UN list's own, or one OFAC cites in
its remarks), a vessel's IMO number, and registration, tax, national-id and passport numbers (with
their country). A key that two entries of one list share is *ambiguous* (the list itself keeps them
apart: a person and his firm with one tax number, two family members with one passport) and merges
nothing. Other candidates are scored (registry/identity_score.py) and merged only by an analyst.

A merge moves every row that refers to the merged party (names, entries, sanctions, dispositions,
watches, alerts, case parties, pathway records ...: every foreign key to ``party.id``) to the kept
party, records which rows moved, and leaves the merged party as a tombstone whose ``merged_into``
redirects its id and key. The undo moves exactly those rows back (and, with a list entry moving
back, what was derived from it meanwhile). Everything happens in the caller's transaction.

Markings: the kept party is the one every reader of the other may read too (the less restricted);
two parties neither of whose readers include the other's are refused. The party row of the kept
party gains the other's countries and birth dates only when both are marked alike, so a merge never
copies a restricted party's facts into a less restricted row; every moved row keeps its own marking.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, and_, bindparam, cast, delete, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from goodpath.access.policy import Permission, Viewer, can, can_read, level, read_filter
from goodpath.core import audit_log as audit
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import PUBLIC_MARKING, RELEASABLE_TO_ALL, Base, utcnow
from goodpath.registry.models import EntryKey, IdentityDecision, ListEntry, Party, PartyMerge

MAX_REASON = 4000
MAX_CHAIN = 32  # redirects followed at most (a merged party merged again ...)
# Tables never moved by a merge: the merge records themselves.
NOT_MOVED = frozenset({"party_merge", "identity_decision"})

# --- deterministic keys ----------------------------------------------------------------------

FAMILIES = {
    "Person": "person",
    "Company": "org",
    "Organization": "org",
    "LegalEntity": "org",
    "Vessel": "vessel",
    "Airplane": "airplane",
}
# Identifier schemes (as the parsers spell them) -> the class of number they are.
KEY_CLASSES = {
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "Stateless Person Passport": "passport",
    "Travel Document Number": "passport",
    "National ID No.": "natid",
    "National Identification Number": "natid",
    "Personal ID Card": "natid",
    "Identification Number": "natid",
    "Cedula No.": "natid",
    "C.U.R.P.": "natid",
    "D.N.I.": "natid",
    "SSN": "natid",
    "Birth Certificate Number": "natid",
    "Tax ID No.": "tax",
    "NIT #": "tax",
    "RUC #": "tax",
    "RIF #": "tax",
    "R.F.C.": "tax",
    "RFC": "tax",
    "V.A.T. Number": "tax",
    "US FEIN": "tax",
    "C.U.I.T.": "tax",
    "Italian Fiscal Code": "tax",
    "Registration Number": "reg",
    "Registration ID": "reg",
    "Business Registration Number": "reg",
    "Business Registration Document #": "reg",
    "Commercial Registry Number": "reg",
    "Company Number": "reg",
    "Chamber of Commerce Number": "reg",
    "Public Registration Number": "reg",
    "Central Registration System Number": "reg",
    "Matricula Mercantil No": "reg",
    "Folio Mercantil No.": "reg",
    "C.R. No.": "reg",
    "Trade License No.": "reg",
    "Economic Register Number (CBLS)": "reg",
    "Legal Entity Number": "lei",
    "USCC": "uscc",
    "IMO": "imo",
    "IMO Company Number": "imo-company",
    "Aircraft Manufacturer's Serial Number (MSN)": "msn",
    "UN Reference Number": "unref",
}
# Classes that identify without a country (one numbering for the world, or a country's own format).
WORLDWIDE = frozenset({"lei", "uscc", "imo", "imo-company", "msn", "unref"})
UN_REFERENCE = re.compile(r"[A-Z]{2}[ie]\.\d{1,4}", re.I)
UN_REF_IN_REMARKS = re.compile(r"\bUN Ref(?:erence)?(?: No\.?| Number)?:?\s+([A-Z]{2}[ie]\.\d{1,4})\b", re.I)
MIN_KEY_LENGTH = 5  # shorter numbers repeat too easily ("1234")


def family(schema: str | None) -> str:
    return FAMILIES.get(schema or "", "org")


def _plain(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


_NOTE = re.compile(r"\([^)]*\)|\b\d{4}-\d{2}-\d{2}\b")  # "(Expires 18 Jun. 2018)", the CSL's issue dates


def identifier_key(
    schema: str, scheme: str, value: str, country: str | None, nationality: str | None = None
) -> str | None:
    """The deterministic key of one identifier, or None when it does not identify a party alone.
    A person's document without its country is read as issued by ``nationality`` (the holder's only
    one), as the UN list writes passports."""
    kind = KEY_CLASSES.get(scheme.strip())
    if kind is None:
        return None
    number = _plain(_NOTE.sub(" ", value))
    if not country and family(schema) == "person":
        country = nationality
    if kind == "unref":
        reference = value.strip()
        return f"unref:{reference.upper()}" if UN_REFERENCE.fullmatch(reference) else None
    if len(number) < MIN_KEY_LENGTH or not any(c.isdigit() for c in number):
        return None
    fam = family(schema)
    if kind in ("imo", "msn"):
        return f"{kind}:{number}"
    if kind in WORLDWIDE:
        return f"{fam}:{kind}:{number}"
    if not country:
        return None  # a passport or registration number means something only with its country
    return f"{fam}:{kind}:{country.strip().lower()}:{number}"


def entity_keys(dataset: str, data: dict) -> set[str]:
    """The deterministic keys of a list entity (its parsed form, ``ParsedEntity.to_dict()``)."""
    keys: set[str] = set()
    if data.get("link_key"):
        keys.add(str(data["link_key"]))
    schema = data.get("schema") or ""
    countries = data.get("countries") or []
    nationality = countries[0] if len(countries) == 1 else None
    for item in data.get("identifiers") or ():
        scheme, value = item.get("scheme") or "", item.get("value") or ""
        key = identifier_key(schema, scheme, value, item.get("country"), nationality)
        if key:
            keys.add(key)
    external = str(data.get("external_id") or "")
    if dataset.startswith("un") and UN_REFERENCE.fullmatch(external):
        keys.add(f"unref:{external.upper()}")
    for ref in UN_REF_IN_REMARKS.findall(data.get("remarks") or ""):
        keys.add(f"unref:{ref.upper()}")
    return {k[:300] for k in keys}


def entry_scope(dataset: str, data: dict, aggregate: bool) -> str:
    """The list an entry belongs to: its dataset, or for an aggregate of lists (the CSL) its source list."""
    if aggregate:
        for sanction in data.get("sanctions") or ():
            if sanction.get("list_name"):
                return f"{dataset}/{sanction['list_name']}"[:300]
    return dataset[:300]


# --- markings ---------------------------------------------------------------------------------


def _audience(record) -> tuple[int, frozenset[str] | None, bool]:
    """(level, organizations or None for all, published) of a marked record."""
    if record.releasability == RELEASABLE_TO_ALL:
        orgs = None
    elif record.releasability is None:
        orgs = frozenset({record.originator})
    else:
        orgs = frozenset(record.releasability.split(","))
    return int(level(record.classification)), orgs, bool(record.published)


def covers(a, b) -> bool:
    """Whether everyone who may read ``b`` may read ``a`` too (``a`` is no more restricted)."""
    level_a, orgs_a, published_a = _audience(a)
    level_b, orgs_b, published_b = _audience(b)
    if published_b and not published_a:
        return False
    if level_a > level_b:
        return False
    if orgs_a is None:
        return True
    return orgs_b is not None and orgs_b <= orgs_a


def _marking_of(record) -> dict:
    return {
        "classification": record.classification,
        "releasability": record.releasability,
        "originator": record.originator,
        "published": record.published,
    }


# --- resolving --------------------------------------------------------------------------------


def resolve(session: Session, viewer: Viewer, party_id: str) -> Party:
    """The live party an id or key names: a merged party's id and key redirect to the party it was
    merged into. NotFound alike for an absent party and one the viewer may not read (the merged
    party itself included: its redirect reveals nothing to a reader it was hidden from)."""
    query = select(Party).where(or_(Party.id == party_id, Party.key == party_id), read_filter(viewer, Party))
    party = session.scalars(query.limit(1)).first()
    seen = set()
    while party is not None and party.merged_into and len(seen) < MAX_CHAIN:
        seen.add(party.id)
        party = session.get(Party, party.merged_into)
        if party is not None and not can_read(viewer, party):
            party = None
    if party is None or party.merged_into:
        raise NotFound(f"no party {party_id!r}")
    return party


def live_id(session: Session, party_id: str) -> str:
    """The id of the live party ``party_id`` now is (itself unless merged); no access check."""
    current, seen = party_id, 0
    while seen < MAX_CHAIN:
        target = session.scalar(select(Party.merged_into).where(Party.id == current))
        if not target:
            return current
        current, seen = target, seen + 1
    return current


# --- merging ----------------------------------------------------------------------------------


def _party_columns() -> list[tuple]:
    """Every (table, column, primary key column) whose foreign key points at ``party.id``."""
    return _party_columns_of(len(Base.metadata.tables))


@functools.lru_cache(maxsize=4)
def _party_columns_of(_tables: int) -> list[tuple]:  # cached while no table is added to the metadata
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_MOVED or table.name == "party":
            continue
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "party" and fk.column.name == "id" for fk in column.foreign_keys):
                out.append((table, column, pk[0]))
    return out


def _columns_holding(session: Session, party_id: str) -> list[tuple]:
    """The party columns with a row referring to ``party_id``: one query for all of them."""
    columns = _party_columns()
    holding = set()
    for probe in _probes(len(Base.metadata.tables)):
        holding.update(session.scalars(probe, {"party": party_id}))
    return [columns[number] for number in sorted(holding)]


@functools.lru_cache(maxsize=4)
def _probes(_tables: int) -> list:
    """UNION ALL queries (100 terms at most, as SQLite allows 500) of the numbers of the party columns
    holding the bound ``party``; built once, so each merge only binds and runs them."""
    party = bindparam("party")
    terms = [
        select(literal(number).label("n")).select_from(table).where(column == party).limit(1).subquery().select()
        for number, (table, column, _pk) in enumerate(_party_columns())
    ]
    return [union_all(*terms[start : start + 100]) for start in range(0, len(terms), 100)]


def _entry_column(table):
    for column in table.columns:
        if any(fk.column.table.name == "list_entry" for fk in column.foreign_keys):
            return column
    return None


def _unique_alone(table, column) -> bool:
    if column.unique:
        return True
    return any(
        len(c.columns) == 1 and column.name in c.columns
        for c in table.constraints
        if c.__class__.__name__ == "UniqueConstraint"
    )


def _lock(session: Session, ids: Iterable[str]) -> dict[str, Party]:
    """The parties, their rows locked in id order (PostgreSQL; SQLite's writer holds the database)."""
    found = {}
    for party_id in sorted(set(ids)):
        query = select(Party).where(Party.id == party_id).execution_options(populate_existing=True)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        party = session.scalars(query).first()
        if party is None:
            raise NotFound(f"no party {party_id!r}")
        found[party_id] = party
    return found


def _watched_table():
    return Base.metadata.tables.get("screened_subject")


@dataclass
class MergePlan:
    kept: Party
    merged: Party
    swapped: bool  # the kept party is the second one named (the first was more restricted)


def plan_merge(first: Party, second: Party) -> MergePlan:
    """Which party is kept: the first, unless only the second may be read by every reader of the other."""
    if first.id == second.id:
        raise Refused("a party cannot be merged with itself")
    if family(first.schema) != family(second.schema):
        raise Refused(
            f"{first.id} is a {first.schema} and {second.id} a {second.schema}: only parties of one kind "
            "(people, organizations, vessels, aircraft) are merged"
        )
    if covers(first, second):
        return MergePlan(first, second, False)
    if covers(second, first):
        return MergePlan(second, first, True)
    marks = [f"{p.classification} {p.releasability or p.originator}" for p in (first, second)]
    raise Refused(
        f"{first.id} and {second.id} are marked for different readers ({marks[0]}; {marks[1]}): merging them "
        "would show one's records to readers of the other. Re-mark one of them first"
    )


def merge(
    session: Session,
    viewer: Viewer | None,
    first_id: str,
    second_id: str,
    *,
    reason: str,
    method: str = "analyst",
    key: str | None = None,
    score: float | None = None,
    actor: str | None = None,
) -> PartyMerge:
    """Merge two parties into one (the less restricted is kept; ``first_id`` when alike). ``viewer``
    None is the importer's deterministic merge (``actor`` names it); an analyst must read both parties."""
    reason = (reason or "").strip()
    if not reason:
        raise GoodpathError("a merge needs a reason (why these are one party)")
    if len(reason) > MAX_REASON:
        raise GoodpathError(f"the reason is longer than {MAX_REASON} characters")
    if viewer is not None:
        if not can(viewer, Permission.EDIT_REGISTRY):
            raise Refused("you do not have permission to edit the registry")
        first_id = _readable_live(session, viewer, first_id)
        second_id = _readable_live(session, viewer, second_id)
        actor = viewer.actor
    parties = _lock(session, [first_id, second_id])
    first, second = parties[first_id], parties.get(second_id, parties[first_id])
    for party in (first, second):
        if party.merged_into:  # merged meanwhile by someone else
            raise Refused(f"{party.id} was merged into {party.merged_into} meanwhile: merge that party instead")
    plan = plan_merge(first, second)
    if viewer is not None and not (can_read(viewer, first) and can_read(viewer, second)):
        raise NotFound(f"no party {second_id!r}")
    kept, merged = plan.kept, plan.merged
    _claim(session, kept.id, merged.id)
    _refuse_unique_conflicts(session, kept.id, merged.id)

    moved: dict[str, list] = {}
    for table, column, pk in _columns_holding(session, merged.id):
        where = column == merged.id
        if table.name == "ownership_link":  # a link between the two would become a party's link to itself
            other = table.c.child_id if column.name == "parent_id" else table.c.parent_id
            where = and_(where, other != kept.id)
        ids = list(session.execute(select(pk).where(where)).scalars())
        if not ids:
            continue
        moved[f"{table.name}.{column.name}"] = ids
        for chunk in _chunks(ids):
            session.execute(update(table).where(pk.in_(chunk)).values({column.name: kept.id}))

    before = {"countries": list(kept.countries or []), "birth_dates": list(kept.birth_dates or [])}
    before["watched"] = _move_watched_hits(session, kept.id, merged.id)
    if _marking_of(kept) == _marking_of(merged):
        kept.countries = sorted(set(kept.countries or []) | set(merged.countries or []))
        kept.birth_dates = sorted(set(kept.birth_dates or []) | set(merged.birth_dates or []))
    stamp = utcnow()
    kept.updated_at = stamp
    merged.merged_into = kept.id
    merged.updated_at = stamp
    marking = _marking_of(merged)
    # The record (and its audit entry) say which rows moved: marked at least as high as the highest of them.
    marking["classification"] = _highest_classification(session, moved, marking["classification"])
    record = PartyMerge(
        kept_id=kept.id, merged_id=merged.id, method=method, key=key, score=score, reason=reason,
        merged_by=actor or "system", merged_at=stamp, moved=moved, before=before, **marking,
    )  # fmt: skip
    session.add(record)
    session.flush()
    entry = audit.record(
        session,
        actor=actor or "system",
        action="registry.merge",
        target_type="party",
        target_id=kept.id,
        after={"merge": record.id, "kept": kept.id, "merged": merged.id, "method": method, "key": key,
               "score": score, "moved": {k: len(v) for k, v in moved.items()}},
        reason=reason,
        classification=record.classification,
        releasability=merged.releasability or merged.originator,
    )  # fmt: skip
    record.audit_seq = entry.seq
    session.flush()
    session.expire_all()  # rows were moved by bulk UPDATEs: nothing the session holds may be stale
    return record


def _highest_classification(session: Session, moved: dict[str, list], floor: str) -> str:
    highest = level(floor)
    columns = {f"{t.name}.{c.name}": (t, pk) for t, c, pk in _party_columns()}
    for name, ids in moved.items():
        table, pk = columns[name]
        if "classification" not in table.c:
            continue
        for chunk in _chunks(ids):
            for value in session.scalars(select(table.c.classification).where(pk.in_(chunk)).distinct()):
                highest = max(highest, level(value))
    return highest.name


def _claim(session: Session, kept_id: str, merged_id: str) -> None:
    """Mark the merge on both parties first, each only while it is merged into nothing: a second merge
    that read either party before this one committed changes nothing and is refused (on SQLite, whose
    reads take no lock, this conditional write is what sees the other merge)."""
    stamp = utcnow()
    for party_id, values in ((merged_id, {"merged_into": kept_id}), (kept_id, {})):
        done = session.execute(
            update(Party)
            .where(Party.id == party_id, Party.merged_into.is_(None))
            .values(updated_at=stamp, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise Refused(f"{party_id} was merged into another party meanwhile: nothing was changed; try again")


def _readable_live(session: Session, viewer: Viewer, party_id: str) -> str:
    """The id of the party the viewer names (by id or key); a merged party's id is refused."""
    query = select(Party).where(or_(Party.id == party_id, Party.key == party_id), read_filter(viewer, Party))
    party = session.scalars(query.limit(1)).first()
    if party is None:
        raise NotFound(f"no party {party_id!r}")
    if party.merged_into:
        current = resolve(session, viewer, party.id)
        raise Refused(f"{party_id} was merged into {current.id}: merge that party instead")
    return party.id


def _refuse_unique_conflicts(session: Session, kept_id: str, merged_id: str) -> None:
    """A record a party may hold only once (its pathway state, its dossier) held by both: refused."""
    for table, column, _pk in _party_columns():
        if not _unique_alone(table, column):
            continue
        both = session.execute(select(column).where(column.in_([kept_id, merged_id]))).scalars().all()
        if len(set(both)) == 2:
            raise Refused(
                f"both parties have a {table.name.replace('_', ' ')} record, which a party has only once: "
                "close or remove one of them before merging"
            )


def _move_watched_hits(session: Session, kept_id: str, merged_id: str) -> dict:
    """Watched subjects' last hits on the merged party become hits on the kept party, so that the next
    re-screening raises no "cleared" and "new" alert for what is the same party. Returns what it changed."""
    table = _watched_table()
    if table is None:
        return {}
    changed = {}
    holding = cast(table.c.last_hits, String).contains(merged_id, autoescape=True)
    for subject_id, hits in session.execute(select(table.c.id, table.c.last_hits).where(holding)).all():
        if not hits or merged_id not in hits:
            continue
        changed[str(subject_id)] = hits
        new = {k: v for k, v in hits.items() if k != merged_id}
        new.setdefault(kept_id, hits[merged_id])
        session.execute(update(table).where(table.c.id == subject_id).values(last_hits=new))
    return changed


def undo(
    session: Session, viewer: Viewer | None, merge_id: int, *, reason: str, actor: str | None = None
) -> PartyMerge:
    """Undo a merge: the rows it moved go back to the merged party (those still with the kept party,
    or with a party it was merged into later), with what was derived meanwhile from the list entries
    moving back; the merged party lives again. Records after the merge stay with the kept party."""
    reason = (reason or "").strip()
    if not reason:
        raise GoodpathError("an undo needs a reason")
    if len(reason) > MAX_REASON:
        raise GoodpathError(f"the reason is longer than {MAX_REASON} characters")
    if viewer is not None:
        if not can(viewer, Permission.EDIT_REGISTRY):
            raise Refused("you do not have permission to edit the registry")
        actor = viewer.actor
    record = session.get(PartyMerge, merge_id, populate_existing=True)
    if record is None or (viewer is not None and not can_read(viewer, record)):
        raise NotFound(f"no merge {merge_id!r}")
    parties = _lock(session, [record.kept_id, record.merged_id])
    session.refresh(record)
    if record.undone_at is not None:
        raise Refused(f"merge {merge_id} was undone already ({record.undone_by})")
    kept, merged = parties[record.kept_id], parties[record.merged_id]
    holders = _chain_from(session, kept.id)  # the kept party and any it was merged into since
    columns = {f"{t.name}.{c.name}": (t, c, pk) for t, c, pk in _party_columns()}
    entries_back: list[str] = []
    for name, ids in (record.moved or {}).items():
        if name not in columns:
            continue
        table, column, pk = columns[name]
        for chunk in _chunks(ids):
            session.execute(update(table).where(pk.in_(chunk), column.in_(holders)).values({column.name: merged.id}))
        if table.name == "list_entry":
            entries_back.extend(ids)
    # Rows derived from those entries since the merge (a list import re-derives names, sanctions ...).
    if entries_back:
        for table, column, _pk in columns.values():
            entry_column = _entry_column(table)
            if entry_column is None or table.name == "list_entry":
                continue
            if table.name == "ownership_link" and column.name == "parent_id":
                continue  # the entry states the link on its child
            for chunk in _chunks(entries_back):
                session.execute(
                    update(table).where(entry_column.in_(chunk), column.in_(holders)).values({column.name: merged.id})
                )
    _restore_watched_hits(session, record.before.get("watched") or {})
    if _marking_of(kept) == _marking_of(merged) and "countries" in (record.before or {}):
        kept.countries = record.before["countries"]
        kept.birth_dates = record.before["birth_dates"]
    merged.merged_into = None
    stamp = utcnow()
    merged.updated_at = kept.updated_at = stamp
    record.undone_at, record.undone_by, record.undo_reason = stamp, actor or "system", reason
    # The pair is now known to be two parties: no import merges them again by a shared key.
    _decide_distinct(session, kept.id, merged.id, reason=f"merge {record.id} undone: {reason}", actor=actor,
                     marking=_marking_of(record), score=record.score)  # fmt: skip
    audit.record(
        session,
        actor=actor or "system",
        action="registry.merge_undo",
        target_type="party",
        target_id=merged.id,
        after={"merge": record.id, "kept": kept.id, "merged": merged.id},
        reason=reason,
        classification=record.classification,
        releasability=record.releasability or record.originator,
    )
    session.flush()
    session.expire_all()  # rows were moved by bulk UPDATEs: nothing the session holds may be stale
    return record


def _chain_from(session: Session, party_id: str) -> list[str]:
    chain, current = [party_id], party_id
    while len(chain) < MAX_CHAIN:
        target = session.scalar(select(Party.merged_into).where(Party.id == current))
        if not target:
            break
        chain.append(target)
        current = target
    return chain


def _restore_watched_hits(session: Session, saved: dict) -> None:
    table = _watched_table()
    if table is None or not saved:
        return
    for subject_id, hits in saved.items():
        session.execute(update(table).where(table.c.id == int(subject_id)).values(last_hits=hits))


# --- analysts' decisions ----------------------------------------------------------------------


def _decide_distinct(session: Session, a: str, b: str, *, reason: str, actor: str | None, marking: dict,
                     score: float | None = None) -> IdentityDecision:  # fmt: skip
    low, high = sorted((a, b))
    decision = IdentityDecision(
        party_a=low, party_b=high, decision="distinct", reason=reason[:MAX_REASON], score=score,
        decided_by=actor or "system", decided_at=utcnow(), **marking,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    return decision


def reject(session: Session, viewer: Viewer, first_id: str, second_id: str, *, reason: str,
           score: float | None = None) -> IdentityDecision:  # fmt: skip
    """An analyst's decision that two parties are not one: the candidate is not shown again."""
    if not can(viewer, Permission.EDIT_REGISTRY):
        raise Refused("you do not have permission to edit the registry")
    reason = (reason or "").strip()
    if not reason:
        raise GoodpathError("a decision needs a reason (why these are two parties)")
    if len(reason) > MAX_REASON:
        raise GoodpathError(f"the reason is longer than {MAX_REASON} characters")
    first = session.get(Party, _readable_live(session, viewer, first_id))
    second = session.get(Party, _readable_live(session, viewer, second_id))
    if first.id == second.id:
        raise Refused("a party is not distinct from itself")
    # Readable by whoever may read both parties: the more restricted marking.
    marking = _marking_of(first if covers(second, first) else second)
    decision = _decide_distinct(session, first.id, second.id, reason=reason, actor=viewer.actor, marking=marking,
                                score=score)  # fmt: skip
    entry = audit.record(
        session, actor=viewer.actor, action="registry.identity_distinct", target_type="party", target_id=first.id,
        after={"decision": decision.id, "parties": [decision.party_a, decision.party_b], "score": score},
        reason=reason, classification=marking["classification"],
        releasability=marking["releasability"] or marking["originator"],
    )  # fmt: skip
    decision.audit_seq = entry.seq
    session.flush()
    return decision


def distinct_pairs(session: Session, viewer: Viewer | None = None) -> set[tuple[str, str]]:
    query = select(IdentityDecision.party_a, IdentityDecision.party_b).where(IdentityDecision.decision == "distinct")
    if viewer is not None:
        query = query.where(read_filter(viewer, IdentityDecision))
    return {(a, b) for a, b in session.execute(query)}


# --- deterministic merging at import ----------------------------------------------------------


def store_keys(session: Session, dataset: str, entries: list[tuple[str, dict]], *, aggregate: bool) -> int:
    """(Re)write the keys of these list entries ((entry id, parsed dict) pairs). Returns rows written."""
    ids = [entry_id for entry_id, _ in entries]
    for chunk in _chunks(ids):
        session.execute(delete(EntryKey).where(EntryKey.entry_id.in_(chunk)))
    rows = []
    for entry_id, data in entries:
        scope = entry_scope(dataset, data, aggregate)
        rows.extend(
            {"entry_id": entry_id, "key": key, "scope": scope, **PUBLIC_MARKING, "originator": "LIST"}
            for key in sorted(entity_keys(dataset, data))
        )
    for start in range(0, len(rows), 5000):
        session.execute(EntryKey.__table__.insert(), rows[start : start + 5000])
    return len(rows)


@dataclass
class KeyGroup:
    key: str
    parties: list[str]  # distinct live parties holding the key, oldest first
    ambiguous: bool  # two entries of one list hold it


def key_groups(session: Session, keys: Iterable[str] | None = None) -> list[KeyGroup]:
    """Keys held by more than one party (``keys``: only those), each with whether it is ambiguous."""
    query = (
        select(EntryKey.key, EntryKey.scope, EntryKey.entry_id, ListEntry.party_id, Party.created_at)
        .join(ListEntry, ListEntry.id == EntryKey.entry_id)
        .join(Party, Party.id == ListEntry.party_id)
    )
    rows = []
    if keys is None:
        rows = session.execute(query).all()
    else:
        for chunk in _chunks(sorted(set(keys))):
            rows.extend(session.execute(query.where(EntryKey.key.in_(chunk))).all())
    by_key: dict[str, list] = defaultdict(list)
    for row in rows:
        by_key[row[0]].append(row)
    out = []
    for key, held in by_key.items():
        parties = {}
        for _k, _scope, _entry, party_id, created in held:
            parties.setdefault(party_id, created)
        if len(parties) < 2:
            continue
        per_scope: dict[str, set[str]] = defaultdict(set)
        for _k, scope, _entry, party_id, _created in held:
            per_scope[scope].add(party_id)
        ambiguous = any(len(p) > 1 for p in per_scope.values())
        ordered = sorted(parties, key=lambda p: (str(parties[p]), p))
        out.append(KeyGroup(key, ordered, ambiguous))
    return sorted(out, key=lambda g: g.key)


def reconcile(session: Session, keys: Iterable[str], *, actor: str) -> list[PartyMerge]:
    """Merge the parties that share an unambiguous deterministic key among ``keys`` (at import),
    except pairs an analyst decided are distinct. The oldest party of a group is kept."""
    distinct = distinct_pairs(session)
    merges = []
    for group in key_groups(session, keys):
        if group.ambiguous:
            continue
        kept = live_id(session, group.parties[0])
        for other in group.parties[1:]:
            other = live_id(session, other)
            if other == kept or tuple(sorted((kept, other))) in distinct:
                continue
            first, second = session.get(Party, kept), session.get(Party, other)
            try:
                plan_merge(first, second)
            except Refused:
                continue  # of different kinds or markings: left to an analyst
            record = merge(session, None, kept, other, reason=f"shared deterministic key {group.key}",
                           method="key", key=group.key, actor=actor)  # fmt: skip
            kept = record.kept_id
            merges.append(record)
    return merges


def shared_keys(session: Session) -> list[KeyGroup]:
    """Unambiguous keys still held by two live parties not decided distinct: the target is none."""
    distinct = distinct_pairs(session)
    out = []
    for group in key_groups(session):
        if group.ambiguous:
            continue
        pairs = [(a, b) for i, a in enumerate(group.parties) for b in group.parties[i + 1 :]]
        if any(tuple(sorted(p)) not in distinct for p in pairs):
            out.append(group)
    return out


# --- reading ----------------------------------------------------------------------------------


def list_merges(session: Session, viewer: Viewer, *, include_undone: bool = True, limit: int = 100,
                offset: int = 0, party_id: str | None = None) -> tuple[int, list[PartyMerge]]:  # fmt: skip
    query = select(PartyMerge).where(read_filter(viewer, PartyMerge))
    if not include_undone:
        query = query.where(PartyMerge.undone_at.is_(None))
    if party_id:
        query = query.where(or_(PartyMerge.kept_id == party_id, PartyMerge.merged_id == party_id))
    rows = list(session.scalars(query.order_by(PartyMerge.id.desc())))
    return len(rows), rows[offset : offset + limit]


def get_merge(session: Session, viewer: Viewer, merge_id: int) -> PartyMerge:
    record = session.get(PartyMerge, merge_id)
    if record is None or not can_read(viewer, record):
        raise NotFound(f"no merge {merge_id!r}")
    return record


def merge_dict(record: PartyMerge, captions: dict[str, str] | None = None) -> dict:
    captions = captions or {}
    return {
        "id": record.id,
        "kept": record.kept_id,
        "kept_caption": captions.get(record.kept_id),
        "merged": record.merged_id,
        "merged_caption": captions.get(record.merged_id),
        "method": record.method,
        "key": record.key,
        "score": record.score,
        "reason": record.reason,
        "merged_by": record.merged_by,
        "merged_at": record.merged_at.isoformat() if record.merged_at else None,
        # which tables' rows moved, not how many: a count could tell of a row the reader may not see
        "moved": sorted({name.split(".")[0] for name in (record.moved or {})}),
        "undone_at": record.undone_at.isoformat() if record.undone_at else None,
        "undone_by": record.undone_by,
        "undo_reason": record.undo_reason,
        "classification": record.classification,
    }


def captions_for(session: Session, viewer: Viewer, ids: Iterable[str]) -> dict[str, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = session.execute(select(Party.id, Party.caption).where(Party.id.in_(ids), read_filter(viewer, Party)))
    return dict(rows.all())


def merged_ids_of(session: Session, viewer: Viewer, party_id: str) -> list[str]:
    """The ids of parties merged into this one (they redirect here), as the viewer may read them."""
    query = select(Party.id).where(Party.merged_into == party_id, read_filter(viewer, Party)).order_by(Party.id)
    return list(session.scalars(query))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]
