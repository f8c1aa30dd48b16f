"""The real lists in shared/data, imported through the service and the CLI, on both databases."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from goodpath.cli import app
from goodpath.core import audit_log as audit
from goodpath.lists import formats, service
from goodpath.lists.guards import allowed_removals
from goodpath.lists.models import ListVersion
from goodpath.lists.records import ListFormatError
from goodpath.registry import service as registry
from goodpath.registry.models import ListEntry, Party, PartyName, Sanction
from tests.factories import OPERATOR

runner = CliRunner()
FOLDERS = ("ofac_sdn_2019", "ofac_sdn_2021", "ofac_sdn_2024")


def table_counts(session) -> dict:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in (Party, ListEntry, PartyName)}


def cli_import(*args: str):
    return runner.invoke(app, ["lists", "import", *args])


def test_real_sdn_imports_with_the_exact_entity_count_and_reimport_is_a_noop(db, session, shared_data):
    first = cli_import(str(shared_data / "ofac_sdn_2024"), "--json")
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert result == {
        "dataset": "us-ofac-sdn", "version": 1, "entities": 14965,
        "added": 14965, "removed": 0, "changed": 0, "unchanged": 0,
    }  # fmt: skip
    assert session.scalar(select(func.count()).select_from(ListEntry)) == 14965
    before = table_counts(session)
    again = json.loads(cli_import(str(shared_data / "ofac_sdn_2024"), "--json").stdout)
    assert again["version"] == 1 and again["unchanged"] == 14965 and again["added"] == 0
    assert table_counts(session) == before
    assert session.scalar(select(func.count()).select_from(ListVersion)) == 1


def test_truncated_sdn_is_refused_naming_where_and_nothing_changes(db, session, shared_data, tmp_path):
    assert cli_import(str(shared_data / "ofac_sdn_2019"), "--json").exit_code == 0
    before = table_counts(session)
    audited = audit.verify(session).checked
    folder = tmp_path / "sdn_cut"
    shutil.copytree(shared_data / "ofac_sdn_2021", folder)
    raw = (folder / "sdn.csv").read_bytes()
    (folder / "sdn.csv").write_bytes(raw[: len(raw) // 2])
    refused = cli_import(str(folder), "--json")
    assert refused.exit_code == 1
    assert "sdn.csv" in refused.output and "line" in refused.output
    assert table_counts(session) == before
    assert audit.verify(session).checked == audited  # the refusal wrote nothing


def test_sdn_history_2019_2021_2024_records_the_real_changesets(db, session, shared_data):
    # 261 and 881 entries delisted: more than 2% of the list each time, accepted as the real history.
    results = [service.import_list(session, shared_data / folder, accept_removals=True) for folder in FOLDERS]
    session.commit()
    assert [r.entities for r in results] == [7379, 8976, 14965]
    # Expected counts from the files' own entity numbers, read independently of the importer.
    ids = [{e.external_id for e in formats.parse(shared_data / f).entities} for f in FOLDERS]
    v2, v3 = results[1], results[2]
    assert (v2.added, v2.removed) == (len(ids[1] - ids[0]), len(ids[0] - ids[1]))
    # Each step delists more than the guard lets through unasked: the demo accepts them by name.
    assert v2.removed > allowed_removals(7379) and v3.removed > allowed_removals(8976)
    assert (v3.added, v3.removed) == (len(ids[2] - ids[1]), len(ids[1] - ids[2]))
    assert v2.added + v2.changed + v2.unchanged == 8976
    assert v3.added + v3.changed + v3.unchanged == 14965
    status = dict(session.execute(select(ListEntry.status, func.count()).group_by(ListEntry.status)).all())
    assert status == {"listed": 14965, "delisted": len((ids[0] | ids[1]) - ids[2])}
    # The 2024 file has no add.csv / alt.csv: aliases from 2021 survive, and the change-set says so.
    version3 = session.scalars(select(ListVersion).where(ListVersion.version == 3)).one()
    assert set(version3.unknown_fields) == {"addresses", "aliases"}
    assert any("previous values kept" in note for note in version3.notes)
    ceiec = session.scalars(select(ListEntry).where(ListEntry.external_id == "30502")).one()
    names = {n["value"] for n in ceiec.data["names"]}
    assert "CHINA NATIONAL ELECTRONICS IMPORT AND EXPORT CORPORATION" in names  # from the 2021 alt.csv
    # CEIEC was designated in 2020: added in version 2 (2021), untouched by 2024.
    assert ceiec.first_version == 2


def test_csl_treasury_rows_join_the_sdn_party(db, session, shared_data):
    service.import_list(session, shared_data / "ofac_sdn_2021")
    service.import_list(session, shared_data / "csl" / "consolidated.csv")
    session.commit()
    limmt = session.scalars(
        select(ListEntry).where(ListEntry.dataset == "us-ofac-sdn", ListEntry.external_id == "9749")
    )
    party_id = limmt.one().party_id
    datasets = {e.dataset for e in registry.list_entries_of(session, OPERATOR, party_id)}
    assert datasets == {"us-ofac-sdn", "us-csl"}
    programs = set(session.scalars(select(Sanction.program).where(Sanction.party_id == party_id)))
    assert {"NPWMD", "IFSR"} <= programs


def test_un_list_maps_programs_to_un_regimes(db, session, shared_data):
    result = service.import_list(session, shared_data / "un" / "consolidated.xml")
    session.commit()
    assert result.entities == 1003 and result.dataset == "un-sc"
    authorities = set(session.scalars(select(Sanction.authority_code).distinct()))
    assert None not in authorities
    assert all(code.startswith("UN") for code in authorities), authorities


def test_a_sample_under_the_full_lists_name_is_refused(db, session, shared_data):
    assert cli_import(str(shared_data / "csl" / "consolidated.csv")).exit_code == 0
    sample = cli_import(str(shared_data / "csl" / "csl_sample_watchman_test.csv"), "--dataset", "us-csl")
    assert sample.exit_code == 1 and "sample or a partial file" in sample.output
    own_name = cli_import(str(shared_data / "csl" / "csl_sample_watchman_test.csv"), "--dataset", "us-csl-sample")
    assert own_name.exit_code == 0


def test_status_and_search_commands(db, shared_data):
    assert cli_import(str(shared_data / "ofac_sdn_2021")).exit_code == 0
    status = json.loads(runner.invoke(app, ["lists", "status", "--json"]).stdout)
    assert status[0]["dataset"] == "us-ofac-sdn" and status[0]["listed"] == 8976
    history = json.loads(runner.invoke(app, ["lists", "status", "--dataset", "us-ofac-sdn", "--json"]).stdout)
    assert history[0]["changeset"][0]["change"] == "added"
    found = json.loads(runner.invoke(app, ["parties", "search", "LIMMT", "--json"]).stdout)
    assert found["total"] >= 1
    shown = json.loads(runner.invoke(app, ["parties", "show", found["results"][0]["id"], "--json"]).stdout)
    assert shown["list_entries"][0]["dataset"] == "us-ofac-sdn"
    missing = runner.invoke(app, ["parties", "show", "no-such-party"])
    assert missing.exit_code == 1 and "no-such-party" in missing.output


def test_unknown_format_and_missing_path_get_clear_errors(db, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n")
    assert "not a recognised list format" in cli_import(str(junk)).output
    assert "no such file" in cli_import(str(tmp_path / "absent.csv")).output
    bad = cli_import(str(junk), "--format", "xls")
    assert bad.exit_code == 1 and "unknown format" in bad.output
    with pytest.raises(ListFormatError):
        service.import_list(None, junk)  # type: ignore[arg-type]  # format detection fails before any database use
