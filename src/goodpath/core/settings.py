"""Where things live. Everything can be overridden by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class AccessSettings:
    """Login throttling and browser sessions; each field is read from GOODPATH_<FIELD NAME IN CAPITALS>.

    A failed login counts for its (account, client) pair, its client and its account during the window.
    The pair's delay starts after its free failures and doubles at every further one, up to the cap; so
    does a client's, across all accounts. An account's delay (many clients failing on it) is capped low
    and spares clients that logged into it before, so that nobody can keep its owner out for long."""

    login_window_minutes: int = 15
    login_free_failures: int = 2  # per (account, client): the 3rd failure starts the delay
    login_base_delay_seconds: int = 2  # the first delay, doubled at every further failure
    login_max_delay_seconds: int = 300
    login_client_free_failures: int = 10  # per client, across accounts
    login_account_free_failures: int = 10  # per account, across clients
    login_account_max_delay_seconds: int = 30
    login_known_client_days: int = 30  # a client that logged into an account this recently is known to it
    session_idle_minutes: int = 30  # a browser session unused this long is ended
    session_hours: int = 8  # ... and any after this long

    @classmethod
    def from_env(cls) -> AccessSettings:
        given = {f.name: os.environ.get(f"GOODPATH_{f.name.upper()}") for f in fields(cls)}
        return cls(**{name: int(value) for name, value in given.items() if value})


@dataclass(frozen=True)
class IntakeSettings:
    """What may come in: list-import guards and upload limits; each field is read from
    GOODPATH_<FIELD NAME IN CAPITALS> (sizes in MB, fractions allowed).

    A list import whose change-set delists more than the larger of ``removal_guard_min`` entries and
    ``removal_guard_share`` of the dataset's listed entries is refused unless removals are accepted."""

    removal_guard_min: int = 100
    removal_guard_share: float = 0.02
    upload_lists_mb: float = 200.0  # all the files of one list import
    upload_cables_mb: float = 20.0  # each cable file or zip archive (a request: at most 5 files' worth)
    upload_evidence_mb: float = 25.0  # one evidence document
    upload_batch_mb: float = 500.0  # one batch screening file (CSV or XLSX)

    @classmethod
    def from_env(cls) -> IntakeSettings:
        values = {}
        for f in fields(cls):
            given = os.environ.get(f"GOODPATH_{f.name.upper()}")
            if given:
                values[f.name] = float(given) if f.type == "float" else int(given)
        return cls(**values)

    def upload_limit(self, kind: str) -> int:
        """The upload limit of a route kind (lists, cables, evidence, batch), in bytes."""
        return int(getattr(self, f"upload_{kind}_mb") * 1024 * 1024)


@dataclass(frozen=True)
class FollowupSettings:
    """The outbox of follow-up work (core/followups.py); each field is read from GOODPATH_FOLLOWUP_<NAME>.

    A runner holds a claimed follow-up for ``lease_seconds`` (a runner that died is replaced after it);
    a failed one is tried again after ``backoff_seconds``, doubled at every attempt (at most 10 minutes),
    up to ``attempts`` times, then shows as failed. The server looks for due ones every ``poll_seconds``."""

    lease_seconds: float = 600
    backoff_seconds: float = 5
    attempts: int = 5
    poll_seconds: float = 5
    keep_days: int = 30  # done ones are deleted after this long

    @classmethod
    def from_env(cls) -> FollowupSettings:
        given = {f: os.environ.get(f"GOODPATH_FOLLOWUP_{f.name.upper()}") for f in fields(cls)}
        return cls(**{f.name: (int if f.type == "int" else float)(v) for f, v in given.items() if v})


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    shared_dir: Path
    # Batch screening jobs of the API: their uploads and results (GOODPATH_JOBS_DIR), and the
    # processes each job screens with (GOODPATH_BATCH_WORKERS; 2 = both cores of the server).
    jobs_dir: Path = REPO_ROOT / "var" / "jobs"
    batch_workers: int = 2
    access: AccessSettings = field(default_factory=AccessSettings)
    followups: FollowupSettings = field(default_factory=FollowupSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)


def get_settings() -> Settings:
    var_dir = Path(os.environ.get("GOODPATH_VAR_DIR", REPO_ROOT / "var"))
    default_db = f"sqlite:///{var_dir / 'goodpath.db'}"
    shared = os.environ.get("GOODPATH_SHARED_DIR")
    return Settings(
        database_url=os.environ.get("GOODPATH_DATABASE_URL", default_db),
        var_dir=var_dir,
        shared_dir=Path(shared) if shared else REPO_ROOT.parent / "shared",
        jobs_dir=Path(os.environ.get("GOODPATH_JOBS_DIR", var_dir / "jobs")),
        batch_workers=int(os.environ.get("GOODPATH_BATCH_WORKERS", "2")),
        access=AccessSettings.from_env(),
        followups=FollowupSettings.from_env(),
        intake=IntakeSettings.from_env(),
    )


def hosting_organization() -> str:
    """The organization the server's operator acts for (the CLI's local viewer, the system's own
    records): ``GOODPATH_ORGANIZATION``, USA by default."""
    return os.environ.get("GOODPATH_ORGANIZATION", "USA")


def operator_username() -> str:
    """The user account the command line acts as when no ``goodpath --as USER`` is given:
    ``GOODPATH_OPERATOR``, ``operator`` by default. ``goodpath db upgrade`` (so ``make run``) creates it:
    an analyst of the hosting organization cleared to SECRET, who cannot log in to the web until an
    admin sets a password; an admin may disable it, and then every command needs ``--as``."""
    return (os.environ.get("GOODPATH_OPERATOR") or "operator").strip().lower()
