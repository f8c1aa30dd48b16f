"""Name normalization for screening: every list name and every query name goes through here.

Pure functions, no database. The screening engine indexes each list name by the strings
``name_variants`` returns and compares a query's tokens with a candidate's.

Documented choices
------------------
* **Latin form.** ``latinize`` gives lower-case ASCII, every non-alphanumeric character
  becomes a space, whitespace is collapsed to single spaces. Diacritics are *stripped*, not
  expanded: "Müller" -> "muller" (not "mueller"); the umlaut-as-"e" spelling is left to fuzzy
  scoring (rapidfuzz), since "Mueller" -> "mueller" is one edit away from "muller".
* **Other scripts.** Cyrillic, Greek, Armenian, Georgian and Hangul use rigour's
  transliteration ("Шевченко" -> "shevchenko"); anything else (Arabic, Hebrew, ...) falls back
  to normality/ICU ("محمد" -> "mhmd"), which is lossy but ASCII.
* **Chinese.** Han runs are converted to simplified Chinese (OpenCC ``t2s``) and then to
  toneless pinyin with pypinyin, whose phrase dictionary picks the right reading of
  heteronyms (长城 -> "chang cheng", not normality's "zhang cheng"). Syllables are
  *separated by spaces*: "长城工业" -> "chang cheng gong ye". Joining syllables into words as
  written in company names ("Changcheng Gongye") needs word segmentation, which is not robust
  on names; instead the engine should compare pinyin with spaces removed (``compact``), where
  "chang cheng gong ye" and "changcheng gongye" agree.
* **Glossary and abbreviation mappings** (``han_to_english``, ``expand_abbreviations``,
  ``name_variants``) are passed in by the caller (the data files live elsewhere). Keys are
  normalized on first use (glossary keys to simplified Chinese, abbreviation keys with
  ``latinize``) and the prepared form is cached per mapping object: treat the mappings as
  immutable once used.
* **Generic words.** ``significant_tokens`` drops the caller's generic words, every token
  that rigour's org-type database recognises as a legal form on its own (ltd, llc, gmbh, ooo,
  jsc, ...), and pure numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import islice, product
from typing import Any

import opencc
from normality import ascii_text as _normality_ascii
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process
from rigour.names import remove_org_types
from rigour.text.translit import maybe_ascii

__all__ = [
    "MAX_VARIANTS",
    "abbreviates",
    "contraction_shaped",
    "compact",
    "expand_abbreviations",
    "has_han",
    "abbreviation_variants",
    "han_to_english",
    "is_initials_only",
    "join_letters",
    "latinize",
    "name_key",
    "name_variants",
    "significant_tokens",
    "to_simplified",
    "tokens",
]

#: Cap on the number of renderings produced by one cartesian product (glossary, abbreviations).
MAX_VARIANTS = 8

# CJK unified ideographs (+ extensions A-H), compatibility ideographs, and 〇.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_HAN_SPLIT = re.compile(f"([{_HAN}]+)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_CACHE = 500_000
# A long token this close (rapidfuzz ratio) to a generic word is that word misspelt.
GENERIC_TYPO_SIMILARITY = 85


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=_CACHE)
def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC ``t2s``); text without Han is returned unchanged."""
    if not _HAN_RUN.search(text):
        return text
    # t2s is not always a fixed point in one pass; iterate (bounded) so the result is idempotent.
    out = text
    for _ in range(3):
        nxt = _t2s().convert(out)
        if nxt == out:
            break
        out = nxt
    return out


def has_han(text: str) -> bool:
    """The text holds Chinese characters."""
    return bool(_HAN_RUN.search(text))


@lru_cache(maxsize=_CACHE)
def _pinyin(han: str) -> str:
    """Toneless pinyin of a (simplified) Han run, syllables separated by spaces."""
    return " ".join(lazy_pinyin(han, style=Style.NORMAL, errors="default", v_to_u=True))


def _ascii(text: str) -> str:
    # Word by word, each cached: transliteration is slow (hundreds of microseconds for a short
    # name) and the words of names recur ("ООО", "Инк", surnames). It works letter by letter
    # within a word, so the result is the same as for the whole text.
    if text.isascii():
        return text
    return " ".join(map(_ascii_word, text.split()))


@lru_cache(maxsize=_CACHE)
def _ascii_word(word: str) -> str:
    out = maybe_ascii(word)  # rigour's spellings for Cyrillic, Greek, Armenian, Georgian, Hangul
    if not out.isascii():
        out = _normality_ascii(out)  # ICU / fallback tables for the rest
    return out


def _clean(text: str) -> str:
    return _NON_ALNUM.sub(" ", text.lower()).strip()


@lru_cache(maxsize=_CACHE)
def latinize(text: str) -> str:
    """Lower-case ASCII, punctuation -> space, whitespace collapsed; Han -> spaced pinyin.

    "中國長城工業" -> "zhong guo chang cheng gong ye"; "Müller & Co." -> "muller co".
    """
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return _clean(text)
    parts: list[str] = []
    for i, part in enumerate(_HAN_SPLIT.split(text)):
        if not part:
            continue
        if i % 2:  # a Han run
            parts.append(_pinyin(to_simplified(part)))
        else:
            parts.append(_ascii(part))
    # pinyin ü (绿 -> lü) becomes "u" here; anything non-ASCII left over is dropped by _clean.
    return _clean(_ascii(" ".join(parts)))


@lru_cache(maxsize=_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(latinize(text).split())


def tokens(text: str) -> list[str]:
    """The latinized tokens of a name (each non-empty, ASCII lower-case alphanumeric)."""
    return list(_tokens(text))


def compact(text: str) -> str:
    """The latin form with all spaces removed, for comparing spaced pinyin with written pinyin.

    compact("长城工业") == compact("Changcheng Gongye") == "changchenggongye".
    """
    return latinize(text).replace(" ", "")


# --- prepared mappings ---------------------------------------------------------------------

_PREPARED: dict[tuple[str, int], tuple[Any, Any]] = {}


def _prepared(kind: str, mapping: Any, build: Any) -> Any:
    """Cache the normalized form of a caller's mapping per (kind, object); keep a ref so ids stay valid."""
    key = (kind, id(mapping))
    hit = _PREPARED.get(key)
    if hit is not None and hit[0] is mapping:
        return hit[1]
    value = build(mapping)
    if len(_PREPARED) > 64:
        _PREPARED.clear()
    _PREPARED[key] = (mapping, value)
    return value


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _build_expansions(expansions: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for abbr, full in expansions.items():
        if isinstance(full, str):
            full = [full]
        key = latinize(abbr).replace(" ", "")
        values = tuple(_dedupe(latinize(f) for f in full))
        if key and values:
            out[key] = tuple(dict.fromkeys(out.get(key, ()) + values))
    return out


def _build_generic(generic: Collection[str]) -> frozenset[str]:
    return frozenset(t for g in generic for t in latinize(g).split())


def _build_glossary(glossary: Mapping[str, Sequence[str]]) -> tuple[dict[str, tuple[str, ...]], int]:
    out: dict[str, tuple[str, ...]] = {}
    for han, renderings in glossary.items():
        if isinstance(renderings, str):
            renderings = [renderings]
        key = "".join(_HAN_RUN.findall(to_simplified(unicodedata.normalize("NFKC", han))))
        values = tuple(_dedupe(latinize(r) for r in renderings))
        if key and values:
            out[key] = tuple(dict.fromkeys(out.get(key, ()) + values))
    return out, max((len(k) for k in out), default=0)


# --- abbreviations -------------------------------------------------------------------------


def abbreviation_variants(
    tokens: Sequence[str], expansions: Mapping[str, Sequence[str]], limit: int = MAX_VARIANTS
) -> list[list[str]]:
    """Every expansion of the abbreviations in ``tokens`` (cartesian product, at most ``limit``).

    The first variant uses each abbreviation's first expansion. Expansions may be several
    words ("grp" -> "group", "nii" -> "scientific research institute"); they are split into
    tokens. Abbreviation keys are matched after ``latinize`` (so "COMM" == "comm").
    """
    table = _prepared("exp", expansions, _build_expansions)
    choices = [((t,),) if t not in table else tuple(tuple(e.split()) for e in table[t]) for t in tokens]
    return [[w for chunk in combo for w in chunk] for combo in islice(product(*choices), max(limit, 1))]


def expand_abbreviations(tokens: Sequence[str], expansions: Mapping[str, Sequence[str]]) -> list[str]:
    """Replace each abbreviation by its first expansion: [haige, comm, grp] -> [haige, communications, group]."""
    return abbreviation_variants(tokens, expansions, limit=1)[0]


# --- significance, initials, keys ----------------------------------------------------------


@lru_cache(maxsize=20_000)
def _is_legal_form(token: str) -> bool:
    """rigour's org-type database recognises this token alone as a legal form (ltd, llc, gmbh, ooo...)."""
    return not remove_org_types(token).strip()


_VOWELS = frozenset("aeiou")
# The toneless syllables of Mandarin pinyin (pypinyin 0.55's dictionary, ü as u): a name's
# syllable ("hong", "jing") is a word, never a contraction of a longer one (holdings, jiantong).
_PINYIN_SYLLABLES = frozenset(
    """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai can cang cao
    ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun
    chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die din ding diu
    dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei
    gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hm hng hong hou hu
    hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang
    kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia
    lian liang liao lie lin ling liu lo long lou lu luan lue lun luo m ma mai man mang mao me mei men meng mi mian
    miao mie min ming miu mo mou mu n na nai nan nang nao ne nei nen neng ng ni nia nian niang niao nie nin ning
    niu nong nou nu nuan nue nun nuo o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi
    qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan
    rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua
    shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao
    tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin
    xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao
    ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui
    zhun zhuo zi zong zou zu zuan zui zun zuo
    """.split()
)


@lru_cache(maxsize=_CACHE)
def abbreviates(short: str, word: str) -> bool:
    """``short`` reads as a contraction of ``word``: "grp" group, "srvcs" services, "mfg" manufacturing.

    The rule (goodpath's, not a list's): same first letter, the letters of ``short`` appear
    in ``word`` in order, and ``short`` keeps at most one vowel after its first letter
    ("comm", "tech", "intl"), in which case it has four letters or more and ``word`` two
    more, so real short words ("tin", "con") are not taken for contractions; without such
    a vowel ``word`` need only be longer ("trst" trust).
    """
    if len(short) < 3 or len(word) <= len(short) or short[0] != word[0] or not short.isalpha():
        return False
    if short in _PINYIN_SYLLABLES:
        return False
    vowels = sum(c in _VOWELS for c in short[1:])
    if vowels > 1 or (vowels and (len(short) < 4 or len(word) < len(short) + 2)):
        return False
    rest = iter(word[1:])
    return all(c in rest for c in short[1:])


@lru_cache(maxsize=_CACHE)
def contraction_shaped(short: str) -> bool:
    """``short`` may be a contraction of some word: what ``abbreviates`` asks of ``short`` alone.
    Most words ("mohammad", "trading") are not, and need not be compared letter by letter."""
    if len(short) < 3 or not short.isalpha() or short in _PINYIN_SYLLABLES:
        return False
    vowels = sum(c in _VOWELS for c in short[1:])
    return vowels <= 1 and not (vowels and len(short) < 4)


@lru_cache(maxsize=_CACHE)
def _generic_variant(token: str, stop: frozenset[str]) -> bool:
    """A contraction or a misspelling of a generic word ("grp", "hldgs", "interntaional")."""
    by_initial, long = _stop_lookup(stop)
    if contraction_shaped(token) and any(abbreviates(token, word) for word in by_initial.get(token[0], ())):
        return True
    return len(token) >= 7 and bool(
        process.extractOne(token, long, scorer=fuzz.ratio, score_cutoff=GENERIC_TYPO_SIMILARITY)
    )


@lru_cache(maxsize=16)
def _stop_lookup(stop: frozenset[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Generic words by first letter (a contraction keeps it), and those of 7 letters or more."""
    by_initial: dict[str, list[str]] = {}
    for word in stop:
        by_initial.setdefault(word[0], []).append(word)
    return by_initial, [word for word in stop if len(word) >= 7]


def significant_tokens(tokens: Sequence[str], generic: Collection[str]) -> list[str]:
    """Tokens that can identify a party: drop generic words (and their contractions: "grp",
    "hldgs", "intl"), legal forms and pure numbers.

    May return an empty list ("11420 corp", "holding company ltd"): such names must never
    match on their own. ``generic`` words are compared after ``latinize``.
    """
    stop = _prepared("gen", generic, _build_generic)
    return [
        t
        for t in tokens
        if t and not t.isdigit() and t not in stop and not _is_legal_form(t) and not _generic_variant(t, stop)
    ]


def join_letters(tokens: Sequence[str]) -> list[str]:
    """Runs of single letters written together: "irsa s a" -> "irsa sa" (S.A.), "m d s import"
    -> "mds import" (M. D. S.). A name of single letters only ("A B C") is left alone: it is
    matched by its exact spelling (``is_initials_only``)."""
    if sum(len(t) == 1 for t in tokens) < 2 or is_initials_only(tokens):
        return list(tokens)
    out: list[str] = []
    run = ""
    for token in (*tokens, ""):
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        if token:
            out.append(token)
    return out


def is_initials_only(tokens: Sequence[str]) -> bool:
    """True when the name is only separated single letters ("A B C", "J.S.C."); False for no tokens.

    Pass significant tokens to ignore a trailing legal form ("A. B. C. Ltd").
    """
    return bool(tokens) and all(len(t) == 1 for t in tokens)


def name_key(tokens: Sequence[str]) -> str:
    """Word-order-independent key: the tokens sorted and joined by spaces (pass significant tokens)."""
    return " ".join(sorted(tokens))


# --- Chinese -> English --------------------------------------------------------------------


def _segment(han: str, table: dict[str, tuple[str, ...]], maxlen: int) -> list[tuple[str, ...]]:
    """Greedy longest-match over a simplified Han run; unmatched stretches become pinyin."""
    out: list[tuple[str, ...]] = []
    pending: list[str] = []
    i, n = 0, len(han)
    while i < n:
        for size in range(min(maxlen, n - i), 0, -1):
            hit = table.get(han[i : i + size])
            if hit:
                if pending:
                    out.append((_pinyin("".join(pending)),))
                    pending = []
                out.append(hit)
                i += size
                break
        else:
            pending.append(han[i])
            i += 1
    if pending:
        out.append((_pinyin("".join(pending)),))
    return out


def han_to_english(text: str, glossary: Mapping[str, Sequence[str]], limit: int = MAX_VARIANTS) -> list[str]:
    """English renderings of a Chinese name, by greedy longest match over ``glossary``.

    ``glossary`` maps Han terms (simplified or traditional) to English renderings. Han
    stretches with no glossary entry are rendered as pinyin, non-Han parts are latinized.
    Returns up to ``limit`` latinized renderings (cartesian product of the alternatives,
    first alternatives first); [] when the text contains no Han.
    """
    text = to_simplified(unicodedata.normalize("NFKC", text))
    if not _HAN_RUN.search(text):
        return []
    table, maxlen = _prepared("gloss", glossary, _build_glossary)
    choices: list[tuple[str, ...]] = []
    for i, part in enumerate(_HAN_SPLIT.split(text)):
        if i % 2:
            choices.extend(_segment(part, table, maxlen))
        elif part:
            latin = latinize(part)
            if latin:
                choices.append((latin,))
    return _dedupe(latinize(" ".join(combo)) for combo in islice(product(*choices), max(limit, 1)))


# --- all renderings ------------------------------------------------------------------------


def name_variants(
    name: str,
    *,
    glossary: Mapping[str, Sequence[str]],
    expansions: Mapping[str, Sequence[str]],
) -> list[str]:
    """All latin renderings of a name for indexing and querying, deduplicated, order stable.

    1. the latinized name (pinyin for Han); 2. glossary English renderings of the Han parts;
    3. abbreviation-expanded forms of each of those. Empty renderings are dropped.
    """
    base = _dedupe([latinize(name), *han_to_english(name, glossary)])
    out = list(base)
    for variant in base:
        for expanded in abbreviation_variants(variant.split(), expansions):
            out.append(" ".join(expanded))
    return _dedupe(out)
