"""Chinese-script names rendered word by word (goodpath.screening.chinese) and matched against
English list names; the segmenter and dictionary load only for Chinese queries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from goodpath.screening.chinese import ChineseRenderer, chinese_number, renderer
from goodpath.screening.glossary import (
    GlossaryError,
    load_chinese_dictionary,
    load_chinese_dictionary_from,
    load_chinese_names,
    load_chinese_words,
)
from goodpath.screening.index import IndexedName, ScreeningIndex, Vocabulary
from goodpath.screening.match import best_hits, make_query


@pytest.fixture(scope="module")
def packaged() -> ChineseRenderer:
    return renderer()


def texts(rendered) -> list[str]:
    return [r.text for r in rendered]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("第十四", "14th"), ("第四十八", "48th"), ("第一", "1st"), ("第二十二", "22nd"), ("第十三", "13th"),
     ("七二四", "724"), ("十", "10"), ("第三十", "30th"), ("研究所", None), ("第", None)],
)  # fmt: skip
def test_chinese_numbers(word: str, expected: str | None) -> None:
    assert chinese_number(word) == expected


def test_renderer_with_its_own_tables_and_segmenter() -> None:
    """The order of the tables: curated names, then words, then the dictionary, then pinyin."""
    r = ChineseRenderer(
        curated={"甲乙工业": ["Alpha Beta Industries"]},
        words={"集团": ("organization", ["Group"]), "长城": ("place", ["Great Wall"])},
        dictionary={"长城": ("word", ["long wall"]), "电子": ("word", ["electronics"])},
        segment=lambda text: [text[i : i + 2] for i in range(0, len(text), 2)],
    )
    out = r.render("甲乙工业集团")
    assert out[0].text == "alpha beta industries group"
    assert "甲乙工业=Alpha Beta Industries (curated)" in out[0].how
    assert texts(r.render("长城电子"))[:2] == ["great wall electronics", "changcheng electronics"]
    # a word no table holds is pinyin, its syllables written together; a name of single characters in twos
    assert texts(r.render("南江电子"))[0] == "nanjiang electronics"
    assert r.render("Acme Ltd") == []


def test_short_names_and_brands(packaged: ChineseRenderer) -> None:
    # a curated short name alone is the party's official English name; inside a longer name it is not
    assert texts(packaged.render("北方工业"))[0] == "china north industries group corporation limited"
    assert all("corporation limited" not in t for t in texts(packaged.render("北方工业研究所")))
    assert {"north industries research institute", "norinco research institute"} <= set(
        texts(packaged.render("北方工业研究所"))
    )
    assert {"great wall industry", "cgwic"} <= set(texts(packaged.render("长城工业")))
    assert "china electronics corporation" in texts(packaged.render("中电子"))


def test_irregular_places_and_institutions(packaged: ChineseRenderer) -> None:
    assert {"beijing", "peking"} <= {t.split()[0] for t in texts(packaged.render("北京大学"))}
    assert "northwestern polytechnical university" in texts(packaged.render("西北工业大学"))
    assert texts(packaged.render("哈尔滨工程大学"))[0] == "harbin engineering university"
    assert "shaanxi" in texts(packaged.render("陕西"))[0]
    out = texts(packaged.render("沈阳航空航天大学"))
    assert "shenyang aerospace university" in out
    assert any("aeronautics and astronautics" in t for t in out)
    # a collected curated name is its official English
    assert texts(packaged.render("南京航空航天大学")) == ["nanjing university of aeronautics and astronautics"]


def test_ordinal_institutes(packaged: ChineseRenderer) -> None:
    out = texts(packaged.render("中国电子科技集团公司第十四研究所"))
    assert out[0] == "china electronics technology group corporation 14th research institute"
    assert texts(packaged.render("中国船舶工业集团第722研究所"))[0].endswith("722nd research institute")


def test_traditional_and_mixed_script(packaged: ChineseRenderer) -> None:
    assert texts(packaged.render("中國長城工業集團有限公司")) == texts(packaged.render("中国长城工业集团有限公司"))
    out = texts(packaged.render("CGWIC 长城"))
    assert {"cgwic great wall", "great wall", "cgwic"} <= set(out)


def test_person_names_read_as_surname_and_given_name(packaged: ChineseRenderer) -> None:
    assert texts(packaged.render("李方伟"))[0] == "li fangwei"


def test_data_files_load_and_are_checked(tmp_path) -> None:
    words = load_chinese_words()
    assert words["北京"].en == ["Beijing", "Peking"] and all(t.source for t in words.values())
    dictionary = load_chinese_dictionary()
    assert dictionary["研究所"] == ("word", ("research institute",))
    assert dictionary["香港"] == ("place", ("Hong Kong",))
    assert any(name.zh == "中交第二航务工程局有限公司" for name in load_chinese_names())  # a collected name
    broken = tmp_path / "d.tsv"
    broken.write_text("# header\n研究所\tword\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="line 2"):
        load_chinese_dictionary_from(broken)


# (party, name, schema) as the lists and the demo's engagement parties write them
LISTED = [
    ("norinco", "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED", "Company"),
    ("norinco", "NORINCO", "Company"),
    ("northwood", "NORTH WOOD INDUSTRY COMPANY", "Company"),
    ("cetc14", "China Electronics Technology Group Corporation 14th Research Institute", "Company"),
    ("heu", "Harbin Engineering University", "Organization"),
    ("cpmiec", "China Precision Machinery Import-Export Corporation", "Company"),
    ("cgwic", "China Great Wall Industry Corporation", "Company"),
    ("cgwic", "CGWIC", "Company"),
    ("lee", "LI, Fangwei", "Person"),
    ("acme", "ACME TRADING LLC", "Company"),
]


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    index = ScreeningIndex(Vocabulary.load())
    for party, name, schema in LISTED:
        index.add(IndexedName(party, f"e-{party}", "test", name, "primary", schema, name, ()))
    return index


@pytest.mark.parametrize(
    ("query", "party"),
    [
        ("北方工业", "norinco"),
        ("中国北方工业公司", "norinco"),
        ("中国精密机械进出口总公司", "cpmiec"),
        ("長城工業", "cgwic"),
        ("CGWIC 长城", "cgwic"),
        ("中国电子科技集团公司第十四研究所", "cetc14"),
        ("哈爾濱工程大學", "heu"),
        ("李方伟", "lee"),
    ],
)
def test_chinese_queries_find_english_list_names(index: ScreeningIndex, query: str, party: str) -> None:
    hits = best_hits(index, make_query(index, query))
    assert hits and hits[0].party_id == party, [(h.party_id, h.score) for h in hits]
    assert hits[0].rendering  # which rendering matched, for the explanation
    assert "rendering" in hits[0].to_dict()


def test_latin_queries_carry_no_rendering(index: ScreeningIndex) -> None:
    hits = best_hits(index, make_query(index, "China North Industries Group"))
    assert hits[0].party_id == "norinco" and hits[0].rendering is None
    assert "rendering" not in hits[0].to_dict()


def test_a_list_name_in_chinese_meets_an_english_query() -> None:
    index = ScreeningIndex(Vocabulary.load())
    index.add(IndexedName("p1", "e1", "un", "長安海連技術有限公司", "alias", "Company", "CHANG AN", ()))
    index.add(IndexedName("p2", "e2", "un", "Other Name Ltd", "primary", "Company", "OTHER", ()))
    hits = best_hits(index, make_query(index, "Changan Hailian Technology Co., Ltd."))
    assert hits and hits[0].party_id == "p1"


def test_the_segmenter_and_dictionary_load_only_for_chinese_queries(packaged: ChineseRenderer) -> None:
    """A cold process screening a Latin name never imports jieba nor reads the CC-CEDICT extract."""
    code = (
        "import sys\n"
        "from goodpath.screening import chinese, glossary\n"
        "from goodpath.screening.index import ScreeningIndex, Vocabulary, IndexedName\n"
        "from goodpath.screening.match import best_hits, make_query\n"
        "index = ScreeningIndex(Vocabulary.load())\n"
        "index.add(IndexedName('p', 'e', 't', 'Acme Trading Ltd', 'primary', 'Company', 'Acme', ()))\n"
        "best_hits(index, make_query(index, 'Acme Trading'))\n"
        "print('jieba' in sys.modules, glossary.load_chinese_dictionary.cache_info().currsize)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "0"]
    assert "jieba" in sys.modules  # the packaged renderer, built for Chinese queries, loaded it
