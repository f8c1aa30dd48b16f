"""The "Illustrative scenario" label: whether a party shown on a page is an illustrative (fictional)
party (registry/datasets.py), for the templates' ``illustrative(party)`` and the macro
``illustrative_badge`` of ``_illustrative.html``. Read once per request session."""

from __future__ import annotations

from jinja2 import pass_context

from goodpath.registry.datasets import illustrative_party_ids

_KEY = "goodpath.illustrative_parties"


def ids_of(session) -> frozenset[str]:
    """The ids and keys of the illustrative parties, once per session."""
    if session is None:
        return frozenset()
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = frozenset(illustrative_party_ids(session))
    return found


def _party_ref(party) -> tuple:
    """A party's id or key; a record's (or row's) ``party_id``; else its ``id`` and ``key`` (a party)."""
    if party is None or isinstance(party, str):
        return (party,)
    get = party.get if isinstance(party, dict) else lambda name: getattr(party, name, None)
    owner = get("party_id")
    return (owner,) if owner else (get("id"), get("key"))


@pass_context
def illustrative(context, party) -> bool:
    """Whether ``party`` (an id or key, a party, or a record or row with its ``party_id``) is illustrative."""
    ids = ids_of(context.get("page_session"))
    return bool(ids) and any(isinstance(ref, str) and ref in ids for ref in _party_ref(party))
