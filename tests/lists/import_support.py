"""For tests that import lists over the API: POST /lists/imports starts a job; wait for its end."""

from __future__ import annotations

import time


def wait_for_import(client, started, timeout: float = 60) -> dict:
    """The job of an accepted upload (202) once it has ended: done, failed, refused or interrupted."""
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(started.json()["links"]["self"]).json()
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
