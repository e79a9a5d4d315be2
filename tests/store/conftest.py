"""A real embedded FalkorDB server for the store tests, in a temp dir, stopped afterwards.

Every server these tests start is followed by the pid it recorded, and each one
must be gone once its test (or the session) is over. Only those pids are
checked, never the machine's process list: another FalkorDB server running on
the same machine is none of the tests' business.
"""

from __future__ import annotations

import os

import pytest

from ecograph.store import EmbeddedServer, EmbeddedStore, load


def gone(pid: int) -> bool:
    """Whether no process has ``pid`` any more (a stopped server is also reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(autouse=True)
def no_server_left_running(monkeypatch):
    """Record the pid of every server a test launches (not the ones it merely reuses)
    and check after the test that each has stopped."""
    launched: list[int] = []
    start = EmbeddedServer.start

    def recording_start(self, **kwargs):
        fresh = not self.running
        server = start(self, **kwargs)
        if fresh:
            launched.append(server.pid)
        return server

    monkeypatch.setattr(EmbeddedServer, "start", recording_start)
    yield launched
    left = [pid for pid in launched if not gone(pid)]
    assert not left, f"a test left store servers running: pids {left}"


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("store")
    server = EmbeddedServer(directory).start()
    pid = server.pid
    assert pid is not None and server.running
    yield directory
    server.stop()
    assert gone(pid), f"the session's store server (pid {pid}) is still running"


@pytest.fixture(scope="session")
def loaded(store_dir, ecosystems):
    """Each fixture bundle loaded into its own graph of the session's server."""
    stores = {}
    for name, eco in ecosystems.items():
        store = EmbeddedStore(store_dir, graph=name)
        store.clear()
        stores[name] = (store, load(eco, store))
    return stores
