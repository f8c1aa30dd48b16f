"""Schemathesis over the whole OpenAPI spec, in process, as an analyst on a small seeded database.

Every operation gets a few generated requests, valid and invalid ones (Schemathesis' fuzzing phase,
derandomized: the same requests on every run; its coverage phase, ~50 requests per operation, would
take minutes: tests/security/test_input_bounds.py probes the bounds it would). The probe holds when
no answer is a server error and every answer's status code, media type and body are the ones the
spec declares. Logout and token revocation are left out (they would end the probe's own credential)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from goodpath.access import auth
from goodpath.api import app
from goodpath.core.db import get_engine, session_scope
from goodpath.core.settings import get_settings
from goodpath.pathway import evidence
from tests.browser.seed import ANALYST, seed

EXAMPLES = 10  # per operation: ~100 operations, ~1,000 requests, in about a minute on SQLite
CABLE = get_settings().shared_dir / "seeds" / "000_6a1cbc83fd7c25d4.txt"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
schema = schema.exclude(path="/auth/logout").exclude(path_regex=r"^/auth/tokens/\{token_id\}$", method="DELETE")


@pytest.fixture(scope="module")
def analyst_headers(tmp_path_factory) -> Iterator[dict]:
    """A small world (the demo's engagement parties and records, two cases, a pledge, a pathway
    proposal, a cable, an evidence document) and an analyst's bearer token."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'goodpath.db'}"
    patch = pytest.MonkeyPatch()
    hasher = auth.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # what is probed is not the hash
    patch.setattr(auth, "_hasher", hasher)
    patch.setattr(auth, "_DUMMY_HASH", hasher.hash("dummy"))
    seed(url)
    from goodpath.cables import ingest

    with session_scope(url) as session:
        ingest.ingest_paths(session, ANALYST, [CABLE])
        evidence.upload(session, ANALYST, party_id="norinco", kind="icp_manual", title="NORINCO ICP manual",
                        filename="icp.txt", content=b"Export control manual, edition 1.")  # fmt: skip
        user = auth.get_user(session, "analyst")
        _, token = auth.create_token(session, user, "fuzz", days=1)
    patch.setenv("GOODPATH_DATABASE_URL", url)
    patch.setenv("GOODPATH_VAR_DIR", str(tmp_path_factory.mktemp("fuzz-var")))
    try:
        yield {"Authorization": f"Bearer {token}"}
    finally:
        patch.undo()
        get_engine(url).dispose()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip
def test_api_answers_as_its_spec_says(case, analyst_headers):
    case.call_and_validate(headers=analyst_headers, checks=CHECKS)
