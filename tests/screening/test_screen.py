"""Screening against imported lists: explained hits, policy, receipts, the peer tools' pitfalls."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from goodpath.access.policy import PUBLIC
from goodpath.cli import app
from goodpath.lists import service as lists
from goodpath.lists.records import ParsedName
from goodpath.screening import service
from tests.factories import OPERATOR, entity, parsed


def _load(session, *entities, dataset="screen-test"):
    lists.apply_parsed(session, parsed(list(entities)), dataset=dataset)
    session.commit()


def _parties(result) -> list[str]:
    return [hit["caption"] for hit in result["hits"]]


def test_exact_typo_word_order_and_case(session):
    _load(session, entity("1", "LIMMT ECONOMIC AND TRADE COMPANY, LTD."), entity("2", "BANCO NACIONAL DE CUBA"))
    for query in ("LIMMT Economic and Trade Company", "limmt economic & trade co ltd", "ECONOMIC LIMMT TRADE AND"):
        assert _parties(service.screen(session, OPERATOR, query)) == ["LIMMT ECONOMIC AND TRADE COMPANY, LTD."], query
    typo = service.screen(session, OPERATOR, "LIMMT ECONOMC AND TRADE")
    assert _parties(typo) == ["LIMMT ECONOMIC AND TRADE COMPANY, LTD."]
    assert 0.8 <= typo["hits"][0]["score"] < 1.0


def test_generic_words_and_numbers_never_match_on_their_own(session):
    _load(session, entity("24430", "11420 CORP."), entity("2", "HOLDING COMPANY LIMITED"))
    assert service.screen(session, OPERATOR, "BELLETECH CORP")["hits"] == []
    assert service.screen(session, OPERATOR, "Holding Company Ltd")["hits"] == []


def test_initials_match_only_themselves(session):
    _load(session, entity("1", "A. B. C."), entity("2", "ABC TRADING HOUSE"))
    assert _parties(service.screen(session, OPERATOR, "A B C")) == ["A. B. C."]
    assert service.screen(session, OPERATOR, "A B D")["hits"] == []


def test_weak_aliases_from_the_remarks_are_found_and_marked(session):
    listed = entity("306", "BANCO NACIONAL DE CUBA")
    listed.names.append(ParsedName("BNC", "weak_alias"))
    _load(session, listed)
    hit = service.screen(session, OPERATOR, "BNC")["hits"][0]
    assert (hit["matched_name"], hit["name_kind"]) == ("BNC", "weak_alias")
    assert hit["features"]["weak_alias"] < 0 and hit["score"] < 1.0


def test_chinese_script_meets_the_english_listed_name(session):
    _load(session, entity("30957", "CHINA NORTH INDUSTRIES CORPORATION"))
    for query in ("中国北方工业公司", "中國北方工業公司"):  # simplified and traditional
        assert _parties(service.screen(session, OPERATOR, query)) == ["CHINA NORTH INDUSTRIES CORPORATION"], query


def test_country_and_schema_move_the_score_and_are_explained(session):
    company = entity("1", "POLY TECHNOLOGIES")
    company.countries = ["cn"]
    _load(session, company)
    plain = service.screen(session, OPERATOR, "Poly Technologies", threshold=0)["hits"][0]
    same = service.screen(session, OPERATOR, "Poly Technologies", country="CN", threshold=0)["hits"][0]
    other = service.screen(session, OPERATOR, "Poly Technologies", country="FR", threshold=0)["hits"][0]
    person = service.screen(session, OPERATOR, "Poly Technologies", schema="Person", threshold=0)["hits"][0]
    assert same["features"]["country"] > 0 > other["features"]["country"]
    assert other["score"] < plain["score"]
    assert person["features"]["schema"] < 0 and person["score"] < plain["score"]


def test_delisted_entries_are_not_screened_and_receipts_name_the_versions(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"), entity("2", "BETA"))
    assert _parties(service.screen(session, OPERATOR, "Alpha Missile Trading"))
    first = service.screen(session, OPERATOR, "Alpha Missile Trading")["receipt"]
    _load(session, entity("2", "BETA"), entity("3", "GAMMA"))  # ALPHA delisted in version 2
    result = service.screen(session, OPERATOR, "Alpha Missile Trading")
    assert result["hits"] == []
    assert first["lists"] == {"screen-test": 1} and result["receipt"]["lists"] == {"screen-test": 2}


def test_hits_go_through_the_access_policy(session):
    _load(session, entity("1", "ALPHA MISSILE TRADING"))
    assert service.screen(session, PUBLIC, "Alpha Missile Trading")["hits"] == []  # list data is not published


def test_cli_screen_json(db, session):
    _load(session, entity("9749", "LIMMT ECONOMIC AND TRADE COMPANY, LTD."))
    result = CliRunner().invoke(app, ["screen", "limmt economic trade", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["hits"][0]["dataset"] == "screen-test" and "name_similarity" in body["hits"][0]["features"]


def test_api_screen_validates_and_answers(session):
    from fastapi.testclient import TestClient

    from goodpath.api import app
    from tests.factories import bearer_headers

    _load(session, entity("9749", "LIMMT ECONOMIC AND TRADE COMPANY, LTD."))
    client = TestClient(app, headers=bearer_headers(session))
    ok = client.post("/screen", json={"name": "Limmt Economic Trade", "country": "CN", "schema": "Company"})
    assert ok.status_code == 200 and ok.json()["hits"][0]["caption"].startswith("LIMMT")
    assert ok.json()["query"]["schema"] == "Company"
    bad = client.post("/screen", json={"name": "", "country": "China"})
    assert bad.status_code == 422 and {e["loc"][-1] for e in bad.json()["errors"]} == {"name", "country"}


FILLER = ["ALTAIR", "BOREAL", "CASPIAN", "DELTA", "EMBER", "FALCON", "GRANITE", "HALCYON", "IRIS", "JUNIPER",
          "KESTREL", "LUMEN", "MERIDIAN", "NOVA", "ORION", "PIVOT", "QUARTZ", "RAVEN", "SIERRA", "TUNDRA"]  # fmt: skip


def test_partial_names_and_contracted_company_words_in_any_order(session):
    _load(
        session,
        entity("1", "Guangzhou Haige Communication Group Co., Ltd."),
        entity("2", "GUANGZHOU SHIPYARD INTERNATIONAL COMPANY LIMITED"),
        entity("3", "Semiconductor Manufacturing International Corporation"),
        entity("4", "HAIGE PETROLEUM SERVICES"),
        # Token weights come from the lists: "communication" must be a common word there, as it is
        # in the real lists (about 100 names), for leaving it out to cost little.
        *(entity(f"c{n}", f"{word} COMMUNICATION") for n, word in enumerate(FILLER)),
    )
    for query in ("GUANGZHOU HAIGE COMM GRP", "HAIGE GUANGZHOU", "Haige Guangzhou Communications Grp Co Ltd"):
        assert _parties(service.screen(session, OPERATOR, query))[:1] == [
            "Guangzhou Haige Communication Group Co., Ltd."
        ], query
    assert _parties(service.screen(session, OPERATOR, "SEMICONDUCTOR MFG INTL CORP")) == [
        "Semiconductor Manufacturing International Corporation"
    ]
    assert _parties(service.screen(session, OPERATOR, "Haige Petroleum Srvcs")) == ["HAIGE PETROLEUM SERVICES"]
    # a distinctive word of the query missing from the name, or a common one alone: not a hit
    assert service.screen(session, OPERATOR, "GUANGZHOU TEXTILES")["hits"] == []
    assert service.screen(session, OPERATOR, "HAIGE")["hits"] == []


def test_curated_chinese_registered_names_find_brand_names(session):
    # Neither pinyin nor the glossary turns 海康威视 into "Hikvision": the curated registered name does.
    _load(session, entity("1", "Dahua Technology"), entity("2", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."))
    for query, expected in [
        ("浙江大华技术股份有限公司", "Dahua Technology"),
        ("浙江大華技術股份有限公司", "Dahua Technology"),  # traditional script
        ("Zhejiang Dahua Jishu Gufen Youxian Gongsi", "Dahua Technology"),  # its pinyin
        ("杭州海康威视数字技术股份有限公司", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."),
    ]:
        hit = service.screen(session, OPERATOR, query)["hits"][0]
        if query.isascii():  # pinyin meets the registered name indexed with the entry
            assert (hit["caption"], hit["name_kind"]) == (expected, "registered_name"), query
        else:  # Chinese script is rendered as the registered name's official English (issue 20)
            assert hit["caption"] == expected and hit["score"] == 1.0, query
            assert "(curated)" in hit["rendering"], query
