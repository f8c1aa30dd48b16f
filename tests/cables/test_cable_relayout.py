"""Property tests from real examples (issue 24): a real cable re-laid as the copies in circulation lay it out
(another header-table layout, reflowed lines, blank lines removed or added, page breaks, header lines
merged) reads to the same reference id, classification, created date, tags and numbered paragraphs.

The real cables are those of the evaluation set (bench/data/cables, truth in its manifest.json).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodpath.cables import parse_text
from goodpath.cables.formats import decode

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "cables"
ENTRIES = [e for e in json.loads((DATA / "manifest.json").read_text())["cables"] if not e["refused"]]
TEXTS = {e["reference_id"]: decode((DATA / e["file"]).read_bytes()) for e in ENTRIES}
PARAGRAPH_START = re.compile(r"^\s*(?:¶\s*)?\d{1,3}\.(?:\s|\()|^\s*\([A-Z]{1,4}\)\s+\d{1,3}\.\s")
LABELS = ("Reference ID", "Created", "Classification", "Origin")


def _split(entry: dict) -> tuple[list[str], dict[str, str]]:
    """The telegram's lines and the header-table cells the copy printed (or the truth known for it)."""
    lines = TEXTS[entry["reference_id"]].split("\n")
    if entry["file"].startswith("alx/"):  # a saved page: five unlabelled header cells, then the telegram
        cells = {"Reference ID": lines[0].strip(), "Classification": lines[3].strip(), "Origin": lines[4].strip(),
                 "Created": entry["created"].replace("T", " ")[:16]}  # fmt: skip
        return lines[5:], cells
    return lines, {"Reference ID": entry["reference_id"], "Classification": entry["classification"]}


def _body_start(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if PARAGRAPH_START.match(line)), len(lines))


def _reflow(lines: list[str], start: int, width: int) -> list[str]:
    """Paragraph text re-wrapped at ``width`` (never putting a number with a period at a line start)."""
    out, block = lines[:start], []

    def flush() -> None:
        line = ""
        for word in " ".join(block).split():
            if line and len(line) + 1 + len(word) > width and not re.fullmatch(r"\d{1,3}\.", word):
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
        block.clear()

    for line in lines[start:]:
        if not line.strip() or PARAGRAPH_START.match(line):
            flush()
            if not line.strip():
                out.append("")
                continue
        block.append(line.strip())
    flush()
    return out


@st.composite
def relaid(draw):
    entry = draw(st.sampled_from(ENTRIES))
    lines, cells = _split(entry)
    start = _body_start(lines)
    # The telegram itself.
    if draw(st.booleans()):  # E.O. and TAGS printed on one line
        for i in range(min(start, len(lines)) - 1):
            if lines[i].startswith("E.O.") and lines[i + 1].startswith("TAGS"):
                lines = [*lines[:i], f"{lines[i].rstrip()} {lines[i + 1]}", *lines[i + 2 :]]
                start -= 1
                break
    width = draw(st.one_of(st.none(), st.integers(45, 110)))
    if width:
        lines = _reflow(lines, start, width)
    blanks = draw(st.sampled_from(["as printed", "removed", "doubled"]))
    body = lines[start:]
    if blanks == "removed":
        body = [line for line in body if line.strip()]
    elif blanks == "doubled":
        body = [extra for line in body for extra in ((line, "") if not line.strip() else (line,))]
    for position in sorted(draw(st.lists(st.integers(1, max(1, len(body) - 1)), max_size=3)), reverse=True):
        page = f"PAGE {position % 7 + 2:02d}        STATION  {position:05d}  01 OF 02  170856Z "
        body[position:position] = [f"                       {entry['classification']} ", " ", page]
    telegram = "\n".join([*lines[:start], *body])
    # The copy's header table.
    labels = draw(st.permutations(list(cells)))
    keep = [label for label in labels if label == "Reference ID" or draw(st.booleans())]
    if entry["file"].startswith("pm/") and draw(st.booleans()):
        keep = []  # a raw telegram as it is
    layout = draw(st.sampled_from(["one cell a line", "tab-separated", "label: value", "markdown", "html"]))
    values = [cells[label] for label in keep]
    if not keep:
        text = telegram
    elif layout == "one cell a line":
        text = "\n".join(["Viewing cable " + cells["Reference ID"], "", *keep, *values, "", telegram])
    elif layout == "tab-separated":
        text = "\t".join(keep) + "\n" + "\t".join(values) + "\n\n" + telegram
    elif layout == "label: value":
        text = "\n".join(f"{label}: {value}" for label, value in zip(keep, values, strict=True)) + "\n\n" + telegram
    elif layout == "markdown":
        text = "\n".join([f"# {cells['Reference ID']}", "", "| " + " | ".join(keep) + " |", "|" + "---|" * len(keep),
                          "| " + " | ".join(values) + " |", "", "```", telegram, "```"])  # fmt: skip
    else:
        head = "".join(f"<th>{label}</th>" for label in keep)
        row = "".join(f"<td>{html.escape(value)}</td>" for value in values)
        text = (f"<html><body><table class='cable'><tr>{head}</tr><tr>{row}</tr></table>"
                f"<pre>{html.escape(telegram)}</pre></body></html>")  # fmt: skip
    return entry, text, "Created" in keep


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(relaid())
def test_a_relaid_real_cable_reads_the_same(example):
    entry, text, table_has_created = example
    cable = parse_text(text)
    assert cable.reference_id == entry["reference_id"]
    assert cable.classification == entry["classification"]
    if entry["tags"] is not None:
        assert cable.tags == entry["tags"]
    if table_has_created:
        assert cable.created == entry["created"]
    assert [p.number for p in cable.paragraphs if p.number is not None] == entry["paragraphs"]
