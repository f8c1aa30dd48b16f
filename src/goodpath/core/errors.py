"""Errors every layer understands. API and CLI turn them into clear messages."""


class GoodpathError(Exception):
    """Base class: the message is meant for the user."""


class NotFound(GoodpathError):
    pass


class Refused(GoodpathError):
    """The request is understood but would break a rule; nothing was changed."""


class MalformedInput(GoodpathError, ValueError):
    """An input file is malformed or cut short (a list file, a cable copy): nothing was stored."""


class StaleRecord(Refused):
    """The record changed since the form or request that edits it was drawn (its version moved on):
    nothing was changed. Carries who changed it, when, and what, to show the second editor."""

    def __init__(
        self,
        message: str,
        *,
        record_type: str = "",
        record_id: object = None,
        expected: int | None = None,
        current: int | None = None,
        changed_by: str | None = None,
        changed_at: str | None = None,
        changes: list[dict] | None = None,
    ) -> None:
        super().__init__(message)
        self.record_type, self.record_id = record_type, record_id
        self.expected, self.current = expected, current
        self.changed_by, self.changed_at = changed_by, changed_at
        self.changes = changes or []
