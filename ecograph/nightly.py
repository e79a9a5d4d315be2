"""The nightly run (``ecograph run``): validate, sync the store, analyse, report, flag — once.

:func:`nightly` runs the stages of :data:`STAGES` on a bundle under a lock
held in the state folder, and records its progress there (``run.json``,
written atomically after each stage) with a fingerprint of the bundle's
files. A run on a bundle whose fingerprint matches the last run's skips
the stages that run finished (the analysis is not redone), so a run killed
half-way resumes where it stopped, and a second run on the same data does
no work twice and gives the same answer. :func:`prometheus` renders a run's
key figures for the node-exporter textfile collector.

>>> import tempfile
>>> state = tempfile.mkdtemp()
>>> first = nightly("fixtures/manufacturing", state)
>>> first["stages"]["analyze"]["status"], first["alerts"] > 0
('done', True)
>>> again = nightly("fixtures/manufacturing", state)
>>> again["stages"]["analyze"]["status"], again["alerts"]
('skipped', 0)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from . import flags
from .ecosystem import load_bundle
from .errors import BundleError, ParameterError
from .files import make_folder, write_text
from .outputs import write_json
from .validate import validate_bundle

__all__ = ["nightly", "fingerprint", "prometheus", "write_metrics", "STAGES", "SCHEMA", "PROGRESS"]

SCHEMA = "ecograph.run/1"
#: The stages, in order.
STAGES = ("validate", "sync", "analyze", "flag")
#: The progress file in the state folder.
PROGRESS = "run.json"


def fingerprint(bundle: str | os.PathLike) -> str:
    """A hash of the bundle's files: their names and contents.

    Parameters
    ----------
    bundle : str or os.PathLike
        The bundle folder.

    Returns
    -------
    str
        Hex SHA-256.

    Raises
    ------
    BundleNotFoundError
        When ``bundle`` is not a folder.

    Examples
    --------
    >>> fingerprint("fixtures/tiny") == fingerprint("fixtures/tiny")
    True
    """
    from .errors import BundleNotFoundError

    folder = Path(bundle)
    if not folder.is_dir():
        raise BundleNotFoundError(f"{bundle}: no such bundle folder")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".csv", ".parquet")):
        digest.update(path.name.encode() + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def nightly(bundle: str | os.PathLike, state: str | os.PathLike, *,
            thresholds: dict[str, float | None] | None = None, store: Callable | None = None,
            lock: str | os.PathLike | None = None) -> dict:
    """Run every stage on ``bundle``, keeping state, outputs and progress in ``state``.

    ``STATE/analysis`` receives the report and tables (replaced as a whole),
    ``STATE/flags.json`` the flag state (:func:`ecograph.flags.run`),
    ``STATE/run.json`` this run's record.

    Parameters
    ----------
    bundle : str or os.PathLike
        The bundle folder.
    state : str or os.PathLike
        The state folder (created if needed).
    thresholds : dict, optional
        The flag thresholds (:func:`ecograph.flags.read_thresholds`).
    store : callable, optional
        Called with the loaded ecosystem to sync a graph store (the ``sync``
        stage is skipped without one).
    lock : str or os.PathLike, optional
        The lock file (default ``STATE/run.lock``).

    Returns
    -------
    dict
        The run's record: ``schema``, ``bundle``, ``fingerprint``, ``started``,
        ``finished``, ``stages`` (each ``status``: done, skipped or off, and
        ``seconds``), ``health``, ``alerts``, ``counts``, ``exit_code``.

    Raises
    ------
    BundleError, ParameterError, LockError, StoreError, OSError
        As the stages raise them; the record of the stages done so far is kept.

    Examples
    --------
    >>> import tempfile
    >>> record = nightly("fixtures/tiny", tempfile.mkdtemp())
    >>> [record["stages"][s]["status"] for s in STAGES]
    ['done', 'off', 'done', 'done']
    """
    from . import pipeline
    from .report import write_analysis

    folder = make_folder(state)
    with flags.exclusive(bundle, lock if lock is not None else folder / "run.lock"):
        previous = _progress(folder / PROGRESS)
        print_ = fingerprint(bundle)
        same = previous.get("fingerprint") == print_
        record = {"schema": SCHEMA, "bundle": str(bundle), "fingerprint": print_,
                  "started": _now(), "finished": None,
                  "stages": {s: {"status": "pending", "seconds": 0.0} for s in STAGES},
                  "health": previous.get("health") if same else None}
        done = {s for s, v in previous.get("stages", {}).items()
                if same and v.get("status") in ("done", "skipped")}
        eco = None

        def stage(name: str, work: Callable[[], object], *, always: bool = False) -> None:
            if name in done and not always:
                record["stages"][name] = {"status": "skipped", "seconds": 0.0}
                return
            start = time.perf_counter()
            work()
            record["stages"][name] = {"status": "done", "seconds": round(time.perf_counter() - start, 3)}
            write_json(folder / PROGRESS, record)

        def check() -> None:
            result = validate_bundle(bundle)
            if not result.ok:
                raise BundleError(str(bundle), result.findings)

        def loaded():
            nonlocal eco
            eco = eco if eco is not None else load_bundle(bundle)
            return eco

        def analyse() -> None:
            result = pipeline.analyze(loaded())
            write_analysis(loaded(), result, folder / "analysis", protect=[bundle])
            record["health"] = result.headline.get("ecosystem_health")

        stage("validate", check, always=True)
        if store is None:
            record["stages"]["sync"] = {"status": "off", "seconds": 0.0}
        else:
            stage("sync", lambda: store(loaded()))
        stage("analyze", analyse)
        report: dict = {}
        stage("flag", lambda: report.update(flags.run(bundle, thresholds=thresholds, state=folder)),
              always=True)
        record.update(finished=_now(), alerts=report["alerts"], counts=report["counts"],
                      exit_code=1 if report["alerts"] else 0)
        write_json(folder / PROGRESS, record)
    return record


def _progress(path: Path) -> dict:
    """The last run's record; none (``{}``) when there is none yet."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read the run record {path}: {exc}; move it away to start "
                             "afresh") from exc
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ParameterError(f"the run record {path} is not an {SCHEMA} document; move it away to "
                             "start afresh")
    return document


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def prometheus(record: dict) -> str:
    """A run's key figures in the Prometheus text exposition format.

    Parameters
    ----------
    record : dict
        From :func:`nightly`; or, for a run that failed, at least
        ``exit_code`` (and whatever stages it reached).

    Returns
    -------
    str
        Gauges ``ecograph_run_exit_code``, ``ecograph_run_success``,
        ``ecograph_run_timestamp_seconds``, ``ecograph_findings{kind=...}``,
        ``ecograph_findings_by_trend{trend=...}``, ``ecograph_alerts``,
        ``ecograph_health_score`` and ``ecograph_stage_seconds{stage=...}``.

    Examples
    --------
    >>> print(prometheus({"exit_code": 2}).splitlines()[2])
    ecograph_run_exit_code 2
    """
    lines: list[str] = []

    def gauge(name: str, about: str, values: list[tuple[str, float]]) -> None:
        lines.extend([f"# HELP {name} {about}", f"# TYPE {name} gauge"])
        lines.extend(f"{name}{labels} {value:.15g}" for labels, value in values)

    code = record.get("exit_code", 2)
    gauge("ecograph_run_exit_code", "Exit code of the last ecograph run.", [("", code)])
    gauge("ecograph_run_success", "1 when the last run went through every stage, else 0.",
          [("", 1 if record.get("finished") else 0)])
    gauge("ecograph_run_timestamp_seconds", "When the last run ended (Unix time).", [("", time.time())])
    counts = record.get("counts") or {}
    if counts:
        gauge("ecograph_findings", "Bottleneck findings by kind.",
              [(f'{{kind="{k}"}}', counts.get(k, 0)) for k in ("bottleneck", "concentration")])
        gauge("ecograph_findings_by_trend", "Findings by trend against the state.",
              [(f'{{trend="{t}"}}', counts.get(t, 0)) for t in (*flags.TRENDS, "resolved")])
        gauge("ecograph_alerts", "Findings that are new or worse.", [("", record.get("alerts", 0))])
    if record.get("health") is not None:
        gauge("ecograph_health_score", "Ecosystem health score (0-100).", [("", record["health"])])
    stages = record.get("stages") or {}
    if stages:
        gauge("ecograph_stage_seconds", "Seconds each stage took in the last run (0: skipped).",
              [(f'{{stage="{s}"}}', v.get("seconds", 0.0)) for s, v in stages.items()])
    return "\n".join(lines) + "\n"


def write_metrics(path: str | os.PathLike, record: dict) -> None:
    """Write :func:`prometheus` of ``record`` to ``path`` atomically (as the textfile
    collector requires: it must never read half a file).

    Parameters
    ----------
    path : str or os.PathLike
        Typically ``<textfile dir>/ecograph.prom``.
    record : dict
        See :func:`prometheus`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "ecograph.prom"
    >>> write_metrics(target, {"exit_code": 0})
    >>> "ecograph_run_success 1" in target.read_text()
    True
    """
    write_text(path, prometheus(record))
