"""The embedded server's life: start, reuse, persist across restarts, stop by pid."""

from __future__ import annotations

import os
import re
import signal

import pytest

from ecograph.errors import StoreError
from ecograph.store import EmbeddedServer, EmbeddedStore, load


def test_start_reuse_status_stop(tmp_path):
    server = EmbeddedServer(tmp_path)
    assert not server.running and server.status()["pid"] is None
    server.start()
    try:
        pid = server.pid
        assert server.running and server.socket.exists()
        assert EmbeddedServer(tmp_path).start().pid == pid  # a second start reuses it
        store = EmbeddedStore(tmp_path, start=False)
        assert store.run("RETURN 1 AS one") == [{"one": 1}]
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(ProcessLookupError):  # stopped by its pid, and reaped
        os.kill(pid, 0)
    with pytest.raises(StoreError, match="ecograph store start"):
        EmbeddedStore(tmp_path, start=False)


def test_data_survives_a_restart_and_a_kill(tmp_path, it_eco):
    store = EmbeddedStore(tmp_path)
    try:
        report = load(it_eco, store)
        count = store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        assert count == report.relationships
        os.kill(store.server.pid, signal.SIGKILL)  # no clean shutdown
        store.server.stop()
        again = EmbeddedStore(tmp_path)
        assert again.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == count
    finally:
        EmbeddedServer(tmp_path).stop()


def test_store_errors_are_ecograph_errors_wherever_they_are_imported_from():
    import ecograph.store
    from ecograph.errors import EcographError

    assert ecograph.store.StoreError is StoreError and issubclass(StoreError, EcographError)


def test_a_store_dir_from_the_environment(tmp_path, monkeypatch):
    from ecograph.store import default_store_dir

    monkeypatch.setenv("ECOGRAPH_STORE_DIR", str(tmp_path / "here"))
    assert default_store_dir() == tmp_path / "here"


@pytest.mark.slow
def test_a_load_killed_halfway_converges_when_rerun(tmp_path, it_eco):
    """Failure policy: batches are idempotent MERGEs, so after a crash part-way
    through a load, restarting the server and rerunning the load gives exactly
    the store a clean load gives."""
    from ecograph import Ecosystem

    def shape(store):
        return (store.run("MATCH (n) RETURN count(n) AS n")[0]["n"],
                store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"],
                store.run("MATCH ()-[r:REGISTERED]->() RETURN sum(r.amount) AS s")[0]["s"])

    clean = EmbeddedStore(tmp_path / "clean")
    crashed = EmbeddedStore(tmp_path / "crashed")
    try:
        load(it_eco, clean)
        half = {name: frame.copy() for name, frame in it_eco.tables.items()}
        for name in ("relationships", "deals", "movements"):
            half[name] = half[name].iloc[: len(half[name]) // 2]
        load(Ecosystem(half), crashed, batch_size=100)  # the part that got in
        os.kill(crashed.server.pid, signal.SIGKILL)  # the crash
        crashed.server.stop()
        rerun = EmbeddedStore(tmp_path / "crashed")
        load(it_eco, rerun, batch_size=250)
        assert shape(rerun) == shape(clean)
    finally:
        EmbeddedServer(tmp_path / "clean").stop()
        EmbeddedServer(tmp_path / "crashed").stop()


class _KilledMidLoad(EmbeddedStore):
    """A real store whose server is SIGKILLed shortly after the load has sent ``after``
    relationship rows: mid-batch, with no second client reading while the load writes
    (see test_a_large_store_killed_mid_load_reopens_and_converges)."""

    def __init__(self, directory, after: int, delay: float = 0.05) -> None:
        super().__init__(directory)
        self.after, self.delay, self.sent = after, delay, 0

    def prepare(self, query, head, props):
        import threading

        if "CREATE (a)-[r:" in query:
            self.sent += len(head)
            if self.sent - len(head) < self.after <= self.sent:  # once: kill while it writes
                threading.Timer(self.delay, os.kill, (self.server.pid, signal.SIGKILL)).start()
        return super().prepare(query, head, props)


@pytest.mark.slow
def test_a_server_killed_mid_load_converges_when_rerun(tmp_path, it_eco):
    """The server is SIGKILLed while a load is running; after a restart, rerunning
    the load gives exactly the store of a clean load."""

    def shape(store):
        return (store.run("MATCH (n) RETURN count(n) AS n")[0]["n"],
                store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])

    clean = EmbeddedStore(tmp_path / "clean")
    victim = _KilledMidLoad(tmp_path / "victim", after=300, delay=0)
    try:
        load(it_eco, clean)
        with pytest.raises(StoreError):
            load(it_eco, victim, batch_size=20)
        victim.server.stop()
        rerun = EmbeddedStore(tmp_path / "victim")
        assert 0 < shape(rerun)[1] < shape(clean)[1]  # it really stopped part-way
        load(it_eco, rerun)
        assert shape(rerun) == shape(clean)
    finally:
        EmbeddedServer(tmp_path / "clean").stop()
        EmbeddedServer(tmp_path / "victim").stop()


@pytest.mark.slow
def test_a_server_killed_during_write_back_or_a_query_fails_cleanly_and_recovers(tmp_path,
                                                                                it_eco):
    """Kill the server, then write back and query: each fails with StoreError (no
    traceback from the client); after a restart, rerunning the write-back gives the
    same store as an uninterrupted one."""
    from ecograph import view
    from ecograph.analysis import centrality
    from ecograph.store import write_back

    ranks = centrality.pagerank(view(it_eco, "bipartite"))[["id", "pagerank"]]
    store = EmbeddedStore(tmp_path)
    try:
        load(it_eco, store)
        os.kill(store.server.pid, signal.SIGKILL)
        with pytest.raises(StoreError):
            write_back(store, it_eco, ranks)
        with pytest.raises(StoreError):
            store.run("MATCH (n) RETURN count(n) AS n")
        store.server.stop()
        again = EmbeddedStore(tmp_path)
        assert write_back(again, it_eco, ranks) == {"pagerank": len(ranks)}
        top = again.run("MATCH (n) WHERE n.pagerank IS NOT NULL RETURN n.id AS id "
                        "ORDER BY n.pagerank DESC LIMIT 1")[0]["id"]
        assert top == ranks["id"].iat[0]
    finally:
        EmbeddedServer(tmp_path).stop()


# --- processes and files that are not ours are never touched -------------------------------------


@pytest.fixture
def foreign():
    """A live process that is not a store server (its pid may end up in a stale pid file)."""
    import subprocess

    proc = subprocess.Popen(["sleep", "120"])
    yield proc
    proc.kill()
    proc.wait()


def _dead_socket(path) -> None:
    """A unix socket file with nothing listening behind it."""
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))


def test_a_stale_pid_file_naming_another_process_is_never_signalled(tmp_path, foreign):
    server = EmbeddedServer(tmp_path)
    server.pidfile.write_text(str(foreign.pid))
    _dead_socket(server.socket)
    assert server.pid is None and server.stale_pid == foreign.pid
    assert not server.running and server.status()["running"] is False
    with pytest.raises(StoreError, match="no embedded store runs"):
        EmbeddedStore(tmp_path, start=False)
    server.stop()
    assert foreign.poll() is None  # still alive: never signalled
    assert not server.pidfile.exists() and not server.socket.exists()  # the stale files are gone


def test_a_stale_pid_file_and_socket_give_way_to_a_fresh_server(tmp_path, foreign):
    server = EmbeddedServer(tmp_path)
    server.pidfile.write_text(str(foreign.pid))
    _dead_socket(server.socket)
    store = EmbeddedStore(tmp_path)  # starts a server of its own instead of trusting the stale files
    try:
        assert store.server.pid not in (None, foreign.pid)
        assert store.run("RETURN 1 AS one") == [{"one": 1}]
    finally:
        store.server.stop()
    assert foreign.poll() is None


def test_a_dead_pid_is_stale_too(tmp_path):
    server = EmbeddedServer(tmp_path)
    server.pidfile.write_text("999999999")  # no such process (beyond any pid_max)
    assert server.pid is None and server.stale_pid == 999999999
    server.stop()
    assert not server.pidfile.exists()


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own; after the test, ``stop`` must end that very process."""
    server = EmbeddedServer(tmp_path).start()
    pid = server.pid
    try:
        yield server
    finally:
        server.stop()
    with pytest.raises(ProcessLookupError):  # ours: stopped by its pid
        os.kill(pid, 0)


def test_a_socket_with_no_server_behind_it_is_a_store_error(own_server, tmp_path):
    own_server.socket.unlink()
    _dead_socket(own_server.socket)  # the server runs, but nothing answers at the path
    assert own_server.running
    with pytest.raises(StoreError, match="does not answer on"):
        EmbeddedStore(tmp_path, start=False)


def test_a_server_whose_socket_is_gone_is_not_started_twice(own_server, tmp_path):
    pid = own_server.pid
    own_server.socket.unlink()
    with pytest.raises(StoreError, match="socket .* is gone"):
        EmbeddedServer(tmp_path).start()
    assert EmbeddedServer(tmp_path).pid == pid  # still the one server


def test_a_server_whose_pid_file_was_lost_is_found_again_not_doubled(own_server, tmp_path):
    pid = own_server.pid
    own_server.pidfile.unlink()
    assert own_server.pid is None
    again = EmbeddedServer(tmp_path).start()  # adopts the server answering on the socket
    assert again.pid == pid and again.pidfile.read_text().strip() == str(pid)


def test_a_data_directory_that_cannot_be_made_is_a_store_error(tmp_path):
    blocker = tmp_path / "FILE"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot use .*FILE/sub as the store's data directory"):
        EmbeddedServer(blocker / "sub").start()
    assert blocker.read_text() == "not a folder"
    with pytest.raises(StoreError, match="too long a path for a unix socket"):
        EmbeddedServer(tmp_path / ("x" * 120)).start()


# --- graphs, snapshots and a patient restart ------------------------------------------------------


def _shape(store) -> tuple:
    """Nodes per label and relationships per type, and a checksum of the deal amounts."""
    nodes = store.run("MATCH (n) RETURN labels(n)[0] AS label, count(n) AS n ORDER BY label")
    edges = store.run("MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type")
    amount = store.run("MATCH ()-[r:REGISTERED]->() RETURN sum(r.amount) AS s")[0]["s"]
    return (tuple((r["label"], r["n"]) for r in nodes), tuple((r["type"], r["n"]) for r in edges),
            amount)


def _edges(store) -> int:
    return store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]


def _aof(server) -> dict[str, int]:
    """The append-only directory's files and their sizes."""
    return {p.name: p.stat().st_size for p in (server.directory / "appendonlydir").iterdir()}


def test_graphs_are_listed_and_dropped_one_by_one(tmp_path):
    a = EmbeddedStore(tmp_path, graph="alpha")
    try:
        b = EmbeddedStore(tmp_path, graph="beta")
        assert a.graph == "alpha" and b.graph == "beta" and a.graphs() == []
        b.run("CREATE (:Partner {id: 'P2'})")
        a.run("CREATE (:Partner {id: 'P1'})-[:SELLS_TO]->(:Customer {id: 'C1'})")
        a._db.connection.set("not-a-graph", "1")  # other keys are not graphs
        assert a.graphs() == b.graphs() == ["alpha", "beta"]
        assert a.drop_graph("beta") is True
        assert a.drop_graph("beta") is False and a.drop_graph("never-there") is False
        assert a.graphs() == ["alpha"] and _edges(a) == 1  # the other graph is untouched
        assert b.run("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # beta is empty now
        assert a.drop_graph("alpha") is True and a.graphs() == []
        a.run("CREATE (:Partner {id: 'P3'})")  # the store's own graph can be written again
        assert a.graphs() == ["alpha"] and a._db.connection.get("not-a-graph") == "1"
    finally:
        a.server.stop()


def test_compact_rewrites_the_log_as_a_snapshot_and_a_restart_gives_the_same_graph(tmp_path):
    store = EmbeddedStore(tmp_path)
    try:
        for b in range(0, 20_000, 2_000):  # 20k nodes and relationships, written as a load writes
            store.run(f"UNWIND range({b}, {b + 1_999}) AS x CREATE (:Partner {{id: x}})"
                      f"-[:SELLS_TO {{amount: x * 1.5}}]->(:Customer {{id: x}})")
        before, log = (_edges(store), _names(store)), _aof(store.server)
        incr = sum(size for name, size in log.items() if name.endswith(".incr.aof"))
        assert incr > 100_000  # the writes are in the log
        store.compact()
        after = _aof(store.server)
        assert set(after) != set(log)  # new files, named by the manifest
        assert [n for n in after if ".base." in n][0].endswith(".base.rdb")
        assert sum(size for name, size in after.items() if name.endswith(".incr.aof")) < 1_000
        assert sum(after.values()) < sum(log.values())  # smaller than the log it replaces
        store.run("CREATE (:Partner {id: -1})")  # a little more, far under the snapshot's size
        store.compact()  # nothing much logged since the snapshot: left as it is
        assert set(_aof(store.server)) == set(after)
        store.compact(slack=0)  # always rewrite
        assert set(_aof(store.server)) != set(after)
        store.run("MATCH (p:Partner {id: -1}) DELETE p")
        store.server.stop()
        again = EmbeddedStore(tmp_path)
        assert (_edges(again), _names(again)) == before == (20_000, (20_000, sum(range(20_000)) * 1.5))
        assert re.search(r"DB loaded from base file appendonly\.aof\.\d+\.base\.rdb",
                         again.server.log.read_text())
    finally:
        EmbeddedServer(tmp_path).stop()


def _names(store) -> tuple:
    row = store.run("MATCH (p:Partner)-[r:SELLS_TO]->(:Customer) "
                    "RETURN count(DISTINCT p) AS n, sum(r.amount) AS s")[0]
    return row["n"], row["s"]


def _slow_log(directory, nodes: int) -> None:
    """A store whose log replays slowly: the query text of MERGE batches on an indexed label,
    as servers logged it before every write was logged as its effects (FalkorDB replays
    them without the index, in time quadratic in the nodes)."""
    def resp(*args: str) -> str:
        return f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)

    commands = [resp("SELECT", "0"), resp("GRAPH.QUERY", "slow", "CREATE INDEX FOR (n:C) ON (n.id)")]
    commands += [resp("GRAPH.QUERY", "slow", f"UNWIND range({b}, {b + 499}) AS x MERGE (:C {{id: x}})")
                 for b in range(0, nodes, 500)]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "appendonly.aof").write_text("".join(commands))  # an old single-file log


@pytest.mark.slow
def test_start_waits_for_a_loading_server_and_never_signals_it(tmp_path):
    """The server replays for longer than start's no-progress timeout: start waits as long
    as it works, the same process answers in the end, and nothing signalled it."""
    import threading
    import time

    _slow_log(tmp_path, 10_000)
    server = EmbeddedServer(tmp_path)
    seen: list = []

    def watch():
        # the pid file may exist but still be empty, or name a process still exec'ing:
        # wait until it names this directory's server
        deadline = time.monotonic() + 120
        while server.pid is None and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(server.pid)
        while time.monotonic() < deadline:
            status = EmbeddedServer(tmp_path).status()
            seen.append(status["loading"])
            if status["ready"]:
                return
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    began = time.monotonic()
    try:
        server.start(timeout=1, progress=False)
        took = time.monotonic() - began
        watcher.join()
        assert took > 2  # it really was loading well past the 1 s no-progress timeout
        assert seen[0] == server.pid  # the very process that began loading
        assert any(s and s["state"] in ("loading", "busy") for s in seen[1:]), seen
        log = server.log.read_text()
        assert "shutdown" not in log.lower() and "SIGTERM" not in log
        assert EmbeddedStore(tmp_path, graph="slow").run("MATCH (n:C) RETURN count(n) AS n") == \
            [{"n": 10_000}]
        # a slow open rewrites the log as a snapshot in the background: the next start is quick
        deadline = time.monotonic() + 60
        while not any(n.endswith(".base.rdb") for n in _aof(server)) and time.monotonic() < deadline:
            time.sleep(0.1)
        server.stop()
        began = time.monotonic()
        server.start(timeout=2, progress=False)
        assert time.monotonic() - began < 4
    finally:
        watcher.join()
        server.stop()


@pytest.mark.slow
def test_a_server_that_makes_no_progress_is_a_store_error_and_left_running(tmp_path):
    """A hung server (here: stopped with SIGSTOP) neither answers nor works: start gives up
    with one line, queries time out with one line, and only `stop` ends it."""
    server = EmbeddedServer(tmp_path).start()
    pid = server.pid
    store = EmbeddedStore(tmp_path, start=False, timeout=1)
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(StoreError, match="made no progress for 1 s") as raised:
            EmbeddedServer(tmp_path).start(timeout=1, progress=False)
        assert "\n" not in str(raised.value) and "store stop" in str(raised.value)
        assert EmbeddedServer(tmp_path).pid == pid  # not signalled: still there
        with pytest.raises(StoreError, match="did not answer within 1 s"):
            store.run("RETURN 1 AS one")
    finally:
        server.stop(timeout=1)  # SIGTERM cannot end a stopped process: SIGKILL after the timeout
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_server_that_dies_at_start_is_one_line_quoting_its_log(tmp_path):
    (tmp_path / "appendonly.aof").write_text("*2\r\n$6\r\nSELECT\r\ngarbage that is not a log\r\n")
    with pytest.raises(StoreError, match="exited while starting") as raised:
        EmbeddedServer(tmp_path).start(progress=False)
    message = str(raised.value)
    assert "\n" not in message and "falkordb.log" in message
    assert "Bad file format" in message or "append only file" in message.lower()


@pytest.mark.slow
def test_a_large_store_killed_mid_load_reopens_and_converges(tmp_path):
    """About 95k relationships; the server is SIGKILLed while the load is under way. The
    restart replays the log without any timeout, and rerunning the load gives exactly
    the graph of a clean load (in another graph of the same server).

    The kill is armed by the load itself, not by a second client counting relationships
    while the load writes: in one CI run of the old form, FalkorDB stopped answering both
    (no CPU, no reply) until the 300 s timeout."""
    from ecograph import Ecosystem
    from ecograph.synth import generate_tables

    eco = Ecosystem(generate_tables(partners=500, customers=21_000, seed=1)[0])
    clean = EmbeddedStore(tmp_path / "clean")
    victim = _KilledMidLoad(tmp_path / "victim", after=40_000)  # two batches may be in flight
    pid = victim.server.pid
    try:
        load(eco, clean, batch_size=2_000)
        expected = _shape(clean)
        assert sum(n for _, n in expected[1]) >= 50_000
        with pytest.raises(StoreError):
            load(eco, victim, batch_size=2_000)
        assert victim.sent >= 40_000 and not EmbeddedServer(tmp_path / "victim").running
        reopened = EmbeddedStore(tmp_path / "victim")  # default patience: no timeout error
        assert reopened.server.pid != pid
        assert 30_000 <= _edges(reopened) < sum(n for _, n in expected[1])  # it stopped part-way
        load(eco, reopened, batch_size=2_000)
        assert _shape(reopened) == expected
        reopened.compact()
        reopened.server.stop()
        assert _shape(EmbeddedStore(tmp_path / "victim")) == expected
    finally:
        EmbeddedServer(tmp_path / "clean").stop()
        EmbeddedServer(tmp_path / "victim").stop()


@pytest.mark.slow
def test_store_start_waits_for_the_load_and_says_so_and_a_stalled_one_is_exit_3(run, tmp_path):
    import json

    _slow_log(tmp_path, 7_000)  # a few seconds of replay
    try:
        started = run("store", "start", "--store-dir", tmp_path, "--timeout", "1")
        assert started.exit_code == 0, started.output
        pid = EmbeddedServer(tmp_path).pid
        assert re.fullmatch(rf"embedded store running \(pid {pid}\) in {re.escape(str(tmp_path))}; "
                            r"it loaded its data in \d+\.\d s\n", started.output)
        again = run("store", "start", "--store-dir", tmp_path)
        assert again.output.startswith(f"embedded store already running (pid {pid})")
        status = json.loads(run("store", "status", "--store-dir", tmp_path).stdout)
        assert status["ready"] is True and status["loading"] is None and status["pid"] == pid
        os.kill(pid, signal.SIGSTOP)  # hung: no answer, no progress
        stalled = run("store", "start", "--store-dir", tmp_path, "--timeout", "1")
        assert stalled.exit_code == 3 and stalled.output.count("\n") == 1
        assert "made no progress for 1 s" in stalled.output
        assert EmbeddedServer(tmp_path).pid == pid  # left running, for `store stop`
    finally:
        EmbeddedServer(tmp_path).stop(timeout=1)


def test_starting_a_server_whose_socket_does_not_answer_fails_at_once(own_server, tmp_path):
    import time

    own_server.socket.unlink()
    _dead_socket(own_server.socket)
    began = time.monotonic()
    with pytest.raises(StoreError, match="does not answer on"):
        EmbeddedStore(tmp_path)
    assert time.monotonic() - began < 5  # no waiting for progress from a server that cannot answer
