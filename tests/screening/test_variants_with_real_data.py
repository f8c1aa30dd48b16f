"""Name variants with the project's real glossary and abbreviation data (not test literals)."""

from __future__ import annotations

import pytest

from goodpath.screening.glossary import load_abbreviations, load_glossary
from goodpath.screening.normalize import name_variants


@pytest.fixture(scope="module")
def data() -> dict:
    return {
        "glossary": {zh: term.en for zh, term in load_glossary().items()},
        "expansions": load_abbreviations().expansions,
    }


def test_norinco_chinese_name_renders_as_its_english_name(data):
    # 中国北方工业公司: China North Industries Corporation (07BEIJING5360 ¶3).
    assert "china north industries corporation" in name_variants("中国北方工业公司", **data)


def test_traditional_script_renders_like_simplified(data):
    simplified = name_variants("中国航天科工集团有限公司", **data)
    traditional = name_variants("中國航天科工集團有限公司", **data)
    assert simplified == traditional
    assert "china aerospace science and industry group co ltd" in traditional


def test_list_abbreviations_expand(data):
    assert "shenzhen dji technology company limited" in name_variants("SHENZHEN DJI TECH CO LTD", **data)
