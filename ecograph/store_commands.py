"""The store commands of ``ecograph``: run the embedded store, load bundles, query them.

``ecograph store start|stop|status``, ``ecograph load`` and ``ecograph query``
for analysts who work in Cypher (the embedded FalkorDB server or Neo4j); the
main group (:mod:`ecograph.cli`) registers them and maps their errors to exit
codes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .console import bundle_command, format_option, out, table
from .ecosystem import Ecosystem

__all__ = ["store", "load_cmd", "query_cmd"]

EXIT_OK, EXIT_STORE = 0, 3


_store_dir = click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path),
                          envvar="ECOGRAPH_STORE_DIR", show_envvar=True,
                          help="Data directory of the embedded store "
                               "[default: ~/.local/share/ecograph/store].")


def _store_options(f):
    return _store_dir(click.option("--store", "kind", type=click.Choice(["embedded", "neo4j"]),
                        default="embedded", show_default=True,
                        help="embedded: the private FalkorDB server (started if needed); "
                             "neo4j: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.")(f))


def _open_store(kind: str, store_dir: Path | None):
    from .store import EmbeddedStore, Neo4jStore

    return EmbeddedStore(store_dir) if kind == "embedded" else Neo4jStore.from_env()


def _server(store_dir: Path | None):
    from .store import EmbeddedServer, default_store_dir

    return EmbeddedServer(store_dir or default_store_dir())


@click.group()
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
@_store_dir
def store_start(store_dir: Path | None) -> None:
    """Start the embedded store (or reuse the one already running).

    \b
      ecograph store start --store-dir /tmp/eco-store
    """
    server = _server(store_dir).start()
    out.print(f"embedded store running (pid {server.pid}) in {server.directory}")


@store.command("stop")
@_store_dir
def store_stop(store_dir: Path | None) -> None:
    """Stop the embedded store by its recorded pid (nothing to do if it is not running).

    Only the store's own server is signalled: a pid file naming a process
    that is not this directory's server (the store died and its pid was
    reused) is removed, and that process left alone.

    \b
      ecograph store stop --store-dir /tmp/eco-store
    """
    server = _server(store_dir)
    was, stale = server.pid, server.stale_pid
    server.stop()
    out.print(f"embedded store stopped (pid {was})" if was else
              f"embedded store was not running; removed a stale pid file (pid {stale} is not the "
              "store and was left alone)" if stale else "embedded store was not running")


@store.command("status")
@_store_dir
def store_status(store_dir: Path | None) -> None:
    """Print whether the embedded store runs, its pid, socket and directory, as JSON.
    Exits 0 when it runs and 3 when it does not.

    \b
      ecograph store status
    """
    status = _server(store_dir).status()
    click.echo(json.dumps(status, indent=2))
    sys.exit(EXIT_OK if status["running"] else EXIT_STORE)


@click.command("load")
@bundle_command
@_store_options
@click.option("--batch-size", default=5_000, show_default=True, type=click.IntRange(1),
              help="Rows per UNWIND batch.")
@click.option("--write-back/--no-write-back", default=False, show_default=True,
              help="Also compute and store pagerank, community, risk_score and health on "
                   "the party nodes.")
def load_cmd(eco: Ecosystem, kind: str, store_dir: Path | None, batch_size: int, write_back: bool) -> None:
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
    from .store import load, write_analyses

    target = _open_store(kind, store_dir)
    report = load(eco, target, batch_size=batch_size, progress=sys.stderr.isatty())
    written = write_analyses(target, eco) if write_back else {}
    out.print(table(report.to_frame(), title=f"Loaded {eco.source} into {target!r} in "
                                               f"{report.seconds:.1f} s"))
    if written:
        out.print("Wrote back " + ", ".join(f"{k} ({v} nodes)" for k, v in written.items()))


def _params(ctx, param, values: tuple[str, ...]) -> dict:
    params = {}
    for v in values:
        key, sep, raw = v.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{v!r}: use NAME=VALUE, e.g. region=EMEA-North")
        try:
            params[key] = json.loads(raw, parse_constant=_text)  # numbers, booleans, lists
        except ValueError:
            params[key] = raw  # plain text (NaN and Infinity too)
    return params


def _text(name: str):
    raise ValueError(name)


@click.command("query")
@click.argument("query")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", callback=_params,
              help="A query parameter; numbers and JSON lists are parsed, the rest is text.")
@_store_options
@format_option("table", "csv", "json")
def query_cmd(query: str, params: dict, kind: str, store_dir: Path | None, fmt: str) -> None:
    """Run a Cypher QUERY from the library (by name) or a .cypher file against a store.

    The library in queries/ runs unchanged on the embedded store and on
    Neo4j; each file's header lists its parameters with examples. Load a
    bundle first with `ecograph load`.

    \b
      ecograph query top_brokers --param limit=5
      ecograph query uncovered_customers --param region=NA-West --param capability=compliance
      ecograph query queries/audit_discrepancies.cypher --format csv
    """
    from .store.queries import check_query, run_query

    check_query(query, params)  # before any store is opened or started
    rows = run_query(_open_store(kind, store_dir), query, params)
    if fmt == "json":
        click.echo(rows.to_json(orient="records", indent=2))
    elif fmt == "csv":
        click.echo(rows.to_csv(index=False), nl=False)
    else:
        out.print(table(rows, title=f"{len(rows)} rows"))
