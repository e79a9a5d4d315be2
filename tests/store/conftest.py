"""A real embedded FalkorDB server for the store tests, in a temp dir, stopped afterwards."""

from __future__ import annotations

import subprocess

import pytest

from ecograph.store import EmbeddedServer, EmbeddedStore, load


def _servers() -> set[str]:
    out = subprocess.run(["pgrep", "-f", "redis-server.*falkordb.sock"], capture_output=True,
                         text=True)
    return set(out.stdout.split())


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory):
    before = _servers()
    directory = tmp_path_factory.mktemp("store")
    server = EmbeddedServer(directory).start()
    yield directory
    server.stop()
    assert _servers() <= before, "a test left a store server running"


@pytest.fixture(scope="session")
def loaded(store_dir, ecosystems):
    """Each fixture bundle loaded into its own graph of the session's server."""
    stores = {}
    for name, eco in ecosystems.items():
        store = EmbeddedStore(store_dir, graph=name)
        store.clear()
        stores[name] = (store, load(eco, store))
    return stores
