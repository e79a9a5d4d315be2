"""The commands for scheduled jobs: ``ecograph flag-bottlenecks`` (and ``ecograph run``).

They follow cron manners: nothing on standard output when all is well
(unless ``--verbose``), errors on standard error as plain lines, and with
``--format json`` exactly one JSON document on standard output for every
outcome — findings, nothing found, an invalid bundle (with its validation
findings), a usage, config or state error. Exit codes are those of every
command (:data:`EXIT_CODES`).

>>> from click.testing import CliRunner
>>> CliRunner().invoke(flag_bottlenecks_cmd, ["fixtures/manufacturing"]).exit_code
1
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from . import flags
from .console import finding_lines, format_option
from .ecosystem import load_bundle
from .errors import BundleError, EcographError, LockError, StoreError

__all__ = ["flag_bottlenecks_cmd", "run_cmd", "outcome", "exit_code", "json_error", "wants_json",
           "EXIT_CODES"]

_FORMAT_HELP = "Plain lines, or one JSON document for every outcome."

#: One exit-code table for every ``ecograph`` command.
EXIT_CODES = {0: "fine: nothing to report (or nothing new or worse than the state)",
              1: "findings, or invalid data (an invalid bundle)",
              2: "usage error, or an input that cannot be read (bundle, config, state)",
              3: "graph store or lock failure (including another run holding the lock), or an output "
                 "that cannot be written",
              130: "stopped by Ctrl-C (SIGINT)", 143: "stopped by SIGTERM"}


def exit_code(exc: BaseException) -> int:
    """The exit code of a run stopped by ``exc`` (see :data:`EXIT_CODES`).

    Parameters
    ----------
    exc : BaseException
        What stopped it.

    Returns
    -------
    int

    Examples
    --------
    >>> from ecograph.errors import ParameterError
    >>> exit_code(ParameterError("x")), exit_code(LockError("held")), exit_code(OSError("disk full"))
    (2, 3, 3)
    """
    if isinstance(exc, BundleError):
        return 1
    if isinstance(exc, StoreError | LockError):
        return 3
    if isinstance(exc, EcographError):  # a missing bundle, a bad config or state: usage
        return 2
    return 3  # an output that cannot be written


def wants_json(args: list[str]) -> bool:
    """Whether a command's arguments ask for ``--format json``.

    Parameters
    ----------
    args : list of str
        The command line after ``ecograph``.

    Returns
    -------
    bool

    Examples
    --------
    >>> wants_json(["validate", "b", "--format", "json"]), wants_json(["risk", "--format=json"])
    (True, True)
    >>> wants_json(["validate", "json"])
    False
    """
    pairs = zip(args, args[1:], strict=False)
    return "--format=json" in args or any(a == "--format" and b == "json" for a, b in pairs)


def json_error(exc: BaseException, code: int, *, as_json: bool) -> None:
    """Print the JSON error document of ``exc`` on standard output, when ``as_json``.

    Parameters
    ----------
    exc : BaseException
        What stopped the command.
    code : int
        The exit code it gives.
    as_json : bool
        Whether the command was asked for ``--format json`` (else nothing is printed).

    Examples
    --------
    >>> from ecograph.errors import ParameterError
    >>> json_error(ParameterError("t.toml: threshold min_risk must be a number"), 2, as_json=True)
    {
      "schema": "ecograph.error/1",
      "status": "error",
      "exit_code": 2,
      "error": {
        "type": "ParameterError",
        "message": "t.toml: threshold min_risk must be a number"
      }
    }
    """
    if as_json:
        click.echo(json.dumps(flags.error_document(exc, code), indent=2))


def outcome(work: Callable[[], dict], *, fmt: str, render: Callable[[dict], list[str]]) -> dict:
    """Run ``work()`` and report its outcome with cron manners; exit on failure.

    On success the document is printed as JSON (``fmt="json"``) or as the lines
    ``render`` makes (none: silence), and returned. On failure a plain ``error:``
    line (an invalid bundle: each finding as ``file:row:column: rule: message``
    first) goes to standard error, the JSON error document
    (:func:`~ecograph.flags.error_document`) to standard output with
    ``fmt="json"``, and the process exits with :func:`exit_code`.

    Parameters
    ----------
    work : callable
        Does the job, returns its document.
    fmt : {"text", "json"}
        How to print.
    render : callable
        The text lines of a document.

    Returns
    -------
    dict
        The document.

    Examples
    --------
    >>> outcome(lambda: {"n": 1}, fmt="json", render=lambda d: [])
    {
      "n": 1
    }
    {'n': 1}
    """
    try:
        document = work()
    except (OSError, EcographError) as exc:
        code = exit_code(exc)
        if isinstance(exc, BundleError):
            for line in finding_lines(exc.findings):
                click.echo(line, err=True)
        click.echo(f"error: {flags.error_document(exc, code)['error']['message']}", err=True)
        json_error(exc, code, as_json=fmt == "json")
        sys.exit(code)
    if fmt == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        for line in render(document):
            click.echo(line)
    return document


@click.command("flag-bottlenecks")
@click.argument("bundle", type=click.Path(file_okay=False, path_type=Path))
@click.option("--state", "state", type=click.Path(file_okay=False, path_type=Path),
              help="State folder: STATE/flags.json is both the baseline and the new state (created on "
                   "the first run, written atomically).")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file of thresholds (min_unmet, headroom, min_risk, min_share, min_rei, "
                   "max_hhi); flags override it.")
@click.option("--min-unmet", type=float, help="Flag parties whose loss leaves at least this share of "
              f"all demand unmet after rerouting [default: {flags.DEFAULTS['min_unmet']:g}].")
@click.option("--headroom", type=float, help="Spare capacity of each surviving source when a party is "
              f"lost, as a share of its volume [default: {flags.DEFAULTS['headroom']:g}: it can double].")
@click.option("--min-risk", type=float, help="Also flag parties with at least this risk score "
              "[default: off].")
@click.option("--min-share", type=float, help="Also flag parties with at least this share of demand at "
              "risk before rerouting [default: off].")
@click.option("--min-rei", type=float, help="Flag parties whose Risk Exposure Index (0-100: the loss "
              "over their time to recover, after rerouting and inventory) reaches this "
              f"[default: {flags.DEFAULTS['min_rei']:g}].")
@click.option("--max-hhi", type=float, help="Flag input SKUs whose supply HHI reaches this "
              "[default: 10000, a single supplier].")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous run's JSON: trends against it; alert only on what is new or worse. "
                   "May be missing when it is also --out (the first run).")
@format_option("text", "json", help=_FORMAT_HELP)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the JSON document here (atomically), e.g. for --baseline next time.")
@click.option("--lock", "lock_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Lock file that keeps overlapping runs apart [default: STATE/flags.lock, or "
                   "<tmp>/ecograph-flag-bottlenecks-<bundle hash>.lock].")
@click.option("--explain", "explain_id", metavar="ID",
              help="Say why this party or input SKU is flagged or not (every rule, fired or not), then exit "
                   "0; nothing is written.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also print what is the same or better, and a count (quiet on success otherwise).")
def flag_bottlenecks_cmd(bundle: Path, state: Path | None, config: Path | None, min_unmet: float | None,
                         headroom: float | None, min_risk: float | None, min_share: float | None,
                         min_rei: float | None, max_hhi: float | None, baseline: Path | None, fmt: str,
                         out_file: Path | None, lock_file: Path | None, explain_id: str | None,
                         verbose: bool) -> None:
    """Flag supply-chain bottlenecks above thresholds, for cron and CI.

    Each finding lists every rule it fired (metric, value, threshold) and
    its trend against the state: new, worse, same or better; findings of the
    state that no longer fire are listed as resolved. Only new or worse
    findings alert. Quiet when nothing alerts (unless --verbose).

    Exit codes: 0 nothing new or worse, 1 findings (or an invalid bundle),
    2 usage error or unreadable input (bundle, config, state), 3 store or
    lock failure, or an output that cannot be written; 130 / 143 stopped by
    Ctrl-C / SIGTERM. The JSON document is described in
    docs/flag-bottlenecks.md.

    \b
      ecograph flag-bottlenecks fixtures/manufacturing
      ecograph flag-bottlenecks data/latest --state state
      ecograph flag-bottlenecks fixtures/manufacturing --explain S0003
      ecograph flag-bottlenecks data/latest --format json --out state/flags.json \\
        --baseline state/flags.json --min-unmet 0.1
    """
    if explain_id is not None:
        def why() -> dict:
            thresholds = flags.read_thresholds(config, min_unmet=min_unmet, headroom=headroom,
                                               min_risk=min_risk, min_share=min_share, min_rei=min_rei,
                                               max_hhi=max_hhi)
            return flags.explain(load_bundle(bundle), explain_id, thresholds=thresholds)

        outcome(why, fmt=fmt, render=flags.explain_lines)
        sys.exit(0)

    def work() -> dict:
        thresholds = flags.read_thresholds(config, min_unmet=min_unmet, headroom=headroom, min_risk=min_risk,
                                           min_share=min_share, min_rei=min_rei, max_hhi=max_hhi)
        return flags.run(bundle, thresholds=thresholds, baseline=baseline, out=out_file, lock=lock_file,
                         state=state)

    report = outcome(work, fmt=fmt, render=lambda r: flags.lines(r, verbose=verbose))
    sys.exit(1 if report["alerts"] else 0)


@click.command("run")
@click.argument("bundle", type=click.Path(file_okay=False, path_type=Path))
@click.option("--state", "state", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="State folder: analysis/ (report and tables), flags.json, run.json (progress), locks.")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file of flag thresholds (see flag-bottlenecks).")
@click.option("--store", "store_kind", type=click.Choice(["embedded", "neo4j"]),
              help="Also sync this graph store (as `ecograph load`) [default: no store].")
@click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The embedded store's folder (with --store embedded).")
@click.option("--metrics", "metrics", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the run's key figures here in the Prometheus text format (atomically), for "
                   "the node-exporter textfile collector; written on failure too.")
@format_option("text", "json", help=_FORMAT_HELP)
@click.option("--lock", "lock_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Lock file that keeps overlapping runs apart [default: STATE/run.lock].")
@click.option("-v", "--verbose", is_flag=True,
              help="Also say what each stage did (quiet on success otherwise).")
def run_cmd(bundle: Path, state: Path, config: Path | None, store_kind: str | None, store_dir: Path | None,
            metrics: Path | None, fmt: str, lock_file: Path | None, verbose: bool) -> None:
    """The nightly run: validate, sync the store, analyse, report, flag.

    Validates BUNDLE (an invalid one stops the run, exit 1, its findings
    listed), syncs the graph store when --store is given, writes the report
    and tables to STATE/analysis, and flags bottlenecks against
    STATE/flags.json (alerting only on what is new or worse). Idempotent: a
    run on a bundle that has not changed skips the analysis the last run
    did and gives the same answer; a run stopped half-way resumes where it
    stopped. Locked: overlapping runs are refused (exit 3). Quiet on success.

    Exit codes: 0 nothing new or worse, 1 new or worse findings (or an
    invalid bundle), 2 usage error or unreadable input, 3 store or lock
    failure, or an output that cannot be written; 130 / 143 stopped by
    Ctrl-C / SIGTERM. See docs/flag-bottlenecks.md.

    \b
      ecograph run data/latest --state state
      ecograph run data/latest --state state --metrics /var/lib/node_exporter/ecograph.prom
    """
    from . import nightly

    def sync(eco) -> None:
        from .store import EmbeddedStore, Neo4jStore, load
        from .store.load import company_of
        from .store.sync import graph_name

        name = graph_name(company_of(eco))
        load(eco, Neo4jStore.from_env(graph=name) if store_kind == "neo4j"
             else EmbeddedStore(store_dir, graph=name))

    def work() -> dict:
        try:
            record = nightly.nightly(bundle, state, thresholds=flags.read_thresholds(config),
                                     store=sync if store_kind else None, lock=lock_file)
        except (OSError, EcographError) as exc:
            if metrics is not None:
                nightly.write_metrics(metrics, {"exit_code": exit_code(exc)})
            raise
        if metrics is not None:
            nightly.write_metrics(metrics, record)
        return {**record, "flags": json.loads((state / flags.STATE_FILE).read_text(encoding="utf-8"))}

    def render(document: dict) -> list[str]:
        text = flags.lines(document["flags"], verbose=verbose)
        if verbose:
            text += [f"{name}: {v['status']} ({v['seconds']:g} s)" for name, v in document["stages"].items()]
        return text

    document = outcome(work, fmt=fmt, render=render)
    sys.exit(document["exit_code"])
