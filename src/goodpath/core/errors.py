"""Errors every layer understands. API and CLI turn them into clear messages."""


class GoodpathError(Exception):
    """Base class: the message is meant for the user."""


class NotFound(GoodpathError):
    pass


class Refused(GoodpathError):
    """The request is understood but would break a rule; nothing was changed."""


class MalformedInput(GoodpathError, ValueError):
    """An input file is malformed or cut short (a list file, a cable copy): nothing was stored."""
