"""Name normalization for screening: the cases from the issue, then properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodpath.screening.normalize import (
    MAX_VARIANTS,
    abbreviates,
    abbreviation_variants,
    compact,
    expand_abbreviations,
    han_to_english,
    is_initials_only,
    latinize,
    name_key,
    name_variants,
    significant_tokens,
    to_simplified,
    tokens,
)

GLOSSARY = {
    "中国": ["China"],
    "长城": ["Great Wall"],
    "工业": ["Industry", "Industries"],
    "集团": ["Group"],
    "有限公司": ["Co Ltd"],
}
EXPANSIONS = {"COMM": ["communications"], "GRP": ["group"], "INTL": ["international"]}
GENERIC = {"corp", "corporation", "company", "co", "ltd", "limited", "holding", "holdings", "group", "inc"}


def sig(name: str) -> list[str]:
    return significant_tokens(tokens(name), GENERIC)


# --- cases --------------------------------------------------------------------------------


def test_case_and_punctuation():
    assert latinize("NORINCO") == latinize("Norinco") == "norinco"
    assert latinize("Great-Wall  Industry, Co.,Ltd.") == "great wall industry co ltd"
    assert tokens("  A&B (Trading)/Export!  ") == ["a", "b", "trading", "export"]


def test_diacritics_are_stripped_not_expanded():
    assert latinize("Müller") == latinize("muller") == "muller"
    assert latinize("Mueller") == "mueller"  # the ue spelling is left to fuzzy scoring
    assert latinize("Société Générale") == "societe generale"
    assert latinize("Ørsted") == "orsted"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Шевченко", "shevchenko"), ("Рособоронэкспорт", "rosoboroneksport"), ("محمد", "mhmd")],
)
def test_other_scripts_give_ascii(name, expected):
    out = latinize(name)
    assert out == expected
    assert out.isascii()


def test_simplified_and_traditional_chinese_agree():
    assert to_simplified("中國長城工業") == "中国长城工业"
    assert latinize("中国长城工业") == latinize("中國長城工業") == "zhong guo chang cheng gong ye"


def test_pinyin_of_changcheng():
    assert latinize("长城") == "chang cheng"  # not the naive per-character "zhang cheng"
    assert compact("长城工业") == compact("Changcheng Gongye") == "changchenggongye"
    assert latinize("绿") == "lu"


def test_glossary_rendering():
    out = han_to_english("中国长城工业集团有限公司", GLOSSARY)
    assert "china great wall industry group co ltd" in out
    assert "china great wall industries group co ltd" in out
    assert han_to_english("中國長城工業集團有限公司", GLOSSARY) == out
    assert any("china great wall industry group" in o for o in out)


def test_glossary_unmatched_runs_are_pinyin_and_latin_kept():
    assert han_to_english("北方工业", GLOSSARY) == ["bei fang industry", "bei fang industries"]
    assert han_to_english("ABC 中国", GLOSSARY) == ["abc china"]
    assert han_to_english("Great Wall", GLOSSARY) == []


def test_glossary_longest_match_wins():
    glossary = {"有限": ["limited"], "有限公司": ["co ltd"], "公司": ["company"]}
    assert han_to_english("有限公司", glossary) == ["co ltd"]


def test_glossary_variants_capped():
    glossary = {ch: [f"a{i}", f"b{i}"] for i, ch in enumerate("一二三四五")}
    assert len(han_to_english("一二三四五", glossary)) == MAX_VARIANTS


def test_abbreviations():
    expanded = expand_abbreviations(tokens("GUANGZHOU HAIGE COMM GRP"), EXPANSIONS)
    assert expanded == ["guangzhou", "haige", "communications", "group"]
    variants = name_variants("GUANGZHOU HAIGE COMM GRP", glossary=GLOSSARY, expansions=EXPANSIONS)
    assert variants == ["guangzhou haige comm grp", "guangzhou haige communications group"]


def test_abbreviation_alternatives_and_multiword():
    expansions = {"comm": ["communications", "commercial"], "nii": ["scientific research institute"]}
    assert abbreviation_variants(["comm", "nii"], expansions) == [
        ["communications", "scientific", "research", "institute"],
        ["commercial", "scientific", "research", "institute"],
    ]


def test_word_order():
    assert name_key(sig("HAIGE GUANGZHOU")) == name_key(sig("GUANGZHOU HAIGE"))
    assert name_key(sig("Guangzhou Haige Co., Ltd.")) == name_key(sig("HAIGE GUANGZHOU"))


def test_generic_words_and_numbers_are_never_significant():
    assert sig("11420 CORP.") == []
    assert sig("BELLETECH CORP") == ["belletech"]
    assert not set(sig("11420 CORP.")) & set(sig("BELLETECH CORP"))
    assert sig("Holding Company Limited") == []
    # legal forms known to rigour are dropped even when not in the caller's list
    assert significant_tokens(tokens("Romashka OOO GmbH LLC"), set()) == ["romashka"]


def test_initials():
    assert is_initials_only(tokens("A. B. C."))
    assert is_initials_only(tokens("J.S.C."))
    assert is_initials_only(tokens("A B C"))
    assert not is_initials_only(tokens("ABC Trading"))
    assert not is_initials_only(tokens("ABC"))
    assert not is_initials_only([])


def test_name_variants_chinese():
    variants = name_variants("中國長城工業集團有限公司", glossary=GLOSSARY, expansions=EXPANSIONS)
    assert variants[0] == "zhong guo chang cheng gong ye ji tuan you xian gong si"
    assert "china great wall industry group co ltd" in variants
    assert len(variants) == len(set(variants))
    assert name_variants("...", glossary=GLOSSARY, expansions=EXPANSIONS) == []


# --- properties ---------------------------------------------------------------------------

ASCII_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


@settings(deadline=None)  # no timed tests: a first transliteration of a rare script may take a while on a busy machine
@given(st.text())
def test_latinize_idempotent_ascii_lower_single_spaces(text):
    out = latinize(text)
    assert latinize(out) == out
    assert out.isascii()
    assert out == out.lower()
    assert out == out.strip()
    assert "  " not in out
    assert all(c.isalnum() or c == " " for c in out)


@given(st.text())
def test_tokens_are_nonempty_alnum(text):
    assert all(t and t.isalnum() and t.isascii() for t in tokens(latinize(text)))


@given(st.lists(ASCII_TOKEN), st.randoms())
def test_name_key_permutation_invariant(toks, rnd):
    shuffled = list(toks)
    rnd.shuffle(shuffled)
    assert name_key(shuffled) == name_key(toks)


@given(st.lists(st.one_of(ASCII_TOKEN, st.sampled_from(sorted(GENERIC)), st.integers(0, 10**6).map(str))))
def test_significant_tokens_never_generic_or_number(toks):
    out = significant_tokens(toks, GENERIC)
    assert not any(t in GENERIC or t.isdigit() for t in out)
    assert all(t in toks for t in out)


@given(st.text())
def test_significant_tokens_of_any_text(text):
    assert not any(t in GENERIC or t.isdigit() for t in significant_tokens(tokens(text), GENERIC))


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)) | st.text())
def test_to_simplified_idempotent(text):
    out = to_simplified(text)
    assert to_simplified(out) == out


@settings(max_examples=200)
@given(st.text())
def test_nothing_raises(text):
    toks = tokens(text)
    significant_tokens(toks, GENERIC)
    is_initials_only(toks)
    name_key(toks)
    expand_abbreviations(toks, EXPANSIONS)
    han_to_english(text, GLOSSARY)
    compact(text)
    variants = name_variants(text, glossary=GLOSSARY, expansions=EXPANSIONS)
    assert all(v and v.isascii() for v in variants)


def test_contractions_by_rule():
    contractions = [
        ("grp", "group"), ("srvcs", "services"), ("inds", "industries"), ("mfg", "manufacturing"),
        ("comm", "communications"), ("intl", "international"), ("hldgs", "holdings"), ("trst", "trust"),
    ]  # fmt: skip
    for short, word in contractions:
        assert abbreviates(short, word), (short, word)
    # real short words and unrelated words are not contractions
    for short, word in [("tin", "trading"), ("con", "corporation"), ("group", "group"), ("gpr", "group"),
                        ("rgp", "group"), ("grou", "group"), ("ab", "about")]:  # fmt: skip
        assert not abbreviates(short, word), (short, word)
    # contractions of generic words are generic too
    assert sig("HAIGE GRP HLDGS CORP") == ["haige"]
    # and so are their misspellings (long words only)
    assert sig("WORLDFAST CORPORATOIN COMPNAY") == ["worldfast"]


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14),
)
def test_contraction_property(short, word):
    # a contraction is strictly shorter, starts alike and keeps the word's letters in order
    if abbreviates(short, word):
        assert len(short) < len(word) and short[0] == word[0]
        rest = iter(word)
        assert all(c in rest for c in short)
        assert not abbreviates(word, short)
