"""Bottleneck flags for scheduled jobs: thresholds in, findings out, new-or-worse against a baseline.

:func:`flag_bottlenecks` turns the supply-chain risk analysis into a list of
findings that cross thresholds; :func:`compare_to_baseline` keeps those that
are new or worse than a previous run's JSON; :func:`run` is the whole
scheduled job (``ecograph flag-bottlenecks``): a lock against overlapping
runs, the bundle, the thresholds, the baseline and the atomic ``--out``
document. The JSON document (:data:`SCHEMA`) is stable: fields are only ever
added.

>>> from ecograph import load_bundle
>>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
>>> report["findings"][0]["key"], report["schema"]
('S0001', 'ecograph.flag-bottlenecks/1')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import stat
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

from .analysis import bottlenecks
from .ecosystem import Ecosystem, load_bundle
from .errors import LockError, ParameterError
from .outputs import write_json

__all__ = ["flag_bottlenecks", "compare_to_baseline", "read_thresholds", "read_baseline",
           "exclusive", "run", "DEFAULTS", "SCHEMA", "FINDING_FIELDS", "LOCK_MARKER"]

SCHEMA = "ecograph.flag-bottlenecks/1"
#: Default thresholds: a party is flagged at this risk score or share of demand at risk,
#: an input SKU when its supply HHI reaches ``max_hhi`` (10,000 = a single supplier).
DEFAULTS = {"min_risk": 50.0, "min_share": 0.25, "max_hhi": 10_000.0}
#: The first line of every lock file ecograph creates (:func:`exclusive`).
LOCK_MARKER = b"ecograph flag-bottlenecks lock"
#: The fields of every finding, in order.
FINDING_FIELDS = ("kind", "key", "metric", "value", "threshold", "detail")


def read_thresholds(path: str | Path | None = None, **overrides) -> dict[str, float]:
    """Thresholds from :data:`DEFAULTS`, then a TOML file, then explicit overrides.

    Every threshold is a finite number, zero or more: a list, text, ``true``,
    NaN, infinity or a negative value is refused (NaN would silently disable
    every flag).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A UTF-8 TOML file (``min_risk = 40``...) holding only thresholds.
    **overrides : float or None
        Thresholds by name; ``None`` values are ignored.

    Returns
    -------
    dict of str to float

    Raises
    ------
    ParameterError
        When the file cannot be read, is not UTF-8 TOML, names an unknown
        threshold or holds a value that is not a finite number ≥ 0 (the
        message names the file and the key), or an override is such a value.

    Examples
    --------
    >>> read_thresholds(min_risk=40)["min_risk"], read_thresholds()["max_hhi"]
    (40.0, 10000.0)
    >>> read_thresholds(min_share=float("nan"))
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: threshold min_share must be a finite number of at least 0; got nan
    """
    values = dict(DEFAULTS)
    if path is not None:
        try:
            loaded = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ParameterError(f"cannot read thresholds from {path}: not UTF-8 text "
                                 f"(byte {exc.start})") from exc
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ParameterError(f"cannot read thresholds from {path}: {exc}") from exc
        values.update(_checked(loaded, f"{path}: "))
    values.update(_checked({k: v for k, v in overrides.items() if v is not None}, ""))
    return values


def _checked(thresholds: dict, where: str) -> dict[str, float]:
    """``thresholds`` as floats, each known and a finite number of at least 0."""
    unknown = set(thresholds) - set(DEFAULTS)
    if unknown:
        raise ParameterError(f"{where}unknown thresholds {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    for key, value in thresholds.items():
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or value < 0):
            raise ParameterError(f"{where}threshold {key} must be a finite number of at least 0; "
                                 f"got {value!r}")
    return {k: float(v) for k, v in thresholds.items()}


def flag_bottlenecks(eco: Ecosystem, *, thresholds: dict[str, float] | None = None) -> dict:
    """The findings that cross thresholds, as a JSON-ready report.

    Parameters
    ----------
    eco : Ecosystem
    thresholds : dict of str to float, optional
        Any of :data:`DEFAULTS` (the rest keep their defaults); each a finite
        number of at least 0.

    Returns
    -------
    dict
        ``schema``, ``generated``, ``thresholds``, ``findings`` (worst first)
        and ``counts``.

    Raises
    ------
    ParameterError
        When a threshold is unknown, or not a finite number of at least 0.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> flag_bottlenecks(load_bundle("fixtures/manufacturing"))["counts"]["bottleneck"] >= 1
    True
    """
    t = {**DEFAULTS, **_checked(dict(thresholds or {}), "")}
    table = bottlenecks.bottlenecks(eco)
    findings = []
    for r in table.itertuples(index=False):
        if r.risk_score >= t["min_risk"] or r.share_at_risk >= t["min_share"]:
            findings.append({"kind": "bottleneck", "key": r.id, "metric": "risk_score",
                             "value": round(float(r.risk_score), 3),
                             "threshold": t["min_risk"], "detail": r.why})
    hhi = bottlenecks.concentration(eco)
    hhi = hhi[(hhi["scope"] == "sku") & (hhi["hhi"] >= t["max_hhi"])]
    for r in hhi.itertuples(index=False):
        findings.append({"kind": "concentration", "key": r.key, "metric": "hhi",
                         "value": round(float(r.hhi), 1), "threshold": t["max_hhi"],
                         "detail": f"{r.suppliers} supplier(s) of {r.key}; top {r.top_supplier} "
                                   f"with {r.top_share:.0%}"})
    return {"schema": SCHEMA, "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "thresholds": t, "findings": findings,
            "counts": {"bottleneck": sum(f["kind"] == "bottleneck" for f in findings),
                       "concentration": sum(f["kind"] == "concentration" for f in findings)}}


def compare_to_baseline(report: dict, baseline: dict) -> dict:
    """``report`` keeping only findings that are new or worse than in ``baseline``.

    Parameters
    ----------
    report : dict
        From :func:`flag_bottlenecks`.
    baseline : dict
        A previous report (:data:`SCHEMA`).

    Returns
    -------
    dict
        The report with the kept findings, their counts and ``baseline_generated``.

    Raises
    ------
    ParameterError
        When ``baseline`` is not such a document (see :func:`read_baseline`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
    >>> compare_to_baseline(report, report)["findings"]
    []
    """
    problem = _baseline_problem(baseline)
    if problem:
        raise ParameterError(f"the baseline is not a {SCHEMA} document: {problem}")
    before = {(f["kind"], f["key"]): f["value"] for f in baseline.get("findings", [])}
    kept = [f for f in report["findings"]
            if (f["kind"], f["key"]) not in before or f["value"] > before[(f["kind"], f["key"])]]
    return {**report, "findings": kept, "baseline_generated": baseline.get("generated"),
            "counts": {k: sum(f["kind"] == k for f in kept) for k in report["counts"]}}


def read_baseline(path: str | Path | None) -> dict | None:
    """A previous run's JSON document (``None`` when no path is given).

    The document must be a :data:`SCHEMA` object whose ``findings`` are
    objects with a text ``kind`` and ``key`` and a finite number ``value``
    (what :func:`compare_to_baseline` reads).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The file.

    Returns
    -------
    dict or None

    Raises
    ------
    ParameterError
        When the file cannot be read, is empty, is not UTF-8 JSON or is not
        such a document (the message names the file).

    Examples
    --------
    >>> read_baseline(None) is None
    True
    >>> import pathlib, tempfile
    >>> listed = pathlib.Path(tempfile.mkdtemp()) / "flags.json"
    >>> _ = listed.write_text("[]")
    >>> read_baseline(listed)
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: the baseline ... is not a ... document: a JSON list, not an object
    """
    if path is None:
        return None
    try:
        text = Path(path).read_bytes().decode("utf-8")
        document = json.loads(text, parse_constant=_no_constant) if text.strip() else None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"cannot read the baseline {path}: not UTF-8 text (byte {exc.start})") from exc
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read the baseline {path}: {exc}") from exc
    problem = "the file is empty" if document is None else _baseline_problem(document)
    if problem:
        raise ParameterError(f"the baseline {path} is not a {SCHEMA} document: {problem}")
    return document


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _baseline_problem(document) -> str | None:
    """What keeps ``document`` from being a baseline :func:`compare_to_baseline` can read."""
    if not isinstance(document, dict):
        kind = {list: "list", str: "string", bool: "boolean"}.get(type(document), "number")
        return f"a JSON {'null' if document is None else kind}, not an object"
    if document.get("schema") != SCHEMA:
        return f"its schema is {document.get('schema')!r}" if "schema" in document else "no schema field"
    findings = document.get("findings")
    if not isinstance(findings, list):
        return "no findings list"
    for n, f in enumerate(findings):
        if not (isinstance(f, dict) and isinstance(f.get("kind"), str) and isinstance(f.get("key"), str)
                and isinstance(f.get("value"), int | float) and not isinstance(f.get("value"), bool)
                and math.isfinite(f["value"])):
            return f"finding {n} lacks a text kind and key and a number value"
    return None


@contextlib.contextmanager
def exclusive(bundle: str | os.PathLike, lock: str | os.PathLike | None = None) -> Iterator[Path]:
    """Hold a lock that keeps overlapping runs on one bundle apart.

    The lock is a file ecograph creates and marks with :data:`LOCK_MARKER`; it
    is opened without truncating, and a path that holds anything else (a
    non-empty file without the marker, a folder, a device, a symbolic link)
    is refused, so ``--lock`` can never damage a file of the user's. The file
    is left in place after the run (removing it would let two runs hold two
    different locks).

    Parameters
    ----------
    bundle : str or os.PathLike
        The bundle the run reads.
    lock : str or os.PathLike, optional
        The lock file (default: ``<tmp>/ecograph-flag-bottlenecks-<bundle hash>.lock``).

    Yields
    ------
    pathlib.Path
        The lock file, held until the block ends however it ends.

    Raises
    ------
    LockError
        When another run holds it, or it cannot be taken.
    ParameterError
        When the path exists and is not an ecograph lock.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp()
    >>> with exclusive(where) as held:
    ...     with exclusive(where):
    ...         pass
    Traceback (most recent call last):
    ...
    ecograph.errors.LockError: another flag-bottlenecks run holds ...
    >>> import pathlib
    >>> precious = pathlib.Path(where) / "precious.txt"
    >>> _ = precious.write_text("my notes")
    >>> with exclusive(where, precious):
    ...     pass
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: ...precious.txt is not an ecograph lock file (it holds other data); ...
    >>> precious.read_text()
    'my notes'
    """
    digest = hashlib.sha1(str(Path(bundle).resolve()).encode()).hexdigest()[:12]
    path = Path(lock) if lock is not None else (
        Path(tempfile.gettempdir()) / f"ecograph-flag-bottlenecks-{digest}.lock")
    mode = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # never O_TRUNC
    try:
        fd = os.open(path, mode, 0o644)
    except OSError as exc:
        if path.is_symlink() or path.is_dir() or (path.exists() and not path.is_file()):
            raise ParameterError(f"{path} is not an ecograph lock file (not a regular file); "
                                 "give --lock a new path") from exc
        raise LockError(f"cannot take the lock {path}: {exc}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a device or a pipe: never read or written
        os.close(fd)
        raise ParameterError(f"{path} is not an ecograph lock file (not a regular file); "
                             "give --lock a new path")
    with os.fdopen(fd, "r+b") as handle:
        _check_lock_file(handle, path)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(f"another flag-bottlenecks run holds {path}") from None
        except OSError as exc:
            raise LockError(f"cannot take the lock {path}: {exc}") from exc
        try:
            if not handle.read(len(LOCK_MARKER) + 1):  # new (or emptied): mark it as ours
                handle.write(LOCK_MARKER + b"\n")
                handle.flush()
        except OSError as exc:
            raise LockError(f"cannot write the lock {path}: {exc}") from exc
        yield path


def _check_lock_file(handle, path: Path) -> None:
    """Refuse a file that holds anything but an ecograph lock."""
    head = handle.read(len(LOCK_MARKER))
    handle.seek(0)
    if head and head != LOCK_MARKER:
        raise ParameterError(f"{path} is not an ecograph lock file (it holds other data); "
                             "give --lock a new path, or an empty file")


def run(bundle: str | os.PathLike, *, thresholds: dict[str, float] | None = None,
        baseline: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
        lock: str | os.PathLike | None = None) -> dict:
    """The scheduled job: under the lock, flag the bundle, compare with the
    baseline, and write the document to ``out`` atomically.

    Parameters
    ----------
    bundle : str or os.PathLike
        The bundle folder.
    thresholds : dict of str to float, optional
        See :func:`read_thresholds`.
    baseline : str or os.PathLike, optional
        A previous run's document: report only what is new or worse.
    out : str or os.PathLike, optional
        Where to write the document (e.g. the next run's baseline).
    lock : str or os.PathLike, optional
        The lock file (see :func:`exclusive`).

    Returns
    -------
    dict
        The document, with ``bundle``.

    Raises
    ------
    BundleError, ParameterError, LockError, OSError
        Invalid bundle; bad baseline; another run holds the lock; ``out``
        cannot be written.

    Examples
    --------
    >>> run("fixtures/manufacturing")["findings"][0]["key"]
    'S0001'
    """
    previous = read_baseline(baseline)
    with exclusive(bundle, lock):
        report = flag_bottlenecks(load_bundle(bundle), thresholds=thresholds)
        if previous is not None:
            report = compare_to_baseline(report, previous)
        report["bundle"] = str(bundle)
        if out is not None:
            write_json(out, report)
    return report
