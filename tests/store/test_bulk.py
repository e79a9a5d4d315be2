"""The offline import into Neo4j (``ecograph load --bulk``, ecograph.store.bulk).

The files are checked on their own (typed headers, every row, nothing written when a
relationship reaches no party); the import runs on a Neo4j of its own, started for this
module from the same jars as the test server (the import replaces its whole database and
restarts it: the shared test server is never touched). What is checked there: the
imported graph reads back as the bundle, a resync writes nothing and a verified one finds
every row's hash, a changed bundle syncs the difference, awkward text survives, and a
failed import is one line (exit 3) that leaves the database as it was.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from ecograph import Ecosystem, load_tables
from ecograph.errors import ParameterError, StoreError
from ecograph.store import Neo4jStore, load, to_ecosystem
from ecograph.store.bulk import bulk_load, write_import
from ecograph.store.load import LABELS
from ecograph.store.sync import read_meta
from tests.store.conftest import NEO4J_CACHE, ROOT, needs_neo4j
from tests.store.test_neo4j_parity import changed, sorted_tables

SCRIPT = ROOT / ".ci" / "neo4j" / "neo4j.sh"


def header(path: Path) -> list[str]:
    with open(path, newline="") as f:
        return next(csv.reader(f))


def test_the_import_files_hold_every_row_under_typed_headers(tmp_path, ecosystems):
    eco = ecosystems["it_ecosystem"]
    files = write_import(eco, tmp_path, graph="nimbus", bundle="it")
    partners = pd.read_csv(tmp_path / "nodes_Partner.csv", keep_default_na=False, dtype=str)
    assert partners["id:ID(Partner)"].tolist() == eco.partners["id"].tolist()
    assert {"regions:string[]", "_h:long"} <= set(partners.columns)
    assert files.rows["Partner"] == len(eco.partners) and files.rows["REGISTERED"] == len(eco.deals)
    deals = header(tmp_path / "relationships_REGISTERED_Partner_Customer.csv")
    assert deals[:3] == [":START_ID(Partner)", ":END_ID(Customer)", "id:string"]
    assert "amount:double" in deals and "registered:string" in deals  # dates as ISO text, as `load` writes
    sells = sum(len(pd.read_csv(p)) for p in tmp_path.glob("relationships_SELLS_TO_*.csv"))
    assert sells == files.rows["SELLS_TO"] == int((eco.relationships["type"] == "sells_to").sum())
    assert {f"--nodes={label}=nodes_{label}.csv" for label in LABELS.values()} <= set(files.options)
    assert not any(o.startswith("--multiline-fields") for o in files.options)  # no line break here
    meta = pd.read_csv(tmp_path / "nodes_EcographGraph.csv")
    assert meta.loc[0, "state:string"] == "syncing" and meta.loc[0, "company:string"] == "NIMBUS"


def test_a_relationship_to_no_party_fails_before_any_file_is_written(tmp_path, ecosystems):
    tables = {name: frame.copy() for name, frame in ecosystems["it_ecosystem"].tables.items()}
    rel = tables["relationships"]
    gone = rel.loc[rel["type"] == "sells_to", "target"].iat[0]
    tables["customers"] = tables["customers"][tables["customers"]["id"] != gone]
    with pytest.raises(StoreError, match=f"found no endpoint.*{gone}"):
        write_import(Ecosystem(tables), tmp_path, graph="x")
    assert list(tmp_path.iterdir()) == []


def awkward(eco: Ecosystem) -> Ecosystem:
    """``eco`` with names holding commas, quotes, line breaks, tabs and non-ASCII text."""
    t = {name: frame.copy() for name, frame in eco.tables.items()}
    partners = t["partners"]
    partners.loc[partners.index[0], "name"] = 'Acme, "Best"\r\nPartners\tLtd'
    partners.loc[partners.index[1], "name"] = "Zürich Ωmega 数据 "
    return load_tables(t, source="awkward")


# --- On a Neo4j of this module's own --------------------------------------------------


@pytest.fixture(scope="module")
def own_neo4j(neo4j_server, tmp_path_factory):
    """A second local Neo4j from the test server's jars (its own cache folder, data and
    port), started here and stopped after the module: ``(store, env for neo4j.sh)``."""
    cache = tmp_path_factory.mktemp("neo4j-bulk")
    for name in ("lib", "plugins", "target"):
        (cache / name).symlink_to(NEO4J_CACHE / name)
    env = {**os.environ, "ECOGRAPH_NEO4J_CACHE": str(cache)}
    started = subprocess.run([str(SCRIPT), "up"], env=env, capture_output=True, text=True)
    assert started.returncode == 0, started.stdout + started.stderr
    import json

    conn = json.loads((cache / "connection.json").read_text())
    store = Neo4jStore(conn["uri"], conn["user"], conn["password"], database=conn["database"])
    yield store, env, conn
    store.close()
    stopped = subprocess.run([str(SCRIPT), "down"], env=env, capture_output=True, text=True)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def admin_command(env: dict) -> list[str]:
    """``neo4j.sh admin`` of the module's server (its cache passed by ``env``)."""
    return ["env", f"ECOGRAPH_NEO4J_CACHE={env['ECOGRAPH_NEO4J_CACHE']}", str(SCRIPT), "admin"]


@needs_neo4j
@pytest.mark.parametrize("name", ["it_ecosystem", "manufacturing"])
def test_a_bulk_load_reads_back_as_the_bundle_and_a_resync_writes_nothing(own_neo4j, ecosystems, name):
    store, env, conn = own_neo4j
    eco = ecosystems[name]
    report = bulk_load(eco, store, admin=admin_command(env), replace=True)
    assert report.state == "imported" and report.created == report.rows
    assert set(report.phases) == {"files", "import", "finish"}
    assert read_meta(store)["state"] == "complete" and store.graphs() == [store.graph]
    assert to_ecosystem(store) == sorted_tables(eco)
    constraints = store.run("SHOW CONSTRAINTS YIELD labelsOrTypes RETURN labelsOrTypes[0] AS label")
    assert {r["label"] for r in constraints} == {*LABELS.values(), "Audit"}
    again = load(eco, store)
    assert again.written == 0 and again.state == "manifest"
    verified = load(eco, store, verify=True)  # every stored row's _h read back and compared
    assert verified.written == 0 and verified.state == "rows"
    # the server came back on the same port with the same password: its connection is unchanged
    assert store.uri == conn["uri"]


@needs_neo4j
def test_after_a_bulk_load_a_changed_bundle_syncs_only_the_difference(own_neo4j, ecosystems):
    store, env, _ = own_neo4j
    eco = ecosystems["it_ecosystem"]
    bulk_load(eco, store, admin=admin_command(env), replace=True)
    changed_eco = changed("it_ecosystem", eco)
    report = load(changed_eco, store)
    assert 0 < report.written < sum(report.rows.values()) // 10
    assert to_ecosystem(store) == sorted_tables(changed_eco)


@needs_neo4j
def test_awkward_text_survives_the_import(own_neo4j, ecosystems, tmp_path):
    store, env, _ = own_neo4j
    eco = awkward(ecosystems["it_ecosystem"])
    bulk_load(eco, store, admin=admin_command(env), replace=True, folder=tmp_path)
    (tmp_path / "again").mkdir()
    files = write_import(eco, tmp_path / "again", graph="x")  # only the file with a line break parses slowly
    assert files.options[-2:] == ["--multiline-fields-format=v2", "--multiline-fields=nodes_Partner.csv"]
    text = (tmp_path / "nodes_Partner.csv").read_text(encoding="utf-8")
    assert "Zürich" in text and (tmp_path / "import.report").exists()  # the files are kept
    back = to_ecosystem(store)
    assert back == sorted_tables(eco)
    names = set(back.partners["name"])
    assert 'Acme, "Best"\r\nPartners\tLtd' in names and "Zürich Ωmega 数据 " in names
    assert load(eco, store).written == 0


@needs_neo4j
def test_another_company_is_refused_before_the_server_is_touched(own_neo4j, ecosystems):
    store, env, _ = own_neo4j
    bulk_load(ecosystems["it_ecosystem"], store, admin=admin_command(env), replace=True)
    pid = Path(env["ECOGRAPH_NEO4J_CACHE"], "neo4j.pid").read_text().strip()
    with pytest.raises(ParameterError, match="NIMBUS.*AQUILA"):
        bulk_load(ecosystems["manufacturing"], store, admin=admin_command(env))
    assert Path(env["ECOGRAPH_NEO4J_CACHE"], "neo4j.pid").read_text().strip() == pid
    assert read_meta(store)["company"] == "NIMBUS"


@needs_neo4j
def test_a_failed_import_is_one_line_exit_3_and_the_database_keeps_its_graph(own_neo4j, ecosystems, run,
                                                                             monkeypatch):
    store, env, conn = own_neo4j
    eco = ecosystems["it_ecosystem"]
    bulk_load(eco, store, admin=admin_command(env), replace=True)
    for key, name in [("uri", "NEO4J_URI"), ("user", "NEO4J_USER"), ("password", "NEO4J_PASSWORD"),
                      ("database", "NEO4J_DATABASE")]:
        monkeypatch.setenv(name, conn[key])
    # neo4j-admin itself, without stopping the server: the database is in use
    home = conn["home"]
    lib = Path(env["ECOGRAPH_NEO4J_CACHE"]) / "lib"
    monkeypatch.setenv("ECOGRAPH_NEO4J_ADMIN", f"env NEO4J_HOME={home} NEO4J_CONF={home} "
                                               f"java -cp '{lib}/*' org.neo4j.cli.AdminTool")
    result = run("load", str(ROOT / "fixtures" / "it_ecosystem"), "--store", "neo4j", "--bulk")
    assert result.exit_code == 3, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "offline import failed" in lines[0] and "exited 1" in lines[0], lines
    assert conn["password"] not in result.output
    store.reopen()
    assert to_ecosystem(store) == sorted_tables(eco)


@needs_neo4j
def test_the_cli_imports_offline_and_says_how_long_each_phase_took(own_neo4j, run, monkeypatch):
    store, env, conn = own_neo4j
    for key, name in [("uri", "NEO4J_URI"), ("user", "NEO4J_USER"), ("password", "NEO4J_PASSWORD"),
                      ("database", "NEO4J_DATABASE")]:
        monkeypatch.setenv(name, conn[key])
    monkeypatch.setenv("ECOGRAPH_NEO4J_CACHE", env["ECOGRAPH_NEO4J_CACHE"])
    monkeypatch.chdir(ROOT)  # the admin command relative to where the user runs ecograph
    result = run("load", "fixtures/manufacturing", "--store", "neo4j", "--bulk", "--replace",
                 "--admin", ".ci/neo4j/neo4j.sh admin")
    assert result.exit_code == 0, result.output
    assert "Imported" in result.stdout and "import " in result.stdout and result.stderr == ""
    store.reopen()
    assert read_meta(store)["company"] == "AQUILA" and read_meta(store)["state"] == "complete"


def test_bulk_is_refused_on_the_embedded_store(run, fixtures_dir):
    result = run("load", str(fixtures_dir / "tiny"), "--bulk")
    assert result.exit_code == 2
    assert "--bulk is the offline import into Neo4j" in result.stderr
