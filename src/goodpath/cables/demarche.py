"""Cases from demarches: an action request about a transfer drafts an alleged-violation case; a later
cable citing it (its REF lines) drafts an update of that case.

A demarche ("This is an action request… the United States has information that company X offered or
shipped item Y to end user Z through intermediary W… we request that you investigate… report
response") yields a draft of kind ``case`` whose fields are what ``cases.raise_case`` needs:

- ``parties``: ``[{name, role}]``, the role read from where the name stands around the transfer verb
  (the one who supplies, ships, sells or offers: ``supplier``; the one it goes to: ``end_user``; the
  one who buys or orders: ``buyer``; "through/via": ``intermediary``; else ``other``); redacted names
  (``xxxxxxxxxxxx``) are left out;
- ``items``: the goods, each with the control list or regime the cable names for it (MTCR, NSG,
  Wassenaar, Australia Group, CWC);
- ``partner``: the government asked to act (the country the demarche is about, not the destination);
- ``requests``: what it is asked to do; ``references``: the REF-line cables as reference ids
  (``08STATE14066``).

A cable whose references include a cable that drafted or opened a case yields a ``case_update`` of
that case instead, with the partner's step when the cable reports one: it asked for details
(``acknowledged``), agreed to investigate (``under_investigation``), or reported what it did
(``response_reported``). Pure functions over a parsed cable; the drafts module stores them.
"""

from __future__ import annotations

import re

from goodpath.cables import structure
from goodpath.cables.extract import _countries

ROLES = ("supplier", "buyer", "end_user", "intermediary", "other")
# The case register's roles for the drafted ones (cases.PARTY_ROLES).
CASE_ROLES = {"supplier": "exporter", "buyer": "consignee", "end_user": "end_user", "intermediary": "broker",
              "other": "other"}  # fmt: skip
# ISO 3166-1 alpha-3, the organization codes cases and markings use, for the countries the extractor knows.
ALPHA3 = {"CN": "CHN", "US": "USA", "IR": "IRN", "KP": "PRK", "KR": "KOR", "JP": "JPN", "RU": "RUS", "PK": "PAK",
          "SY": "SYR", "IN": "IND", "TW": "TWN", "GB": "GBR", "FR": "FRA", "DE": "DEU", "IQ": "IRQ", "SD": "SDN",
          "MM": "MMR", "LY": "LBY", "VE": "VEN", "IL": "ISR"}  # fmt: skip

_ACTION = re.compile(
    r"\baction request\b|\bplease see para|\brequests? (?:that )?(?:Post|Embassy)\b|\b(?:Post|Embassy) should\b|"
    r"\b(?:Posts? (?:is|are) )?instructed to\b|\bwe request that you\b|"
    r"\b(?:Post|Embassy|Mission|Posts) (?:is|are) (?:requested|asked) to\b|\bplease deliver\b|\btalking points\b",
    re.I,
)
_SANCTIONS_NOTICE = re.compile(
    r"NOTIFICATION OF (?:\w+\s+)?SANCTIONS|IMPOSITION OF (?:\w+\s+)?SANCTIONS|"
    r"SANCTIONS? (?:DETERMINATION|DECISION)s?\b",
    re.I,
)
_TRANSFER = re.compile(
    r"\b(?:suppl(?:y|ied|ying|ies)|ship(?:ped|ping|ment|ments)?|transfer(?:red|ring|s)?|sold|sell(?:ing|s)?|sales?|"
    r"export(?:ed|ing|s)?|provid(?:ed|ing|es)|offer(?:ed|ing)|deliver(?:ed|ing|y|ies)|procure(?:d|ment)?|"
    r"purchas(?:e|ed|ing|es)|acquir(?:e|ed|ing)|bought|order(?:ed)?|trading activities|assistance to)\b",
    re.I,
)
_REGIMES = (
    ("MTCR", re.compile(r"\bMTCR\b|Missile Technology Control Regime")),
    ("NSG", re.compile(r"\bNSG\b|Nuclear Suppliers Group")),
    ("Wassenaar", re.compile(r"\bWassenaar\b|\bWA\b")),
    ("AG", re.compile(r"\bAustralia Group\b|\bAG\b")),
    ("CWC", re.compile(r"\bCWC\b|Chemical Weapons Convention")),
)
_REDACTED = re.compile(r"x{4,}", re.I)
_VESSEL = re.compile(r"\b(?:M/V|MV|M\.V\.)\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?")
_NOT_GOODS = re.compile(
    r"\b(?:demarche|non-?paper|information|talking points|message|letter|points|assistance)\b", re.I
)
_NAME = r"(?:[A-Z][\w&'./-]*|of|and|for|the)"
_PARTY = re.compile(
    rf"((?:M/V|MV|M\.V\.)\s+[A-Z][\w-]+|[A-Z][\w&'./-]*(?:\s+{_NAME}){{0,6}}"
    r"(?:,?\s+(?:Co\.,?\s+)?(?:Ltd\.?|Limited|Inc\.?|LLC|GmbH|Sdn\.?\s+Bhd\.?|PLC|Corp\.?))?"
    r"\s*(?:\([A-Z][A-Za-z0-9&-]{1,12}\))?)"
)
_NOT_PARTIES = {
    "This", "The", "We", "Since", "Most", "Post", "Embassy", "Department", "Background", "Objectives", "Action",
    "Request", "Refs", "Reftels", "Ref", "USG", "U.S.", "United States", "China", "Chinese", "Iran", "PRC", "Please",
    "In", "On", "As", "If", "Under", "Acting", "Secretary", "Summary", "Note", "Washington", "President", "UN",
    "Security Council", "UNSC", "MTCR", "NSG", "Missile Technology Control Regime", "Nuclear Suppliers Group",
    "Australia Group", "Wassenaar Arrangement", "Chemical Weapons Convention", "ISN", "EAP", "Press", "Highlight",
    "Remind", "Stress", "Encourage", "Urge", "Coalition", "Reftel", "Septel", "Septels",
}  # fmt: skip
_ENTITY_WORDS = re.compile(
    r"\b(?:firm|company|companies|corporation|entity|entities|group|industries|industry|trading|import|export|"
    r"co|corp|ltd|limited|inc|llc|gmbh|plc|bhd|institute|organization|bureau|factory|plant|center|centre|agency|ministry|"
    r"vessel|ship|complex|works|enterprises?|technolog(?:y|ies)|metals?|chemicals?|electronics?)\b",
    re.I,
)
_STEP_RULES = (
    ("response_reported", re.compile(
        r"\binvestigat\w*\s+(?:found|showed|revealed|determined|concluded)|\b(?:has|have|had)\s+(?:stopped|halted|"
        r"seized|penalized|fined|revoked|denied|suspended|punished)|\breported\s+(?:that|the results)|"
        r"\bconcluded\s+(?:that|its)|\btook\s+(?:action|measures)\s+against\b", re.I)),
    ("under_investigation", re.compile(
        r"\bagreed\s+to\s+(?:investigate|look into|check|verify|examine)|\b(?:will|would)\s+(?:\w+ly\s+)?"
        r"(?:investigate|look into|check|verify|examine|follow up)|\b(?:is|are|was|were)\s+investigating\b|"
        r"\b(?:launched|opened|began|started)\s+an?\s+investigation|\b(?:its|an|the)\s+investigation\s+(?:of|into)\b",
        re.I)),
    ("acknowledged", re.compile(
        r"\b(?:asked|requested)\s+(?:for\s+)?(?:more|additional|further)\s+(?:details|information|evidence)|"
        r"\b(?:will|would)\s+(?:\w+ly\s+)?(?:share|pass|relay|convey|forward|report)\s+(?:the|this|that)\s+"
        r"information|\btook note\b|\bnoted the (?:information|demarche)|\breceived the (?:demarche|information)",
        re.I)),
)  # fmt: skip
_REFERENCE = re.compile(r"^(?:(\d{2})\s*)?([A-Z][A-Z ]*?[A-Z])\s*0*(\d{1,6})(?:\s|$)")


def _year(data: dict) -> str | None:
    match = re.match(r"(\d{2})[A-Z]", data.get("reference_id") or "")
    if match:
        return match.group(1)
    created = data.get("created") or ""
    return created[2:4] if re.match(r"\d{4}", created) else None


def reference_ids(data: dict) -> list[str]:
    """The REF lines as reference ids: "STATE 14066" in a 2008 cable is 08STATE14066, "06 BEIJING 2983"
    is 06BEIJING2983; lines that name no cable (an e-mail, a non-paper) are left out."""
    year = _year(data)
    found = []
    for line in data.get("references") or []:
        text = re.sub(r"^[A-Z]\.\s+", "", str(line).strip().upper())
        match = _REFERENCE.match(text)
        if not match:
            continue
        prefix = match.group(1) or year
        origin = match.group(2).replace(" ", "")
        if not prefix or len(origin) < 3 or origin in {"MAY", "JUNE", "NON", "PAPER"}:
            continue
        found.append(f"{prefix}{origin}{int(match.group(3))}")
    return list(dict.fromkeys(found))


def _paragraphs(data: dict) -> list[tuple[int | None, str]]:
    return [(p.get("number"), (p.get("text") or "").replace("\n", " ")) for p in data.get("paragraphs") or []]


def _all_text(data: dict) -> str:
    return " ".join([data.get("subject") or "", *(t for _n, t in _paragraphs(data))])


def is_demarche(data: dict) -> bool:
    """An action request about a transfer (a cable reporting how a demarche was received is not one)."""
    text = _all_text(data)
    if _SANCTIONS_NOTICE.search(data.get("subject") or ""):
        return False  # notifying sanctions already decided: a registry matter, not a case to raise
    asks = bool(_ACTION.search(text)) or (
        "DEMARCHE" in (data.get("subject") or "").upper() and "STATE" in (data.get("reference_id") or "")
    )
    return asks and bool(_TRANSFER.search(text))


def _clean_party(name: str) -> str:
    name = re.sub(r"^(?:the|The)\s+", "", name.strip(" ,;:"))
    name = name.rstrip(".") if not re.search(r"\b(?:Co|Ltd|Inc|Corp|Bhd)\.$", name) else name
    name = re.sub(r"^[A-Z]\w*(?:\s+[A-Z]\w*)?-based\s+", "", name)  # "Beijing-based …", "Hong Kong-based …"
    name = re.sub(r"^[A-Z][\w-]*(?:'s|’s|,s)\s+", "", name)  # "Iran's Shahid Hemmat …"
    words = name.split()
    while len(words) > 1 and words[0] in _countries()[1]:  # "Chinese firm …", "Iranian …"
        words = words[1:]
    name = " ".join(words)
    name = re.sub(r"\s+(?:and|of|for|the)$", "", name)
    return name.strip()


def _party_names(sentence: str, defined: str = "") -> list[tuple[str, int]]:
    """Named entities in a sentence with their positions: capitalised phrases that read as an entity
    (an organization word, an acronym, a vessel, or an alias "also known as")."""
    found = [(match.group(0), match.start()) for match in _VESSEL.finditer(sentence)]
    for match in _PARTY.finditer(sentence):
        name = _clean_party(match.group(1))
        first = name.split()[0] if name.split() else ""
        base = re.sub(r"\s*\([^)]*\)$", "", name)
        if not name or base in _NOT_PARTIES or first in _NOT_PARTIES or _REDACTED.search(name):
            continue
        if any(pattern.search(base) for _code, pattern in _REGIMES) or _VESSEL.search(name):
            continue
        is_acronym = bool(re.fullmatch(r"[A-Z][A-Z0-9&-]{2,}", name))
        if is_acronym and not (
            f"({name})" in defined
            or re.search(r"\b(?:firm|company|entity|supplier|end[- ]user|broker)\s+$", sentence[: match.start()], re.I)
        ):
            continue  # an acronym the cable does not define as an entity ("APEC summit", a heading)
        person = re.match(r"\s*\((?:a\.k\.a\.|aka|also known as)", sentence[match.end() :], re.I) or re.search(
            r"\b(?:individual|businessman|businesswoman|national|Mr\.|Ms\.|Dr\.)\s+$", sentence[: match.start()]
        )
        if not (_ENTITY_WORDS.search(name) or is_acronym or "(" in name or person):
            continue
        if re.fullmatch(r"[A-Z]{2,5}", name) and name in _countries()[1]:
            continue
        found.append((name, match.start()))
    return found


def _role(sentence: str, position: int, name: str) -> str:
    before = sentence[:position]
    window = before[-60:]
    if re.search(r"\b(?:through|via|broker(?:ed)?\s+by|on behalf of|front company|intermediar\w*)\W+(?:\w+\W+){0,3}$",
                 window, re.I):  # fmt: skip
        return "intermediary"
    if re.search(
        r"\b(?:purchased|bought|ordered|procured)\s+by\s+(?:the\s+)?$|\bbuyer\W+(?:\w+\W+){0,2}$", window, re.I
    ):
        return "buyer"
    after = sentence[position + len(name) : position + len(name) + 60]
    if _BROKERING.match(after):
        return "intermediary"
    if re.search(r"\b(?:sale|sales|shipment|shipments|export|exports|transfer|supply)\s+of\s+[^,;]{1,60}?\s+by\s+"
                 r"(?:the\s+)?$", before[-90:], re.I):  # fmt: skip
        return "supplier"
    if name.startswith(("M/V", "MV ", "M.V.")):
        return "other"
    verb = None
    for match in _TRANSFER.finditer(before):
        verb = match
    if verb is not None:
        between = before[verb.end() :]
        if (
            re.search(r"\bto\s+(?:\w+\W+){0,8}$", between)
            or re.match(r"\s*(?:\w+\W+){0,8}$", between)
            and re.search(r"\b(?:suppl|provid|assist|sell|sold)", verb.group(0), re.I)
        ):
            return "end_user"
        if re.search(r"\bfrom\s+(?:\w+\W+){0,4}$", between):
            return "supplier"
    after = sentence[position + len(name) : position + len(name) + 80]
    if _BUYING.match(after):
        return "buyer"  # "X is attempting to procure …", "X ordered …"
    if _TRANSFER.match(after.strip()) or re.match(r"\s*(?:,[^,]*,\s*)?(?:has|have|had|is|was)?\s*(?:\w+ly\s+)?"
                                                  r"(?:suppl|ship|sold|sell|export|provid|offer|transfer|deliver)",
                                                  after, re.I):  # fmt: skip
        return "supplier"
    if re.search(r"\b(?:activities|transfers|exports|shipments|sales|assistance)\s+of\s+(?:the\s+)?(?:\w+\s+){0,3}$",
                 before[-60:], re.I):  # fmt: skip
        return "supplier"
    if re.search(r"\b(?:firm|company|supplier|exporter|manufacturer)\s+$", before[-30:], re.I):
        return "supplier"
    if re.search(r"\b(?:developer|end[- ]user|program|military|ministry|buyer)\b", name + " " + before[-40:], re.I):
        return "end_user"
    return "other"


def parties(data: dict) -> list[dict]:
    """Every party the transfer sentences name, once, with its role and aliases ("X, also known as Y")."""
    found: dict[str, dict] = {}
    aliases: dict[str, str] = {}
    defined = _all_text(data)
    for _number, text in _paragraphs(data):
        for sentence in structure.sentences(text):
            known = re.search(r"([A-Z][\w&'./-]*(?:\s+[A-Z][\w&'./-]*){0,6}),?\s+\(?(?:which is\s+)?(?:also\s+)?"
                              r"(?:known as|a\.k\.a\.?|aka)\s+([A-Z][\w&'./-]*(?:\s+[A-Z][\w&'./-]*){0,4})",
                              sentence)  # fmt: skip
            if known:
                aliases[_clean_party(known.group(2))] = _clean_party(known.group(1))
            if not _TRANSFER.search(sentence) and not re.search(r"\b(?:firm|company|entity)\b", sentence, re.I):
                continue
            for name, raw_position in _party_names(sentence, defined):
                found_at = sentence.find(name, raw_position)
                position = found_at if found_at >= 0 else raw_position
                role = _role(sentence, position, name)
                acronym = re.search(r"\(([A-Z][A-Za-z0-9&-]{1,12})\)$", name)
                base = name[: acronym.start()].strip() if acronym else name
                key = aliases.get(base, base)
                for existing, record in found.items():  # "SBIG" after "Shahid Bakeri … (SBIG)"
                    if base in record["aliases"]:
                        key = existing
                party = found.setdefault(key, {"name": key, "role": role, "aliases": []})
                if acronym and acronym.group(1) not in party["aliases"] and acronym.group(1) not in _NOT_PARTIES:
                    party["aliases"].append(acronym.group(1))
                if base != key and base not in party["aliases"]:
                    party["aliases"].append(base)
                if party["role"] == "other" and role != "other":
                    party["role"] = role
    for alias, name in aliases.items():  # "LIMMT" drafted on its own and as an alias: one party
        if name not in found:
            continue
        if alias not in found[name]["aliases"]:
            found[name]["aliases"].append(alias)
        found.pop(alias, None)
    return [{"name": p["name"], "role": p["role"], "aliases": p["aliases"]} for p in found.values()]


_ITEM_AFTER = re.compile(
    r"\b(?:suppl(?:y|ied|ying)|provid(?:ed|ing)|ship(?:ped|ping)?|sell(?:ing)?|sold|export(?:ed|ing)?|offer(?:ed|ing)?|"
    r"transfer(?:red|ring)?|deliver(?:ed|ing)?)\s+(?:[A-Z][\w'-]*(?:\s+[\w'-]+){0,8}?\s+(?:\([A-Z0-9&-]+\)\s+)?)?with\s+"
    r"(?P<a>[^.;]+?)(?=\s+(?:likely|that|which|controlled|for use|to be|as well as)\b|[.;]|,\s+as well|$)|"
    r"\b(?:shipments?|transfers?|sales?|exports?|supply|procurement|deliver(?:y|ies))\s+of\s+(?P<b>[^.;]+?)"
    r"(?=\s+(?:on|to|from|by|for|through|via|aboard|in|that|which)\b|[.;]|,\s+[A-Z]|,\s+(?:he|she|they|we|it)\b|$)|"
    r"\b(?:supplied|shipped|sold|exported|provided|offered|transferred|delivered|supply|ship|sell|export|provide|"
    r"transfer|deliver|procure|purchase|acquire|buy|obtain|import)\s+(?P<c>(?:\d[\d,.]*\s+(?:[a-z]+\s+)?of\s+)?[a-z][^.;]+?)"
    r"(?=\s+(?:to|from|through|via|for)\s|\s*\(|,\s|[.;]|$)",
)
_QUANTITY = re.compile(r"^(?P<q>\d[\d,.]*\s+(?:[a-z]+\s+)?)of\s+")
_CONTROL = re.compile(
    r"\b(?:MTCR|NSG|Wassenaar|WA|AG|CWC)\s+(?:(?:Category|Cat\.)\s+[IVX]+\s+)?(?:Part\s+\d\s+)?(?:Item|ML)\s*[\w.]*\w|"
    r"\bECCN\s+\d[A-E]\d{3}(?:\.[a-z0-9.]+)?"
)
_BUYING = re.compile(
    r"[\s,]*(?:\([^)]*\)\s*)?(?:has|have|had|is|was|were|are)?\s*(?:\w+ly\s+)?(?:been\s+)?(?:attempting|trying|seeking|"
    r"looking|working|planning)?\s*(?:to\s+)?(?:procur|purchas|acquir|buy|bought|order|obtain|import)\w*",
    re.I,
)
_BROKERING = re.compile(
    r"[\s,]*(?:is|was|has been|had been)?\s*"
    r"(?:brokering|acting as (?:a|an|the) (?:broker|intermediary|agent)|arranging)",
    re.I,
)
_RECEIVING = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:procurement|programs?|end[- ]users?|military|ministry|developers?|buyers?|purchasers?|"
    r"(?P<firm>firm|entity|company))\b"
)
_NOT_NOUN = re.compile(r"(?:and|or|but|at|in|on|by|for|with|to|from|of|as|this|that|these|those|it|them)\b")
_ITEM_END = re.compile(r"\s+(?:likely|controlled|that|which|for use|to be|on the)\b")
_ITEM_DROP = re.compile(r"^(?:the|a|an|some|specific|these|those|its|their)\s+", re.I)


def items(data: dict) -> list[dict]:
    found: dict[str, dict] = {}
    for _number, text in _paragraphs(data):
        for sentence in structure.sentences(text):
            for match in _ITEM_AFTER.finditer(sentence):
                chunk = match.group("a") or match.group("b") or match.group("c") or ""
                for piece in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+as well as\s+", chunk):
                    description = _ITEM_DROP.sub("", piece.strip(" ,."))
                    description = re.sub(
                        r"^to\s+(?:supply|ship|sell|export|provide|transfer|deliver)\s+", "", description
                    )
                    description = re.split(_ITEM_END, description)[0]
                    amount = _QUANTITY.match(description)
                    quantity = amount.group("q").strip() if amount else None
                    description = _ITEM_DROP.sub("", description[amount.end() :] if amount else description)
                    if (len(description) < 4 or not description[0].islower() or len(description.split()) > 8
                            or _NOT_GOODS.search(description) or _NOT_NOUN.match(description)):  # fmt: skip
                        continue
                    tail = sentence[match.start() :]
                    listed = _CONTROL.search(tail)
                    regime = listed.group(0) if listed else next((c for c, p in _REGIMES if p.search(tail)), None)
                    entry = found.setdefault(description.lower(), {"description": description, "control_entry": regime,
                                                                   "quantity": quantity})  # fmt: skip
                    entry["control_entry"] = entry["control_entry"] or regime
    return list(found.values())


def partner(data: dict, named: list[dict]) -> str | None:
    """The government asked to act: the country the cable is most about, other than the US and the
    destinations ("to Iran", "Iran's … developer", "Iranian procurement")."""
    posted = structure.post_country(data)
    if posted and posted != "US":
        return posted
    counts: dict[str, int] = {}
    destinations: set[str] = set()
    pattern, records = _countries()
    for _number, text in _paragraphs(data):
        for match in pattern.finditer(text):
            code = records[match.group(1)][0]
            counts[code] = counts.get(code, 0) + 1
            before = text[max(0, match.start() - 100) : match.start()]
            form = match.group(1)
            after = text[match.end() : match.end() + 3]  # "Iran's"
            receiving = _RECEIVING.match(text[match.end() :])
            if re.search(r"\bfrom\s+(?:the\s+|a\s+)?$", before):
                counts[code] += 2  # "… from Chinese businessman X": the supplier's country
            adjective = form.endswith(("ian", "ese", "i")) and receiving is not None
            if (_TRANSFER.search(before) and (re.search(r"\bto\s+(?:the\s+)?$", before) or after.startswith("'s"))) or (
                adjective
                and not re.search(r"\b(?:of|by|from)\s+(?:the\s+)?$", before)
                # "Iranian procurement", "the Iranian missile program"; "… sold X to the Iranian firm" (after the verb)
                and (receiving.group("firm") is None or _TRANSFER.search(before))
            ):
                destinations.add(code)
    subject = data.get("subject") or ""
    for match in pattern.finditer(subject):
        code = records[match.group(1)][0]
        counts[code] = counts.get(code, 0) + 2
    choices = [c for c in counts if c != "US" and c not in destinations]
    if not choices:
        return None
    return max(choices, key=lambda c: counts[c])


def requests(data: dict) -> list[str]:
    """What the partner is asked to do: the requests the writer's side makes, and the items of an
    objectives list ("Post should:")."""
    asked = []
    for draft in structure.detect(data):
        if draft.kind == "request" and draft.side == structure.US_LABEL:
            asked.append(draft.text)
    for _number, text in [(p.get("number"), p.get("text") or "") for p in data.get("paragraphs") or []]:
        lead = False
        for unit, is_item in structure._units(text):
            if is_item and lead:
                asked.append(unit.rstrip(" ;"))
                continue
            lead = unit.rstrip().endswith(":") and bool(re.search(r"\b(?:should|request|instructed|objectives?)\b",
                                                                    unit, re.I))  # fmt: skip
    return list(dict.fromkeys(asked))


def step(data: dict) -> tuple[str | None, str | None]:
    """The partner's step a follow-up cable reports, and the sentence that reports it."""
    texts = [data.get("subject") or ""]
    for _number, text in _paragraphs(data):
        texts.extend(structure.sentences(text))
    for name, pattern in _STEP_RULES:
        for sentence in texts:
            if pattern.search(sentence):
                return name, sentence
    return None, None


def _title(data: dict, found: list[dict], goods: list[dict]) -> str:
    subject = re.sub(r"^\s*\((?:U|C|S|SBU|S//NF|C//NF)\)\s*", "", data.get("subject") or "").strip()
    if subject:
        return subject[:300]
    supplier = next((p["name"] for p in found if p["role"] == "supplier"), None)
    what = goods[0]["description"] if goods else "controlled items"
    return f"Alleged transfer of {what}" + (f" by {supplier}" if supplier else "")


def _facts(data: dict) -> str:
    sentences = []
    for _number, text in _paragraphs(data):
        sentences.extend(s for s in structure.sentences(text) if _TRANSFER.search(s) and not _ACTION.search(s))
    return " ".join(dict.fromkeys(sentences))[:4000]


def _first_paragraph(data: dict) -> int | None:
    for number, text in _paragraphs(data):
        if _TRANSFER.search(text):
            return number
    return None


def detect(data: dict, case_references: set[str] | dict | frozenset = frozenset()) -> dict | None:
    """The case or case-update draft of one parsed cable, or None.

    ``case_references``: the reference ids of cables that drafted or opened a case (a mapping may give
    each one's case reference): a cable citing one of them drafts a ``case_update`` of that case."""
    refs = reference_ids(data)
    linked = [ref for ref in refs if ref in case_references]
    found = [p for p in parties(data) if not _REDACTED.search(p["name"])]
    goods = items(data)
    source_paragraph = _first_paragraph(data)
    if linked:
        reached, said = step(data)
        of = linked[0]
        case_reference = case_references[of] if isinstance(case_references, dict) else of
        return {
            "kind": "case_update", "paragraph": source_paragraph, "rule": "cites a case cable",
            "text": said or (data.get("subject") or f"follow-up of {of}"),
            "fields": {"case_reference": case_reference, "cites": of, "step": reached, "note": said,
                       "parties": found, "items": goods, "references": refs},
        }  # fmt: skip
    if not is_demarche(data) or not (found or goods or _TRANSFER.search(data.get("subject") or "")):
        return None  # an action request naming no party or goods, and not about a transfer by its subject
    country = partner(data, found)
    return {
        "kind": "case", "paragraph": source_paragraph, "rule": "demarche on a transfer",
        "text": _facts(data)[:2000] or (data.get("subject") or ""),
        "fields": {"title": _title(data, found, goods), "facts": _facts(data) or (data.get("subject") or ""),
                   "parties": found, "items": goods, "partner_country": country,
                   "partner": ALPHA3.get(country or "", country), "requests": requests(data), "references": refs,
                   "reference": data.get("reference_id")},
    }  # fmt: skip
