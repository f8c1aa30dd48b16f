"""Drafting by sentence structure: proposals, offers, pledges, requests and status statements.

A cable's paragraphs are read sentence by sentence. A sentence yields a draft when a speech act
governs it — a reporting verb or construction (``proposed``, ``offered``, ``pledged``, ``undertook``,
``agreed to``, ``urged``, ``asked X to``, ``is prepared to``, ``stands ready to``, ``said he would
convey``, ``would like to establish``), or a status verb on a process (``consultations … were
suspended``). Its actor is the subject of that verb, resolved across the cable: a surname, a title
("the DCM"), a pronoun (the paragraph's speaker), "we" (the writer's government), an organization
or a government, each mapped to the person or government it names, and to that person's side.

Structure beyond the sentence:

- a **lead** ending in a colon ("Zhang's proposals include:", "the USG would …:") followed by list
  items yields one draft per item, each with the lead's kind and actor;
- **conditions**: conditional clauses inside the sentence ("if …", "in the event that …",
  "depending on …") and the sentences right after a draft that set out its alternatives and terms
  ("companies can choose …", "the benefits … would be …", "on the other hand … would lead to …",
  "the invitation would be extended exclusively to …") are kept with that draft, as one proposal
  with its conditions;
- **restatements**: a summary paragraph restates what the body says; a body draft of the same act
  (same kind family, same side, same named parties or wording) is folded into the summary's draft
  (``restated``), so one act is one draft.

Nothing here is specific to a cable: the word lists are English reporting verbs, titles and
conditional connectives. The rules were built on the cables listed in
tests/data/cable_drafts/SOURCES.md, not on the seeds, which stay an evaluation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from goodpath.cables.extract import _TITLES, _countries

KINDS = ("proposal", "offer", "pledge", "request", "status")
FAMILY = {"proposal": "offer", "offer": "offer", "pledge": "pledge", "request": "request", "status": "status"}

_WOULD_VERBS = (
    "prepare|provide|share|convey|pass|send|host|deliver|report|raise|consider|invite|extend|arrange|organize|support|"
    "establish|fund|support|offer|sponsor|facilitate|brief|follow up|look into|investigate|ensure|seek|work"
)
_WILL_VERBS = (
    "implement|continue|provide|share|prepare|host|send|convey|pass|consider|investigate|look into|report|take|"
    "work|press|ensure|raise|follow up|study|review|examine|establish|hold|invite|respond|cooperate|support|"
    "verify|check|enforce|inform|notify"
)
_LIKE_VERBS = (
    "establish|use|invite|begin|start|hold|host|meet|send|set up|create|develop|launch|organize|discuss|visit|"
    "arrange|conduct|sign|conclude|open|propose|see|receive|expand|resume|continue|initiate|explore"
)
_ADV = r"(?:\w+ly\s+)?"
# (kind, rule, pattern): the trigger governing a sentence; the first trigger in the text wins.
TRIGGERS: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (kind, rule, re.compile(pattern))
    for kind, rule, pattern in (
        ("proposal", "proposed", r"(?<![-\w])(?:[Pp]roposed|[Pp]roposes)\b(?!\s+by\b)"),
        ("proposal", "made a proposal",
         r"\b(?:outlined|presented|put forward|tabled|made|offered|floated|raised)\s+(?:a|an|the|its|his|her|their)\s+"
         r"(?:[\w.-]+\s+){0,2}(?:proposal|proposition|initiative|idea)\b"),
        ("proposal", "proposals include",
         r"\b(?:[Pp]roposals?|[Ss]uggestions?|[Ii]deas?)\s+(?:include|included|are|were)\b"),
        ("proposal", "suggested", r"\b(?:suggested|suggests|recommended|recommends)\b"),
        ("proposal", "expressed the desire",
         r"\b(?:expressed|conveyed|stated|indicated|reiterated|voiced)\s+(?:the\s+|a\s+|its\s+|his\s+|her\s+)?"
         r"(?:[\w.]+\s+){0,2}(?:desire|wish|interest|hope)\s+to\b"),
        ("proposal", "would like to", rf"\b(?:would|'d)\s+(?:also\s+)?like\s+to\s+(?:{_LIKE_VERBS})\b"),
        ("offer", "offered", r"\b(?:offered|offers)\s+to\b|\boffered\b(?!\s+by\b)"),
        ("offer", "is prepared to",
         r"\b(?:is|are|was|were|be|remains?|remained)\s+(?:also\s+|fully\s+|now\s+|still\s+)?"
         r"(?:prepared|ready|willing)\s+to\s+(?!be\b|predict|say\b|admit|speculate|comment|concede|believe|acknowledge)"),
        ("offer", "stands ready to", r"\b(?:stands?|stood)\s+ready\s+to\b"),
        ("offer", "invite", r"\b(?:[Ii]nvite|invites|invited)\b(?!\s+to\b)"),
        ("pledge", "pledged", r"\b(?:pledged|pledges|promised|promises|vowed|vows)\b"),
        ("pledge", "undertook",
         r"\b(?:undertook|undertakes|(?:has|have|had)\s+committed\s+(?:\w+sel(?:f|ves)\s+)?to|"
         r"committed\s+(?:himself|herself|itself|themselves)\s+to|"
         r"(?:is|are|remains?|remained)\s+(?:\w+ly\s+)?committed\s+to\s+(?=\w+ing\b))"),
        ("pledge", "agreed to",
         r"\b(?:agreed|agrees)\s+(?:to\s+(?!the\b|a\b|an\b|this\b|these\b|that\b|its\b|his\b|her\b|their\b|our\b|"
         r"all\b|several\b|some\b|many\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|[A-Z0-9])|that\b[^.;]{0,80}?\b(?:would|will)\b)"),
        ("pledge", "said would",
         r"\b(?:said|stated|added|noted|confirmed|replied|responded|assured\s+\w+|told\s+\w+)\s+(?:that\s+)?"
         rf"(?:he|she|they|it|we|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)\s+would\s+{_ADV}(?:{_WOULD_VERBS})\b"),
        ("pledge", "would",
         r"\b(?:USG|United States|U\.S\.|Government|government|Embassy|Department|Ministry|MFA|[Ww]e)\s+would\s+"
         rf"{_ADV}(?:{_WOULD_VERBS})\b"),
        ("pledge", "will", rf"\bwill\s+{_ADV}(?:{_WILL_VERBS})\b"),
        ("request", "urged",
         r"\b(?:urged|urges|pressed|encouraged|encourages|called\s+(?:on|upon))\b|"
         r"\b(?:should|to|please|Please)\s+(?:urge|press|ask|request|encourage)\s+(?:the\s+)?[A-Z]"),
        ("request", "asked",
         r"(?<!\bbe )(?<!\bbeen )(?<!\bwas )(?<!\bwere )\b(?:asked|asks)\s+"
         r"(?!to\b)(?!about\b)(?!whether\b)(?!if\b)"
         r"(?:that\b|for\b|[\w.'-]+(?:\s+[\w.'-]+){0,5}?\s+to\s+(?!meet\b))"),
        ("request", "requested",
         r"\b(?:requested\s+(?:that|the|you|Post|Embassy|posts|[A-Z]\w+\s+to|to)|requests\s+(?:that|the|you|Post|Embassy|posts))\b|"
         r"\b(?:[Ww]e|I|Department|Washington)\s+(?:\w+ly\s+)?request\s+(?:that|you|the|Post|Embassy|to)\b"),
        ("status", "suspended",
         r"\b(?:suspended|resumed|postponed|cancell?ed|halted|frozen|restarted|terminated|broken off|put on hold|"
         r"called off|stalled)\b"),
    )
)  # fmt: skip
# Words one of the triggers needs: a sentence with none of them is not looked at further.
_ANY_TRIGGER = re.compile(
    r"propos|suggest|recommend|desire|wish|interest|hope|like|offer|prepared|ready|willing|invit|pledg|promis|vow|"
    r"undert|committed|agree|would|will|urge|press|encourag|called|ask|request|suspend|resum|postpon|cancel|halt|"
    r"frozen|restart|terminat|broken off|on hold|called off|stalled|ideas?\b",
    re.I,
)
_NEGATIONS = {"not", "never", "no", "neither", "nor"}
_PROCESS = re.compile(
    r"\b(?:consultations?|talks|dialogues?|negotiations?|projects?|cooperation|exchanges?|programs?|programmes?|"
    r"meetings?|trainings?|visits?|rounds?|working groups?)\b",
    re.I,
)
_CONDITION_IN = re.compile(
    r"(?:^|[,;(]\s*|\b)((?:if|unless|provided(?:\s+that)?|in\s+the\s+event(?:\s+that)?|as\s+long\s+as|so\s+long\s+as|"
    r"on\s+(?:the\s+)?condition\s+that|depending\s+on|once|in\s+return\s+for|in\s+exchange\s+for)\b[^;:.]*?)"
    r"(?=,\s|;|:|\.$|$)",
    re.I,
)
_CONDITION_SENTENCE = re.compile(
    r"\b(?:if|unless|provided|in the event|as long as|on condition|can choose|choose to|on the other hand|otherwise|"
    r"benefits?|would lead to|in return|in exchange|those that|those who|exclusively|only if|would be asked|"
    r"must|depending on|as appropriate|incentives?|path)\b",
    re.I,
)
_SUMMARY = re.compile(r"^\s*summary\b|\bend\s+summary\b", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:-{1,2}|\*|•|[a-z]\)|\([a-z0-9]{1,3}\)|[a-z]\.|[0-9]{1,2}\))\s+")
# A sentence ends at . ! ? before a capital or quote, or at a line break; "U.S." and "A/S." are not ends.
_SENTENCE_END = re.compile(r"(?<![A-Z]\.[A-Z]\.)(?<!\b[A-Z]\.)(?<=[.!?])\s+(?=[A-Z\"“(])|\n+")
_ATTRIBUTION = re.compile(
    r",\s+(?:the\s+)?([A-Z][\w'/.-]*(?:\s+[A-Z][\w'/.-]*){0,3}|he|she|they)\s+"
    r"(?:said|stated|added|claimed|explained|noted|argued|continued|told\s+[\w\s]+?|stressed|emphasized)\s*[.,]?\s*$"
)
_STOP = set(
    "a an the of to and or in on for with by at from as that this these those is are was were be been would could "
    "should will can may also its their his her our we he she they it which who whom than more most such into "
    "about between through over under any all each other said".split()
)

US_LABEL = "USG"
# Posts (the city a cable's embassy or consulate is named by) and their countries' ISO codes.
_POSTS = {
    "BEIJING": "CN", "SHANGHAI": "CN", "GUANGZHOU": "CN", "SHENYANG": "CN", "CHENGDU": "CN", "HONG KONG": "CN",
    "NEW DELHI": "IN", "MUMBAI": "IN", "PARIS": "FR", "BOGOTA": "CO", "KINGSTON": "JM", "KUALA LUMPUR": "MY",
    "MOSCOW": "RU", "TOKYO": "JP", "SEOUL": "KR", "ISLAMABAD": "PK", "LONDON": "GB", "BERLIN": "DE", "ROME": "IT",
    "MADRID": "ES", "THE HAGUE": "NL", "BRUSSELS": "BE", "STOCKHOLM": "SE", "HELSINKI": "FI", "OSLO": "NO",
    "COPENHAGEN": "DK", "BERN": "CH", "VIENNA": "AT", "DUBLIN": "IE", "WARSAW": "PL", "VILNIUS": "LT",
    "BUDAPEST": "HU", "KYIV": "UA", "KIEV": "UA", "MINSK": "BY", "ANKARA": "TR", "CAIRO": "EG", "RIYADH": "SA",
    "ABU DHABI": "AE", "DUBAI": "AE", "AMMAN": "JO", "BEIRUT": "LB", "KABUL": "AF", "ALGIERS": "DZ",
    "PRETORIA": "ZA", "ABUJA": "NG", "ANTANANARIVO": "MG", "CONAKRY": "GN", "YAOUNDE": "CM", "JAKARTA": "ID",
    "BANGKOK": "TH", "HANOI": "VN", "CANBERRA": "AU", "WELLINGTON": "NZ", "ASTANA": "KZ", "DHAKA": "BD",
    "COLOMBO": "LK", "OTTAWA": "CA", "MEXICO": "MX", "BRASILIA": "BR", "BUENOS AIRES": "AR", "HAVANA": "CU",
    "CARACAS": "VE", "TEL AVIV": "IL", "BAGHDAD": "IQ", "DAMASCUS": "SY", "TRIPOLI": "LY", "KHARTOUM": "SD",
    "RANGOON": "MM", "TAIPEI": "TW", "PYONGYANG": "KP",
}  # fmt: skip
_NOT_NAMES = {*_TITLES, "USG", "MFA", "END", "SUMMARY", "COMMENT", "ISN", "EAP", "NOTE"}
# The label of a country's government in drafts (the US and China as the product's records name them).
_GOVERNMENT_LABELS = {"US": US_LABEL, "CN": "PRC"}
_US_WORDS = re.compile(
    r"\b(?:USG|U\.S\.|US|United States|American|Americans|Washington|the Department|State Department|Embassy|"
    r"Post|Mission|ISN|EAP|"
    r"PolOff|Poloff|EconOff|DCM|A/S|U/S|PDAS|DAS|Assistant Secretary|Under Secretary|Secretary of State|"
    r"we|We|our|Our|us)\b"
)
_US_TITLES = {"DCM", "A/S", "U/S", "PDAS", "DAS", "Assistant Secretary", "Under Secretary",
              "Deputy Assistant Secretary", "Principal Deputy Assistant Secretary", "Charge",
              "Consul General"}  # fmt: skip
_FOREIGN_TITLES = {"DG", "DDG", "AFM", "VFM", "FM", "Director General", "Deputy Director General", "Foreign Minister",
                   "Vice Foreign Minister", "Assistant Foreign Minister", "Vice Minister", "Minister", "Premier",
                   "Vice Premier", "State Councilor", "Party Secretary", "General Secretary"}  # fmt: skip
_FOREIGN_OFFICE = re.compile(
    r"\b(?:MFA|Foreign Ministry|Ministry of Foreign Affairs|Ministry|AFM|VFM|Vice Foreign Minister|Foreign Minister)\b"
)
_FOREIGN_GOV = re.compile(r"\b(?:MFA|Ministry|Foreign Ministry|government|Government|officials|authorities)\b")
_PRONOUNS = {"he", "she", "He", "She"}
_REPORTING = re.compile(
    r"\b(?:said|says|stated|noted|added|told\s+(?:the\s+)?[A-Z][\w/]*|explained|claimed|argued|stressed|emphasized|"
    r"believed|indicated|asserted|replied|responded|confirmed)\b\s*"
)
_OWN_FUTURE = re.compile(r"\b(?:Mission|Embassy|Post|Consulate|We|we|I)\s+will\b")
_OPENERS = re.compile(
    r"^\s*(?:Finally|Lastly|Also|In parallel|In addition|However|As such|To this end|Separately)\b,?\s*"
)
_SENTENCE_HEAD = re.compile(
    r"\s*([A-Z][a-z][\w'-]+(?:\s+[A-Z][a-z][\w'-]+)?)\s+(?:[a-z]+ed|said|told|asked|met|noted)\b"
)
_WRITER = re.compile(
    r"^(?:the\s+)?(?:Mission|Embassy|Post|Consulate|USEU|USUN|USNATO|USOSCE|UNVIE|Emboffs?|Poloffs?)\b", re.I
)
_ADVERBS = {
    "also",
    "further",
    "then",
    "again",
    "later",
    "still",
    "already",
    "even",
    "only",
    "therefore",
    "thus",
    "subsequently",
    "reportedly",
    "nevertheless",
    "however",
    "too",
    "finally",
    "once",
    "twice",
    "in",
    "turn",
}
_INSTITUTIONS = {
    "Agency",
    "Secretariat",
    "Board",
    "Council",
    "Committee",
    "Commission",
    "Chair",
    "Conference",
    "Group",
    "Parties",
    "Members",
    "States",
    "Delegation",
    "Organization",
    "Union",
    "Court",
    "Tribunal",
    "Bank",
}
_PASSIVE = {"is", "are", "was", "were", "be", "been", "being", "as"}
_PASSIVE_ADVERBS = {"also", "originally", "previously", "initially", "further", "not", "then", "repeatedly", "again"}
_DETERMINERS = {"the", "a", "an", "our", "their", "its", "his", "her", "your", "this", "these", "those", "that",
                "newly", "any", "no", "including", "(including"}  # fmt: skip
_NOT_ACTORS = {"This", "That", "These", "Those", "There", "It", "Its", "The", "A", "An", "In", "On", "At", "As", "If",
               "Summary", "Comment", "Background", "Both", "All", "Some", "Many", "Other", "Others", "Such", "While",
               "Although", "When", "After", "Before", "Since", "No", "Almost"}  # fmt: skip


@dataclass
class Draft:
    kind: str
    paragraph: int | None
    text: str
    rule: str
    actor: str | None = None
    side: str | None = None
    speaker: str | None = None
    counterpart: str | None = None
    act: str = ""
    conditions: list[str] = field(default_factory=list)
    restated: list[dict] = field(default_factory=list)
    lead: str | None = None
    status: str | None = None
    summary: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "paragraph": self.paragraph, "text": self.text, "rule": self.rule,
            "actor": self.actor, "side": self.side, "speaker": self.speaker, "counterpart": self.counterpart,
            "act": self.act, "conditions": list(self.conditions), "restated": list(self.restated),
            "lead": self.lead, "status": self.status,
        }  # fmt: skip


def sentences(text: str) -> list[str]:
    return [s.strip(" -\t") for s in _SENTENCE_END.split(text or "") if s and s.strip(" -\t")]


def _units(text: str) -> list[tuple[str, bool]]:
    """The paragraph as (sentence, is_list_item), list items kept whole, one per line."""
    units: list[tuple[str, bool]] = []
    for line in (text or "").split("\n"):
        if not line.strip():
            continue
        if _LIST_ITEM.match(line):
            units.append((_LIST_ITEM.sub("", line, count=1).strip(), True))
            continue
        units.extend((s, False) for s in sentences(line))
    return units


def units_lead(units: list[tuple[str, bool]]) -> bool:
    """Whether the list items that follow belong to a lead (the last non-item unit ends with a colon)."""
    for unit, is_item in reversed(units):
        if not is_item:
            return unit.rstrip().endswith(":")
    return False


def _inside_quote(sentence: str, at: int) -> bool:
    return (sentence[:at].count('"') + sentence[:at].count("“") - sentence[:at].count("”")) % 2 == 1


def _opinion(sentence: str, match: re.Match) -> bool:
    """ "suggested that X would be a tall order", "agreed that it was": a view, not a proposal."""
    clause = sentence[match.end() : match.end() + 120]
    clause = re.sub(r"^\s*(?:to\s+[A-Z]\w+\s+)?that\s+", "", clause)
    head = " ".join(clause.split()[:10])
    return bool(re.search(r"\b(?:would|could|might|may)\s+(?:be|have|not|probably)\b|\b(?:is|was|were|are)\b", head))


def _first_trigger(sentence: str) -> tuple[str, str, re.Match] | None:
    if not _ANY_TRIGGER.search(sentence):
        return None
    best = None
    for kind, rule, pattern in TRIGGERS:
        match = pattern.search(sentence)
        if match is None:
            continue
        if kind == "status" and not _PROCESS.search(sentence):
            continue
        if rule == "suggested" and _opinion(sentence, match):
            continue
        before = sentence[: match.start()].split()
        previous = before[-1].lower().strip(",") if before else ""
        if previous in _NEGATIONS or previous.endswith("n't") or " ".join(before[-2:]).lower() == "no longer":
            continue  # "did not agree", "never offered"
        earlier = before[-2].lower() if len(before) > 1 else ""
        if kind in ("request", "proposal", "offer", "pledge") and (
            previous in _PASSIVE or (previous in _PASSIVE_ADVERBS and earlier in _PASSIVE)
        ):
            continue  # "are encouraged to", "was proposed", "were also offered": no one acts in the sentence
        if rule in ("proposed", "pledged") and (previous in _DETERMINERS or previous.endswith(("'s", ",s"))):
            continue  # "the proposed repository", "our proposed statement"
        if rule == "will" and _OWN_FUTURE.search(sentence[: match.end()]):
            continue  # the writer's own follow-up, not a commitment to a counterpart
        if best is None or match.start() < best[2].start():
            best = (kind, rule, match)
    return best


# --- who is who ----------------------------------------------------------------------------------


def post_country(data: dict) -> str | None:
    """The country of the cable's post: the embassy it comes from, or for a cable from Washington the
    embassy it goes to (None for a mission to an organization, or an unknown post)."""
    posts = [data.get("origin") or "", data.get("from") or ""]
    if re.search(r"SECSTATE|STATE\b|Secretary of State", " ".join(posts), re.I):
        posts = [" ".join(data.get("to") or [])]
    for post in posts:
        city = re.sub(r"^(?:AM)?(?:EMBASSY|CONSUL(?:ATE)?)\s+|^(?:Embassy|Consulate)\s+", "", post.strip(), flags=re.I)
        code = _POSTS.get(re.split(r"\s+(?:PRIORITY|IMMEDIATE|ROUTINE|NIACT)\b", city)[0].strip().upper())
        if code:
            return code
    return None


class Cast:
    """The people, organizations and governments of one cable, and the side each belongs to."""

    def __init__(self, data: dict) -> None:
        self.people = [p for p in data.get("people") or [] if p.get("name")]
        self.organizations = [o for o in data.get("organizations") or [] if o.get("name")]
        self.countries = data.get("countries") or []
        self.host = self._host(data)
        self.text = "\n".join(p.get("text") or "" for p in data.get("paragraphs") or [])
        self._context: dict[str, str | None] = {}
        self.person_side = {p["name"]: self._person_side(p) for p in self.people}

    def _host(self, data: dict) -> str | None:
        """The country the cable deals with: the post's (see ``post_country``), else the one it names most."""
        code = post_country(data)
        if code:
            return code
        others = [c for c in self.countries if c.get("code") and c.get("code") != "US"]
        if not others:
            return None
        best = max(others, key=lambda c: (len(c.get("paragraphs") or []), -others.index(c)))
        return best["code"]

    def label(self, code: str | None) -> str | None:
        if code is None:
            return None
        if code in _GOVERNMENT_LABELS:
            return _GOVERNMENT_LABELS[code]
        names = {c["code"]: c.get("name") for c in self.countries if c.get("code")}
        return names.get(code) or code

    @property
    def host_label(self) -> str | None:
        return self.label(self.host)

    def other(self, side: str | None) -> str | None:
        if side == US_LABEL:
            return self.host_label
        if side is not None:
            return US_LABEL
        return None

    def _person_side(self, person: dict) -> str | None:
        # the words just before the name's first mention: "MFA Director ... Zhang", "ISN A/S Rood",
        # "Pakistani Second Secretary Usman Jadoon"; else the titles the cable gives the person
        side = self.context_side(person["name"].split()[-1])
        if side:
            return side
        titles = set(person.get("titles") or [])
        if titles & _US_TITLES:
            return US_LABEL
        if titles & _FOREIGN_TITLES:
            return self.host_label
        return None

    def context_side(self, name: str) -> str | None:
        """The side the words before a name's first mention give it, within their clause."""
        if name in self._context:
            return self._context[name]
        found = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", self.text) if name in self.text else None
        side = None
        if found:
            words = self.text[max(0, found.start() - 120) : found.start()]
            words = re.split(r"[.;:,()]\s", words)[-1]
            words = " ".join(words.split()[-9:])
            side = self.side_of(words, default=None)
        self._context[name] = side
        return side

    def side_of(self, phrase: str, default: str | None = None) -> str | None:
        """The government a phrase speaks for: a country named in it, US words, or (MFA, ministry,
        government) the host government."""
        pattern, records = _countries()
        codes = [records[m.group(1)][0] for m in pattern.finditer(phrase)]
        foreign = [c for c in codes if c != "US"]
        if foreign:
            return self.label(foreign[0])
        if _FOREIGN_OFFICE.search(phrase):
            return self.host_label
        if "US" in codes or _US_WORDS.search(phrase):
            return US_LABEL
        if _FOREIGN_GOV.search(phrase):
            return self.host_label
        return default

    def person(self, phrase: str) -> str | None:
        """The person a phrase names: a name part, or a bare title held by one person ("the DCM")."""
        words = re.findall(r"[A-Z][\w'-]+|[A-Z]/[A-Z]", phrase)
        for word in reversed(words):
            bare = word[:-2] if word.endswith("'s") else word
            for person in self.people:
                parts = person["name"].split()
                if bare in parts and len(bare) > 1:
                    return person["name"]
        for person in self.people:
            for title in person.get("titles") or []:
                if re.search(rf"(?<![\w/]){re.escape(title)}(?![\w/])", phrase) and self._holders(title) == 1:
                    return person["name"]
        return None

    def _holders(self, title: str) -> int:
        return sum(1 for p in self.people if title in (p.get("titles") or []))

    def organization(self, phrase: str) -> str | None:
        for org in self.organizations:
            for form in [org["name"], *(org.get("forms") or [])]:
                if form and form in phrase:
                    return org["name"]
        return None

    def resolve(self, phrase: str, speaker: str | None) -> tuple[str | None, str | None]:
        """(actor, side) of a subject phrase."""
        phrase = phrase.strip()
        bare = re.sub(r"^(?:the|The)\s+", "", phrase)
        if bare in _PRONOUNS:
            if not speaker:
                return None, None
            if speaker in self.person_side:
                return speaker, self.person_side[speaker]
            return self.resolve(speaker, None)
        if bare in {"we", "We", "our", "Our", "us"}:
            return US_LABEL, US_LABEL
        if bare in {"they", "They", "it", "It"}:
            return None, None
        person = self.person(phrase)
        if person:
            return person, self.person_side.get(person) or self.side_of(phrase)
        side = self.side_of(phrase)
        if _FOREIGN_OFFICE.search(phrase) and side == self.host_label:
            # "MFA", "the Ministry": the host official speaking for it ("Zhang", "DG Zhang Yan", "MFA" are one
            # actor), else the host government (whatever ministry the gazetteer knows)
            if speaker and self.person_side.get(speaker) == side:
                return speaker, side
            return side, side
        organization = self.organization(phrase)
        if organization:
            return organization, side or self.side_of(organization)
        if side:
            return side, side
        name = re.search(r"([A-Z][a-z][\w'-]+(?:\s+[A-Z][a-z][\w'-]+){0,2})\s*$", phrase)
        if name and name.group(1).split()[-1] in _INSTITUTIONS:
            return name.group(1), None  # "the Agency", "the Secretariat": no government's
        if name and name.group(1).split()[0] not in _NOT_ACTORS:
            # a person the cable names without a side: the host country's, as an interlocutor of the
            # writer's post (the post's own people carry US titles or words)
            return name.group(1), self.context_side(name.group(1).split()[-1]) or self.host_label
        return None, None


# --- sentences -----------------------------------------------------------------------------------


def _subject(before: str) -> str:
    """The subject phrase right before a verb: after the last clause break ("that", ",", ";")."""
    before = before.rstrip()
    cut = max(before.rfind(","), before.rfind(";"), before.rfind(":"))
    clause = before[cut + 1 :] if cut >= 0 else before
    that = list(re.finditer(r"\b(?:that|whether|and|but)(?:\s+|$)", clause))
    if that:
        clause = clause[that[-1].end() :]
    reported = list(_REPORTING.finditer(clause))
    if reported and clause[reported[-1].end() :].strip():  # "Li said China is committed": China
        clause = clause[reported[-1].end() :]
    clause = _OPENERS.sub("", clause.strip())
    words = clause.split()
    while words and (words[-1] in _ADVERBS or (words[-1].endswith("ly") and words[-1].islower())):
        words.pop()  # "He also proposed", "Zhang further believed", "China strongly urged"
    return " ".join(words[-8:])


def _sentence_subject(before: str) -> str | None:
    """The sentence's own subject (its opening noun phrase), for a verb coordinated after "and"."""
    head = re.sub(r"^\s*(?:[A-Z][\w\s,]{0,60}?,\s+)?", "", before)
    pronoun = re.match(r"\s*([Hh]e|[Ss]he|[Ww]e|[Tt]hey)\b", head)
    if pronoun:
        return pronoun.group(1)
    words = []
    for word in head.split():  # the opening noun phrase: capitalised words and the small words between them
        if word[:1].isupper() or (words and word in ("and", "of", "for", "the")):
            words.append(word)
            continue
        break
    while words and words[-1] in ("and", "of", "for", "the"):
        words.pop()
    return " ".join(words) or None


def _conditions_in(sentence: str) -> list[str]:
    found = []
    for match in _CONDITION_IN.finditer(sentence):
        clause = match.group(1).strip(" ,;")
        if len(clause.split()) >= 3:
            found.append(clause)
    return found


def _attribution(sentence: str) -> str | None:
    match = _ATTRIBUTION.search(sentence.rstrip())
    return match.group(1) if match else None


def _counterpart(after: str, cast: Cast, side: str | None, speaker: str | None) -> str | None:
    """Who the act is addressed to: "urged the USG to", "invite senior NORINCO officials", "to A/S Rood"."""
    other = cast.other(side)
    for found in (re.match(r"\s*(?:that\s+)?((?:the\s+)?[A-Z][\w.'/-]*(?:\s+[A-Z][\w.'/-]*){0,4})", after),
                  re.search(r"\bto\s+((?:the\s+)?[A-Z][\w.'/-]*(?:\s+[A-Z][\w.'/-]*){0,3})", after)):  # fmt: skip
        if not found:
            continue
        actor, named_side = cast.resolve(found.group(1), speaker)
        if actor and named_side != side and (named_side == other or named_side is None or actor != named_side):
            return actor  # a person or organization of the other side, or the other government
    return other


def _status_word(sentence: str) -> str | None:
    match = re.search(r"\b(suspended|resumed|postponed|cancell?ed|halted|frozen|restarted|terminated|stalled)\b",
                      sentence)  # fmt: skip
    if not match:
        return None
    word = match.group(1).lower()
    return {"frozen": "suspended", "halted": "suspended", "stalled": "suspended", "restarted": "resumed",
            "cancelled": "ended", "canceled": "ended", "terminated": "ended"}.get(word, word)  # fmt: skip


def _status_actor(sentence: str, cast: Cast, speaker: str | None) -> tuple[str | None, str | None]:
    by = re.search(r"\bby\s+((?:the\s+)?[A-Z][\w.'/-]*(?:\s+[A-Z][\w.'/-]*){0,3})", sentence)
    if by:
        actor, side = cast.resolve(by.group(1), speaker)
        if side:
            return actor, side
    return None, cast.side_of(sentence)


def _draft(sentence: str, number: int | None, kind: str, rule: str, match: re.Match, cast: Cast,
           speaker: str | None) -> Draft:  # fmt: skip
    said = _attribution(sentence)
    if kind == "status":
        actor, side = _status_actor(sentence, cast, speaker)
        return Draft(kind, number, sentence, rule, actor=actor, side=side, speaker=speaker, act=sentence,
                     counterpart=cast.other(side), conditions=_conditions_in(sentence),
                     status=_status_word(sentence))  # fmt: skip
    subject = _subject(sentence[: match.start()])
    if rule in ("said would",):
        inner = re.search(r"(?:that\s+)?(\S+(?:\s+[A-Z][\w.]*)?)\s+would\s", match.group(0))
        subject = inner.group(1) if inner else subject
        if subject in _PRONOUNS:  # "The DCM welcomed …, said he would pass on": the sentence's subject
            own = _sentence_subject(sentence[: match.start()])
            if own and cast.person(own):
                subject = own
    if rule == "would":  # "the USG would prepare": the government named in the match
        subject = match.group(0).split(" would")[0]
    if rule == "requested" and re.match(r"(?:[Ww]e|I|Department|Washington)\s", match.group(0)):
        subject = match.group(0).split()[0]  # "We request that you …"
    if rule == "proposals include":
        possessive = re.search(r"([A-Z][\w./-]*(?:\s+[A-Z][\w./-]*){0,3})(?:'s|’s)\s+(?:\w+\s+)?$",
                               sentence[: match.start()])  # fmt: skip
        subject = possessive.group(1) if possessive else subject
    if _inside_quote(sentence, match.start()) and subject.split()[-1:] in (["we"], ["We"]):
        subject = _attribution(sentence) or "he"
    if not re.search(r"[A-Z]|\b(?:he|she|we|they|it)\b", subject or ""):
        subject = _sentence_subject(sentence[: match.start()]) or subject
    actor, side = cast.resolve(subject, speaker) if subject else (None, None)
    if actor is None and said:  # "…, Zhang said": the one who said it
        actor, side = cast.resolve(said, speaker)
    if side is None and subject:
        side = cast.side_of(subject)
    speaker_name = cast.resolve(said, speaker)[0] if said else speaker
    reported = list(_REPORTING.finditer(sentence[: match.start()]))
    if reported and not said:  # "In reply, Li said China is …": Li speaks
        who = cast.person(" ".join(sentence[: reported[-1].start()].split()[-3:]))
        speaker_name = who or speaker_name
    act = sentence[match.start() :].strip()
    after = sentence[match.end() :]
    return Draft(kind, number, sentence, rule, actor=actor, side=side, speaker=speaker_name, act=act,
                 counterpart=_counterpart(after, cast, side, speaker), conditions=_conditions_in(sentence))  # fmt: skip


def _next_speaker(sentence: str, cast: Cast, current: str | None) -> str | None:
    said = _attribution(sentence)
    if said and said not in {"he", "she", "they"}:
        actor, _side = cast.resolve(said, current)
        if actor and actor not in (US_LABEL, cast.host_label):
            return actor
    head = cast.person(" ".join(sentence.split()[:6]))
    if head:
        return head
    subject = _SENTENCE_HEAD.match(sentence)
    if subject and subject.group(1).split()[0] not in _NOT_ACTORS:
        actor, _side = cast.resolve(subject.group(1), current)
        if actor and actor not in (US_LABEL, cast.host_label):
            return actor
    return current


def detect(data: dict) -> list[Draft]:
    """The drafts of one parsed cable (``Cable.to_dict()``), in paragraph order, restatements folded."""
    cast = Cast(data)
    drafts: list[Draft] = []
    speaker: str | None = None  # carried into the next paragraph: "He also offered …" at its start
    for paragraph in data.get("paragraphs") or []:
        number, text = paragraph.get("number"), paragraph.get("text") or ""
        summary = bool(_SUMMARY.search(text))
        lead: Draft | None = None
        last: Draft | None = None
        units = []
        for unit, is_item in _units(text):
            if is_item and lead is None and not units_lead(units):
                units.extend((s, False) for s in sentences(unit))
            else:
                units.append((unit, is_item))
        for unit, is_item in units:
            if is_item and lead is not None:
                item = Draft(lead.kind, number, unit.rstrip(" ;,."), lead.rule, actor=lead.actor, side=lead.side,
                             speaker=lead.speaker, counterpart=lead.counterpart, act=unit.rstrip(" ;,."),
                             conditions=_conditions_in(unit), lead=lead.text, summary=summary)  # fmt: skip
                drafts.append(item)
                last = item
                continue
            lead = None
            found = _first_trigger(unit)
            if found is None:
                if last is not None and _CONDITION_SENTENCE.search(unit) and not is_item:
                    last.conditions.append(unit)  # the terms and alternatives of the draft before
                else:
                    last = None
                speaker = _next_speaker(unit, cast, speaker)
                continue
            kind, rule, match = found
            draft = _draft(unit, number, kind, rule, match, cast, speaker)
            draft.summary = summary
            speaker = _next_speaker(unit, cast, speaker)
            if draft.actor and draft.actor not in (US_LABEL, cast.host_label) and draft.kind != "status":
                speaker = draft.actor
            if unit.rstrip().endswith(":"):  # a lead: its items are the drafts
                lead, last = draft, None
                continue
            if draft.kind != "status" and draft.actor is None and draft.side is None:
                last = None  # no one to hold to it ("one study suggests", "it was agreed")
                continue
            if draft.kind in ("offer", "pledge") and _WRITER.match(_subject(unit[: match.start()]) or ""):
                last = None  # the writer's own follow-up ("Mission will monitor", "Embassy is ready to")
                continue
            drafts.append(draft)
            last = draft
    return _fold_restatements(drafts, cast)


# --- restatements --------------------------------------------------------------------------------


def _content(text: str) -> set[str]:
    text = re.sub(r"\b(?:the\s+)?(?:United States|U\.S\.|USG|US)\b", " usg ", text)
    words = re.findall(r"[A-Za-z][\w-]+", text.lower())
    return {w[:6] for w in words if w not in _STOP and len(w) > 2}


def _names(text: str, cast: Cast) -> set[str]:
    """Distinctive names in a text: acronyms and organizations, not governments or the actor."""
    pattern, records = _countries()
    country_forms = set(records)
    found = {w for w in re.findall(r"\b[A-Z]{3,}\b", text) if w not in country_forms and w not in _NOT_NAMES}
    for org in cast.organizations:
        if org.get("kind") == "government" or org["name"].startswith("Ministry"):
            continue
        if any(form and form in text for form in [org["name"], *(org.get("forms") or [])]):
            found.add(org["name"])
    return found


def similarity(one: str, two: str) -> float:
    """Shared content words over the smaller text's (at least three shared, else a small share)."""
    a, b = _content(one), _content(two)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    if shared < 3:
        return shared / max(len(a), len(b))
    return shared / min(len(a), len(b))


def same_act(one: Draft, two: Draft, cast: Cast | None = None) -> float:
    """How surely two drafts state the same act (0..1): same kind family and side required."""
    if FAMILY[one.kind] != FAMILY[two.kind] or (one.side and two.side and one.side != two.side):
        return 0.0
    score = similarity(one.act or one.text, two.act or two.text)
    if cast is not None:
        shared = _names(one.text, cast) & _names(two.text, cast)
        if shared:
            score = max(score, 0.6)
    if one.actor and one.actor == two.actor and one.kind == two.kind:
        score += 0.1
    return score


FOLD_AT = 0.5


def _fold_restatements(drafts: list[Draft], cast: Cast) -> list[Draft]:
    """A body draft restating a summary draft of the same act is folded into it: each body draft into
    the summary draft it matches best, when that match is sure enough."""
    summaries = [d for d in drafts if d.summary]
    if not summaries:
        return drafts
    folded: set[int] = set()
    for body in drafts:
        if body.summary:
            continue
        scored = [(same_act(s, body, cast), index) for index, s in enumerate(summaries)]
        score, index = max(scored)
        if score < FOLD_AT:
            continue
        target = summaries[index]
        target.restated.append({"paragraph": body.paragraph, "text": body.text})
        target.conditions.extend(c for c in body.conditions if c not in target.conditions)
        if body.actor and body.actor in cast.person_side and target.actor not in cast.person_side:
            target.actor = body.actor  # the person named in the body, for "China is prepared …"
        target.side = target.side or body.side
        folded.add(id(body))
    return [d for d in drafts if id(d) not in folded]
