"""Loaders for the curated Chinese-name data used by screening.

Three YAML files in ``goodpath/screening/data``:

* ``glossary.yaml`` - generic words of Chinese company names (中国 -> China ...);
* ``chinese_names.yaml`` - Chinese registered names of listed parties whose English names
  do not transliterate (华为技术有限公司 -> Huawei Technologies Co., Ltd.);
* ``abbreviations.yaml`` - English company-word abbreviations, generic words, legal forms;
* ``chinese_words.yaml`` - words of Chinese organization names as the lists render them
  (irregular places: 北京 Peking; institutions: 理工 Institute of Technology; brands);
* ``chinese_dictionary.tsv`` - an extract of CC-CEDICT (see SOURCES.md), read only to render
  Chinese-script names.

Every entry must cite a source.  Validation is strict (unknown keys rejected, Han script
checked, duplicates rejected); errors name the file and the entry.  ``load_*`` are cached;
``load_*_from(path)`` are the uncached variants.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DATA_DIR = Path(__file__).parent / "data"
GLOSSARY_FILE = DATA_DIR / "glossary.yaml"
CHINESE_NAMES_FILE = DATA_DIR / "chinese_names.yaml"
ABBREVIATIONS_FILE = DATA_DIR / "abbreviations.yaml"
CHINESE_WORDS_FILE = DATA_DIR / "chinese_words.yaml"
CHINESE_DICTIONARY_FILE = DATA_DIR / "chinese_dictionary.tsv"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_HAN_OR_PUNCT = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef（）()·]+$")

Dataset = Literal["us-csl", "us-sdn-2019", "us-sdn-2021", "us-sdn-2024"]


class GlossaryError(ValueError):
    """A data file is malformed; the message names the file and the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _han_only(value: str) -> str:
    if not _HAN_OR_PUNCT.match(value) or not _HAN.search(value):
        raise ValueError(f"zh must be written in Han characters, got {value!r}")
    return value


class GlossaryTerm(_Strict):
    zh: str
    en: list[str] = Field(min_length=1)
    kind: Literal["place", "industry", "organization", "legal_form", "generic"]
    source: str

    _zh = field_validator("zh")(_han_only)
    _source = field_validator("source")(_non_empty)

    @field_validator("en")
    @classmethod
    def _en(cls, value: list[str]) -> list[str]:
        if any(not v for v in value):
            raise ValueError("en entries must not be empty")
        return value


class ListRef(_Strict):
    dataset: Dataset
    name: str

    _name = field_validator("name")(_non_empty)


class ChineseName(_Strict):
    zh: str
    en: str
    list_refs: list[ListRef] = Field(min_length=1)
    source: str
    note: str | None = None
    short: list[str] = Field(default_factory=list)  # short names and brands in Chinese (北方工业)

    _zh = field_validator("zh")(_han_only)

    @field_validator("short")
    @classmethod
    def _short(cls, value: list[str]) -> list[str]:
        return [_han_only(v) for v in value]

    _en = field_validator("en")(_non_empty)
    _source = field_validator("source")(_non_empty)


class Evidence(_Strict):
    short: str
    long: str


class Expansion(_Strict):
    abbr: str
    full: list[str] = Field(min_length=1)
    source: str
    evidence: Evidence | None = None

    _abbr = field_validator("abbr")(_non_empty)
    _source = field_validator("source")(_non_empty)


class GenericWords(_Strict):
    words: list[str] = Field(min_length=1)
    source: str

    _source = field_validator("source")(_non_empty)


class LegalFormGroup(_Strict):
    kind: str
    rigour_generic: str
    forms: list[str] = Field(min_length=1)
    source: str

    _source = field_validator("source")(_non_empty)


class Abbreviations(_Strict):
    expansions_list: list[Expansion] = Field(alias="expansions")
    generic_words: GenericWords = Field(alias="generic")
    legal_forms: list[LegalFormGroup]

    @property
    def expansions(self) -> dict[str, list[str]]:
        """Upper-case abbreviation -> full forms."""
        return {e.abbr.upper(): list(e.full) for e in self.expansions_list}

    @property
    def generic(self) -> frozenset[str]:
        """Upper-case words that never make a match on their own."""
        return frozenset(w.upper() for w in self.generic_words.words)


# --------------------------------------------------------------------------- helpers


def _read(path: Path, top_key: str) -> list[Any] | dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GlossaryError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or top_key not in data:
        raise GlossaryError(f"{path}: expected a mapping with key {top_key!r}")
    return data


def _entries(path: Path, data: dict[str, Any], key: str) -> list[Any]:
    extra = set(data) - {key}
    if extra:
        raise GlossaryError(f"{path}: unknown top-level keys {sorted(extra)}")
    items = data[key]
    if not isinstance(items, list):
        raise GlossaryError(f"{path}: {key!r} must be a list")
    return items


def _label(raw: Any, index: int, *keys: str) -> str:
    if isinstance(raw, dict):
        for k in keys:
            if raw.get(k):
                return f"entry #{index} ({raw[k]})"
    return f"entry #{index}"


def _validate(model: type[BaseModel], raw: Any, path: Path, label: str) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<entry>'}: {e['msg']}" for e in exc.errors())
        raise GlossaryError(f"{path}: {label}: {problems}") from exc


# --------------------------------------------------------------------------- loaders


def load_glossary_from(path: Path) -> dict[str, GlossaryTerm]:
    """Load and validate a glossary file (uncached)."""
    path = Path(path)
    items = _entries(path, _read(path, "terms"), "terms")
    out: dict[str, GlossaryTerm] = {}
    for i, raw in enumerate(items):
        label = _label(raw, i, "zh")
        term = _validate(GlossaryTerm, raw, path, label)
        if term.zh in out:
            raise GlossaryError(f"{path}: {label}: duplicate key {term.zh!r}")
        out[term.zh] = term
    return out


def load_chinese_names_from(path: Path) -> list[ChineseName]:
    """Load and validate a chinese_names file (uncached)."""
    path = Path(path)
    items = _entries(path, _read(path, "names"), "names")
    out: list[ChineseName] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        label = _label(raw, i, "zh", "en")
        name = _validate(ChineseName, raw, path, label)
        if name.zh in seen:
            raise GlossaryError(f"{path}: {label}: duplicate zh {name.zh!r}")
        seen.add(name.zh)
        out.append(name)
    return out


def load_abbreviations_from(path: Path) -> Abbreviations:
    """Load and validate an abbreviations file (uncached)."""
    path = Path(path)
    data = _read(path, "expansions")
    extra = set(data) - {"expansions", "generic", "legal_forms"}
    if extra:
        raise GlossaryError(f"{path}: unknown top-level keys {sorted(extra)}")
    expansions = data.get("expansions")
    if not isinstance(expansions, list):
        raise GlossaryError(f"{path}: 'expansions' must be a list")
    seen: set[str] = set()
    for i, raw in enumerate(expansions):
        label = _label(raw, i, "abbr")
        exp = _validate(Expansion, raw, path, label)
        if exp.abbr.upper() in seen:
            raise GlossaryError(f"{path}: {label}: duplicate abbreviation {exp.abbr!r}")
        seen.add(exp.abbr.upper())
    _validate(GenericWords, data.get("generic"), path, "generic")
    for i, raw in enumerate(data.get("legal_forms") or []):
        _validate(LegalFormGroup, raw, path, _label(raw, i, "kind"))
    return _validate(Abbreviations, data, path, "file")


def load_chinese_dictionary_from(path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Read a CC-CEDICT extract (scripts/build_chinese_dictionary.py): simplified word ->
    (kind, English renderings). Lines starting with # are comments."""
    path = Path(path)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not _HAN.search(parts[0]) or parts[1] not in ("word", "place") or not parts[2]:
            raise GlossaryError(f"{path}: line {number}: expected simplified<TAB>word|place<TAB>English|...")
        out[parts[0]] = (parts[1], tuple(e for e in parts[2].split("|") if e))
    return out


@cache
def load_chinese_words() -> dict[str, GlossaryTerm]:
    """The packaged words of Chinese organization names and their list renderings."""
    return load_glossary_from(CHINESE_WORDS_FILE)


@cache
def load_chinese_dictionary() -> dict[str, tuple[str, tuple[str, ...]]]:
    """The packaged CC-CEDICT extract (loaded only to render Chinese-script names)."""
    return load_chinese_dictionary_from(CHINESE_DICTIONARY_FILE)


@cache
def load_glossary() -> dict[str, GlossaryTerm]:
    """The packaged glossary, keyed by simplified Chinese word."""
    return load_glossary_from(GLOSSARY_FILE)


@cache
def load_chinese_names() -> list[ChineseName]:
    """The packaged curated Chinese registered names."""
    return load_chinese_names_from(CHINESE_NAMES_FILE)


@cache
def load_abbreviations() -> Abbreviations:
    """The packaged abbreviations, generic words and legal forms."""
    return load_abbreviations_from(ABBREVIATIONS_FILE)
