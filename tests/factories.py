"""Hand-made list records for tests that exercise rules apart from any file format."""

from __future__ import annotations

import hashlib
import json

from goodpath.lists.records import ParsedEntity, ParsedList, ParsedName, ParsedSanction, SourceFile


def entity(ext: str, name: str, *aliases: str, program: str = "NPWMD", link_key=None, links=()) -> ParsedEntity:
    return ParsedEntity(
        external_id=ext,
        schema="LegalEntity",
        names=[ParsedName(name), *(ParsedName(a, "alias") for a in aliases)],
        sanctions=[ParsedSanction(program=program, start_date="2006-06-13")],
        link_key=link_key,
        links=list(links),
    )


def parsed(entities: list[ParsedEntity], unknown=(), tag: str | None = None) -> ParsedList:
    # The "file hash" follows the content, as it would for a real file.
    content = tag or json.dumps([e.to_dict() for e in entities], sort_keys=True)
    digest = hashlib.sha256(content.encode()).hexdigest()
    return ParsedList(
        format="ofac-csv",
        default_dataset="test-list",
        entities=entities,
        files=[SourceFile(path=f"/x/{digest[:8]}.csv", sha256=digest, size=len(content))],
        unknown_fields=list(unknown),
    )
