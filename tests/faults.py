"""Fault injection for the all-or-nothing tests: a disk that fills up, or Ctrl-C, at the k-th file written.

Every way ecograph writes a file goes through one of the writers below (pandas,
pyarrow, ``pathlib.Path.write_text``); :func:`faulty_disk` counts their calls
and makes the k-th one write half a file and then fail. Only third-party and
standard-library writers are replaced, never ecograph's own code.
"""

from __future__ import annotations

import errno
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

# (owner, attribute, position of the path among the arguments)
WRITERS = ((pd.DataFrame, "to_csv", 1), (pd.DataFrame, "to_parquet", 1), (pd.DataFrame, "to_json", 1),
           (Path, "write_text", 0), (pacsv, "write_csv", 1), (pq, "write_table", 1))


def disk_full() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


class Disk:
    """Counts the files written; the ``at``-th one (1-based) is half written, then ``fault`` is raised."""

    def __init__(self, at: int | None, fault) -> None:
        self.at, self.fault, self.calls, self._depth = at, fault, 0, 0

    def wrap(self, real, where: int):
        def writer(*args, **kwargs):
            if self._depth:  # a writer calling another (pandas' to_parquet calls pyarrow): one file
                return real(*args, **kwargs)
            self.calls += 1
            if self.calls == self.at:
                path = args[where] if len(args) > where else next(iter(kwargs.values()))
                Path(os.fspath(path)).write_bytes(b"half a fi")
                raise self.fault()
            self._depth += 1
            try:
                return real(*args, **kwargs)
            finally:
                self._depth -= 1
        return writer


@contextmanager
def faulty_disk(monkeypatch, at: int | None = None, fault=disk_full):
    """Within the block, the ``at``-th file written fails with ``fault()`` (none when ``at`` is None);
    yields the :class:`Disk`, whose ``calls`` counts the files written."""
    disk = Disk(at, fault)
    with monkeypatch.context() as patch:
        for owner, name, where in WRITERS:
            patch.setattr(owner, name, disk.wrap(getattr(owner, name), where))
        yield disk


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too) with its bytes (``None`` for a folder)."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
            for p in sorted(folder.rglob("*"))}


def every_step_is_all_or_nothing(monkeypatch, root: Path, write) -> int:
    """Run ``write()`` with the disk full, then with Ctrl-C, at each of its file writes in turn; after
    each fault, everything under ``root`` (the old output and its siblings) must be exactly as before:
    no new file, no staging folder. Leaves ``root`` as the faultless run wrote it (which must leave
    no hidden folder beside the output). Returns the number of steps (files written)."""
    before = snapshot(root)
    with faulty_disk(monkeypatch) as counting:
        write()
    steps = counting.calls
    assert steps > 1
    written = snapshot(root)
    assert written != before, "the faultless run changed nothing"
    assert {p.name for p in root.iterdir()} == {p.name for p in root.iterdir() if not p.name.startswith(".")}
    for fault in (disk_full, KeyboardInterrupt):
        for k in range(1, steps + 1):
            _restore(root, before)
            with faulty_disk(monkeypatch, at=k, fault=fault):
                try:
                    write()
                except (OSError, KeyboardInterrupt):
                    pass
                else:
                    raise AssertionError(f"step {k} of {steps} failed and the writer did not raise")
            assert snapshot(root) == before, f"{fault.__name__} at step {k} of {steps} left a mix"
    _restore(root, written)
    return steps


def _restore(root: Path, state: dict[str, bytes | None]) -> None:
    """Put ``root`` back to ``state`` (a :func:`snapshot`)."""
    for p in list(root.iterdir()):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    for name, data in state.items():
        path = root / name
        if data is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
