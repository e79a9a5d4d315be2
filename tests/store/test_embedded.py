"""The embedded server's life: start, reuse, persist across restarts, stop by pid."""

from __future__ import annotations

import os
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


@pytest.mark.slow
def test_a_server_killed_mid_load_converges_when_rerun(tmp_path, it_eco):
    """The server is SIGKILLed while a load is running; after a restart, rerunning
    the load gives exactly the store of a clean load."""
    import threading
    import time

    def shape(store):
        return (store.run("MATCH (n) RETURN count(n) AS n")[0]["n"],
                store.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])

    clean = EmbeddedStore(tmp_path / "clean")
    victim = EmbeddedStore(tmp_path / "victim")
    pid = victim.server.pid

    def kill_when_under_way():
        probe = EmbeddedStore(tmp_path / "victim", start=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if probe.run("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] >= 300:
                break
            time.sleep(0.002)
        os.kill(pid, signal.SIGKILL)

    try:
        load(it_eco, clean)
        killer = threading.Thread(target=kill_when_under_way)
        killer.start()
        with pytest.raises(StoreError):
            load(it_eco, victim, batch_size=20)
        killer.join()
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
