"""Load means sync: the graph holds exactly the bundle after every load, in its own named graph.

Changes are planted in copies of the fixture bundles (a partner removed with everything
that names it, a relationship retargeted, a deal changed) and the store is compared with
the bundle it was synced to: counts, keys, properties (through ``to_ecosystem``) and the
library's scorecard query.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecograph import Ecosystem, load_tables
from ecograph.errors import ParameterError
from ecograph.store import EmbeddedStore, load, to_ecosystem
from ecograph.store.load import _parts
from ecograph.store.queries import run_query
from ecograph.store.sync import graph_name, read_rows

GONE, MOVED_REL = "P00050", "R00000001"


def without_partner(tables: dict[str, pd.DataFrame], pid: str) -> dict[str, pd.DataFrame]:
    """``tables`` without partner ``pid`` and every row that names it."""
    t = {name: frame.copy() for name, frame in tables.items()}
    t["partners"] = t["partners"][t["partners"]["id"] != pid]
    rel = t["relationships"]
    t["relationships"] = rel[(rel["source"] != pid) & (rel["target"] != pid)]
    deals = t["deals"]
    t["deals"] = deals[(deals["partner"] != pid) & (deals["cosell_partner"].fillna("") != pid)]
    moves = t["movements"]
    t["movements"] = moves[(moves["from_party"].fillna("") != pid) & (moves["to_party"].fillna("") != pid)]
    t["audits"] = t["audits"][t["audits"]["party"] != pid]
    return t


def changed_it(eco: Ecosystem) -> tuple[Ecosystem, dict]:
    """it_ecosystem with P00050 removed, R00000001 retargeted and one deal of P00015 won."""
    t = without_partner(eco.tables, GONE)
    rel = t["relationships"]
    at = rel.index[rel["id"] == MOVED_REL][0]
    taken = set(rel.loc[rel["source"] == rel.at[at, "source"], "target"])
    new_target = next(c for c in eco.customers["id"] if c not in taken)
    rel.loc[at, "target"] = new_target
    deals = t["deals"]
    lost = deals.index[(deals["partner"] == "P00015") & (deals["status"] == "lost")][0]
    deals.loc[lost, ["status", "amount"]] = ["won", 123_456.0]
    return load_tables(t, source="it_ecosystem (changed)"), {
        "new_target": new_target, "deal": deals.at[lost, "id"],
        "gone_rows": len(eco.relationships) - len(t["relationships"])}


def stored(store, part) -> pd.DataFrame:
    return read_rows(store, part.match, part.key).sort_values("key", ignore_index=True)


def assert_store_is(store, eco: Ecosystem) -> None:
    """Every label and type of ``store``'s graph holds exactly ``eco``'s keys with its hashes
    (each row's own ``_h``), and the ecosystem read back equals ``eco``."""
    for part in _parts(eco):
        want = pd.DataFrame({"key": part.keys.astype(str).to_numpy(), "h": part.hashes})
        got = stored(store, part)
        assert len(got) == len(want), part.what
        pd.testing.assert_frame_equal(got, want.sort_values("key", ignore_index=True),
                                      check_dtype=False, obj=part.what)
    back = to_ecosystem(store)
    for name in ("partners", "customers", "relationships", "deals", "movements", "audits"):
        a = back.tables[name].sort_values(back.tables[name].columns[0], ignore_index=True)
        b = eco.tables[name].sort_values(eco.tables[name].columns[0], ignore_index=True)
        assert a["id"].tolist() == b["id"].tolist(), name
    deals = back.deals.set_index("id")
    mine = eco.deals.set_index("id")
    assert deals["status"].equals(mine.loc[deals.index, "status"].astype(deals["status"].dtype))


@pytest.fixture
def it_store(store_dir, it_eco, request):
    store = EmbeddedStore(store_dir, graph=f"sync_{request.node.name[:40]}")
    store.clear()
    load(it_eco, store)
    yield store
    store.clear()


def test_a_sync_removes_retargets_and_updates_and_queries_see_it(it_store, it_eco):
    eco, facts = changed_it(it_eco)
    report = load(eco, it_store, batch_size=97)
    assert report.state == "manifest"
    assert report.deleted["Partner"] == 1 and report.created["Partner"] == 0
    assert report.updated["SELLS_TO"] == 1  # R00000001, deleted and created on its new target
    assert report.updated["REGISTERED"] == 1
    assert sum(report.deleted[t] for t in ("SELLS_TO", "CO_SELLS_WITH", "SUPPLIES", "DISTRIBUTES_FOR",
                                           "INTEGRATES_WITH", "REFERS")) == facts["gone_rows"]
    assert it_store.run("MATCH (p:Partner {id: $id}) RETURN count(p) AS n", {"id": GONE}) == [{"n": 0}]
    assert it_store.run("MATCH (n {id: $id})-[r]-() RETURN count(r) AS n", {"id": GONE}) == [{"n": 0}]
    assert it_store.run("MATCH (a)-[r:SELLS_TO {id: $id}]->(c) RETURN a.id AS a, c.id AS c",
                        {"id": MOVED_REL}) == [{"a": "P00003", "c": facts["new_target"]}]
    assert_store_is(it_store, eco)
    assert run_query(it_store, "partner_scorecard", {"partner": GONE}).empty
    card = run_query(it_store, "partner_scorecard", {"partner": "P00015"}).iloc[0]
    deals = eco.deals[eco.deals["partner"] == "P00015"]
    won = deals[deals["status"] == "won"]
    assert (card["deals"], card["won"]) == (len(deals), len(won))
    assert card["won_amount"] == pytest.approx(won["amount"].fillna(0).sum())
    assert load(eco, it_store).written == 0  # converged: a resync writes nothing


def _aof_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*.aof*") if p.is_file())


def test_a_resync_with_nothing_changed_sends_no_writes(it_store, it_eco, store_dir):
    sent: list[str] = []
    run = it_store.run

    def recording(query, params=None):
        sent.append(query)
        return run(query, params)

    it_store.run = recording
    before = _aof_bytes(Path(store_dir))
    report = load(it_eco, it_store)
    assert report.written == 0 and report.state == "manifest"
    assert report.unchanged == report.rows
    assert sent and not [q for q in sent if any(w in q.upper() for w in ("CREATE", "MERGE", "SET ",
                                                                          "DELETE"))]
    assert _aof_bytes(Path(store_dir)) == before  # the server logged no write


def test_a_row_edited_by_hand_is_found_by_verify(it_store, it_eco):
    it_store.run("MATCH (p:Partner {id: 'P00001'}) SET p.tier = 'platinum', p._h = 1")
    it_store.run("MATCH ()-[r:SELLS_TO {id: $id}]->() DELETE r", {"id": MOVED_REL})
    report = load(it_eco, it_store, verify=True)
    assert report.state == "rows"
    assert (report.updated["Partner"], report.created["SELLS_TO"]) == (1, 1)
    assert report.written == 2
    assert_store_is(it_store, it_eco)


def test_a_party_that_changes_kind_keeps_its_relationships(it_store, it_eco):
    t = {name: frame.copy() for name, frame in it_eco.tables.items()}
    rel = t["relationships"]
    supplier = t["suppliers"]["id"].iat[0]
    row = t["suppliers"].iloc[[0]]
    t["suppliers"] = t["suppliers"].iloc[1:]
    t["partners"] = pd.concat([t["partners"], pd.DataFrame({
        "id": row["id"].to_numpy(), "name": row["name"].to_numpy(), "partner_type": ["reseller"],
        "tier": ["registered"], "regions": [()], "capabilities": [()], "certifications": [()],
        "joined": pd.to_datetime(["2024-01-01"])})], ignore_index=True)
    touching = rel[(rel["source"] == supplier) | (rel["target"] == supplier)]
    assert len(touching)  # the fixture's first supplier has relationships
    eco = Ecosystem(t)
    report = load(eco, it_store)
    assert report.deleted["Supplier"] == 1 and report.created["Partner"] == 1
    labels = it_store.run("MATCH (n {id: $id}) RETURN labels(n) AS l", {"id": supplier})
    assert [r["l"] for r in labels] == [["Partner"]]
    n = it_store.run("MATCH (n:Partner {id: $id})-[r]-() WHERE NOT type(r) IN ['MOVED', 'COUNTS'] "
                     "RETURN count(r) AS n", {"id": supplier})[0]["n"]
    assert n == len(touching)
    for part in _parts(eco):
        assert len(stored(it_store, part)) == len(part.head), part.what


def test_another_company_is_refused_replaced_or_kept_apart(store_dir, it_eco, mfg_eco):
    nimbus, aquila = (EmbeddedStore(store_dir, graph=g) for g in ("nimbus_t", "aquila_t"))
    for s in (nimbus, aquila):
        s.clear()
    load(it_eco, nimbus)
    nodes = nimbus.run("MATCH (n) RETURN count(n) AS n")[0]["n"]
    with pytest.raises(ParameterError, match="holds company NIMBUS.*not AQUILA.*--replace") as info:
        load(mfg_eco, nimbus)
    assert "\n" not in str(info.value)
    assert nimbus.run("MATCH (n) RETURN count(n) AS n")[0]["n"] == nodes  # nothing written
    load(mfg_eco, aquila)  # side by side, not mixed
    assert_store_is(nimbus, it_eco)
    assert_store_is(aquila, mfg_eco)
    deals = {s.graph: s.run("MATCH (:Partner {id: 'P00015'})-[d:REGISTERED]->() RETURN count(d) AS n")[0]["n"]
             for s in (nimbus, aquila)}
    assert deals == {"nimbus_t": int((it_eco.deals["partner"] == "P00015").sum()),
                     "aquila_t": int((mfg_eco.deals["partner"] == "P00015").sum())}
    replaced = load(mfg_eco, nimbus, replace=True)
    assert replaced.state == "empty" and replaced.created == replaced.rows
    assert_store_is(nimbus, mfg_eco)
    for s in (nimbus, aquila):
        s.clear()


def test_default_graph_names_come_from_the_company(it_eco, mfg_eco):
    assert (graph_name("NIMBUS"), graph_name("AQUILA")) == ("nimbus", "aquila")
    assert graph_name("Acme & Sons, Ltd.") == "acme_sons_ltd"
    assert graph_name("...") == "ecograph"


# --- the CLI: load, store list, store drop ----------------------------------------------------------


def test_load_list_and_drop_graphs_from_the_command_line(run, tmp_path, fixtures_dir, it_eco):
    d = tmp_path / "store"
    bundle = tmp_path / "it_changed"
    try:
        first = run("load", fixtures_dir / "it_ecosystem", "--store-dir", d)
        assert first.exit_code == 0 and "graph 'nimbus'" in first.output, first.output
        again = run("load", fixtures_dir / "it_ecosystem", "--store-dir", d)
        assert again.exit_code == 0 and "nothing changed" in again.output
        refused = run("load", fixtures_dir / "manufacturing", "--store-dir", d, "--graph", "nimbus")
        assert refused.exit_code == 2
        assert len(refused.stderr.strip().splitlines()) == 1
        assert "NIMBUS" in refused.stderr and "AQUILA" in refused.stderr
        assert run("load", fixtures_dir / "manufacturing", "--store-dir", d).exit_code == 0
        listed = json.loads(run("store", "list", "--store-dir", d, "--format", "json").stdout)
        by_graph = {g["graph"]: g for g in listed}
        assert {g: by_graph[g]["company"] for g in ("nimbus", "aquila")} == {"nimbus": "NIMBUS",
                                                                            "aquila": "AQUILA"}
        assert by_graph["nimbus"]["state"] == "complete"
        assert by_graph["nimbus"]["relationships"] == (
            len(it_eco.relationships) + len(it_eco.deals) + len(it_eco.movements) + len(it_eco.audits))
        eco, facts = changed_it(it_eco)
        eco.to_bundle(bundle)
        synced = run("load", bundle, "--store-dir", d, "--graph", "nimbus")
        assert synced.exit_code == 0 and "P00050" not in synced.output
        rows = run("query", "partner_scorecard", "--param", f"partner={GONE}", "--graph", "nimbus",
                   "--store-dir", d, "--format", "json")
        assert rows.exit_code == 0 and json.loads(rows.stdout) == []
        assert run("store", "drop", "nosuch", "--store-dir", d).exit_code == 2
        assert run("store", "drop", "aquila", "--store-dir", d).exit_code == 0
        listed = json.loads(run("store", "list", "--store-dir", d, "--format", "json").stdout)
        assert [g["graph"] for g in listed] == ["nimbus"]
    finally:
        run("store", "stop", "--store-dir", d)


# --- kill -9 during a sync, rerun: the store equals the bundle ---------------------------------------

_CHILD = textwrap.dedent("""
    import sys
    from ecograph import Ecosystem
    from ecograph.store import EmbeddedStore, load
    sys.path.insert(0, {tests!r})
    from store.test_sync import generated
    eco = generated(int(sys.argv[1]))
    store = EmbeddedStore({directory!r}, graph="fault", start=False)
    print("ready", flush=True)
    load(eco, store, batch_size=500)
    print("done", flush=True)
""")


def generated(variant: int) -> Ecosystem:
    """A generated bundle (about 10k relationships) and variants of it: some partners and their
    rows gone, relationships retargeted, deals changed and added, movements changed."""
    from ecograph.synth import generate_tables

    tables = generate_tables(partners=100, customers=4_100, seed=3)[0]
    if variant == 0:
        return Ecosystem(tables)
    rng = np.random.default_rng(variant)
    moves, audits = tables["movements"], tables["audits"]
    still = set(moves["from_party"].dropna()) | set(moves["to_party"].dropna()) | set(audits["party"])
    free = tables["partners"].loc[~tables["partners"]["id"].isin(still), "id"].to_numpy()
    t = tables
    for pid in rng.choice(free, 3, replace=False):  # no stock moved: the ledger stays valid
        t = without_partner(t, pid)
    rel = t["relationships"].copy()
    sells = rel.index[rel["type"] == "sells_to"]
    pick = rng.choice(sells, 50, replace=False)
    rel.loc[pick, "target"] = rng.choice(t["customers"]["id"].to_numpy(), 50)
    t["relationships"] = rel.drop_duplicates(["source", "target", "type"])
    deals = t["deals"].copy()
    deals.loc[rng.choice(deals.index, 200, replace=False), "amount"] = 1.0 + variant
    extra = deals.sample(300, random_state=variant).assign(id=[f"DK{variant}{i:06d}" for i in range(300)])
    t["deals"] = pd.concat([deals, extra], ignore_index=True)
    moves = t["movements"].copy()  # notes change; units stay, so the ledger stays valid
    moves.loc[rng.choice(moves.index, 300, replace=False), "note"] = f"recounted {variant}"
    t["movements"] = moves
    return Ecosystem(t)


@pytest.mark.slow
def test_a_sync_killed_at_random_points_converges_on_rerun(store_dir):
    directory = str(store_dir)
    store = EmbeddedStore(store_dir, graph="fault")
    store.clear()
    load(generated(0), store)
    tests = str(Path(__file__).resolve().parents[1])
    script = _CHILD.format(tests=tests, directory=directory)
    rng = random.Random(15)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    kills = 0
    for variant in (1, 2, 1, 0, 2):  # syncs between variants: deletes, updates, creates
        child = subprocess.Popen([sys.executable, "-c", script, str(variant)], stdout=subprocess.PIPE,
                                 text=True, env=env)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))  # a sync of these bundles takes about a second
        if child.poll() is None:
            child.kill()  # SIGKILL, mid-sync
            kills += 1
        child.wait()
        meta = store.run("MATCH (m:EcographGraph) RETURN m.state AS s")
        assert meta and meta[0]["s"] in ("syncing", "complete")
    assert kills >= 3, "the sync finished before most kills; kill earlier"
    final = generated(2)
    report = load(final, store)
    assert report.state in ("rows", "manifest")
    assert_store_is(store, final)
    assert load(final, store, verify=True).written == 0
    assert store.run("MATCH (m:EcographGraph) RETURN m.state AS s") == [{"s": "complete"}]
    store.clear()


def test_a_bad_graph_name_exits_2_before_any_store_starts(run, fixtures_dir, tmp_path):
    d = tmp_path / "store"
    result = run("load", fixtures_dir / "tiny", "--graph", "../x", "--store-dir", d)
    assert result.exit_code == 2 and "graph name '../x' is not allowed" in result.stderr
    assert not d.exists()


def test_a_party_removed_while_its_relationships_stay_is_refused_before_any_write(it_store, it_eco):
    from ecograph.errors import StoreError

    t = {name: frame.copy() for name, frame in it_eco.tables.items()}
    rel = t["relationships"]
    gone = rel.loc[rel["type"] == "sells_to", "target"].iat[0]  # its SELLS_TO rows stay unchanged
    t["customers"] = t["customers"][t["customers"]["id"] != gone]
    with pytest.raises(StoreError, match=f"found no endpoint.*{gone}.*nothing was written"):
        load(Ecosystem(t), it_store)
    assert it_store.run("MATCH (c:Customer {id: $id}) RETURN count(c) AS n", {"id": gone}) == [{"n": 1}]
    assert load(it_eco, it_store).written == 0  # the graph was not touched
