"""nomenklatura baseline worker, run by bench/screening.py in the interpreter that has nomenklatura.

    python bench/screening_nk.py REQUEST.json RESPONSE.json

REQUEST: {"algorithms": [...], "parties": {id: {"schema", "names"}}, "queries": [{"name", "candidates"}]}.
RESPONSE: {"versions": {...}, "algorithms": {name: [{"scores": [[party, score], ...], "seconds": s}, ...]}}.
Each query is a name-only LegalEntity (no country, no schema given, as for goodpath and rapidfuzz);
against a Vessel or Airplane candidate, which a LegalEntity cannot match, the query takes that schema.
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import ScoringConfig, get_algorithm


def entity(schema: str, entity_id: str, names: list[str]):
    made = model.make_entity(schema)
    made.id = entity_id
    for name in names:
        made.add("name", name)
    return made


def main() -> int:
    request = json.loads(open(sys.argv[1], encoding="utf-8").read())
    parties = {
        pid: entity(p["schema"] if p["schema"] in model.schemata else "LegalEntity", pid, p["names"])
        for pid, p in request["parties"].items()
    }
    legal = model.get("LegalEntity")
    out = {"versions": {k: version(k) for k in ("nomenklatura", "followthemoney", "rigour")}, "algorithms": {}}
    for name in request["algorithms"]:
        algorithm = get_algorithm(name)
        if algorithm is None:
            raise SystemExit(f"nomenklatura has no algorithm {name!r}")
        # Warm up (rigour's name data, caches) before timing: the first compare takes seconds.
        warm = entity("LegalEntity", "warm", ["Warm Up Trading Co., Ltd."])
        for result in list(parties.values())[:50]:
            if legal.can_match(result.schema):
                algorithm.compare(warm, result, ScoringConfig.defaults())
        results = []
        for i, query in enumerate(request["queries"]):
            start = time.perf_counter()
            config = ScoringConfig.defaults()
            by_schema = {}
            scores = []
            for pid in query["candidates"]:
                result = parties[pid]
                schema = "LegalEntity" if legal.can_match(result.schema) else result.schema.name
                if schema not in by_schema:
                    by_schema[schema] = entity(schema, f"q{i}", [query["name"]])
                scores.append((pid, algorithm.compare(by_schema[schema], result, config).score))
            scores.sort(key=lambda s: -s[1])
            results.append({"scores": scores, "seconds": time.perf_counter() - start})
        out["algorithms"][name] = results
    open(sys.argv[2], "w", encoding="utf-8").write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
