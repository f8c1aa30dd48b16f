"""The lists as they stood at a past moment, for re-running a screening "as of" then.

"Was this party listed when we approved that shipment?" is answered against the list
versions goodpath had imported by that moment. Each version's stored change-set says
which entries were added, removed or relisted and which names changed, so the entries
and names of an old version are rebuilt from today's rows by undoing later changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodpath.lists.models import ListVersion
from goodpath.registry.models import ListEntry
from goodpath.screening.index import IndexedName


@dataclass(frozen=True)
class PastName:
    name: IndexedName
    entry: ListEntry  # for its marking


def versions_as_of(session: Session, when: datetime) -> dict[str, int]:
    """Per dataset, the latest version imported at or before ``when``."""
    rows = session.execute(
        select(ListVersion.dataset, func.max(ListVersion.version))
        .where(ListVersion.imported_at <= when)
        .group_by(ListVersion.dataset)
    )
    return dict(sorted(rows.all()))


def names_as_of(session: Session, versions: dict[str, int]) -> Iterator[PastName]:
    """Every name of every entry listed in the given version of each dataset."""
    for dataset, version in versions.items():
        changesets = session.execute(
            select(ListVersion.version, ListVersion.changeset)
            .where(ListVersion.dataset == dataset)
            .order_by(ListVersion.version)
        ).all()
        listed = _listed_at(changesets, version)
        later_name_changes = _name_changes_after(changesets, version)
        entries = session.scalars(
            select(ListEntry).where(ListEntry.dataset == dataset, ListEntry.first_version <= version)
        )
        for entry in entries:
            if listed.get(entry.external_id, True) is False:
                continue
            for value, kind in _names_then(entry.data.get("names", []), later_name_changes.get(entry.external_id, [])):
                yield PastName(
                    IndexedName(entry.party_id, entry.id, dataset, value, kind, entry.schema, entry.caption,
                                tuple(entry.data.get("countries") or ())),
                    entry,
                )  # fmt: skip


def _listed_at(changesets: list, version: int) -> dict[str, bool]:
    """Entries whose listing changed up to ``version``: True when listed at it, False when removed."""
    state: dict[str, bool] = {}
    for number, changes in changesets:
        if number > version:
            break
        for change in changes or ():
            if change["change"] in ("added", "relisted"):
                state[change["external_id"]] = True
            elif change["change"] == "removed":
                state[change["external_id"]] = False
    return state


def _name_changes_after(changesets: list, version: int) -> dict[str, list[dict]]:
    """Per entry, the name changes of later versions, newest first (the order to undo them)."""
    out: dict[str, list[dict]] = {}
    for number, changes in reversed(changesets):
        if number <= version:
            break
        for change in changes or ():
            names = (change.get("fields") or {}).get("names")
            if change["change"] == "changed" and names:
                out.setdefault(change["external_id"], []).append(names)
    return out


def _names_then(current: list[dict], undo: list[dict]) -> list[tuple[str, str]]:
    """Today's names with later additions taken out and later removals put back."""
    names = {item["value"]: item.get("kind", "primary") for item in current}
    for change in undo:
        for value in change.get("added", ()):
            names.pop(value, None)
        for value in change.get("removed", ()):
            names.setdefault(value, "alias")  # the change-set keeps the value, not its kind
    return list(names.items())
