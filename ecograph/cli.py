"""The ``ecograph`` command: a thin face over the library.

Exit codes are the same for every command: 0 success (a valid bundle),
1 findings (an invalid bundle), 2 usage or input/output error, 3 graph store
failure (cannot start, reach or write the store).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable

from . import __version__
from .ecosystem import load_bundle
from .errors import BundleError, BundleNotFoundError, EcographError
from .outputs import write_tables
from .summary import summarize, write_summary
from .validate import validate_bundle

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def _bundle_arg(f):
    return click.argument("bundle", type=click.Path(file_okay=False, path_type=Path))(f)


def _format_option(f):
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                        show_default=True, help="Print tables, or JSON for scripts.")(f)


def _out_option(what: str):
    return click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                        help=f"Folder for {what} (CSV and JSON).")


def _top_option(default: int, what: str):
    return click.option("--top", default=default, show_default=True, type=click.IntRange(1),
                        help=f"How many {what} to show (files hold all).")


def _write(out_dir: Path | None, tables: dict[str, pd.DataFrame]) -> None:
    """Write every table as CSV and JSON into ``out_dir`` when one was given."""
    if out_dir is not None:
        folder = write_tables(out_dir, tables, formats=("csv", "json"))
        err.print(f"Tables written to [bold]{folder.resolve()}[/]")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
      ecograph cosell fixtures/it_ecosystem      # who should sell together
      ecograph gaps fixtures/it_ecosystem        # where coverage is missing
      ecograph risk fixtures/manufacturing       # supply-chain bottlenecks, what-if
      ecograph assess fixtures/it_ecosystem      # partner KPIs, health, tiers
      ecograph ledger fixtures/it_ecosystem      # physical accounts and audits

    Exit codes: 0 ok, 1 findings (invalid bundle), 2 usage or I/O error,
    3 graph store failure.
    """


@main.command()
@_bundle_arg
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="How to print the findings.")
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
        result = _or_exit(lambda: validate_bundle(bundle))
    shown = result.findings if warnings else result.errors
    if fmt == "json":
        click.echo(json.dumps({"bundle": str(bundle), "valid": result.ok,
                               "errors": len(result.errors), "warnings": len(result.warnings),
                               "findings": shown.to_dict("records")}, indent=2))
    elif fmt == "csv":
        click.echo(shown.to_csv(index=False), nl=False)
    else:
        if len(shown):
            out.print(_table(shown, title=f"Findings in {bundle}"))
        verdict = "[green]valid[/]" if result.ok else "[red]invalid[/]"
        out.print(f"{bundle}: {verdict} — {len(result.errors)} errors, "
                  f"{len(result.warnings)} warnings")
    sys.exit(EXIT_OK if result.ok else EXIT_FINDINGS)


@main.command()
@_bundle_arg
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the summary tables (CSV) and summary.json into.")
@click.option("--as-of", help="Replay the ledger up to this date (YYYY-MM-DD).")
def summarize_cmd(bundle: Path, out_dir: Path | None, as_of: str | None) -> None:
    """Validate BUNDLE, then print counts by kind, type and region, and ledger balances.

    \b
      ecograph summarize fixtures/it_ecosystem --out out/it
      ecograph summarize fixtures/manufacturing --as-of 2025-06-30
    """
    as_of = _date_option(as_of)
    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
        s = summarize(eco, as_of=as_of)
    company = eco.company["name"].iat[0]
    out.print(f"[bold]{company}[/] ecosystem from {bundle}")
    out.print(_table(s.by_kind, title="Parties by kind"))
    out.print(_table(s.by_type, title="Parties by type"))
    out.print(_table(s.by_region, title="Parties by region"))
    out.print(_table(s.relationships, title="Relationships by type"))
    out.print(_table(s.deals, title="Deal registrations by status"))
    out.print(_table(s.stock, title=f"Units held{' as of ' + as_of if as_of else ''}"))
    out.print(_table(s.by_holder, title="Units held by kind of party (customers: deployed)"))
    if out_dir is not None:
        folder = write_summary(s, out_dir)
        out.print(f"Summary written to [bold]{folder.resolve()}[/] (summary.json and CSV tables)")


summarize_cmd.name = "summarize"


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
def generate(out_dir: Path, partners: int, customers: int, seed: int, domain: str,
             fmt: str) -> None:
    """Write a synthetic bundle with planted truth to OUT.

    Partner reach is heavy-tailed and mostly regional; a chokepoint supplier,
    a coverage gap, three complementary partner pairs that never co-sold, a
    mis-tiered partner, an audit discrepancy and a broker are planted and
    described in OUT/truth.json and OUT/TRUTH.md. About three relationships
    per customer: 300,000 customers give roughly a million.

    \b
      ecograph generate out/small --partners 100 --customers 1000 --seed 1
      ecograph generate out/big --partners 5000 --customers 300000 --format parquet
    """
    from .synth import generate_bundle

    with err.status(f"Generating {partners} partners and {customers} customers..."):
        truth = _or_exit(lambda: generate_bundle(out_dir, partners=partners, customers=customers,
                                                 seed=seed, domain=domain, format=fmt))
    out.print(f"Bundle written to [bold]{out_dir.resolve()}[/]; planted chokepoint "
              f"{truth['chokepoint_supplier']['id']}, gap {truth['coverage_gap']['region']} × "
              f"{truth['coverage_gap']['segment']} × {truth['coverage_gap']['capability']}")


@main.command()
@_bundle_arg
@click.argument("out_dir", metavar="OUT", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="parquet",
              show_default=True, help="File format to write.")
def convert(bundle: Path, out_dir: Path, fmt: str) -> None:
    """Validate BUNDLE and write it to OUT as CSV or Parquet (same columns).

    \b
      ecograph convert fixtures/it_ecosystem out/it_parquet --format parquet
    """
    eco = _or_exit(lambda: load_bundle(bundle))
    path = eco.to_bundle(out_dir, format=fmt)
    out.print(f"Wrote {fmt} bundle to [bold]{path.resolve()}[/]")


@main.command()
@_bundle_arg
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/analysis"), show_default=True,
              help="Folder for report.html, summary.json and one CSV and Parquet file per "
                   "result table.")
def analyze(bundle: Path, out_dir: Path) -> None:
    """Run every analysis on BUNDLE and write the report, the tables and summary.json.

    Stages: network (PageRank, betweenness, brokerage), communities,
    co-selling, coverage, supply-chain risk, physical accounts, partner
    assessment — with a progress bar when run in a terminal. Writes
    OUT/report.html (self-contained: figures embedded), OUT/summary.json
    (headline numbers) and OUT/<table>.csv and .parquet for every result
    table (columns in docs/analytics.md). CSV text cells that a spreadsheet
    would run as a formula are prefixed with a quote.

    \b
      ecograph analyze fixtures/it_ecosystem --out out/it
      ecograph analyze exports/2025-q3 --out reports/2025-q3
    """
    from .pipeline import analyze as run_all
    from .report import write_report

    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    result = run_all(eco, progress=sys.stderr.isatty())
    h = result.headline
    with err.status("Writing the report and tables..."):
        _or_exit(lambda: write_tables(out_dir, result.tables, formats=("csv", "parquet")))
        summary = {"bundle": str(bundle), **h, "seconds": result.seconds}
        _or_exit(lambda: (out_dir / "summary.json").write_text(
            json.dumps(summary, indent=2, default=str) + "\n"))
        report = _or_exit(lambda: write_report(eco, result, out_dir))
    out.print(f"[bold]{eco.company['name'].iat[0]}[/]: {h['partners']} partners, "
              f"{h['customers']} customers, ecosystem health {h['ecosystem_health']}/100")
    out.print(f"  top bottleneck {h['top_bottleneck']} "
              f"({h['units_at_risk_top']:,.0f} units of demand at risk); "
              f"worst coverage gap {h['top_gap'] or 'none'}")
    out.print(f"  best new co-sell pairs: {', '.join(h['top_cosell_pairs']) or 'none'}; "
              f"{h['audit_discrepancies']} audit discrepancies; "
              f"mis-tiered: {', '.join(h['mis_tiered']) or 'none'}")
    out.print(f"Report: [bold]{report.resolve()}[/]")


@main.command("flag-bottlenecks")
@_bundle_arg
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file of thresholds (min_risk, min_share, max_hhi); flags override it.")
@click.option("--min-risk", type=float, help="Flag parties with at least this risk score "
              "[default: 50].")
@click.option("--min-share", type=float, help="...or with at least this share of demand at "
              "risk [default: 0.25].")
@click.option("--max-hhi", type=float, help="Flag input SKUs whose supply HHI reaches this "
              "[default: 10000, a single supplier].")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous run's JSON: report only what is new or worse since.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Plain text lines or the JSON document.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the JSON document here (atomically), e.g. for --baseline next "
                   "time.")
@click.option("--lock", "lock_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Lock file that keeps overlapping runs apart "
                   "[default: <tmp>/ecograph-flag-bottlenecks-<bundle hash>.lock].")
def flag_bottlenecks_cmd(bundle: Path, config: Path | None, min_risk: float | None,
                         min_share: float | None, max_hhi: float | None, baseline: Path | None,
                         fmt: str, out_file: Path | None, lock_file: Path | None) -> None:
    """Flag supply-chain bottlenecks above thresholds, for cron and CI.

    Exit codes: 0 nothing above threshold, 1 findings, 2 invalid input (an
    invalid bundle, a bad config or baseline), 3 store or I/O failure
    (including another run holding the lock). Output has no colours or
    progress bars. The JSON document is described in docs/flag-bottlenecks.md
    and only ever gains fields.

    \b
      ecograph flag-bottlenecks fixtures/manufacturing
      ecograph flag-bottlenecks data/latest --format json --out state/flags.json \\
        --baseline state/flags.json --min-risk 40
    """
    import fcntl
    import hashlib
    import tempfile

    from . import flags
    from .errors import BundleError

    def fail(code: int, message: str):
        click.echo(f"error: {message}", err=True)
        sys.exit(code)

    try:
        thresholds = flags.read_thresholds(config, min_risk=min_risk, min_share=min_share,
                                           max_hhi=max_hhi)
        previous = json.loads(baseline.read_text()) if baseline is not None else None
    except (EcographError, OSError, ValueError) as exc:
        fail(EXIT_USAGE, str(exc))
    digest = hashlib.sha1(str(bundle.resolve()).encode()).hexdigest()[:12]
    lock_path = lock_file or Path(tempfile.gettempdir()) / f"ecograph-flag-bottlenecks-{digest}.lock"
    try:
        lock = open(lock_path, "w")  # noqa: SIM115 - held for the whole run
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fail(EXIT_STORE, f"another flag-bottlenecks run holds {lock_path}")
    except OSError as exc:
        fail(EXIT_STORE, f"cannot take the lock {lock_path}: {exc}")
    try:
        try:
            eco = load_bundle(bundle)
        except BundleError as exc:
            fail(EXIT_USAGE, f"{len(exc.errors)} errors in {exc.path}; run `ecograph validate`")
        except (OSError, EcographError) as exc:
            fail(EXIT_USAGE, str(exc))
        report = flags.flag_bottlenecks(eco, thresholds=thresholds)
        if previous is not None:
            try:
                report = flags.compare_to_baseline(report, previous)
            except EcographError as exc:
                fail(EXIT_USAGE, str(exc))
        report["bundle"] = str(bundle)
        document = json.dumps(report, indent=2) + "\n"
        if out_file is not None:
            try:
                partial = out_file.with_name(out_file.name + ".partial")
                partial.write_text(document)
                partial.replace(out_file)
            except OSError as exc:
                fail(EXIT_STORE, f"cannot write {out_file}: {exc}")
        if fmt == "json":
            click.echo(document, nl=False)
        else:
            for f in report["findings"]:
                click.echo(f"{f['kind']}\t{f['key']}\t{f['metric']}={f['value']:g} "
                           f"(threshold {f['threshold']:g})\t{f['detail']}")
            what = "new or worse " if previous is not None else ""
            click.echo(f"{len(report['findings'])} {what}findings in {bundle}")
        sys.exit(EXIT_FINDINGS if report["findings"] else EXIT_OK)
    finally:  # release the lock however the run ends
        lock.close()


@main.command()
@_bundle_arg
@_out_option("cosell_suggestions and account_mapping")
@_top_option(20, "suggestions")
@click.option("--counts-only", is_flag=True,
              help="Never name an account: counts only (safe to share with partners).")
@click.option("--include-existing", is_flag=True,
              help="Also rank pairs that already co-sell (status column says which).")
@click.option("--ranker", "use_ranker", is_flag=True,
              help="Score with the supervised ranker trained on recent co-sold wins, "
                   "instead of the fit-free heuristic.")
@click.option("--evaluate", is_flag=True,
              help="Also run the temporal evaluation: ranker vs every topological baseline.")
@click.option("--as-of", help="Use only what was known before this date (YYYY-MM-DD).")
@_format_option
def cosell(bundle: Path, out_dir: Path | None, top: int, counts_only: bool,
           include_existing: bool, use_ranker: bool, evaluate: bool, as_of: str | None,
           fmt: str) -> None:
    """Rank partner pairs that should sell together, each with its why.

    A pair is suggested for shared customers, one's open deals at the other's
    customers, shared prospects, capabilities that together cover what their
    shared accounts need, shared regions and community. Pairs that already
    co-sell are left out unless --include-existing. The score is
    adamic_adar × (1 + complementary need share) × (1 + region overlap), or the
    ranker's probability of a won co-sold deal with --ranker. See
    docs/analytics.md.

    \b
      ecograph cosell fixtures/it_ecosystem
      ecograph cosell fixtures/it_ecosystem --counts-only --out out/cosell
      ecograph cosell fixtures/it_ecosystem --evaluate --format json
    """
    from .analysis import cosell_ranker, coselling

    as_of = _date_option(as_of)
    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    with err.status("Scoring every partner pair..."):
        ranker = _or_exit(lambda: cosell_ranker.fit_ranker(eco)) if use_ranker else None
        pairs = coselling.suggest_pairings(eco, top=top, as_of=as_of, counts_only=counts_only,
                                           include_existing=include_existing, ranker=ranker)
        tables = {"cosell_suggestions": pairs,
                  "account_mapping": coselling.account_mapping(eco, as_of=as_of)}
        if evaluate:
            tables["cosell_evaluation"] = _or_exit(lambda: cosell_ranker.evaluate_pairings(eco))
    shown = ["rank", "a", "b", "score", "status", "why"]
    if fmt == "json":
        click.echo(json.dumps({name: json.loads(t.to_json(orient="records"))
                               for name, t in tables.items() if name != "account_mapping"},
                              indent=2))
    else:
        out.print(_table(pairs[shown], title=f"Top {len(pairs)} co-selling suggestions"))
        if evaluate:
            report = tables["cosell_evaluation"]
            verdict = "beats" if report.attrs["beats_best_baseline"] else "does NOT beat"
            out.print(_table(report, title=f"Ranker vs baselines (test period from "
                                          f"{report.attrs['cutoff']}): the ranker {verdict} "
                                          "the best topological score"))
    _write(out_dir, tables)


@main.command()
@_bundle_arg
@_out_option("coverage_matrix, partner_type_gaps and nearest_fixes")
@click.option("--k", "k", default=2, show_default=True, type=click.IntRange(1),
              help="Redundancy: cells served by fewer than k partners are fragile.")
@_top_option(10, "gaps")
@_format_option
def gaps(bundle: Path, out_dir: Path | None, k: int, top: int, fmt: str) -> None:
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
    from .analysis import coverage

    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    with err.status("Matching demand with partner coverage..."):
        matrix = coverage.coverage_matrix(eco, k=k)
        worst = matrix[matrix["fragile"]]
        tables = {"coverage_matrix": matrix,
                  "partner_type_gaps": coverage.partner_type_gaps(eco),
                  "nearest_fixes": coverage.nearest_fixes(eco, matrix[matrix["gap"]])}
    if fmt == "json":
        click.echo(json.dumps({"gaps": int(matrix["gap"].sum()), "fragile": int(len(worst)),
                               **{name: json.loads(t.head(top).to_json(orient="records"))
                                  for name, t in tables.items()}}, indent=2))
    else:
        cols = ["region", "segment", "capability", "customers", "open_opportunities",
                "able_partners", "gap_score"]
        out.print(_table(worst[cols].head(top), title=f"{int(matrix['gap'].sum())} gaps and "
                         f"{int((~matrix['gap'] & matrix['fragile']).sum())} fragile cells "
                         f"(fewer than {k} partners)"))
        fixes = tables["nearest_fixes"]
        out.print(_table(fixes[["region", "segment", "capability", "fix", "rank", "partner", "why"]]
                         .head(top), title="Nearest fixes"))
        out.print(_table(tables["partner_type_gaps"].head(top), title="Partner-type shortfalls"))
    _write(out_dir, tables)


def _cut_option(values: tuple[str, ...]) -> dict[str, float]:
    cuts = {}
    for v in values:
        party, _, fraction = v.partition("=")
        try:
            cuts[party] = float(fraction)
        except ValueError as exc:
            raise click.BadParameter(f"{v!r}: use PARTY=FRACTION, e.g. S0001=0.5") from exc
    return cuts


@main.command()
@_bundle_arg
@click.option("--remove", multiple=True, metavar="ID",
              help="What-if: take this party out (repeat for several).")
@click.option("--cut", multiple=True, metavar="ID=FRACTION",
              help="What-if: cut a party's capacity by a fraction, e.g. S0001=0.5.")
@click.option("--cascade", "threshold", type=click.FloatRange(0, 1, min_open=True),
              help="Also run a failure cascade: a party fails once it loses more than "
                   "this share of its inbound supply.")
@_top_option(10, "bottlenecks")
@_out_option("bottlenecks, vital_edges, concentration, single_sourced, dominators, "
             "articulation_points, bridges and what-if tables")
@_format_option
def risk(bundle: Path, remove: tuple[str, ...], cut: tuple[str, ...], threshold: float | None,
         top: int, out_dir: Path | None, fmt: str) -> None:
    """Rank supply-chain bottlenecks and simulate what breaks, in units of unmet demand.

    Every party that ships units is scored: the customer demand left unmet
    if it drops out, whether it is the single source of an input, an
    articulation point, on a min-cut, or the sole path to some customers.
    With --remove / --cut, the unmet demand per region, SKU and customer of
    that scenario; with --cascade, the chain of knock-on failures. See
    docs/analytics.md for the flow model and the risk score.

    \b
      ecograph risk fixtures/manufacturing
      ecograph risk fixtures/manufacturing --remove S0001 --cascade 0.5
      ecograph risk fixtures/it_ecosystem --cut S0003=0.5 --format json
    """
    from .analysis import bottlenecks as bn
    from .analysis import structure

    cuts = _cut_option(cut)
    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    with err.status("Simulating every party's removal..."):
        supply = eco.view("supply")
        tables = {"bottlenecks": bn.bottlenecks(eco), "vital_edges": bn.vital_edges(eco),
                  "concentration": bn.concentration(eco),
                  "single_sourced": bn.single_sourced(eco), "dominators": bn.dominators(eco),
                  "articulation_points": structure.articulation_points(supply),
                  "bridges": structure.bridges(supply)}
        if remove or cuts:
            tables["what_if"] = _or_exit(lambda: bn.simulate(eco, remove=remove,
                                                             capacity_cut=cuts))
        if threshold is not None and remove:
            tables["cascade"] = _or_exit(lambda: bn.cascade(eco, list(remove),
                                                            threshold=threshold))
    what_if = tables.get("what_if")
    if fmt == "json":
        report = {"bottlenecks": json.loads(tables["bottlenecks"].head(top).to_json(
            orient="records"))}
        if what_if is not None:
            report["what_if"] = {"removed": list(remove), "capacity_cut": cuts,
                                 "unmet_total": what_if.attrs["unmet_total"],
                                 "demand_total": what_if.attrs["demand_total"],
                                 "by_region": what_if.attrs["by_region"].to_dict("records"),
                                 "by_sku": what_if.attrs["by_sku"].to_dict("records")}
        if "cascade" in tables:
            report["cascade"] = json.loads(tables["cascade"].to_json(orient="records"))
        click.echo(json.dumps(report, indent=2))
    else:
        cols = ["party", "kind", "risk_score", "units_at_risk", "customers_cut_off", "why"]
        out.print(_table(tables["bottlenecks"][cols].head(top), title="Supply-chain bottlenecks"))
        out.print(_table(tables["vital_edges"].head(top), title="Most vital supply relationships"))
        if what_if is not None:
            a = what_if.attrs
            out.print(_table(a["by_sku"], title=f"What if {', '.join([*remove, *cuts])}: "
                             f"{a['unmet_total']:,.0f} of {a['demand_total']:,.0f} units unmet"))
            out.print(_table(a["by_region"], title="Unmet demand by region"))
        if "cascade" in tables:
            out.print(_table(tables["cascade"], title="Failure cascade"))
    _write(out_dir, tables)


@main.command("ledger")
@_bundle_arg
@click.option("--as-of", help="Balances and deployments at the end of this date (YYYY-MM-DD).")
@click.option("--sku", help="Also list the custody chain of this SKU.")
@_top_option(10, "rows")
@_out_option("balances, reconciliation, adjustments, deployed")
@_format_option
def ledger_cmd(bundle: Path, as_of: str | None, sku: str | None, top: int, out_dir: Path | None,
               fmt: str) -> None:
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
    from . import ledger

    as_of = _date_option(as_of)
    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    with err.status("Replaying the physical accounts..."):
        tables = {"balances": ledger.balances(eco, as_of=as_of),
                  "reconciliation": ledger.reconcile(eco),
                  "adjustments": ledger.adjustments(eco),
                  "deployed_by_partner": ledger.deployed(eco, as_of=as_of),
                  "deployed_by_region": ledger.deployed(eco, as_of=as_of, by="region"),
                  "conservation": ledger.conservation(eco, as_of=as_of)}
        if sku is not None:
            tables["custody_chain"] = _or_exit(lambda: ledger.custody_chain(eco, sku))
    recon = tables["reconciliation"]
    off = recon[recon["status"] != "ok"]
    if fmt == "json":
        click.echo(json.dumps({
            "as_of": as_of, "discrepancies": json.loads(off.to_json(orient="records",
                                                                    date_format="iso")),
            "conserved": bool(tables["conservation"]["balanced"].all()),
            "deployed_by_region": json.loads(tables["deployed_by_region"].to_json(
                orient="records"))}, indent=2))
    else:
        out.print(_table(off.drop(columns=["abs_discrepancy"]).head(top),
                         title=f"{len(off)} audit discrepanc{'y' if len(off) == 1 else 'ies'} "
                               f"of {len(recon)} counts"))
        out.print(_table(tables["deployed_by_partner"].head(top),
                         title=f"Units deployed by partner{' as of ' + as_of if as_of else ''}"))
        out.print(_table(tables["deployed_by_region"], title="Units deployed by region"))
        out.print(_table(tables["conservation"], title="Conservation per SKU"))
        if sku is not None:
            out.print(_table(tables["custody_chain"].head(top), title=f"Custody of {sku}"))
    _write(out_dir, tables)


@main.command()
@_bundle_arg
@click.option("--as-of", help="Assess the ecosystem as it was before this date (YYYY-MM-DD).")
@click.option("--k", "k", type=click.IntRange(2), help="Number of partner segments "
              "(default: chosen by silhouette).")
@_top_option(10, "partners")
@_out_option("partner_kpis, segments, health, tiers")
@_format_option
def assess(bundle: Path, as_of: str | None, k: int | None, top: int, out_dir: Path | None,
           fmt: str) -> None:
    """Assess every partner: KPIs, segments, health scores and tier fit.

    KPIs cover deal registrations, approval and win rates, revenue won,
    customers, units deployed, co-selling and network position. Partners are
    segmented with k-means, scored 0-100 for health, and their tier is set
    against what their performance supports (mis-tiered partners flagged with
    the evidence). See docs/assessment.md.

    \b
      ecograph assess fixtures/it_ecosystem
      ecograph assess fixtures/it_ecosystem --as-of 2025-07-01 --k 4 --out out/assess
    """
    from .analysis import assessment as asm

    as_of = _date_option(as_of)
    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    with err.status("Computing partner KPIs and network position..."):
        kpis = asm.partner_kpis(eco, as_of=as_of)
        segments = asm.segment_partners(kpis, k=k)
        tables = {"partner_kpis": kpis, "segments": asm.segment_profiles(segments),
                  "partner_health": asm.partner_health(kpis),
                  "tier_recommendations": asm.recommend_tiers(kpis)}
        health = asm.ecosystem_health(eco, kpis=kpis, as_of=as_of)
    tiers = tables["tier_recommendations"]
    flagged = tiers[tiers["mis_tiered"]]
    if fmt == "json":
        click.echo(json.dumps({"ecosystem_health": health.to_dict(),
                               "mis_tiered": json.loads(flagged.to_json(orient="records")),
                               "segments": json.loads(tables["segments"].to_json(
                                   orient="records"))}, indent=2, default=str))
    else:
        out.print(_table(health.to_frame(), title="Ecosystem health"))
        out.print(_table(flagged[["id", "tier", "recommended_tier", "direction", "evidence"]]
                         .head(top), title=f"{len(flagged)} mis-tiered partners"))
        out.print(_table(tables["segments"][["segment", "label", "size", "dominant_type",
                                             "traits"]], title="Partner segments"))
        out.print(_table(tables["partner_health"][["id", "health", "partner_type", "tier"]]
                         .head(top), title="Healthiest partners"))
    _write(out_dir, {**tables, "partner_segments": segments})


@main.command()
@click.argument("old", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--old-as-of", help="Read OLD as it was before this date (YYYY-MM-DD).")
@click.option("--new-as-of", help="Read NEW as it was before this date (YYYY-MM-DD).")
@_out_option("the changes table")
@_format_option
def diff(old: Path, new: Path | None, old_as_of: str | None, new_as_of: str | None,
         out_dir: Path | None, fmt: str) -> None:
    """List what changed from OLD to NEW: partners, tiers, health, bottlenecks, gaps.

    OLD and NEW are two bundles (say, last quarter's export and this one's);
    give one bundle and --old-as-of to compare it with itself at an earlier
    date.

    \b
      ecograph diff exports/2025-q2 exports/2025-q3
      ecograph diff fixtures/manufacturing --old-as-of 2021-01-01
    """
    from .analysis.changes import compare
    from .analysis.snapshots import snapshot

    old_as_of, new_as_of = _date_option(old_as_of), _date_option(new_as_of)
    if new is None and old_as_of is None:
        raise click.UsageError("give NEW, or --old-as-of to compare OLD with its own past")
    with err.status("Loading both ecosystems..."):
        before = _or_exit(lambda: load_bundle(old))
        after = _or_exit(lambda: load_bundle(new)) if new is not None else before
        before = snapshot(before, old_as_of) if old_as_of else before
        after = snapshot(after, new_as_of) if new_as_of else after
    with err.status("Comparing partners, bottlenecks and coverage..."):
        changes = compare(before, after)
    if fmt == "json":
        click.echo(changes.to_json(orient="records", indent=2))
    else:
        out.print(_table(changes, title=f"{len(changes)} changes"))
    _write(out_dir, {"changes": changes})


def _store_dir_option(f):
    return click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path),
                        envvar="ECOGRAPH_STORE_DIR", show_envvar=True,
                        help="Data directory of the embedded store "
                             "[default: ~/.local/share/ecograph/store].")(f)


def _open_store(kind: str, store_dir: Path | None):
    from .store import EmbeddedStore, Neo4jStore, StoreError

    try:
        return EmbeddedStore(store_dir) if kind == "embedded" else Neo4jStore.from_env()
    except StoreError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_STORE)


def _store_option(f):
    return click.option("--store", "kind", type=click.Choice(["embedded", "neo4j"]),
                        default="embedded", show_default=True,
                        help="embedded: the private FalkorDB server (started if needed); "
                             "neo4j: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.")(f)


@main.group()
def store() -> None:
    """Start, stop or inspect the embedded graph store (a private FalkorDB server).

    The server listens on a unix socket in its data directory (no network
    port), keeps an append-only log so data survives restarts, and is stopped
    by the pid it recorded. `ecograph load` and `ecograph query` start it
    when needed.

    \b
      ecograph store start
      ecograph store status --store-dir /data/ecograph
      ecograph store stop
    """


@store.command("start")
@_store_dir_option
def store_start(store_dir: Path | None) -> None:
    """Start the embedded store (or reuse the one already running).

    \b
      ecograph store start --store-dir /tmp/eco-store
    """
    from .store import EmbeddedServer, StoreError, default_store_dir

    try:
        server = EmbeddedServer(store_dir or default_store_dir()).start()
    except StoreError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_STORE)
    out.print(f"embedded store running (pid {server.pid}) in {server.directory}")


@store.command("stop")
@_store_dir_option
def store_stop(store_dir: Path | None) -> None:
    """Stop the embedded store by its recorded pid (nothing to do if it is not running).

    \b
      ecograph store stop --store-dir /tmp/eco-store
    """
    from .store import EmbeddedServer, default_store_dir

    server = EmbeddedServer(store_dir or default_store_dir())
    was = server.pid
    server.stop()
    out.print(f"embedded store stopped (pid {was})" if was else "embedded store was not running")


@store.command("status")
@_store_dir_option
def store_status(store_dir: Path | None) -> None:
    """Print whether the embedded store runs, its pid, socket and directory, as JSON.
    Exits 0 when it runs and 3 when it does not.

    \b
      ecograph store status
    """
    from .store import EmbeddedServer, default_store_dir

    status = EmbeddedServer(store_dir or default_store_dir()).status()
    click.echo(json.dumps(status, indent=2))
    sys.exit(EXIT_OK if status["running"] else EXIT_STORE)


@main.command("load")
@_bundle_arg
@_store_option
@_store_dir_option
@click.option("--batch-size", default=5_000, show_default=True, type=click.IntRange(1),
              help="Rows per UNWIND batch.")
@click.option("--write-back/--no-write-back", default=False, show_default=True,
              help="Also compute and store pagerank, community, risk_score and health on "
                   "the party nodes.")
def load_cmd(bundle: Path, kind: str, store_dir: Path | None, batch_size: int,
             write_back: bool) -> None:
    """Validate BUNDLE and load it into a Cypher graph store, idempotently.

    Parties become labelled nodes (Partner, Customer, Supplier, Company),
    relationships typed edges (SELLS_TO, SUPPLIES, ...), deals REGISTERED
    edges, movements MOVED edges and audits Audit nodes. Loading the same
    bundle twice creates nothing new; a relationship whose endpoint is
    missing fails the load (exit 3) instead of vanishing.

    \b
      ecograph load fixtures/it_ecosystem
      ecograph load fixtures/it_ecosystem --write-back
      NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... \\
        ecograph load fixtures/it_ecosystem --store neo4j
    """
    from .store import StoreError, load

    with err.status(f"Loading {bundle}..."):
        eco = _or_exit(lambda: load_bundle(bundle))
    target = _open_store(kind, store_dir)
    try:
        report = load(eco, target, batch_size=batch_size, progress=sys.stderr.isatty())
        if write_back:
            written = _write_back(eco, target)
    except StoreError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_STORE)
    out.print(_table(report.to_frame(), title=f"Loaded {bundle} into {target!r} in "
                                               f"{report.seconds:.1f} s"))
    if write_back:
        out.print("Wrote back " + ", ".join(f"{k} ({v} nodes)" for k, v in written.items()))


def _write_back(eco, target) -> dict[str, int]:
    from .analysis import assessment, bottlenecks, centrality, communities
    from .store import write_back

    G = eco.view("bipartite")
    scores = centrality.pagerank(G)[["id", "pagerank"]].merge(
        communities.detect_communities(G, seed=0)[["id", "community"]], on="id")
    written = write_back(target, eco, scores)
    written |= write_back(target, eco, bottlenecks.bottlenecks(eco)[["party", "risk_score"]],
                          key="party")
    health = assessment.partner_health(assessment.partner_kpis(eco))[["id", "health"]]
    return written | write_back(target, eco, health)


def _param_option(values: tuple[str, ...]) -> dict:
    params = {}
    for v in values:
        key, sep, raw = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{v!r}: use NAME=VALUE, e.g. region=EMEA-North")
        try:
            params[key] = json.loads(raw)  # numbers, booleans, lists
        except ValueError:
            params[key] = raw  # plain text
    return params


@main.command("query")
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter; numbers and JSON lists are parsed, the rest is text.")
@_store_option
@_store_dir_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the rows.")
def query_cmd(query: str, params: tuple[str, ...], kind: str, store_dir: Path | None,
              fmt: str) -> None:
    """Run a Cypher QUERY from the library (by name) or a .cypher file against a store.

    The library in queries/ runs unchanged on the embedded store and on
    Neo4j; each file's header lists its parameters with examples. Load a
    bundle first with `ecograph load`.

    \b
      ecograph query top_brokers --param limit=5
      ecograph query uncovered_customers --param region=NA-West --param capability=compliance
      ecograph query queries/audit_discrepancies.cypher --format csv
    """
    from .store import StoreError
    from .store.queries import QUERIES, run_query

    path = Path(query)
    if not path.exists() and not (QUERIES / f"{query}.cypher").exists():
        raise click.BadParameter(f"no query file {query!r} and no library query of that name",
                                 param_hint="QUERY")
    values = _param_option(params)
    target = _open_store(kind, store_dir)
    try:
        rows = run_query(target, path if path.exists() else query, values)
    except StoreError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_STORE)
    if fmt == "json":
        click.echo(rows.to_json(orient="records", indent=2))
    elif fmt == "csv":
        click.echo(rows.to_csv(index=False), nl=False)
    else:
        out.print(_table(rows, title=f"{len(rows)} rows"))


def _date_option(value: str | None) -> str | None:
    if value is not None:
        try:
            pd.Timestamp(value)
        except ValueError as exc:
            raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from exc
    return value


def _or_exit(action):
    """Run ``action``; turn library errors into a message and the documented exit code."""
    try:
        return action()
    except BundleNotFoundError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    except BundleError as exc:
        err.print(_table(exc.errors, title=f"{len(exc.errors)} errors in {exc.path}"))
        err.print("[red]error:[/] the bundle is invalid; nothing was loaded")
        sys.exit(EXIT_FINDINGS)
    except (OSError, EcographError) as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)


def _table(frame: pd.DataFrame, *, title: str) -> RichTable:
    t = RichTable(title=title, title_justify="left")
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        t.add_column(str(col), justify="right" if numeric else "left")
    for row in frame.itertuples(index=False):
        t.add_row(*(_cell(v) for v in row))
    return t


def _cell(v) -> str:
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if v == v.normalize() else str(v)
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return "" if v is None else str(v)
