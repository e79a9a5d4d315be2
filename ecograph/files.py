"""Writing files and folders so that a failure never leaves half of one.

A file ecograph writes (``summary.json``, ``report.html``, the
flag-bottlenecks document) goes to a temporary name of its own beside its
target and is moved into place when complete (:func:`atomic_write`). A folder
of outputs (analysis tables, a summary, a converted bundle) is written as a
transaction (:func:`replacing`): a new sibling folder is filled completely,
then swapped in place of the old one. A full disk, an exception or Ctrl-C at
any point leaves the previous complete output or the new complete output,
never a mix; concurrent runs never share a temporary name.

An output folder is never written over one of the command's inputs
(:func:`check_separate`), and an existing folder is replaced only when every
file in it is one ecograph wrote there (listed in its :data:`MANIFEST`) or one
the new output writes too: a folder holding anything else is refused.

>>> import tempfile, pathlib
>>> path = write_text(pathlib.Path(tempfile.mkdtemp()) / "a.json", "{}\\n")
>>> path.read_text()
'{}\\n'
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import EcographError, ParameterError

__all__ = ["atomic_write", "write_text", "replacing", "check_separate", "make_folder", "MANIFEST"]

#: The hidden file of an output folder that lists what ecograph wrote there (JSON).
MANIFEST = ".ecograph-output"

_OPEN: set[Path] = set()  # staging folders of the transactions under way in this process
_SWAP_TRIES = 100  # how often a swap is retried while concurrent runs swap their own in


def _token() -> str:
    """A name part no other run (process id) or call (random) shares."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(partial)`` on a temporary path beside ``path``, then move it into place.

    The temporary name carries the process id and a random part, so two runs
    writing the same file never write to the same temporary file.

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
    partial = path.with_name(f".{path.name}.{_token()}.partial")
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


def check_separate(folder: str | os.PathLike, inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Refuse an output ``folder`` that would write over an input or the current folder.

    The folder may not be one of ``inputs``, lie inside one, or hold one
    (replacing it would remove the input); nor may it be or hold the current
    working folder. Paths are compared with symbolic links resolved.

    Parameters
    ----------
    folder : str or os.PathLike
        The output folder (it need not exist).
    inputs : iterable of str or os.PathLike
        The files and folders the command reads; ``None`` entries are skipped.

    Raises
    ------
    ParameterError
        Naming the folder and the input it overlaps.

    Examples
    --------
    >>> check_separate("out/it", ["fixtures/it_ecosystem"])
    >>> try:
    ...     check_separate("fixtures/tiny/out", ["fixtures/tiny"])
    ... except ParameterError as exc:
    ...     print(str(exc).split(":")[0])
    fixtures/tiny/out is inside the input fixtures/tiny
    """
    shown = Path(folder)
    target = shown.resolve()
    for given in inputs:
        if given is None:
            continue
        source = Path(given).resolve()
        if target == source:
            raise ParameterError(f"{shown} is the input {given}: ecograph never writes over its "
                                 "input; choose another folder")
        if source in target.parents:
            raise ParameterError(f"{shown} is inside the input {given}: ecograph never writes "
                                 "into its input; choose another folder")
        if target in source.parents:
            raise ParameterError(f"{shown} holds the input {given}, which replacing it would "
                                 "remove; choose another folder")
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working folder is gone: nothing of it to protect
        return
    if target == here or target in here.parents:
        raise ParameterError(f"{shown} holds the current folder, which replacing it would remove; "
                             "choose a folder of its own")


@contextmanager
def replacing(folder: str | os.PathLike, *,
              protect: Iterable[str | os.PathLike | None] = ()) -> Iterator[Path]:
    """Write the output folder ``folder`` as a transaction: yield an empty staging
    folder to fill, then swap it in place of ``folder``.

    The staging folder is a new hidden sibling of ``folder`` whose name holds
    the process id and a random part. When the ``with`` block ends normally, a
    :data:`MANIFEST` listing the files is written into it, the old folder (if
    any) is renamed aside, the staging folder renamed in, and the old one
    removed. When the block raises (a full disk, an exception, Ctrl-C) or the
    swap fails, the staging folder is removed and the old folder stays as it
    was. A transaction on the staging folder of one already under way (a
    writer called inside another's block) simply writes into it.

    Parameters
    ----------
    folder : str or os.PathLike
        The output folder; its parents are created if needed, symbolic links
        are followed. An existing folder is replaced only when every entry in
        it is listed in its manifest or is written by the new output too.
    protect : iterable of str or os.PathLike
        Inputs the output must stay apart from (:func:`check_separate`),
        checked before anything is written.

    Returns
    -------
    contextlib.AbstractContextManager of pathlib.Path
        Yields the staging folder.

    Raises
    ------
    ParameterError
        When ``folder`` overlaps an input or the current folder, or holds
        files ecograph did not write.
    OSError
        When the folder cannot be written; the message names the output path
        (never the staging folder).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with replacing(out) as stage:
    ...     _ = (stage / "a.csv").write_text("x\\n1\\n")
    >>> sorted(p.name for p in out.iterdir())
    ['.ecograph-output', 'a.csv']
    >>> with replacing(out) as stage:  # the disk fills up half-way
    ...     _ = (stage / "b.csv").write_text("y\\n2\\n")
    ...     raise OSError(28, "No space left on device", str(stage / "c.csv"))
    Traceback (most recent call last):
    ...
    OSError: [Errno 28] No space left on device: '.../out/c.csv'
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['.ecograph-output', 'a.csv'], ['out'])
    """
    shown = Path(folder)
    target = shown.resolve()
    if target in _OPEN:  # inside another writer's transaction: its staging folder
        yield target
        return
    check_separate(shown, protect)
    if target == target.parent:
        raise ParameterError(f"{shown}: cannot replace a file system's root; choose a folder")
    try:
        found = target.stat()
    except OSError:  # none yet (a file in the way of a parent is reported below, naming it)
        found = None
    if found is not None and not stat.S_ISDIR(found.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(shown))
    token = _token()
    stage = target.parent / f".{target.name}.ecograph-new-{token}"
    try:
        make_folder(target.parent)
        stage.mkdir()
        _keep_mode(target, stage)
        _OPEN.add(stage)
        try:
            yield stage
            _write_manifest(stage)
        finally:
            _OPEN.discard(stage)
        _swap(stage, target, shown, token)
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)
        named = _naming(exc, shown, stage)
        if named is exc:
            raise
        raise named from exc


def make_folder(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` and its parents (nothing when it exists).

    Parameters
    ----------
    path : str or os.PathLike
        The folder.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    NotADirectoryError
        When a file is in the way, naming that file (not "file exists").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> make_folder(root / "a" / "b").is_dir()
    True
    >>> _ = (root / "f").write_text("x")
    >>> make_folder(root / "f" / "b")
    Traceback (most recent call last):
    ...
    NotADirectoryError: [Errno 20] Not a directory: '.../f'
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None
    return folder


def _keep_mode(target: Path, stage: Path) -> None:
    """Give ``stage`` the permissions of the folder it replaces (if there is one still)."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:  # none, or another run has it aside right now
        return
    os.chmod(stage, mode & 0o7777)


def _write_manifest(stage: Path) -> None:
    names = sorted(p.name for p in stage.iterdir() if p.name != MANIFEST)
    write_text(stage / MANIFEST, json.dumps({"written_by": "ecograph", "files": names}, indent=2) + "\n")


def _listed(folder: Path) -> set[str]:
    """The names the manifest of ``folder`` lists (none when it has no readable manifest)."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()


def _check_owned(target: Path, shown: Path, staged: set[str]) -> None:
    """Refuse to replace ``target`` when it holds entries ecograph did not write there."""
    ours = _listed(target) | staged | {MANIFEST}
    foreign = sorted(name for name in os.listdir(target)
                     if name not in ours and not (name.startswith(".") and name.endswith(".partial")))
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise ParameterError(f"{shown} holds files ecograph did not write ({', '.join(foreign[:3])}{more}); "
                             "write to a new or empty folder, or move them away")


def _swap(stage: Path, target: Path, shown: Path, token: str) -> None:
    """Rename the old ``target`` aside, ``stage`` in, and remove the old one.

    When another run swaps its own output in between, the swap is tried again
    over that one; on any failure the old folder is put back."""
    staged = set(os.listdir(stage))
    asides: list[Path] = []
    try:
        for attempt in range(_SWAP_TRIES):
            aside = target.parent / f".{target.name}.ecograph-old-{token}-{attempt}"
            try:
                _check_owned(target, shown, staged)
                asides.append(aside)
                os.rename(target, aside)
            except FileNotFoundError:  # no old folder, or another run moved it away first
                if asides and asides[-1] == aside:
                    asides.pop()
            try:
                os.rename(stage, target)
                break
            except OSError as exc:  # another run's output arrived in between: replace that one
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == _SWAP_TRIES - 1:
                    raise
    except BaseException:
        if asides and asides[-1].exists() and not target.exists():
            os.rename(asides.pop(), target)  # the old output goes back
        raise
    finally:
        for aside in asides:
            shutil.rmtree(aside, ignore_errors=True)


def _naming(exc: BaseException, shown: Path, stage: Path) -> BaseException:
    """``exc`` with the path it names turned from the staging folder to the output folder
    (an OSError of ecograph's own, or any other exception, as it is)."""
    if not isinstance(exc, OSError) or isinstance(exc, EcographError):
        return exc
    filename = exc.filename
    if filename is None:
        named = shown
    else:
        try:
            named = shown / Path(os.fspath(filename)).resolve().relative_to(stage.resolve())
        except (ValueError, TypeError, OSError):
            return exc  # it names a path of its own, not one of the staging folder
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno is None:
        return OSError(f"{named}: {reason}")
    return OSError(exc.errno, reason, str(named))
