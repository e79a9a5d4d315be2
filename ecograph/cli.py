"""The ``ecograph`` command: a thin face over the library.

Each command parses its options, calls the library (mostly a stage of
:mod:`ecograph.pipeline`) and renders the result. Library errors become one
message and the documented exit code in one place (:class:`_Main`): 0
success, 1 findings (an invalid bundle), 2 usage or input/output error, 3
graph store failure (cannot start, reach or write the store); 130 / 143 stopped by Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click
from rich.markup import escape

from . import __version__, console, pipeline
from .console import as_of_option, bundle_command, err, format_option, out, report_options, show, table, write
from .ecosystem import Ecosystem, load_bundle
from .errors import BundleError, EcographError, LockError, StoreError
from .export_commands import export_cmd, statements_cmd
from .job_commands import flag_bottlenecks_cmd, json_error, run_cmd, wants_json
from .risk_commands import risk_cmd
from .store_commands import engine_option, load_cmd, query_cmd, store
from .validate import validate_bundle
from .wording import plural

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


class _Main(click.Group):
    """The command group; library errors become a message and an exit code here, once."""

    def invoke(self, ctx: click.Context):
        as_json = wants_json([*getattr(ctx, "_protected_args", ()), *ctx.args])  # --format json: a document
        try:
            return console.interruptible(super().invoke, ctx)  # Ctrl-C: 130, SIGTERM: 143
        except click.UsageError as exc:
            json_error(exc, EXIT_USAGE, as_json=as_json)
            raise
        except BundleError as exc:
            err.print(table(exc.errors, title=f"{plural(len(exc.errors), 'error')} in {exc.path}"))
            err.print("[red]error:[/] the bundle is invalid; nothing was loaded")
            json_error(exc, EXIT_FINDINGS, as_json=as_json)
            sys.exit(EXIT_FINDINGS)
        except (OSError, EcographError) as exc:  # BundleNotFoundError, ParameterError, I/O, store
            err.print(f"[red]error:[/] {escape(str(exc))}", soft_wrap=True)  # one line, brackets as is
            code = EXIT_STORE if isinstance(exc, StoreError | LockError) else EXIT_USAGE
            json_error(exc, code, as_json=as_json)
            sys.exit(code)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"],
                                          "max_content_width": 100})
@click.version_option(__version__, prog_name="ecograph")
def main() -> None:
    """ecograph: a partner ecosystem as a graph.

    A BUNDLE is a folder of CSV or Parquet tables (partners, customers,
    suppliers, relationships, deals, asset classes, movements, audits); see
    docs/data-model.md. Start with:

    \b
      ecograph validate fixtures/it_ecosystem
      ecograph summarize fixtures/it_ecosystem --out out/it
      ecograph generate out/big --partners 5000 --customers 200000
      ecograph analyze fixtures/it_ecosystem     # everything, with report.html
      ecograph flag-bottlenecks data/latest      # for cron: exit 1 when risks are found
      ecograph run data/latest --state state     # the nightly run: validate, analyse, flag
      ecograph cosell fixtures/it_ecosystem      # who should sell together
      ecograph gaps fixtures/it_ecosystem        # where coverage is missing
      ecograph risk fixtures/manufacturing       # supply-chain bottlenecks, what-if
      ecograph assess fixtures/it_ecosystem      # partner KPIs, health, tiers
      ecograph ledger fixtures/it_ecosystem      # physical accounts and audits

    Exit codes (every command): 0 fine; 1 findings or invalid data (an
    invalid bundle); 2 usage error, or input or output that cannot be read
    or written (bundle, config, state); 3 graph store or lock failure (a
    scheduled job's state that cannot be written too); 130 / 143 stopped by
    Ctrl-C / SIGTERM. With --format json every outcome, errors too, is one
    JSON document on standard output; errors also go to standard error.
    """


@main.command()
@click.argument("bundle", type=click.Path(file_okay=False, path_type=Path))
@format_option("table", "json", "csv")
@click.option("--warnings/--no-warnings", default=True, show_default=True,
              help="Also list warnings (unknown columns, blank rows).")
def validate(bundle: Path, fmt: str, warnings: bool) -> None:
    """Check every file, row and rule of BUNDLE and list all problems at once.

    Each finding names the file, the row as a spreadsheet shows it (header =
    row 1), the column, the rule and the offending value. Exits 0 when the
    bundle is valid, 1 when it has errors, 2 when it cannot be read.

    \b
      ecograph validate fixtures/invalid/dangling_reference
      ecograph validate my_bundle --format json > findings.json
    """
    with err.status(f"Validating {bundle}..."):
        result = validate_bundle(bundle)
    shown = result.findings if warnings else result.errors
    if fmt == "json":
        click.echo(json.dumps({"bundle": str(bundle), "valid": result.ok,
                               "errors": len(result.errors), "warnings": len(result.warnings),
                               "findings": shown.to_dict("records")}, indent=2))
    elif fmt == "csv":
        click.echo(shown.to_csv(index=False), nl=False)
    else:
        if len(shown):
            out.print(table(shown, title=f"Findings in {bundle}"))
        verdict = "[green]valid[/]" if result.ok else "[red]invalid[/]"
        out.print(f"{bundle}: {verdict} — {plural(len(result.errors), 'error')}, "
                  f"{plural(len(result.warnings), 'warning')}")
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@main.command("summarize")
@bundle_command
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the summary tables (CSV) and summary.json into.")
@as_of_option("Replay the ledger")
def summarize_cmd(eco: Ecosystem, out_dir: Path | None, as_of: str | None) -> None:
    """Validate BUNDLE, then print counts by kind, type and region, and ledger balances.

    \b
      ecograph summarize fixtures/it_ecosystem --out out/it
      ecograph summarize fixtures/manufacturing --as-of 2025-06-30
    """
    from .summary import summarize, write_summary

    s = summarize(eco, as_of=as_of)
    out.print(f"[bold]{escape(eco.company['name'].iat[0])}[/] ecosystem from {escape(str(eco.source))}")
    for frame, title in ((s.by_kind, "Parties by kind"), (s.by_type, "Parties by type"),
                         (s.by_region, "Parties by region"),
                         (s.relationships, "Relationships by type"),
                         (s.deals, "Deal registrations by status"),
                         (s.stock, f"Units held{' as of ' + as_of if as_of else ''}"),
                         (s.by_holder, "Units held by kind of party (customers: deployed)")):
        out.print(table(frame, title=title))
    if out_dir is not None:
        folder = write_summary(s, out_dir, protect=[eco.source])
        out.print(f"Summary written to [bold]{escape(str(folder.resolve()))}[/] (summary.json, CSV tables)")


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option("--partners", default=60, show_default=True, type=click.IntRange(20),
              help="Number of partners (at least 20).")
@click.option("--customers", default=400, show_default=True, type=click.IntRange(100),
              help="Number of customers (at least 100).")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same bundle).")
@click.option("--domain", type=click.Choice(["it", "manufacturing"]), default="it",
              show_default=True, help="IT vendor or manufacturer vocabulary and supply chain.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv",
              show_default=True, help="File format of the tables.")
@click.option("--chokepoints", default=0, show_default=True, type=click.IntRange(0),
              help="Plant this many more chokepoint suppliers (an exclusive supply chain).")
@click.option("--decoys", default=0, show_default=True, type=click.IntRange(0),
              help="Plant this many redundant decoys (distributors sharing every partner with a twin).")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), default=None,
              help="Plant co-sell, tier and broker truths weakly among confounders (truth.json: weak).")
def generate(out_dir: Path, partners: int, customers: int, seed: int, domain: str,
             fmt: str, chokepoints: int, decoys: int, difficulty: str | None) -> None:
    """Write a synthetic bundle with planted truth to OUT.

    Partner reach is heavy-tailed and mostly regional; a chokepoint supplier,
    a coverage gap, three complementary partner pairs that never co-sold, a
    mis-tiered partner, an audit discrepancy and a broker are planted and
    described in OUT/truth.json and OUT/TRUTH.md. About three relationships
    per customer: 300,000 customers give roughly a million. Every supplier (and
    every twinned distributor) is labelled chokepoint or redundant in
    truth.json's supply_truth; --chokepoints and --decoys plant more of each.
    Its risk_exposure names who goes short before recovering (a deep, cheap
    single source) and who does not (spare capacity at the twin; a buffer).

    \b
      ecograph generate out/small --partners 100 --customers 1000 --seed 1
      ecograph generate out/decoys --domain manufacturing --chokepoints 2 --decoys 3
      ecograph generate out/big --partners 5000 --customers 300000 --format parquet
    """
    from .synth import generate_bundle

    with err.status(f"Generating {partners} partners and {customers} customers..."):
        truth = generate_bundle(out_dir, partners=partners, customers=customers, seed=seed,
                                domain=domain, format=fmt, chokepoints=chokepoints, decoys=decoys,
                                difficulty=difficulty)
    gap = truth["coverage_gap"]
    out.print(f"Bundle written to [bold]{escape(str(out_dir.resolve()))}[/]; planted chokepoint "
              f"{truth['chokepoint_supplier']['id']}, gap {gap['region']} × {gap['segment']} × "
              f"{gap['capability']}")


@main.command()
@bundle_command
@click.argument("out_dir", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="parquet",
              show_default=True, help="File format to write.")
def convert(eco: Ecosystem, out_dir: Path, fmt: str) -> None:
    """Validate BUNDLE and write it to OUT as CSV or Parquet (same columns).

    \b
      ecograph convert fixtures/it_ecosystem out/it_parquet --format parquet
    """
    out.print(f"Wrote {fmt} bundle to [bold]{escape(str(eco.to_bundle(out_dir, format=fmt).resolve()))}[/]")


@main.command()
@bundle_command
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/analysis"), show_default=True,
              help="Folder for report.html, summary.json and one CSV and Parquet file per "
                   "result table.")
@engine_option
def analyze(eco: Ecosystem, out_dir: Path, engine: str) -> None:
    """Run every analysis on BUNDLE and write the report, the tables and summary.json.

    Stages: network (PageRank, betweenness, brokers by several lenses,
    brokerage), communities, co-selling (suggestions and rival pairs),
    coverage, supply-chain risk, physical accounts, partner assessment (tier
    fit from all the evidence) — with a progress bar when run in a terminal. Writes
    OUT/report.html (self-contained: figures embedded), OUT/summary.json
    (headline numbers) and OUT/<table>.csv and .parquet for every result
    table (columns in docs/analyze.md). CSV text cells that a spreadsheet
    would run as a formula are prefixed with a quote.

    \b
      ecograph analyze fixtures/it_ecosystem --out out/it
      ecograph analyze exports/2025-q3 --out reports/2025-q3
    """
    from .report import summary_lines, write_analysis

    result = pipeline.analyze(eco, progress=sys.stderr.isatty(), engine=engine)
    with err.status("Writing the report and tables..."):
        report = write_analysis(eco, result, out_dir)
    for line in summary_lines(eco, result):  # parties named with their ids
        out.print(escape(line), soft_wrap=True)
    out.print(f"Report: [bold]{escape(str(report.resolve()))}[/]")


def _stage(run, *, what: str, top: int, status: str):
    """Make the decorated function (its help and options) the command that runs
    ``run(eco, top=..., **options)`` on BUNDLE and shows the result's sections,
    with ``--top``, ``--out`` and ``--format``."""
    def decorate(f):
        @functools.wraps(f)
        def command(eco: Ecosystem, top: int, fmt: str, out_dir: Path | None, **options) -> None:
            with err.status(status):
                result = run(eco, top=top, **options)
            show(result, fmt=fmt, top=top, out_dir=out_dir)
        return main.command()(bundle_command(report_options(what, top)(command)))
    return decorate


@_stage(lambda eco, top, **o: pipeline.cosell(eco, detail=True, top=None, **o), top=20,
        what="cosell_suggestions, cosell_rivals and account_mapping", status="Scoring every partner pair...")
@click.option("--counts-only", is_flag=True,
              help="Never name an account: counts only (safe to share with partners).")
@click.option("--include-existing", is_flag=True,
              help="Also rank pairs that already co-sell (status column says which).")
@click.option("--ranker", is_flag=True,
              help="Score with the supervised ranker trained on recent co-sold wins, "
                   "instead of the fit-free heuristic.")
@click.option("--evaluate", is_flag=True,
              help="Also run the temporal evaluation: ranker vs every topological baseline.")
@as_of_option("Use only what was known")
def cosell() -> None:
    """Rank partner pairs that should sell together, each with its why, and list the rivals.

    A pair is suggested for shared customers, one's open deals at the other's
    customers, shared prospects, capabilities that together cover what their
    shared accounts need, shared regions and community. Pairs that already
    co-sell are left out unless --include-existing. The score is the expected
    joint value, which competition lowers, or the ranker's probability of a
    won co-sold deal with --ranker. Pairs that compete (same partner type,
    same capabilities at the same accounts, head-to-head deals; competition
    0.5 or more) are never suggested: they are listed apart as rival pairs
    (channel conflict), sharpest conflict first. See docs/analytics.md.

    \b
      ecograph cosell fixtures/it_ecosystem
      ecograph cosell fixtures/it_ecosystem --counts-only --out out/cosell
      ecograph cosell fixtures/it_ecosystem --evaluate --format json
    """


@_stage(lambda eco, top, **o: pipeline.gaps(eco, detail=True, **o), top=10,
        what="coverage, coverage_fixes and partner_type_gaps",
        status="Matching demand with partner coverage...")
@click.option("--k", "k", default=2, show_default=True, type=click.IntRange(1),
              help="Redundancy: cells served by fewer than k partners are fragile.")
def gaps() -> None:
    """Find where demand has no or too little partner coverage, and how to fix it.

    Each region × segment × capability cell with demand (customers and
    prospects who need the capability, open deals on products that require it)
    is set against the partners able to serve it. Cells with no able partner
    are gaps; fewer than K make them fragile. For each gap: partners one
    capability or one region away, or a recruit profile. See docs/analytics.md.

    \b
      ecograph gaps fixtures/it_ecosystem
      ecograph gaps fixtures/manufacturing --k 3 --out out/gaps
    """


@_stage(lambda eco, top, **o: pipeline.accounts(eco, detail=True, **o), top=10,
        what="balances, reconciliation, adjustments, deployed",
        status="Replaying the physical accounts...")
@as_of_option("Balances and deployments")
@click.option("--sku", help="Also list the custody chain of this SKU.")
def ledger() -> None:
    """Physical accounts: units held, deployed, and reconciled against audit counts.

    Replays every dated movement (supply, transfer, deploy, return, dispose)
    to give each party's balance per SKU, the units each partner has deployed
    at customer sites (net of returns) and per region, and every audit count
    set against the ledger with the adjustment entry that would close it,
    largest discrepancy first. Units, never money. See docs/ledger.md.

    \b
      ecograph ledger fixtures/it_ecosystem
      ecograph ledger fixtures/manufacturing --as-of 2025-06-30 --sku PUMP
    """


@_stage(lambda eco, top, **o: pipeline.assess(eco, **o), top=10,
        what="partner_kpis, segments, health, tiers",
        status="Computing partner KPIs and network position...")
@as_of_option("Assess the ecosystem")
@click.option("--k", "k", type=click.IntRange(2), help="Number of partner segments "
              "(default: chosen by silhouette).")
def assess() -> None:
    """Assess every partner: KPIs, segments, health scores and tier fit.

    KPIs cover deal registrations, approval and win rates, revenue won,
    customers, units deployed, co-selling and network position. Partners are
    segmented with k-means and scored 0-100 for health. Tier fit reads
    revenue, won deals, win rate, co-sell influence, certifications and
    deployments (alliances are not judged as resellers) and flags a partner
    only when that evidence is strong and consistent, listing it. See
    docs/assessment.md and docs/analytics.md.

    \b
      ecograph assess fixtures/it_ecosystem
      ecograph assess fixtures/it_ecosystem --as-of 2025-06-30 --k 4 --out out/assess
    """


@main.command()
@click.argument("old", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(file_okay=False, path_type=Path), required=False)
@as_of_option("Read OLD", "--old-as-of")
@as_of_option("Read NEW", "--new-as-of")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the changes table (CSV and JSON).")
@format_option()
def diff(old: Path, new: Path | None, old_as_of: str | None, new_as_of: str | None,
         out_dir: Path | None, fmt: str) -> None:
    """List what changed from OLD to NEW: partners, tiers, health, bottlenecks, gaps.

    OLD and NEW are two bundles (say, last quarter's export and this one's);
    give one bundle and --old-as-of to compare it with itself at an earlier
    date.

    \b
      ecograph diff exports/2025-q2 exports/2025-q3
      ecograph diff fixtures/manufacturing --old-as-of 2020-12-31
    """
    from .analysis.changes import compare
    from .analysis.snapshots import snapshot

    if new is None and old_as_of is None:
        raise click.UsageError("give NEW, or --old-as-of to compare OLD with its own past")
    with err.status("Comparing partners, bottlenecks and coverage..."):
        before = load_bundle(old)
        after = load_bundle(new) if new is not None else before
        changes = compare(snapshot(before, old_as_of) if old_as_of else before,
                          snapshot(after, new_as_of) if new_as_of else after)
    write(out_dir, {"changes": changes}, protect=(old, new))  # refused over OLD or NEW before printing
    if fmt == "json":
        click.echo(changes.to_json(orient="records", indent=2))
    else:
        out.print(table(changes, title=f"{len(changes)} changes"))


for _command in (store, load_cmd, query_cmd, flag_bottlenecks_cmd, run_cmd, export_cmd,
                 statements_cmd, risk_cmd):
    main.add_command(_command)


def entry() -> None:
    """The ``ecograph`` program: :func:`main`, ending without the interpreter's teardown
    once a signal has stopped it (130 / 143) and its cleanup has run.

    A read interrupted mid-way can leave a worker of Arrow's native thread pool
    running, and tearing that pool down at exit aborts the process (SIGABRT,
    "terminate called without an active exception", apache/arrow#34314) instead of
    exiting 130 or 143. Arrow's own signal handling is switched off: the handlers
    of :func:`~ecograph.console.interruptible` stop a run, and Arrow's, which
    catch a signal during a read and send it again afterwards, lost one Ctrl-C in
    84 interrupted runs here (none in 149 without them).

    Examples
    --------
    >>> callable(entry)
    True
    """
    import pyarrow

    pyarrow.enable_signal_handlers(False)
    try:
        main()
    except SystemExit as stopped:
        if stopped.code in (console.EXIT_INTERRUPTED, console.EXIT_TERMINATED):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(stopped.code)
        raise
