"""Writing files so that a failure never leaves half of one.

Every file ecograph writes (result tables, ``summary.json``, ``report.html``,
the flag-bottlenecks document) goes to a temporary name beside its target and
is moved into place when complete: a full disk or a kill leaves the previous
file or none, never a mix.

>>> import tempfile, pathlib
>>> path = write_text(pathlib.Path(tempfile.mkdtemp()) / "a.json", "{}\\n")
>>> path.read_text()
'{}\\n'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write", "write_text"]


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` on a temporary path beside ``path``, then move it into place.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    write : callable
        Writes the whole file to the path it is given.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> atomic_write(target, lambda p: p.write_text("done")).read_text()
    'done'
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    text : str
        Its whole content.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_text(pathlib.Path(tempfile.mkdtemp()) / "n.txt", "x").name
    'n.txt'
    """
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
