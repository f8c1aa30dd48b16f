"""Re-running a screening as of a past moment: the list versions imported by then."""

from __future__ import annotations

from datetime import timedelta

from goodpath.core.models import utcnow
from goodpath.lists import service as lists
from goodpath.screening import service
from tests.factories import OPERATOR, entity, parsed


def _import(session, *entities):
    lists.apply_parsed(session, parsed(list(entities)), dataset="history-test")
    session.commit()
    return utcnow()


def _captions(session, name, as_of=None):
    result = service.screen(session, OPERATOR, name, as_of=as_of)
    return [(hit["caption"], hit["matched_name"]) for hit in result["hits"]], result["receipt"]


def test_screening_as_of_a_past_moment_uses_the_versions_imported_by_then(session):
    before_any = utcnow() - timedelta(seconds=1)
    after_v1 = _import(
        session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA ROCKET WORKS", "ZETA OLD ALIAS")
    )
    # version 2: ALPHA removed, BETA's alias replaced
    after_v2 = _import(session, entity("2", "BETA ROCKET WORKS", "OMEGA NEW ALIAS"))
    # version 3: ALPHA listed again
    _import(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA ROCKET WORKS", "OMEGA NEW ALIAS"))

    hits, stamp = _captions(session, "Alpha Missile Trading", as_of=after_v1)
    assert hits == [("ALPHA MISSILE TRADING", "ALPHA MISSILE TRADING")]
    assert stamp["lists"] == {"history-test": 1} and stamp["as_of"] == after_v1.isoformat()
    assert _captions(session, "Alpha Missile Trading", as_of=after_v2)[0] == []  # delisted then
    assert _captions(session, "Alpha Missile Trading")[0] == [("ALPHA MISSILE TRADING", "ALPHA MISSILE TRADING")]

    assert _captions(session, "Zeta Old Alias", as_of=after_v1)[0] == [("BETA ROCKET WORKS", "ZETA OLD ALIAS")]
    assert _captions(session, "Omega New Alias", as_of=after_v1)[0] == []
    assert _captions(session, "Zeta Old Alias", as_of=after_v2)[0] == []
    assert _captions(session, "Omega New Alias", as_of=after_v2)[0] == [("BETA ROCKET WORKS", "OMEGA NEW ALIAS")]

    nothing, stamp = _captions(session, "Beta Rocket Works", as_of=before_any)
    assert nothing == [] and stamp["lists"] == {}


def test_as_of_now_agrees_with_the_current_screening(session):
    _import(session, entity("1", "ALPHA MISSILE TRADING", "ALPHA MT"), entity("2", "BETA ROCKET WORKS"))
    _import(session, entity("2", "BETA ROCKET WORKS", "BRW TRADING"), entity("3", "GAMMA OPTICS"))
    for name in ("Alpha Missile Trading", "Beta Rocket Works", "BRW Trading", "Gamma Optics"):
        now = service.screen(session, OPERATOR, name)
        then = service.screen(session, OPERATOR, name, as_of=utcnow())
        assert then["hits"] == now["hits"], name
        assert then["receipt"]["lists"] == now["receipt"]["lists"]


def test_api_and_cli_take_as_of(db, session):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from goodpath.api import app
    from goodpath.cli import app as cli
    from tests.factories import bearer_headers

    after_v1 = _import(session, entity("1", "ALPHA MISSILE TRADING"))
    _import(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA ROCKET WORKS"))
    client = TestClient(app, headers=bearer_headers(session))
    body = client.post("/screen", json={"name": "Beta Rocket Works", "as_of": after_v1.isoformat()}).json()
    assert body["hits"] == [] and body["receipt"]["lists"] == {"history-test": 1}
    body = client.post("/screen", json={"name": "Beta Rocket Works"}).json()
    assert [h["caption"] for h in body["hits"]] == ["BETA ROCKET WORKS"]
    bad = client.post("/screen", json={"name": "Alpha", "as_of": "last tuesday"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "as_of"
    out = CliRunner().invoke(cli, ["screen", "Beta Rocket Works", "--as-of", "2001-01-01"])
    assert out.exit_code == 0, out.output
    assert "none imported by then" in out.stdout
