"""Hand-made list records for tests that exercise rules apart from any file format."""

from __future__ import annotations

import hashlib
import json

from goodpath.lists.records import ParsedEntity, ParsedList, ParsedName, ParsedSanction, SourceFile


def entity(ext: str, name: str, *aliases: str, program: str = "NPWMD", link_key=None, links=()) -> ParsedEntity:
    return ParsedEntity(
        external_id=ext,
        schema="LegalEntity",
        names=[ParsedName(name), *(ParsedName(a, "alias") for a in aliases)],
        sanctions=[ParsedSanction(program=program, start_date="2006-06-13")],
        link_key=link_key,
        links=list(links),
    )


def parsed(entities: list[ParsedEntity], unknown=(), tag: str | None = None) -> ParsedList:
    # The "file hash" follows the content, as it would for a real file.
    content = tag or json.dumps([e.to_dict() for e in entities], sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()
    return ParsedList(
        format="ofac-csv",
        default_dataset="test-list",
        entities=entities,
        files=[SourceFile(path=f"/x/{digest[:8]}.csv", sha256=digest, size=len(content))],
        unknown_fields=list(unknown),
    )


def bearer_headers(session, username: str = "analyst1", role: str = "analyst", clearance: str = "SECRET",
                   organization: str = "USA", company: str | None = None) -> dict:  # fmt: skip
    """Create a user with an API token; the headers that authenticate as that user."""
    from goodpath.access import auth

    user = auth.create_user(
        session, username, f"password-of-{username}", role, clearance, organization,
        company_party_id=company, actor="test-setup",
    )  # fmt: skip
    _, token = auth.create_token(session, user, "tests", days=1)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _operator():
    from goodpath.access.policy import Role, Viewer
    from goodpath.core.models import Classification

    return Viewer(Role.ANALYST, Classification.SECRET, "USA", 0, "test-operator")


# A fully cleared analyst of the hosting organization, for service-level tests.
OPERATOR = _operator()


def run_followups(session) -> list[dict]:
    """Run the follow-ups the committed changes recorded (re-screening, breach scans: goodpath.consequences),
    as every CLI command and API request does after its commit; the session then reads their results."""
    from goodpath import consequences
    from goodpath.core import followup_runner

    outcomes = followup_runner.run_due(consequences.REACTIONS)
    session.expire_all()
    return outcomes
