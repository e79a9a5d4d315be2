"""Bottleneck flags for scheduled jobs: thresholds in, findings out, trends against the last run.

:func:`measure` gives every party and input SKU all the metrics the rules
(:data:`RULES`) read; :func:`flag_bottlenecks` keeps those that cross a
threshold, each finding listing every rule it fired; :func:`compare_to_baseline`
gives each its trend against a previous run (new, worse, same, better) and
lists what was resolved; :func:`run` is the whole scheduled job
(``ecograph flag-bottlenecks``): a lock against overlapping runs, the bundle,
the thresholds, the state (``--state DIR`` or ``--baseline``/``--out``) and
the atomic output document. The JSON document (:data:`SCHEMA`) is versioned
and documented in docs/flag-bottlenecks.md.

>>> from ecograph import load_bundle
>>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
>>> report["findings"][0]["key"], report["schema"]
('S0001', 'ecograph.flag-bottlenecks/2')
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
from .errors import BundleError, LockError, ParameterError
from .files import make_folder
from .outputs import write_json
from .pipeline import exposure
from .wording import plural

__all__ = ["measure", "fired", "explain", "explain_lines",
           "flag_bottlenecks", "compare_to_baseline", "read_thresholds", "read_baseline",
           "exclusive", "run", "state_paths", "error_document", "lines", "DEFAULTS", "RULES", "SCHEMA",
           "READABLE", "ERROR_SCHEMA", "FINDING_FIELDS", "LOCK_MARKER", "STATE_FILE", "TRENDS"]

SCHEMA = "ecograph.flag-bottlenecks/2"
#: The schema of the document every command prints with ``--format json`` when it fails.
ERROR_SCHEMA = "ecograph.error/1"
#: The schemas a baseline may have (version 1 documents are still read).
READABLE = ("ecograph.flag-bottlenecks/1", SCHEMA)
#: Default thresholds. A party is flagged when its loss cannot be absorbed: the share of all
#: demand left unmet after its buyers reroute to their other sources (each able to ship
#: ``headroom`` more) reaches ``min_unmet``, or its Risk Exposure Index (the loss over its time to
#: recover, after rerouting within the real capacities and drawing inventory on hand;
#: :mod:`ecograph.analysis.risk_exposure`) reaches ``min_rei``. A party whose loss the risk-exposure
#: model absorbs for its whole time to recover (its time to survive is no shorter: alternatives
#: with spare capacity, or a buffer) fires no rule. An input SKU is flagged when its supply HHI
#: reaches ``max_hhi`` (10,000 = a single supplier). ``min_risk`` (risk score) and ``min_share``
#: (share of demand before rerouting) are off (``None``) unless set: they alert on suppliers with
#: real alternatives.
DEFAULTS: dict[str, float | None] = {"min_unmet": 0.2, "headroom": 1.0, "min_risk": None, "min_share": None,
                                     "min_rei": 10.0, "max_hhi": 10_000.0}
#: The rules: (kind, metric, threshold); a rule fires when the metric reaches the threshold.
RULES = (("bottleneck", "share_unmet", "min_unmet"), ("bottleneck", "risk_score", "min_risk"),
         ("bottleneck", "share_at_risk", "min_share"), ("bottleneck", "rei", "min_rei"),
         ("concentration", "hhi", "max_hhi"))
#: How bad a finding is, per kind: the metric compared across runs.
SCORE = {"bottleneck": "share_unmet", "concentration": "hhi"}
#: A finding's trend against the baseline; the first two are alerts.
TRENDS = ("new", "worse", "same", "better")
ALERTING = TRENDS[:2]
#: The first line of every lock file ecograph creates (:func:`exclusive`).
LOCK_MARKER = b"ecograph flag-bottlenecks lock"
#: The state document's name in a ``--state`` folder.
STATE_FILE = "flags.json"
#: The fields of every finding, in order.
FINDING_FIELDS = ("kind", "key", "name", "metric", "value", "threshold", "trend", "score", "previous",
                  "rules", "metrics", "detail")


def read_thresholds(path: str | Path | None = None, **overrides) -> dict[str, float | None]:
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
    dict of str to float or None
        ``None``: the rule is off.

    Raises
    ------
    ParameterError
        When the file cannot be read, is not UTF-8 TOML, names an unknown
        threshold or holds a value that is not a finite number ≥ 0 (the
        message names the file and the key), or an override is such a value.

    Examples
    --------
    >>> read_thresholds(min_risk=40)["min_risk"], read_thresholds()["max_hhi"], read_thresholds()["min_share"]
    (40.0, 10000.0, None)
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


def measure(eco: Ecosystem, *, headroom: float = 1.0) -> list[dict]:
    """Every party that ships units and every input SKU, with all the metrics the rules read.

    Parameters
    ----------
    eco : Ecosystem
    headroom : float, default 1.0
        Spare capacity of each surviving source when a party is lost, as a
        share of its volume (:func:`~ecograph.analysis.bottlenecks.rerouted_losses`).

    Returns
    -------
    list of dict
        ``kind``, ``key``, ``name``, ``metrics`` (name to number or flag; a
        bottleneck's include its risk exposure: ``ttr_days``, ``tts_days``
        (``None``: never short), ``absorbed`` (no loss within its TTR),
        ``rei``, ``lost_units``, ``value_at_risk``) and ``detail`` (why, in
        words), bottlenecks riskiest first, then SKUs by HHI.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> first = measure(load_bundle("fixtures/manufacturing"))[0]
    >>> first["key"], list(first["metrics"])[:3]
    ('S0001', ['share_unmet', 'units_unmet', 'risk_score'])
    """
    items = []
    unmet = bottlenecks.rerouted_losses(eco, headroom=headroom).set_index("id")
    risk = exposure(eco).set_index("id")
    for r in bottlenecks.bottlenecks(eco).itertuples(index=False):
        metrics = {"share_unmet": round(float(unmet.at[r.id, "share_unmet"]), 4),
                   "units_unmet": round(float(unmet.at[r.id, "units_unmet"]), 1),
                   "risk_score": round(float(r.risk_score), 3),
                   "share_at_risk": round(float(r.share_at_risk), 4),
                   "units_at_risk": round(float(r.units_at_risk), 1),
                   "customers_affected": int(r.customers_affected),
                   "customers_cut_off": int(r.customers_cut_off),
                   **{s: bool(getattr(r, s)) for s in bottlenecks.RISK_WEIGHTS}, **_exposed(risk, r.id)}
        rerouted = (f"{metrics['units_unmet']:,.0f} units ({metrics['share_unmet']:.0%}) a year still "
                    f"unmet once its buyers reroute (flow model, sources at up to {1 + headroom:g}x volume)")
        items.append({"kind": "bottleneck", "key": str(r.id), "name": str(r.name), "metrics": metrics,
                      "detail": f"{rerouted}; {_survival(metrics)}; {r.why}"})
    hhi = bottlenecks.concentration(eco)
    for r in hhi[hhi["scope"] == "sku"].sort_values(["hhi", "key"], ascending=[False, True]).itertuples():
        items.append({"kind": "concentration", "key": str(r.key), "name": str(r.key),
                      "metrics": {"hhi": round(float(r.hhi), 1), "suppliers": int(r.suppliers),
                                  "top_share": round(float(r.top_share), 4)},
                      "detail": f"{plural(r.suppliers, 'supplier')} of {r.key}; top {r.top_supplier} "
                                f"with {r.top_share:.0%}"})
    return items


def _exposed(risk, party: str) -> dict:
    """The risk-exposure metrics of ``party`` (a row of :func:`ecograph.pipeline.exposure`); a party
    the model does not disrupt (the company) is not absorbed and has index 0."""
    if party not in risk.index:
        return {"ttr_days": None, "tts_days": None, "absorbed": False, "rei": 0.0, "lost_units": 0.0,
                "value_at_risk": None}
    r = risk.loc[party]
    tts, value = float(r["tts_days"]), float(r["value_at_risk"])
    return {"ttr_days": round(float(r["ttr_days"]), 2),
            "tts_days": round(tts, 2) if math.isfinite(tts) else None,
            "absorbed": bool(r["exact"]) and not math.isnan(tts) and tts >= float(r["window_days"]),
            "rei": round(float(r["rei"]), 2), "lost_units": round(float(r["lost_units"]), 1),
            "value_at_risk": round(value, 2) if math.isfinite(value) else None}


def _survival(m: dict) -> str:
    """Its time to survive against its time to recover, in words."""
    if m["ttr_days"] is None:
        return "not disrupted by the risk-exposure model"
    if m["absorbed"]:
        lasts = "for good" if m["tts_days"] is None else f"for {m['tts_days']:,.0f} days"
        return f"absorbed {lasts}, past its {m['ttr_days']:g}-day recovery (index {m['rei']:g})"
    short = "" if m["tts_days"] is None else f" after {m['tts_days']:,.0f} days"
    value = "" if m["value_at_risk"] is None else f", value at risk {m['value_at_risk']:,.0f}"
    lost = m["lost_units"]
    return (f"customers go short{short} of its {m['ttr_days']:g}-day recovery: "
            f"{lost:,.{1 if 0 < lost < 10 else 0}f} units lost with capacity and stock rerouted{value} "
            f"(index {m['rei']:g})")


def fired(item: dict, thresholds: dict[str, float]) -> list[dict]:
    """The rules of :data:`RULES` that ``item`` (from :func:`measure`) crosses.

    Parameters
    ----------
    item : dict
        ``kind`` and ``metrics``.
    thresholds : dict of str to float or None
        Every key of :data:`DEFAULTS` (``None``: the rule is off).

    Returns
    -------
    list of dict
        ``rule`` (the threshold's name), ``metric``, ``value``, ``threshold`` and
        ``direction`` (``">="``: the value reaches the threshold), in :data:`RULES` order; none
        for a bottleneck whose loss is ``absorbed`` within its time to recover.

    Examples
    --------
    >>> fired({"kind": "concentration", "metrics": {"hhi": 10000.0}}, DEFAULTS)
    [{'rule': 'max_hhi', 'metric': 'hhi', 'value': 10000.0, 'threshold': 10000.0, 'direction': '>='}]
    """
    if item["metrics"].get("absorbed"):
        return []
    return [{"rule": rule, "metric": metric, "value": item["metrics"][metric], "threshold": thresholds[rule],
             "direction": ">="}
            for kind, metric, rule in RULES
            if kind == item["kind"] and thresholds[rule] is not None
            and item["metrics"][metric] >= thresholds[rule]]


def explain(eco: Ecosystem, key: str, *, thresholds: dict[str, float | None] | None = None) -> dict:
    """Why the party or input SKU ``key`` is flagged or not: every rule, fired or not.

    Parameters
    ----------
    eco : Ecosystem
    key : str
        A party id (one that ships units) or an input SKU.
    thresholds : dict of str to float or None, optional
        As for :func:`flag_bottlenecks`.

    Returns
    -------
    dict
        ``kind``, ``key``, ``name``, ``flagged``, ``rules`` (each with ``fired``
        and, for a rule that is off, a ``threshold`` of ``None``), ``metrics``
        and ``detail``.

    Raises
    ------
    ParameterError
        When ``key`` is no party that ships units and no input SKU.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> why = explain(load_bundle("fixtures/manufacturing"), "S0003")
    >>> why["flagged"], [(r["rule"], r["fired"]) for r in why["rules"]][:2]
    (False, [('min_unmet', False), ('min_risk', False)])
    """
    t = {**DEFAULTS, **_checked({k: v for k, v in (thresholds or {}).items() if v is not None}, "")}
    items = [i for i in measure(eco, headroom=t["headroom"]) if i["key"] == key]
    if not items:
        raise ParameterError(f"{key} is no party that ships units and no input SKU of {eco.source}")
    item = items[0]
    live = not item["metrics"].get("absorbed")  # absorbed within its time to recover: nothing fires
    rules = [{"rule": rule, "metric": metric, "value": item["metrics"][metric], "threshold": t[rule],
              "direction": ">=", "fired": live and t[rule] is not None and item["metrics"][metric] >= t[rule]}
             for kind, metric, rule in RULES if kind == item["kind"]]
    return {"kind": item["kind"], "key": key, "name": item["name"], "flagged": any(r["fired"] for r in rules),
            "rules": rules, "metrics": item["metrics"], "detail": item["detail"]}


def explain_lines(why: dict) -> list[str]:
    """:func:`explain`'s answer as plain lines: the verdict, then one line per rule.

    Parameters
    ----------
    why : dict
        From :func:`explain`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> explain_lines(explain(load_bundle("fixtures/manufacturing"), "S0003"))[1:3]
    ['absorbed within its time to recover: no rule fires', 'min_unmet: share_unmet 0 >= 0.2? no']
    """
    verdict = "flagged" if why["flagged"] else "not flagged"
    text = [f"{why['kind']} {why['key']} ({why['name']}): {verdict}: {why['detail']}"]
    if why["metrics"].get("absorbed"):
        text.append("absorbed within its time to recover: no rule fires")
    for r in why["rules"]:
        answer = "off" if r["threshold"] is None else "yes" if r["fired"] else "no"
        limit = "(off)" if r["threshold"] is None else f"{r['threshold']:g}"
        text.append(f"{r['rule']}: {r['metric']} {r['value']:g} {r['direction']} {limit}? {answer}")
    text += [f"  {name} = {value}" for name, value in why["metrics"].items()]
    return text


def flag_bottlenecks(eco: Ecosystem, *, thresholds: dict[str, float] | None = None) -> dict:
    """The findings that cross thresholds, as a JSON-ready report (every one ``new``).

    Parameters
    ----------
    eco : Ecosystem
    thresholds : dict of str to float, optional
        Any of :data:`DEFAULTS` (the rest keep their defaults); each a finite
        number of at least 0.

    Returns
    -------
    dict
        ``schema``, ``generated``, ``thresholds``, ``status``, ``findings`` (worst
        first, each with every rule it fired and all its metrics), ``resolved``
        (none yet), ``counts`` and ``alerts``; see docs/flag-bottlenecks.md.

    Raises
    ------
    ParameterError
        When a threshold is unknown, or not a finite number of at least 0.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
    >>> report["counts"]["bottleneck"] >= 1, report["findings"][0]["trend"]
    (True, 'new')
    """
    t = {**DEFAULTS, **_checked({k: v for k, v in (thresholds or {}).items() if v is not None}, "")}
    findings = []
    for item in measure(eco, headroom=t["headroom"]):
        rules = fired(item, t)
        if rules:
            findings.append(_finding(item, rules, trend="new", previous=None))
    return _summed({"schema": SCHEMA, "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "thresholds": t, "findings": findings, "resolved": []})


def _finding(item: dict, rules: list[dict], *, trend: str, previous: float | None) -> dict:
    """A finding: the first rule that fired is its ``metric``/``value``/``threshold``."""
    first = rules[0]
    return {"kind": item["kind"], "key": item["key"], "name": item["name"], "metric": first["metric"],
            "value": first["value"], "threshold": first["threshold"], "trend": trend,
            "score": item["metrics"][SCORE[item["kind"]]], "previous": previous, "rules": rules,
            "metrics": item["metrics"], "detail": item["detail"]}


def _summed(report: dict) -> dict:
    """``report`` with its ``counts``, ``alerts`` and ``status``."""
    findings = report["findings"]
    alerts = sum(f["trend"] in ALERTING for f in findings)
    report["counts"] = {**{k: sum(f["kind"] == k for f in findings) for k in SCORE},
                        **{t: sum(f["trend"] == t for f in findings) for t in TRENDS},
                        "resolved": len(report["resolved"])}
    report["alerts"] = alerts
    report["status"] = "alert" if alerts else "ok"
    return report


def compare_to_baseline(report: dict, baseline: dict) -> dict:
    """``report`` with each finding's trend against ``baseline``, and what was resolved since.

    A finding is ``new`` when the baseline lacks it, ``worse`` when its score
    (``risk_score``, ``hhi``) grew or a rule fired that had not, ``better``
    when its score fell or a rule stopped firing, ``same`` otherwise. A
    baseline finding that no longer crosses a threshold is ``resolved``. Only
    ``new`` and ``worse`` findings count as ``alerts``.

    Parameters
    ----------
    report : dict
        From :func:`flag_bottlenecks`.
    baseline : dict
        A previous report (:data:`SCHEMA`, or the older ``ecograph.flag-bottlenecks/1``).

    Returns
    -------
    dict
        The report with trends, ``resolved``, their counts, ``alerts`` and
        ``baseline_generated``.

    Raises
    ------
    ParameterError
        When ``baseline`` is not such a document (see :func:`read_baseline`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> report = flag_bottlenecks(load_bundle("fixtures/manufacturing"))
    >>> again = compare_to_baseline(report, report)
    >>> again["alerts"], {f["trend"] for f in again["findings"]}
    (0, {'same'})
    """
    problem = _baseline_problem(baseline)
    if problem:
        raise ParameterError(f"the baseline is not a {SCHEMA} document: {problem}")
    before = {(f["kind"], f["key"]): f for f in baseline["findings"]}
    findings = []
    for f in report["findings"]:
        old = before.get((f["kind"], f["key"]))
        findings.append({**f, "trend": _trend(f, old), "previous": None if old is None else _score(old)})
    now = {(f["kind"], f["key"]) for f in findings}
    resolved = [{"kind": f["kind"], "key": f["key"], "name": f.get("name", f["key"]), "trend": "resolved",
                 "previous": _score(f), "detail": f.get("detail", "")}
                for f in baseline["findings"] if (f["kind"], f["key"]) not in now]
    return _summed({**report, "findings": findings, "resolved": resolved,
                    "baseline_generated": baseline.get("generated")})


def _score(f: dict) -> float:
    """How bad a finding is: its ``score`` (schema 2) or ``value`` (schema 1)."""
    return f.get("score", f["value"])


def _trend(now: dict, old: dict | None) -> str:
    if old is None:
        return "new"
    rules_now = {r["rule"] for r in now["rules"]}
    rules_then = {r["rule"] for r in old["rules"]} if isinstance(old.get("rules"), list) else rules_now
    if _score(now) > _score(old) + 1e-9 or rules_now - rules_then:
        return "worse"
    if _score(now) < _score(old) - 1e-9 or rules_then - rules_now:
        return "better"
    return "same"


def read_baseline(path: str | Path | None, *, missing_ok: bool = False) -> dict | None:
    """A previous run's JSON document (``None`` when no path is given).

    The document must be a :data:`SCHEMA` (or ``ecograph.flag-bottlenecks/1``)
    object whose ``findings`` are objects with a text ``kind`` and ``key`` and
    a finite number ``value`` (what :func:`compare_to_baseline` reads).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The file.
    missing_ok : bool, default False
        A file that does not exist is the first run (``None``), not an error.

    Returns
    -------
    dict or None

    Raises
    ------
    ParameterError
        When the file is missing (unless ``missing_ok``), cannot be read, is
        empty, is not UTF-8 JSON or is not such a document (the message names
        the file).

    Examples
    --------
    >>> read_baseline(None) is None
    True
    >>> import pathlib, tempfile
    >>> listed = pathlib.Path(tempfile.mkdtemp()) / "flags.json"
    >>> read_baseline(listed, missing_ok=True) is None
    True
    >>> _ = listed.write_text("[]")
    >>> read_baseline(listed)
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: the baseline ... is not a ... document: a JSON list, not an object
    """
    if path is None or (missing_ok and not os.path.lexists(path)):
        return None
    try:
        text = Path(path).read_bytes().decode("utf-8")
        document = json.loads(text, parse_constant=_no_constant) if text.strip() else None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"cannot read the baseline {path}: not UTF-8 text (byte {exc.start})") from exc
    except FileNotFoundError as exc:
        raise ParameterError(f"the baseline {path} does not exist; to start a state there, give --out "
                             f"{path} too (or use --state DIR)") from exc
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
    if document.get("schema") not in READABLE:
        return f"its schema is {document.get('schema')!r}" if "schema" in document else "no schema field"
    findings = document.get("findings")
    if not isinstance(findings, list):
        return "no findings list"
    for n, f in enumerate(findings):
        if not (isinstance(f, dict) and isinstance(f.get("kind"), str) and isinstance(f.get("key"), str)
                and all(_number(f.get(k)) for k in ("value", *(("score",) if "score" in f else ())))):
            return f"finding {n} lacks a text kind and key and a number value"
        if "rules" in f and not (isinstance(f["rules"], list)
                                 and all(isinstance(r, dict) and isinstance(r.get("rule"), str)
                                         for r in f["rules"])):
            return f"finding {n} has rules that are not a list of objects with a text rule"
    return None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


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
    ecograph.errors.LockError: another ecograph job (flag-bottlenecks or run) holds ...
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
            raise LockError(f"another ecograph job (flag-bottlenecks or run) holds {path}") from None
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


def state_paths(state: str | os.PathLike) -> tuple[Path, Path]:
    """The state document and the lock file of the state folder ``state``.

    Parameters
    ----------
    state : str or os.PathLike
        The ``--state`` folder.

    Returns
    -------
    tuple of pathlib.Path
        ``STATE/flags.json`` and ``STATE/flags.lock``.

    Examples
    --------
    >>> [p.name for p in state_paths("state")]
    ['flags.json', 'flags.lock']
    """
    return Path(state) / STATE_FILE, Path(state) / "flags.lock"


def run(bundle: str | os.PathLike, *, thresholds: dict[str, float] | None = None,
        baseline: str | os.PathLike | None = None, out: str | os.PathLike | None = None,
        lock: str | os.PathLike | None = None, state: str | os.PathLike | None = None) -> dict:
    """The scheduled job: under the lock, flag the bundle, compare with the
    baseline, and write the document to ``out`` atomically.

    With ``state`` (a folder), ``STATE/flags.json`` is both the baseline and
    the output and ``STATE/flags.lock`` the default lock. A baseline that is
    also ``out`` (or the state) may be missing: that is the first run, and
    every finding is ``new``. The output holds every finding, so the next run
    compares with all of them; an unreadable or invalid baseline stops the run
    before anything is written, and leaves the file as it was.

    Parameters
    ----------
    bundle : str or os.PathLike
        The bundle folder.
    thresholds : dict of str to float, optional
        See :func:`read_thresholds`.
    baseline : str or os.PathLike, optional
        A previous run's document: trends against it, and what it held that is resolved.
    out : str or os.PathLike, optional
        Where to write the document (e.g. the next run's baseline).
    lock : str or os.PathLike, optional
        The lock file (see :func:`exclusive`).
    state : str or os.PathLike, optional
        The state folder (created if needed), instead of ``baseline`` and ``out``.

    Returns
    -------
    dict
        The document, with ``bundle``.

    Raises
    ------
    BundleError, ParameterError, LockError, OSError
        Invalid bundle; bad baseline or state; another run holds the lock;
        ``out`` cannot be written.

    Examples
    --------
    >>> run("fixtures/manufacturing")["findings"][0]["key"]
    'S0001'
    >>> import tempfile
    >>> state = tempfile.mkdtemp()
    >>> [run("fixtures/manufacturing", state=state)["alerts"] > 0 for _ in range(3)]
    [True, False, False]
    """
    if state is not None:
        if baseline is not None or out is not None:
            raise ParameterError("give --state, or --baseline and --out, not both")
        baseline, default_lock = state_paths(state)
        out, lock = baseline, lock if lock is not None else default_lock
        make_folder(state)
    first_run_ok = baseline is not None and out is not None and _same_file(baseline, out)
    previous = read_baseline(baseline, missing_ok=first_run_ok)
    with exclusive(bundle, lock):
        if baseline is not None and previous is None:
            previous = read_baseline(baseline, missing_ok=True)  # another run may have just made it
        report = flag_bottlenecks(load_bundle(bundle), thresholds=thresholds)
        if previous is not None:
            report = compare_to_baseline(report, previous)
        elif baseline is not None:
            report["baseline_generated"] = None  # the first run: no state yet
        report["bundle"] = str(bundle)
        if out is not None:
            try:
                write_json(out, report)
            except OSError as exc:  # a full disk, no permission: say which file, and that it is whole
                raise OSError(exc.errno, f"cannot write {out} ({exc.strerror or exc}); the previous "
                                         "document there, if any, is unchanged") from exc
    return report


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def error_document(exc: BaseException, code: int) -> dict:
    """The JSON document of a run that failed: what went wrong, and the exit code.

    An invalid bundle lists its validation findings.

    Parameters
    ----------
    exc : BaseException
        What stopped the run.
    code : int
        The exit code it gives.

    Returns
    -------
    dict
        ``schema`` (:data:`ERROR_SCHEMA`), ``status`` (``invalid`` or ``error``), ``exit_code``,
        ``error`` (``type`` and ``message``) and, for an invalid bundle,
        ``validation`` (its findings).

    Examples
    --------
    >>> error_document(ParameterError("bad.toml: threshold min_risk ..."), 2)["error"]["type"]
    'ParameterError'
    """
    document = {"schema": ERROR_SCHEMA, "status": "error", "exit_code": code,
                "error": {"type": type(exc).__name__, "message": str(exc)}}
    if isinstance(exc, BundleError):
        document["status"] = "invalid"
        found = plural(len(exc.errors), "error")
        document["error"]["message"] = f"{exc.path}: the bundle is invalid ({found})"
        document["validation"] = json.loads(exc.findings.to_json(orient="records"))
    return document


def lines(report: dict, *, verbose: bool = False) -> list[str]:
    """The report as plain lines: the alerts (every finding with ``verbose``),
    then what was resolved, each with every rule that fired.

    Quiet when nothing is new or worse: no lines at all unless ``verbose``.

    Parameters
    ----------
    report : dict
        From :func:`run`.
    verbose : bool, default False
        Also the findings that are the same or better, and a closing count.

    Returns
    -------
    list of str

    Examples
    --------
    >>> report = run("fixtures/manufacturing")
    >>> lines(report)[0].split(":")[0]
    'bottleneck S0001 (Volta Gearworks)'
    """
    if not (report["alerts"] or verbose):
        return []
    shown = [f for f in report["findings"] if verbose or f["trend"] in ALERTING]
    text = [f"{f['kind']} {f['key']} ({f['name']}): {f['trend']}: "
            + "; ".join(f"{r['metric']} {r['value']:g} {r['direction']} {r['threshold']:g}"
                        for r in f["rules"])
            + (f" (was {f['previous']:g})" if f["previous"] is not None else "") + f": {f['detail']}"
            for f in shown]
    text += [f"{f['kind']} {f['key']} ({f['name']}): resolved (was {f['previous']:g})"
             for f in report["resolved"]]
    if verbose:
        c = report["counts"]
        text.append(f"{len(report['findings'])} findings ({c['new']} new, {c['worse']} worse, "
                    f"{c['same']} same, {c['better']} better), {c['resolved']} resolved in "
                    f"{report['bundle']}")
    return text
