"""Tests for the curated Chinese-name data and its loaders."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from goodpath.core.settings import get_settings
from goodpath.screening.glossary import (
    ABBREVIATIONS_FILE,
    Abbreviations,
    GlossaryError,
    load_abbreviations,
    load_abbreviations_from,
    load_chinese_names,
    load_chinese_names_from,
    load_glossary,
    load_glossary_from,
)

SHARED = get_settings().shared_dir / "data"
CSL = SHARED / "csl" / "consolidated.csv"
SDN = {f"us-sdn-{y}": SHARED / f"ofac_sdn_{y}" / "sdn.csv" for y in (2019, 2021, 2024)}
HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")

needs_data = pytest.mark.skipif(not CSL.exists(), reason="shared list data not available")


@cache
def _csl_rows() -> dict[str, dict[str, str]]:
    with CSL.open(encoding="utf-8", newline="") as fh:
        return {row["_id"]: row for row in csv.DictReader(fh)}


@cache
def _names(dataset: str) -> frozenset[str]:
    if dataset == "us-csl":  # a row's name and its alternate names, as written
        return frozenset(
            name.strip()
            for row in _csl_rows().values()
            for name in (row["name"], *(row.get("alt_names") or "").split(";"))
            if name.strip()
        )
    with SDN[dataset].open(encoding="cp1252", errors="replace", newline="") as fh:
        return frozenset(row[1] for row in csv.reader(fh) if len(row) > 1 and row[0].strip().isdigit())


# --------------------------------------------------------------------------- packaged files


def test_files_load() -> None:
    glossary = load_glossary()
    names = load_chinese_names()
    abbreviations = load_abbreviations()
    assert len(glossary) >= 25
    assert len(names) >= 15
    assert isinstance(abbreviations, Abbreviations)
    assert abbreviations.expansions["CORP"] == ["Corporation"]
    assert {"LTD", "GROUP", "COMPANY"} <= abbreviations.generic
    assert load_glossary() is glossary  # cached


def test_glossary_core_terms() -> None:
    glossary = load_glossary()
    assert "China" in glossary["中国"].en
    assert "Group" in glossary["集团"].en
    assert "Co., Ltd." in glossary["有限公司"].en
    assert glossary["有限公司"].kind == "legal_form"


def test_glossary_keys_are_han() -> None:
    for key, term in load_glossary().items():
        assert HAN.match(key), key
        assert term.source.strip()


def test_chinese_names_are_han_and_sourced() -> None:
    for entry in load_chinese_names():
        # Han, with the digits and Latin letters some registered names hold (第722研究所)
        assert re.search(r"[\u4e00-\u9fff]", entry.zh) and re.match(
            r"^[\u3400-\u4dbf\u4e00-\u9fff（）()0-9A-Za-z]+$", entry.zh
        ), entry.zh
        assert entry.source.strip()


@needs_data
def test_chinese_names_list_refs_exist_in_data() -> None:
    missing = [
        (entry.zh, ref.dataset, ref.name)
        for entry in load_chinese_names()
        for ref in entry.list_refs
        if ref.name not in _names(ref.dataset)
    ]
    assert not missing


@needs_data
def test_abbreviation_evidence_rows() -> None:
    for exp in load_abbreviations().expansions_list:
        if not exp.source.startswith("us-csl:"):
            continue
        row = _csl_rows()[exp.source.removeprefix("us-csl:")]
        text = f"{row['name']}; {row['alt_names']}"
        assert exp.evidence is not None, exp.abbr
        assert exp.evidence.short in text and exp.evidence.long in text, exp.abbr
        assert re.search(rf"(?<![A-Za-z]){re.escape(exp.abbr)}(?![A-Za-z])", exp.evidence.short, re.I), exp.abbr
        assert any(f.upper() in exp.evidence.long.upper() for f in exp.full), exp.abbr


def test_legal_forms_agree_with_rigour() -> None:
    org_types = pytest.importorskip("rigour.names.org_types")
    for group in load_abbreviations().legal_forms:
        for form in group.forms:
            compare = org_types.replace_org_types_compare(form.casefold(), generic=True)
            assert compare == group.rigour_generic, (group.kind, form, compare)


# --------------------------------------------------------------------------- broken copies


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _term(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"zh": "集团", "en": ["Group"], "kind": "organization", "source": "https://x"}
    base.update(over)
    return base


def test_glossary_missing_source_rejected(tmp_path: Path) -> None:
    bad = _term(zh="电子")
    del bad["source"]
    path = _write(tmp_path, "g.yaml", {"terms": [_term(), bad]})
    with pytest.raises(GlossaryError, match=r"g\.yaml.*entry #1 \(电子\).*source"):
        load_glossary_from(path)


def test_glossary_empty_source_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "g.yaml", {"terms": [_term(source="  ")]})
    with pytest.raises(GlossaryError, match=r"集团.*source"):
        load_glossary_from(path)


def test_glossary_unknown_key_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "g.yaml", {"terms": [_term(pinyin="jituan")]})
    with pytest.raises(GlossaryError, match=r"集团.*pinyin"):
        load_glossary_from(path)


def test_glossary_non_han_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "g.yaml", {"terms": [_term(zh="jituan")]})
    with pytest.raises(GlossaryError, match=r"jituan.*Han"):
        load_glossary_from(path)


def test_glossary_duplicate_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "g.yaml", {"terms": [_term(), _term(en=["Group Co"])]})
    with pytest.raises(GlossaryError, match=r"duplicate.*集团"):
        load_glossary_from(path)


def test_chinese_names_broken_rejected(tmp_path: Path) -> None:
    entry = {"zh": "华为技术有限公司", "en": "Huawei", "list_refs": [{"dataset": "us-csl", "name": "X"}]}
    path = _write(tmp_path, "n.yaml", {"names": [entry]})
    with pytest.raises(GlossaryError, match=r"n\.yaml.*华为技术有限公司.*source"):
        load_chinese_names_from(path)
    entry_bad_ds = dict(entry, source="https://x", list_refs=[{"dataset": "nowhere", "name": "X"}])
    path = _write(tmp_path, "n.yaml", {"names": [entry_bad_ds]})
    with pytest.raises(GlossaryError, match=r"华为技术有限公司.*dataset"):
        load_chinese_names_from(path)
    path = _write(tmp_path, "n.yaml", {"names": [dict(entry, source="https://x", zh="Huawei")]})
    with pytest.raises(GlossaryError, match=r"Huawei.*Han"):
        load_chinese_names_from(path)


def test_abbreviations_broken_rejected(tmp_path: Path) -> None:
    good = yaml.safe_load(ABBREVIATIONS_FILE.read_text(encoding="utf-8"))
    bad = dict(good, expansions=[{"abbr": "GRP", "full": ["Group"]}])
    with pytest.raises(GlossaryError, match=r"a\.yaml.*GRP.*source"):
        load_abbreviations_from(_write(tmp_path, "a.yaml", bad))
    bad = dict(good, expansions=[{"abbr": "GRP", "full": ["Group"], "source": "x", "colour": "red"}])
    with pytest.raises(GlossaryError, match=r"GRP.*colour"):
        load_abbreviations_from(_write(tmp_path, "a.yaml", bad))
    bad = dict(good, extra_section=[])
    with pytest.raises(GlossaryError, match=r"extra_section"):
        load_abbreviations_from(_write(tmp_path, "a.yaml", bad))
