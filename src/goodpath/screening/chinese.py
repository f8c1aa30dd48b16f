"""Chinese-script names rendered in the English of the sanctions lists, word by word.

A Chinese name (simplified, traditional or mixed with Latin: ``CGWIC 长城``) is segmented into
words with jieba, and each word is rendered, in this order of preference:

1. a **curated registered name** or short name (chinese_names.yaml) -> the party's official
   English name and its list spellings: 中国北方工业集团有限公司 / 北方工业 -> China North
   Industries Group Corporation Limited;
2. a **word of organization names** (chinese_words.yaml): irregular place spellings
   (北京 Beijing / Peking, 陕西 Shaanxi), institutional words (理工大学 Institute of
   Technology), brands (中电科 CETC), ordinal research institutes (第十四研究所 14th Research
   Institute);
3. the project's **glossary** (glossary.yaml), then the **CC-CEDICT extract**
   (chinese_dictionary.tsv): 遥感 remote sensing, 哈尔滨 Harbin;
4. **pinyin** for proper names and places, syllables of a word written together (南江 nanjiang).

A word found in a table keeps its pinyin as an alternative (lists write 长城 both "Great Wall"
and "Changcheng"). The renderings of a name are: every word's first choice; then, for each word,
that word's next choices; and the name in pinyin with only its organization words translated.
Each rendering says how it was made (``how``), so a hit can tell which rendering matched.

Nothing here is loaded until a name holds Chinese characters: ``renderer()`` reads the data and
imports jieba on first use, so Latin queries and a cold CLI never pay for them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice

from goodpath.screening.glossary import (
    load_chinese_dictionary,
    load_chinese_names,
    load_chinese_words,
    load_glossary,
)
from goodpath.screening.normalize import has_han, latinize, to_simplified

__all__ = ["MAX_RENDERINGS", "ChineseRenderer", "Rendering", "chinese_number", "renderer"]

MAX_RENDERINGS = 6
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_SPLIT = re.compile(f"([{_HAN}]+)")
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SEPARATE_SCRIPTS = re.compile(f"[A-Za-z0-9][\\s()（）/,;]+[{_HAN}]|[{_HAN}][\\s()（）/,;]+[A-Za-z]")
_ARABIC_ORDINAL = re.compile(r"第\s*([0-9]+)")
_NUMBER = re.compile(r"^(第)?([〇零一二两三四五六七八九十百千]+)$")
# The hundred most common Chinese surnames (Ministry of Public Security ranking of 2019, as in
# https://en.wikipedia.org/wiki/List_of_common_Chinese_surnames): a short name of characters no
# table holds that starts with one reads as a person's name, surname first (李方伟 li fangwei).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Words never worth a pinyin alternative: their pinyin names nothing ("youxian gongsi").
_NO_PINYIN_KINDS = frozenset({"organization", "legal_form", "generic"})


@dataclass(frozen=True)
class Rendering:
    """A Latin rendering of a name (as ``latinize`` writes it) and how it was made."""

    text: str
    how: str


@dataclass(frozen=True)
class _Choice:
    latin: str  # latinized English or pinyin
    label: str  # "北方=north"
    pinyin: bool = False


def chinese_number(word: str) -> str | None:
    """ "第十四" -> "14th", "四十八" -> "48", "七二四" -> "724"; None for other words."""
    match = _NUMBER.match(word)
    if not match:
        return None
    ordinal, digits = match.groups()
    if any(c in _UNITS for c in digits):
        total, current = 0, 0
        for c in digits:
            if c in _UNITS:
                total += (current or 1) * _UNITS[c]
                current = 0
            else:
                current = _DIGITS[c]
        value = total + current
    else:
        value = int("".join(str(_DIGITS[c]) for c in digits))
    return _ordinal(value) if ordinal else str(value)


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _pinyin_word(han: str) -> str:
    """The toneless pinyin of a word, its syllables written together: 南江 -> nanjiang."""
    return latinize(han).replace(" ", "")


class ChineseRenderer:
    """Renders Chinese names with the given tables (see the module's docstring for the order)."""

    def __init__(
        self,
        curated: Mapping[str, Sequence[str]],
        words: Mapping[str, tuple[str, Sequence[str]]],
        dictionary: Mapping[str, tuple[str, Sequence[str]]],
        segment=None,
        short: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``curated``: Chinese registered name -> English names (found anywhere in a name);
        ``short``: short name or brand -> English names (only a whole name: 华为 alone is Huawei
        Technologies Co., Ltd., but not in 华为终端有限公司); ``words`` and ``dictionary``: word ->
        (kind, English renderings), ``words`` first; ``segment(text)`` -> words (jieba's by default)."""
        self.curated = {self._key(k): tuple(v) for k, v in curated.items() if v}
        self.short = {self._key(k): tuple(v) for k, v in (short or {}).items() if v}
        self._curated_max = max(map(len, self.curated), default=0)
        self.words: dict[str, tuple[str, tuple[str, ...]]] = {}
        for table in (dictionary, words):  # words override the dictionary
            for zh, (kind, english) in table.items():
                if english:
                    self.words[self._key(zh)] = (kind, tuple(english))
        self._words_max = max(map(len, self.words), default=0)
        self._segment = segment or self._jieba()

    @staticmethod
    def _key(text: str) -> str:
        return to_simplified(unicodedata.normalize("NFKC", text)).strip()

    def _jieba(self):
        import jieba  # only here: loading its dictionary takes about a second

        tokenizer = jieba.Tokenizer()
        jieba.setLogLevel(60)
        tokenizer.initialize()
        # our words kept whole (股份有限公司, 空天, 第十四研究所 is split by number below)
        for word in (*self.curated, *self.short, *(w for w, (kind, _) in self.words.items() if kind != "word")):
            if len(word) > 1:
                tokenizer.add_word(word, freq=max(tokenizer.suggest_freq(word), 1000))
        return lambda text: tokenizer.lcut(text, HMM=False)

    # --- rendering ---------------------------------------------------------------------------

    def render(self, name: str, limit: int = MAX_RENDERINGS) -> list[Rendering]:
        """Up to ``limit`` renderings of a name holding Chinese characters ([] otherwise)."""
        text = unicodedata.normalize("NFKC", name)
        if not has_han(text):
            return []
        text = to_simplified(text)
        # 第722研究所: the ordinal in Arabic digits, as the lists write it (722nd Research Institute)
        text = _ARABIC_ORDINAL.sub(lambda m: f" {_ordinal(int(m.group(1)))} ", text)
        segments: list[tuple[_Choice, ...]] = []
        latin_parts: list[str] = []
        han_segments: list[tuple[_Choice, ...]] = []
        for i, part in enumerate(_HAN_SPLIT.split(text)):
            if i % 2:
                rendered = self._han_run(part)
                segments.extend(rendered)
                han_segments.extend(rendered)
            elif latin := latinize(part):
                segments.append((_Choice(latin, latin),))
                latin_parts.append(latin)
        out = self._combine(segments, limit)
        if latin_parts and han_segments and _SEPARATE_SCRIPTS.search(text):
            # Two names side by side ("CGWIC 长城", "华为 (Huawei)"): each part alone too. Latin letters
            # inside a Chinese name ("MBP软件科技有限公司") are part of that one name.
            latin = " ".join(latin_parts)
            out = [
                *out[: max(limit - 3, 1)],
                *self._combine(han_segments, 2),
                Rendering(latin, f"the Latin part: {latin}"),
            ]
        seen: dict[str, Rendering] = {}
        for rendering in out:
            seen.setdefault(rendering.text, rendering)
        return list(seen.values())[:limit]

    def _combine(self, segments: list[tuple[_Choice, ...]], limit: int) -> list[Rendering]:
        def make(choices: Iterable[_Choice]) -> Rendering:
            choices = list(choices)
            return Rendering(
                latinize(" ".join(c.latin for c in choices)), " ".join(c.label for c in choices if c.label)
            )

        first = [s[0] for s in segments]
        out = [make(first)]
        # each word's other choices in turn, the others as first chosen
        for position, choices in enumerate(segments):
            for other in islice(choices[1:], 1):
                out.append(make([*first[:position], other, *first[position + 1 :]]))
        # proper names and places in pinyin, organization words translated
        pinyin = [next((c for c in s if c.pinyin), s[0]) for s in segments]
        out.append(make(pinyin))
        return out[: max(limit, 1)]

    def _han_run(self, run: str) -> list[tuple[_Choice, ...]]:
        """The choices of each word of a run of Chinese characters, curated names first."""
        if run in self.curated or run in self.short:
            return [self._curated_choices(run)]
        if 2 <= len(run) <= 4 and run[0] in _SURNAMES and self._unknown(run):
            given = _pinyin_word(run[1:])
            text = f"{_pinyin_word(run[0])} {given}"
            return [(_Choice(text, f"{run}={text} (a person's name in pinyin)", pinyin=True),)]
        out: list[tuple[_Choice, ...]] = []
        pending = ""
        i = 0
        while i < len(run):
            for size in range(min(self._curated_max, len(run) - i), 1, -1):
                if run[i : i + size] in self.curated:
                    if pending:
                        out.extend(self._words(pending))
                        pending = ""
                    out.append(self._curated_choices(run[i : i + size]))
                    i += size
                    break
            else:
                pending += run[i]
                i += 1
        if pending:
            out.extend(self._words(pending))
        return out

    def _unknown(self, run: str) -> bool:
        """No word of the run is in a table (nor a number)."""
        return all(isinstance(piece, str) for word in self._segment(run) for piece in self._word(word))

    def _curated_choices(self, zh: str) -> tuple[_Choice, ...]:
        english = self.curated.get(zh) or self.short[zh]
        return tuple(_Choice(latinize(en), f"{zh}={en} (curated)") for en in english)

    def _words(self, text: str) -> list[tuple[_Choice, ...]]:
        """The choices of each word; characters no table holds are read as names: a word of its own
        (南江), or single characters in a row, also across the segmenter's words (通 + 光 of 光通信)."""
        pieces: list[tuple[_Choice, ...] | str] = []
        for word in self._segment(text):
            pieces.extend(self._word(word))
        out: list[tuple[_Choice, ...]] = []
        run = ""
        for piece in (*pieces, None):
            if isinstance(piece, str) and len(piece) == 1:
                run += piece
                continue
            if run:
                out.extend(self._name_run(run))
                run = ""
            if isinstance(piece, str):
                out.extend(self._name_run(piece))
            elif piece is not None:
                out.append(piece)
        return out

    def _name_run(self, run: str) -> list[tuple[_Choice, ...]]:
        """Characters no table holds, in a row, read as a name: its syllables written together
        in twos, an odd first one alone (鸿睿思博 hongrui sibo, 蕴力达 yun lida), then every
        syllable apart (yun li da); two characters are one word (南江 nanjiang)."""
        syllables = [_pinyin_word(c) for c in run]
        if len(run) <= 2:  # a brand or a place in a company's name: written together (nanjiang)
            return [self._pinyin_choice(run)]
        else:
            parts = [syllables[0]] if len(run) % 2 else []
            parts += ["".join(syllables[i : i + 2]) for i in range(len(run) % 2, len(run), 2)]
            grouped = [" ".join(parts), " ".join(syllables)]
        return [tuple(_Choice(text, f"{run}={text} (pinyin)", pinyin=True) for text in dict.fromkeys(grouped))]

    def _word(self, word: str) -> list[tuple[_Choice, ...] | str]:
        """A segmenter's word: its own choices, or those of its parts (longest table words first);
        the characters no table holds are returned as text, one piece per run."""
        found = self._lookup(word)
        if found is not None:
            return [found]
        out: list[tuple[_Choice, ...] | str] = []
        pending = ""
        i = 0
        while i < len(word):
            for size in range(min(self._words_max, len(word) - i), 1, -1):
                piece = word[i : i + size]
                choices = self._lookup(piece)
                if choices is not None:
                    if pending:
                        out.append(pending)
                        pending = ""
                    out.append(choices)
                    i += size
                    break
            else:
                pending += word[i]
                i += 1
        if pending:
            out.append(pending)
        return out

    def _lookup(self, word: str) -> tuple[_Choice, ...] | None:
        number = chinese_number(word)
        if number is not None:
            return (_Choice(number, f"{word}={number}"),)
        if word.startswith("第") and len(word) > 2:  # 第十四研究所: the number, then the rest
            for cut in range(len(word) - 1, 1, -1):
                number = chinese_number(word[:cut])
                rest = self._lookup(word[cut:])
                if number is not None and rest is not None:
                    return tuple(_Choice(f"{number} {c.latin}", f"{word[:cut]}={number} {c.label}") for c in rest[:2])
        entry = self.words.get(word)
        if entry is None:
            return None
        kind, english = entry
        choices = [_Choice(latinize(e), f"{word}={e}") for e in english]
        if kind not in _NO_PINYIN_KINDS:
            pinyin = _pinyin_word(word)
            if all(c.latin.replace(" ", "") != pinyin for c in choices):
                choices.append(_Choice(pinyin, f"{word}={pinyin} (pinyin)", pinyin=True))
            else:
                choices = [replace_pinyin(c) if c.latin.replace(" ", "") == pinyin else c for c in choices]
        return tuple(choices)

    @staticmethod
    def _pinyin_choice(han: str) -> tuple[_Choice, ...]:
        pinyin = _pinyin_word(han)
        return (_Choice(pinyin, f"{han}={pinyin} (pinyin)", pinyin=True),)


def replace_pinyin(choice: _Choice) -> _Choice:
    return _Choice(choice.latin, choice.label, pinyin=True)


@cache
def renderer(light: bool = False) -> ChineseRenderer:
    """The renderer of the packaged data (built, with jieba loaded, on first use).

    ``light``: without jieba and the CC-CEDICT extract (the curated names, the words and the
    glossary, longest words first): for the Chinese names of the lists themselves, rendered
    when the index is built, which Latin queries and a cold CLI wait for."""
    curated: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for entry in load_chinese_names():
        english = [entry.en, *(ref.name for ref in entry.list_refs)]
        english = list(dict.fromkeys(e for e in english if latinize(e)))
        english = list({latinize(e): e for e in english}.values())[:3]
        for table, names in ((curated, [entry.zh]), (short, entry.short)):
            for zh in names:
                table[zh] = list(dict.fromkeys([*table.get(zh, []), *english]))
    words: dict[str, tuple[str, tuple[str, ...]]] = {}
    for zh, term in load_glossary().items():
        words[zh] = (term.kind, tuple(term.en))
    for zh, term in load_chinese_words().items():
        words[zh] = (term.kind, tuple(term.en))
    if light:
        return ChineseRenderer(curated, words, {}, segment=lambda text: [text], short=short)
    return ChineseRenderer(curated, words, load_chinese_dictionary(), short=short)
