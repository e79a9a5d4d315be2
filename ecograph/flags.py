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
import os
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

from .analysis import bottlenecks
from .ecosystem import Ecosystem, load_bundle
from .errors import LockError, ParameterError
from .outputs import write_json

__all__ = ["flag_bottlenecks", "compare_to_baseline", "read_thresholds", "read_baseline",
           "exclusive", "run", "DEFAULTS", "SCHEMA", "FINDING_FIELDS"]

SCHEMA = "ecograph.flag-bottlenecks/1"
#: Default thresholds: a party is flagged at this risk score or share of demand at risk,
#: an input SKU when its supply HHI reaches ``max_hhi`` (10,000 = a single supplier).
DEFAULTS = {"min_risk": 50.0, "min_share": 0.25, "max_hhi": 10_000.0}
#: The fields of every finding, in order.
FINDING_FIELDS = ("kind", "key", "metric", "value", "threshold", "detail")


def read_thresholds(path: str | Path | None = None, **overrides) -> dict[str, float]:
    """Thresholds from :data:`DEFAULTS`, then a TOML file, then explicit overrides.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file (``min_risk = 40``...).
    **overrides : float or None
        Thresholds by name; ``None`` values are ignored.

    Returns
    -------
    dict of str to float

    Examples
    --------
    >>> read_thresholds(min_risk=40)["min_risk"], read_thresholds()["max_hhi"]
    (40.0, 10000.0)
    """
    values = dict(DEFAULTS)
    if path is not None:
        try:
            loaded = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ParameterError(f"cannot read thresholds from {path}: {exc}") from exc
        unknown = set(loaded) - set(DEFAULTS)
        if unknown:
            raise ParameterError(f"{path}: unknown thresholds {sorted(unknown)}; "
                                 f"known: {sorted(DEFAULTS)}")
        values.update({k: float(v) for k, v in loaded.items()})
    values.update({k: float(v) for k, v in overrides.items() if v is not None})
    return values


def flag_bottlenecks(eco: Ecosystem, *, thresholds: dict[str, float] | None = None) -> dict:
    """The findings that cross thresholds, as a JSON-ready report.

    Parameters
    ----------
    eco : Ecosystem
    thresholds : dict of str to float, optional
        Any of :data:`DEFAULTS` (the rest keep their defaults).

    Returns
    -------
    dict
        ``schema``, ``generated``, ``thresholds``, ``findings`` (worst first)
        and ``counts``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> flag_bottlenecks(load_bundle("fixtures/manufacturing"))["counts"]["bottleneck"] >= 1
    True
    """
    t = {**DEFAULTS, **(thresholds or {})}
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

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
    >>> compare_to_baseline(report, report)["findings"]
    []
    """
    if baseline.get("schema") != SCHEMA:
        raise ParameterError(f"the baseline is not a {SCHEMA} document")
    before = {(f["kind"], f["key"]): f["value"] for f in baseline.get("findings", [])}
    kept = [f for f in report["findings"]
            if (f["kind"], f["key"]) not in before or f["value"] > before[(f["kind"], f["key"])]]
    return {**report, "findings": kept, "baseline_generated": baseline.get("generated"),
            "counts": {k: sum(f["kind"] == k for f in kept) for k in report["counts"]}}


def read_baseline(path: str | Path | None) -> dict | None:
    """A previous run's JSON document (``None`` when no path is given).

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
        When the file cannot be read or is not JSON (the message names it).

    Examples
    --------
    >>> read_baseline(None) is None
    True
    """
    if path is None:
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read the baseline {path}: {exc}") from exc


@contextlib.contextmanager
def exclusive(bundle: str | os.PathLike, lock: str | os.PathLike | None = None) -> Iterator[Path]:
    """Hold a lock that keeps overlapping runs on one bundle apart.

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
    """
    digest = hashlib.sha1(str(Path(bundle).resolve()).encode()).hexdigest()[:12]
    path = Path(lock) if lock is not None else (
        Path(tempfile.gettempdir()) / f"ecograph-flag-bottlenecks-{digest}.lock")
    try:
        handle = open(path, "w")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise LockError(f"cannot take the lock {path}: {exc}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(f"another flag-bottlenecks run holds {path}") from None
        except OSError as exc:
            raise LockError(f"cannot take the lock {path}: {exc}") from exc
        yield path


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
