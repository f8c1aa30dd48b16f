"""Incremental list import: parse -> compare with the stored version -> apply one change-set.

The whole apply runs in the caller's transaction: a refused or failed import leaves the
database exactly as it was. One audit entry records the change-set of each import. The guards
(lists/guards.py) refuse a change-set delisting too much and a second import of a dataset at once;
files equal to an earlier version's are refused as a roll-back unless restored (``restore``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import JSON, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, read_filter
from goodpath.core import audit_log as audit
from goodpath.core import followups
from goodpath.core.db import json_dumps
from goodpath.core.errors import NotFound, Refused
from goodpath.core.models import PUBLIC_MARKING, utcnow
from goodpath.lists import formats, guards
from goodpath.lists.guards import RemovalsRefused, check_removals
from goodpath.lists.models import ListVersion
from goodpath.lists.records import ParsedEntity, ParsedList, dict_hash, source_hash
from goodpath.registry import authorities, identity
from goodpath.registry.models import (
    ListEntry,
    OwnershipLink,
    Party,
    PartyAddress,
    PartyIdentifier,
    PartyName,
    Sanction,
)
from goodpath.registry.names import name_script, normalize_name

__all__ = ["RemovalsRefused", "apply_parsed", "import_list"]  # RemovalsRefused: what a guard refusal raises
CHUNK = 500
LINK_RELATIONS = {
    "owned_by": "owned",
    "subsidiary_of": "subsidiary",
    "sub_unit_of": "sub_unit",
    "successor_of": "successor",
    "linked_to": "linked",
}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class ImportResult:
    dataset: str
    version: int
    entities: int
    added: int
    removed: int
    changed: int
    unchanged: int
    noop: bool = False
    notes: list[str] = field(default_factory=list)
    restored_from: int | None = None  # the earlier version whose files were imported again

    def to_dict(self) -> dict:
        data = {
            "dataset": self.dataset,
            "version": self.version,
            "entities": self.entities,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "unchanged": self.unchanged,
        }
        if self.restored_from is not None:
            data["restored_from"] = self.restored_from
        return data


def entry_id_for(dataset: str, external_id: str) -> str:
    return "e" + hashlib.sha1(f"{dataset}\x1f{external_id}".encode()).hexdigest()[:16]


def party_id_for(seed: str) -> str:
    return "p" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def latest_version(session: Session, dataset: str) -> ListVersion | None:
    query = select(ListVersion).where(ListVersion.dataset == dataset).order_by(ListVersion.version.desc())
    return session.scalars(query.limit(1)).first()


def import_list(
    session: Session,
    path: str | Path,
    *,
    fmt: str | None = None,
    dataset: str | None = None,
    actor: str = "system",
    accept_removals: bool = False,
    restore: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one list file or folder as the next version of its dataset."""
    fmt = formats.resolve(path, fmt)
    guess = dataset or formats.FORMATS[fmt].DEFAULT_DATASET
    latest = latest_version(session, guess)
    if latest is not None and latest.source_hash == source_hash(formats.source_files(path, fmt)):
        return ImportResult(guess, latest.version, latest.entities, 0, 0, 0, latest.entities, noop=True)
    parsed = formats.parse(path, fmt)
    base = (latest.version if latest else 0) if (dataset or parsed.default_dataset) == guess else None
    return apply_parsed(
        session, parsed, dataset=dataset, actor=actor, accept_removals=accept_removals, restore=restore,
        progress=progress, base_version=base,
    )  # fmt: skip


def apply_parsed(
    session: Session,
    parsed: ParsedList,
    *,
    dataset: str | None = None,
    actor: str = "system",
    accept_removals: bool = False,
    restore: bool = False,
    progress: Progress | None = None,
    base_version: int | None = None,
) -> ImportResult:
    """Apply a parsed list as the next version of its dataset, holding the dataset meanwhile.

    ``base_version`` is the version the caller compared with before parsing (``import_list``):
    when another import committed a later one since, this import is refused (try again)."""
    dataset = dataset or parsed.default_dataset
    guards.lock_dataset(session, dataset)
    latest = latest_version(session, dataset)
    if latest is not None and latest.source_hash == parsed.source_hash:
        return ImportResult(dataset, latest.version, latest.entities, 0, 0, 0, latest.entities, noop=True)
    if base_version is not None:
        guards.check_base(session, dataset, base_version, latest)
    restored_from = _restored_from(session, dataset, parsed, latest, restore)

    stored = _stored_entries(session, dataset)
    notes = list(parsed.notes)
    entities = _carry_over_unknown_fields(parsed, stored, notes)
    plan = _plan(dataset, entities, stored)
    check_removals(
        dataset, listed=sum(1 for e in stored.values() if e.status == "listed"),
        added=len(plan.added) + len(plan.relisted), changed=len(plan.changed), unchanged=plan.unchanged,
        removed=[(_ext(old), old.caption) for old in plan.removed], accept=accept_removals,
    )  # fmt: skip

    version = (latest.version if latest else 0) + 1
    guards.announce(session, dataset, version, actor)
    try:
        result = _write_version(
            session, parsed, dataset, version, plan, entities, notes, restored_from, progress, actor
        )
    except IntegrityError:  # SQLite: a competing import got in between (PostgreSQL's lock keeps it out)
        conflict = guards.committed_meanwhile(session, dataset, version - 1)
        if conflict is None:
            raise
        raise conflict from None
    # What follows (re-screening, the pathway's breach scan) is declared in goodpath.consequences.
    followups.record(session, "list_imported", {"dataset": dataset, "version": version}, actor=actor)
    return result


def _restored_from(session: Session, dataset: str, parsed: ParsedList, latest, restore: bool) -> int | None:
    """The earlier version whose files these are, when restoring them is asked; refused otherwise."""
    earlier = session.scalar(
        select(func.max(ListVersion.version)).where(
            ListVersion.dataset == dataset, ListVersion.source_hash == parsed.source_hash
        )
    )
    if earlier is None:
        if restore:
            raise Refused(f"{dataset}: these files match no earlier version: import them without --restore")
        return None
    if not restore:
        raise Refused(
            f"{dataset}: these files were already imported as version {earlier}, older than the current version "
            f"{latest.version}; importing them again would roll the list back. To make version {earlier}'s content "
            "current again, as a new version, import them with --restore (API: restore=true)"
        )
    return earlier


def _write_version(
    session: Session, parsed: ParsedList, dataset: str, version: int, plan: _Plan, entities: list[ParsedEntity],
    notes: list[str], restored_from: int | None, progress: Progress | None, actor: str,
) -> ImportResult:  # fmt: skip
    # An entry this version holds was listed by its publication day (else the import) at the latest: the
    # imposition date ("listed_by") of a sanction whose row gives none.
    listed_by = _to_date(parsed.published) or date.today()
    _apply(session, dataset, version, plan, progress, actor, listed_by)
    merged = _merge_by_keys(session, dataset, plan, aggregate=parsed.format == "csl-csv", actor=actor)
    if merged:
        notes.append(f"{merged} parties merged with parties of other lists by shared deterministic keys")
    changeset = plan.changeset()
    result = ImportResult(
        dataset,
        version,
        len(entities),
        len(plan.added) + len(plan.relisted),
        len(plan.removed),
        len(plan.changed),
        plan.unchanged,
        notes=notes,
        restored_from=restored_from,
    )
    files = ", ".join(Path(f.path).name for f in parsed.files)
    entry = audit.record(
        session,
        actor=actor,
        action="lists.import",
        target_type="list_version",
        target_id=f"{dataset}@{version}",
        after={**result.to_dict(), "source_hash": parsed.source_hash, "notes": notes, "changeset": changeset},
        reason=f"restore of version {restored_from}: import of {files}" if restored_from else f"import of {files}",
    )
    session.add(
        ListVersion(
            dataset=dataset,
            version=version,
            format=parsed.format,
            imported_at=utcnow(),
            imported_by=actor,
            source_hash=parsed.source_hash,
            files=[{"path": f.path, "sha256": f.sha256, "size": f.size} for f in parsed.files],
            list_published_at=parsed.published,
            entities=result.entities,
            added=result.added,
            removed=result.removed,
            changed=result.changed,
            unchanged=result.unchanged,
            unknown_fields=list(parsed.unknown_fields),
            notes=notes,
            changeset=changeset,
            audit_seq=entry.seq,
            restored_from=restored_from,
            **PUBLIC_MARKING,
            originator="LIST",
        )
    )
    session.flush()
    return result


# --- comparing -------------------------------------------------------------------------


@dataclass
class _Stored:
    id: str
    party_id: str
    status: str
    content_hash: str
    data: dict
    caption: str


def _stored_entries(session: Session, dataset: str) -> dict[str, _Stored]:
    rows = session.execute(
        select(
            ListEntry.external_id,
            ListEntry.id,
            ListEntry.party_id,
            ListEntry.status,
            ListEntry.content_hash,
            ListEntry.data,
            ListEntry.caption,
        ).where(ListEntry.dataset == dataset)
    )
    return {r[0]: _Stored(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}


def _carry_over_unknown_fields(parsed: ParsedList, stored: dict[str, _Stored], notes: list[str]) -> list[ParsedEntity]:
    """Where the files cannot tell a field (an SDN without add.csv / alt.csv), keep the
    previous version's values rather than reading the absence as removal."""
    unknown = set(parsed.unknown_fields)
    if not unknown or not stored:
        return parsed.entities
    kept = 0
    for entity in parsed.entities:
        previous = stored.get(entity.external_id)
        if previous is None:
            continue
        old = ParsedEntity.from_dict(previous.data)
        carried_any = False
        if "addresses" in unknown and old.addresses and not entity.addresses:
            entity.addresses = old.addresses
            carried_any = True
        if "aliases" in unknown:
            have = {(n.value, n.kind) for n in entity.names}
            # Weak a.k.a.s come from the remarks, which the file does hold: never carried.
            carried = [
                n for n in old.names if n.kind not in ("primary", "weak_alias") and (n.value, n.kind) not in have
            ]
            entity.names.extend(carried)
            carried_any = carried_any or bool(carried)
        kept += carried_any
    notes.append(
        f"fields unknown in this version: {', '.join(sorted(unknown))}; previous values kept for {kept} entries"
    )
    return parsed.entities


@dataclass
class _Plan:
    added: list[ParsedEntity] = field(default_factory=list)
    relisted: list[tuple[ParsedEntity, _Stored]] = field(default_factory=list)
    changed: list[tuple[ParsedEntity, _Stored]] = field(default_factory=list)
    removed: list[_Stored] = field(default_factory=list)
    unchanged: int = 0
    hashes: dict[str, str] = field(default_factory=dict)
    dicts: dict[str, dict] = field(default_factory=dict)  # each entity's to_dict(), computed once

    def changeset(self) -> list[dict]:
        out = [{"external_id": e.external_id, "caption": e.primary_name, "change": "added"} for e in self.added]
        for entity, _old in self.relisted:
            out.append({"external_id": entity.external_id, "caption": entity.primary_name, "change": "relisted"})
        for entity, old in self.changed:
            out.append(
                {
                    "external_id": entity.external_id,
                    "caption": entity.primary_name,
                    "change": "changed",
                    "fields": _field_changes(old.data, self.dicts[entity.external_id]),
                }
            )
        out.extend({"external_id": _ext(old), "caption": old.caption, "change": "removed"} for old in self.removed)
        return out


def _ext(stored: _Stored) -> str:
    return stored.data.get("external_id", "")


def _field_changes(old: dict, new: dict) -> dict:
    """Per changed field, what was added and removed (lists) or the old and new value."""
    changes = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, list) and isinstance(after, list):
            as_key = _item_key
            removed = [_item_label(i) for i in before if as_key(i) not in {as_key(j) for j in after}]
            added = [_item_label(i) for i in after if as_key(i) not in {as_key(j) for j in before}]
            changes[key] = {"added": added, "removed": removed}
        else:
            changes[key] = {"old": before, "new": after}
    return changes


def _item_key(item) -> str:
    return repr(sorted(item.items())) if isinstance(item, dict) else repr(item)


def _item_label(item) -> str:
    if isinstance(item, dict):
        for key in ("value", "full", "program", "target_name", "target_id"):
            if item.get(key):
                return str(item[key])
    return str(item)


def _plan(dataset: str, entities: list[ParsedEntity], stored: dict[str, _Stored]) -> _Plan:
    plan = _Plan()
    seen = set()
    for entity in entities:
        seen.add(entity.external_id)
        data = entity.to_dict()
        digest = dict_hash(data)
        plan.hashes[entity.external_id] = digest
        plan.dicts[entity.external_id] = data
        old = stored.get(entity.external_id)
        if old is None:
            plan.added.append(entity)
        elif old.status != "listed":
            plan.relisted.append((entity, old))
        elif old.content_hash != digest:
            plan.changed.append((entity, old))
        else:
            plan.unchanged += 1
    plan.removed = [old for ext, old in stored.items() if ext not in seen and old.status == "listed"]
    return plan


# --- applying --------------------------------------------------------------------------


def _listed_by_before(session: Session, entry_ids: list[str]) -> dict[tuple[str, str | None], date]:
    """The "listed by" dates the sanctions of these entries already carry (from their first version)."""
    out: dict[tuple[str, str | None], date] = {}
    for chunk in _chunks(entry_ids):
        rows = session.execute(
            select(Sanction.entry_id, Sanction.program, Sanction.imposed_on).where(
                Sanction.entry_id.in_(chunk), Sanction.imposed_precision == "listed_by"
            )
        )
        for entry_id, program, day in rows:
            if day is not None:
                key = (entry_id, program)
                out[key] = min(day, out.get(key, day))
    return out


def _apply(
    session: Session, dataset: str, version: int, plan: _Plan, progress: Progress | None, actor: str,
    listed_by: date | None = None,
) -> None:  # fmt: skip
    authorities.sync(session, actor)
    total = len(plan.added) + len(plan.relisted) + len(plan.changed) + len(plan.removed)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("applying", done, total)

    today = date.today()
    # Parties that other lists already hold under the same link key (e.g. ofac:9749).
    keys = {e.link_key for e in plan.added if e.link_key}
    party_by_key = _parties_by_link_key(session, keys)
    new_parties, new_entries, children = [], [], _Children(dataset, listed_by)
    for entity in plan.added:
        entry_id = entry_id_for(dataset, entity.external_id)
        party_id = party_by_key.get(entity.link_key) if entity.link_key else None
        if party_id is None:
            party_id = party_id_for(entity.link_key or f"{dataset}\x1f{entity.external_id}")
            new_parties.append(_party_row(party_id, entity))
            if entity.link_key:
                party_by_key[entity.link_key] = party_id
        new_entries.append(_entry_row(entry_id, dataset, version, party_id, entity, plan))
        children.add(party_id, entry_id, entity)
    _insert_many(session, Party, _unique_by_id(new_parties))
    _insert_many(session, ListEntry, new_entries)
    tick(len(plan.added))

    # Changed and relisted entries: replace what came from the entry, keep the party.
    replaced = plan.changed + plan.relisted
    # A changed entry keeps the day it was first listed by; a relisted one is listed anew by this version.
    children.earlier = _listed_by_before(session, [old.id for _, old in plan.changed])
    _delete_children(session, [old.id for _, old in replaced])
    updates = []
    for entity, old in replaced:
        ext = entity.external_id
        updates.append(
            {
                "id": old.id,
                "status": "listed",
                "schema": entity.schema,
                "caption": entity.primary_name[:500],
                "link_key": entity.link_key,
                "content_hash": plan.hashes[ext],
                "data": plan.dicts[ext],
                "last_changed_version": version,
                "delisted_version": None,
            }
        )
        children.add(old.party_id, old.id, entity)
    if updates:
        session.execute(update(ListEntry), updates)  # bulk UPDATE by primary key: one executemany
    tick(len(updates))
    children.insert(session)

    # Removed: the entry and its sanctions stay, marked delisted, with their history.
    removed_ids = [old.id for old in plan.removed]
    for chunk in _chunks(removed_ids):
        session.execute(
            update(ListEntry).where(ListEntry.id.in_(chunk)).values(status="delisted", delisted_version=version)
        )
        session.execute(
            update(Sanction).where(Sanction.entry_id.in_(chunk)).values(status="delisted", status_date=today)
        )
    tick(len(removed_ids))

    _insert_links(session, dataset, [*plan.added, *(e for e, _ in replaced)])


def _merge_by_keys(session: Session, dataset: str, plan: _Plan, *, aggregate: bool, actor: str) -> int:
    """Store the deterministic keys of the entries added or changed, and merge the parties of other
    lists sharing one (registry/identity.py): one party per real-world entity."""
    touched = [(entry_id_for(dataset, e.external_id), plan.dicts[e.external_id]) for e in plan.added]
    touched += [(old.id, plan.dicts[e.external_id]) for e, old in plan.changed + plan.relisted]
    if not touched:
        return 0
    identity.store_keys(session, dataset, touched, aggregate=aggregate)
    keys = set().union(*(identity.entity_keys(dataset, data) for _, data in touched))
    return len(identity.reconcile(session, keys, actor=actor))


def _parties_by_link_key(session: Session, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    # One pass over the keyed entries: far cheaper than thousands of IN (...) probes.
    rows = session.execute(select(ListEntry.link_key, ListEntry.party_id).where(ListEntry.link_key.is_not(None)))
    found: dict[str, str] = {}
    for key, party_id in rows:
        if key in keys:
            found.setdefault(key, party_id)
    return found


def _party_row(party_id: str, entity: ParsedEntity) -> dict:
    now = utcnow()
    return {
        "id": party_id,
        "schema": entity.schema,
        "caption": entity.primary_name[:500],
        "countries": sorted(set(entity.countries)),
        "birth_dates": list(entity.birth_dates),
        "created_at": now,
        "updated_at": now,
        **PUBLIC_MARKING,
        "originator": "LIST",
    }


def _entry_row(entry_id: str, dataset: str, version: int, party_id: str, entity: ParsedEntity, plan: _Plan) -> dict:
    return {
        "id": entry_id,
        "dataset": dataset,
        "external_id": entity.external_id,
        "party_id": party_id,
        "link_key": entity.link_key,
        "schema": entity.schema,
        "caption": entity.primary_name[:500],
        "status": "listed",
        "content_hash": plan.hashes[entity.external_id],
        "data": plan.dicts[entity.external_id],
        "first_version": version,
        "last_changed_version": version,
        **PUBLIC_MARKING,
        "originator": "LIST",
    }


class _Children:
    """Rows derived from list entities, gathered for one bulk insert per table."""

    def __init__(self, dataset: str, listed_by: date | None = None) -> None:
        self.dataset = dataset
        self.listed_by = listed_by or date.today()
        self.earlier: dict[tuple[str, str | None], date] = {}
        self.names: list[dict] = []
        self.addresses: list[dict] = []
        self.identifiers: list[dict] = []
        self.sanctions: list[dict] = []

    def add(self, party_id: str, entry_id: str, entity: ParsedEntity) -> None:
        base = {"party_id": party_id, "entry_id": entry_id, **PUBLIC_MARKING, "originator": "LIST"}
        seen = set()
        for name in entity.names:
            value = name.value.strip()[:500]
            if not value or (value, name.kind) in seen:
                continue
            seen.add((value, name.kind))
            self.names.append(
                {
                    **base,
                    "value": value,
                    "kind": name.kind,
                    "lang": name.lang,
                    "script": name_script(value),
                    "normalized": normalize_name(value)[:600],
                    "source": None,
                }
            )
        for a in entity.addresses:
            self.addresses.append(
                {
                    **base,
                    "full": a.full,
                    "street": a.street,
                    "city": (a.city or None) and a.city[:200],
                    "postal_code": (a.postal_code or None) and a.postal_code[:40],
                    "region": (a.region or None) and a.region[:200],
                    "country": a.country,
                    "remarks": a.remarks,
                }
            )
        for i in entity.identifiers:
            self.identifiers.append(
                {**base, "scheme": i.scheme[:120], "value": i.value[:300], "country": i.country, "note": i.note}
            )
        for s in entity.sanctions:
            authority = authorities.for_program(s.program, self.dataset)
            imposed_on, precision = _to_date(s.start_date), "exact"
            if imposed_on is None:  # the row gives no start date: listed by this version (or its first one)
                program = (s.program or None) and s.program[:120]
                imposed_on = min(self.listed_by, self.earlier.get((entry_id, program), self.listed_by))
                precision = "listed_by"
            earliest_end, natural_expiry = authorities.term_dates(authority, imposed_on)
            self.sanctions.append(
                {
                    **base,
                    "authority_code": authority,
                    "program": (s.program or None) and s.program[:120],
                    "list_name": (s.list_name or None) and s.list_name[:300],
                    "measures": authorities.default_measures(authority),
                    "imposed_on": imposed_on,
                    # An upper bound of the imposition dates no term: the end would be as uncertain.
                    "minimum_end": earliest_end if precision == "exact" else None,
                    "expires_on": _to_date(s.end_date) or (natural_expiry if precision == "exact" else None),
                    "citation": s.citation,
                    "source_url": s.source_url,
                    "status": "active",
                    "verified": True,
                    "notes": s.remarks,
                    "events": [],
                    "imposed_precision": precision,
                    "origin": "list",
                }
            )

    def insert(self, session: Session) -> None:
        _insert_many(session, PartyName, self.names)
        _insert_many(session, PartyAddress, self.addresses)
        _insert_many(session, PartyIdentifier, self.identifiers)
        _insert_many(session, Sanction, self.sanctions)


def _delete_children(session: Session, entry_ids: list[str]) -> None:
    for chunk in _chunks(entry_ids):
        for model in (PartyName, PartyAddress, PartyIdentifier, Sanction, OwnershipLink):
            session.execute(delete(model).where(model.entry_id.in_(chunk)))


def _insert_links(session: Session, dataset: str, entities: list[ParsedEntity]) -> None:
    """Links the list states between its own entities, resolved to registry parties."""
    wanted = [(e, link) for e in entities for link in e.links]
    if not wanted:
        return
    rows = session.execute(
        select(ListEntry.external_id, ListEntry.caption, ListEntry.party_id, ListEntry.id).where(
            ListEntry.dataset == dataset
        )
    ).all()
    by_ext = {r[0]: r for r in rows}
    by_name = {normalize_name(r[1]): r for r in rows}
    out = []
    for entity, link in wanted:
        source = by_ext.get(entity.external_id)
        target = by_ext.get(link.target_id) if link.target_id else None
        if target is None and link.target_name:
            target = by_name.get(normalize_name(link.target_name))
        if source is None or target is None or target[2] == source[2]:
            continue
        relation = LINK_RELATIONS.get(link.relation, "linked")
        # The list states the link on the child (the owned or linked entity).
        out.append(
            {
                "parent_id": target[2],
                "child_id": source[2],
                "relation": relation,
                "share": link.share,
                "valid_from": _to_date(link.start_date),
                "valid_to": _to_date(link.end_date),
                "entry_id": source[3],
                "source": f"{dataset} entry {entity.external_id}",
                **PUBLIC_MARKING,
                "originator": "LIST",
            }
        )
    _insert_many(session, OwnershipLink, out)


def _insert_many(session: Session, model, rows: list[dict]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_rows(session, model.__table__, rows)
        return
    # Core executemany on the table: no primary keys fetched back, one round trip per batch.
    for start in range(0, len(rows), 5000):
        session.execute(model.__table__.insert(), rows[start : start + 5000])


def _copy_rows(session: Session, table, rows: list[dict]) -> None:
    """PostgreSQL COPY: a full list in one stream instead of a statement per row."""
    columns = list(rows[0])
    as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
    raw = session.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json_dumps(row[c]) if c in as_json else row[c] for c in columns])


def _unique_by_id(rows: list[dict]) -> list[dict]:
    return list({row["id"]: row for row in rows}.values())


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _to_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def versions(session: Session, viewer: Viewer, dataset: str | None = None) -> list[ListVersion]:
    query = (
        select(ListVersion).where(read_filter(viewer, ListVersion)).order_by(ListVersion.dataset, ListVersion.version)
    )
    if dataset:
        query = query.where(ListVersion.dataset == dataset)
    return list(session.scalars(query))


def get_version(session: Session, viewer: Viewer, dataset: str, version: int) -> ListVersion:
    query = select(ListVersion).where(
        ListVersion.dataset == dataset, ListVersion.version == version, read_filter(viewer, ListVersion)
    )
    found = session.scalars(query).first()
    if found is None:
        raise NotFound(f"no version {version} of dataset {dataset!r}")
    return found


def dataset_status(session: Session, viewer: Viewer) -> list[dict]:
    """Per dataset: its latest version and how many entries are listed / delisted now."""
    counts = {
        (dataset, status): n
        for dataset, status, n in session.execute(
            select(ListEntry.dataset, ListEntry.status, func.count())
            .where(read_filter(viewer, ListEntry))
            .group_by(ListEntry.dataset, ListEntry.status)
        )
    }
    latest: dict[str, ListVersion] = {}
    for v in versions(session, viewer):
        latest[v.dataset] = v  # ordered by version: the last one wins
    return [
        {
            "dataset": dataset,
            "version": v.version,
            "format": v.format,
            "imported_at": v.imported_at.isoformat(),
            "entities": v.entities,
            "listed": counts.get((dataset, "listed"), 0),
            "delisted": counts.get((dataset, "delisted"), 0),
            "added": v.added,
            "removed": v.removed,
            "changed": v.changed,
            "unchanged": v.unchanged,
            "notes": v.notes,
        }
        for dataset, v in sorted(latest.items())
    ]


def version_to_dict(v: ListVersion, with_changes: bool = False) -> dict:
    data = {
        "dataset": v.dataset, "version": v.version, "format": v.format,
        "imported_at": v.imported_at.isoformat(), "imported_by": v.imported_by,
        "source_hash": v.source_hash, "files": v.files, "list_published_at": v.list_published_at,
        "entities": v.entities, "added": v.added, "removed": v.removed, "changed": v.changed,
        "unchanged": v.unchanged, "unknown_fields": v.unknown_fields, "notes": v.notes,
        "audit_seq": v.audit_seq, "restored_from": v.restored_from,
    }  # fmt: skip
    if with_changes:
        data["changeset"] = v.changeset
    return data
