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
from .wording import plural

__all__ = ["store", "load_cmd", "query_cmd", "engine_option"]

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


def _open_store(kind: str, store_dir: Path | None, graph: str | None = None):
    """The store on ``graph`` (default: the embedded store's default graph; on Neo4j the
    graph its database records)."""
    from .store import EmbeddedStore, Neo4jStore

    if kind == "neo4j":
        return Neo4jStore.from_env(graph=graph)
    return EmbeddedStore(store_dir) if graph is None else EmbeddedStore(store_dir, graph=graph)


#: ``--engine`` of ``ecograph analyze``: where the network stages run.
engine_option = click.option(
    "--engine", type=click.Choice(["python", "neo4j"]), default="python", show_default=True,
    help="python: every stage in this process; neo4j: PageRank, betweenness and communities run "
         "as Graph Data Science procedures in Neo4j on the graph `ecograph load --store neo4j` "
         "wrote (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); docs/scaling.md.")


def _server(store_dir: Path | None):
    from .store import EmbeddedServer, default_store_dir

    return EmbeddedServer(store_dir or default_store_dir())


@click.group()
def store() -> None:
    """Start, stop or inspect the embedded graph store (a private FalkorDB server);
    list and drop the named graphs in it (or in Neo4j).

    The server listens on a unix socket in its data directory (no network
    port), keeps an append-only log so data survives restarts, and is stopped
    by the pid it recorded. `ecograph load` and `ecograph query` start it
    when needed. Each ecosystem lives in its own graph (`ecograph load
    --graph NAME`, by default the company id lower-cased).

    \b
      ecograph store start
      ecograph store status --store-dir /data/ecograph
      ecograph store list
      ecograph store drop aquila
      ecograph store stop
    """


@store.command("start")
@_store_dir
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="Give up after this many seconds without progress (the server is left running).")
def store_start(store_dir: Path | None, timeout: float) -> None:
    """Start the embedded store (or reuse the one already running) and wait until it answers.

    A store opens by loading its snapshot and replaying the writes logged
    since; while the server is loading, this waits as long as it makes
    progress (shown on a terminal) and never stops it.

    \b
      ecograph store start --store-dir /tmp/eco-store
    """
    import time

    server = _server(store_dir)
    was = server.pid
    began = time.monotonic()
    server.start(timeout=timeout)
    took = time.monotonic() - began
    opened = f"; it loaded its data in {took:.1f} s" if took >= 1 else ""
    out.print(f"embedded store {'already ' if was else ''}running (pid {server.pid}) in "
              f"{server.directory}{opened}")


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

    ``ready`` is true once it answers queries; while it is still loading its
    data, ``loading`` gives the progress (``state``, ``percent`` when the
    server reports it, ``seconds`` since it began). Exits 0 when it runs
    (loading or ready) and 3 when it does not.

    \b
      ecograph store status
    """
    status = _server(store_dir).status()
    click.echo(json.dumps(status, indent=2))
    sys.exit(EXIT_OK if status["running"] else EXIT_STORE)


def _graphs_of(kind: str, store_dir: Path | None):
    """The store (on its default graph) and the ecograph graphs it holds."""
    target = _open_store(kind, store_dir)
    return target, target.graphs()


@store.command("list")
@_store_options
@format_option("table", "json")
def store_list(kind: str, store_dir: Path | None, fmt: str) -> None:
    """List the graphs in the store: company, bundle, node and relationship counts, when
    each was last synced and whether that sync finished (state complete) or was
    stopped part-way (syncing: rerun `ecograph load`).

    On Neo4j the database (NEO4J_DATABASE) holds one graph.

    \b
      ecograph store list
      ecograph store list --format json
      ecograph store list --store neo4j
    """
    import pandas as pd

    from .store import EmbeddedStore, Neo4jStore
    from .store.sync import graph_info

    target, names = _graphs_of(kind, store_dir)
    rows = [graph_info(target if isinstance(target, Neo4jStore) else
                       EmbeddedStore(target.server.directory, graph=name), name) for name in names]
    frame = pd.DataFrame(rows, columns=["graph", "company", "nodes", "relationships", "loaded_at",
                                        "state", "bundle"])
    if fmt == "json":
        click.echo(frame.to_json(orient="records", indent=2))
    else:
        out.print(table(frame, title=f"{plural(len(frame), 'graph')} in {target!r}".replace(
            f", graph={getattr(target, 'name', '')!r}", "")))


@store.command("drop")
@click.argument("name")
@_store_options
def store_drop(name: str, kind: str, store_dir: Path | None) -> None:
    """Delete graph NAME from the store (nodes, relationships, indexes, bookkeeping).

    An unknown NAME is refused (exit 2) and nothing is deleted; `ecograph store
    list` shows the names. On Neo4j, NAME is the graph the database holds and
    dropping it clears the database.

    \b
      ecograph store drop aquila
    """
    from .errors import ParameterError
    from .store.sync import check_graph_name

    check_graph_name(name)
    target, names = _graphs_of(kind, store_dir)
    if name not in names:
        raise ParameterError(f"no graph {name!r} in the store (graphs: {', '.join(names) or 'none'})")
    target.drop_graph(name)
    out.print(f"dropped graph {name}")


@click.command("load")
@bundle_command
@_store_options
@click.option("--graph", metavar="NAME", default=None,
              help="The named graph to sync [default: the bundle's company id, lower-cased, other "
                   "characters than a-z, 0-9, _ and - made _: NIMBUS → nimbus].")
@click.option("--replace", is_flag=True, default=False,
              help="Clear the graph first (needed when it holds another company).")
@click.option("--verify", is_flag=True, default=False,
              help="Read every stored row's hash instead of the graph's manifest (after the "
                   "graph was edited by hand).")
@click.option("--batch-size", default=5_000, show_default=True, type=click.IntRange(1),
              help="Rows per UNWIND batch.")
@click.option("--write-back/--no-write-back", default=False, show_default=True,
              help="Also compute and store pagerank, community, risk_score and health on "
                   "the party nodes.")
@click.option("--bulk", is_flag=True, default=False,
              help="Neo4j only: replace the database by the bundle with the offline importer "
                   "(neo4j-admin database import full), for a first load of millions of "
                   "relationships; the server is stopped meanwhile (see --admin).")
@click.option("--admin", metavar="CMD", envvar="ECOGRAPH_NEO4J_ADMIN", show_envvar=True,
              default="neo4j-admin", show_default=True,
              help="With --bulk: the command that stops Neo4j, runs neo4j-admin with the "
                   "arguments it is given (in the folder of the CSV files) and starts Neo4j "
                   "again; `.ci/neo4j/neo4j.sh admin` for `make neo4j-up`'s server, "
                   "docs/stores.md for docker compose.")
@click.option("--import-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --bulk: write the CSV files here and keep them [default: a temporary "
                   "folder, removed after].")
def load_cmd(eco: Ecosystem, kind: str, store_dir: Path | None, graph: str | None, replace: bool,
             verify: bool, batch_size: int, write_back: bool, bulk: bool, admin: str,
             import_dir: Path | None) -> None:
    """Validate BUNDLE and sync it into a named graph of a Cypher store.

    Afterwards the graph holds exactly the bundle: nodes, relationships and
    properties that are gone are deleted, changed ones updated, new ones
    created; the table shows created / updated / deleted / unchanged per
    label and relationship type. Only the difference is written (each row
    carries a content hash), so a resync with nothing changed writes nothing.

    Parties become labelled nodes (Partner, Customer, Supplier, Company),
    relationships typed edges (SELLS_TO, SUPPLIES, ...), deals REGISTERED
    edges, movements MOVED edges and audits Audit nodes. A relationship whose
    endpoint is missing fails the load (exit 3) before anything is written.

    Each ecosystem lives in its own graph (--graph, default from the
    company id). Loading another company's bundle into a graph that holds one
    is refused (exit 2) unless --replace. A sync stopped part-way (error,
    kill) leaves the graph marked `syncing` in `ecograph store list`; rerun
    the load and it converges on the bundle. On Neo4j the database
    (NEO4J_DATABASE) holds one graph.

    A first load into Neo4j is bound by the server's commits (about 16,000
    relationships/s). --bulk writes the bundle as CSV files and replaces the
    database with Neo4j's offline importer instead (45,000-53,000/s at 1M,
    server restart included); the --admin command must stop the server,
    run neo4j-admin and start it again. Later syncs need no --bulk: they
    write only what changed.

    \b
      ecograph load fixtures/it_ecosystem                 # graph "nimbus"
      ecograph load fixtures/manufacturing                # graph "aquila", beside it
      ecograph load data/latest --graph nimbus            # sync the day's bundle
      ecograph load fixtures/manufacturing --graph nimbus --replace
      ecograph load fixtures/it_ecosystem --write-back
      NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... \\
        ecograph load fixtures/it_ecosystem --store neo4j
      ecograph load big/ --store neo4j --bulk --admin ".ci/neo4j/neo4j.sh admin"
    """
    from .store import load, write_analyses
    from .store.load import company_of
    from .store.sync import check_graph_name, graph_name

    name = check_graph_name(graph) if graph is not None else graph_name(company_of(eco))
    if bulk and kind != "neo4j":
        from .errors import ParameterError

        raise ParameterError("--bulk is the offline import into Neo4j (--store neo4j); the embedded "
                             "store loads without it")
    target = _open_store(kind, store_dir, name)
    if bulk:
        report = _bulk(eco, target, admin, import_dir, replace)
        title = (f"Imported {eco.source} offline into {target!r} (graph {name!r}): "
                 f"{plural(sum(report.rows.values()), 'row')} in {report.seconds:.1f} s ("
                 + ", ".join(f"{k} {v:.1f} s" for k, v in report.phases.items()) + ")")
    else:
        report = load(eco, target, batch_size=batch_size, progress=sys.stderr.isatty(), replace=replace,
                      verify=verify)
        what = "nothing changed" if not report.written else f"{plural(report.written, 'row')} written"
        compacted = f" (+{report.compact_seconds:.1f} s compacting)" if report.compact_seconds >= 0.05 else ""
        title = (f"Synced {eco.source} into graph {name!r} of {target!r}: {what} in "
                 f"{report.seconds:.1f} s{compacted}")
    written = write_analyses(target, eco) if write_back else {}
    out.print(table(report.to_frame(), title=title))
    if written:
        out.print("Wrote back " + ", ".join(f"{k} ({v} nodes)" for k, v in written.items()))


def _bulk(eco: Ecosystem, target, admin: str, import_dir: Path | None, replace: bool):
    """``load --bulk``: the offline import, with ``admin`` split as a shell would."""
    import shlex

    from .errors import ParameterError
    from .store.bulk import bulk_load

    command = shlex.split(admin)
    if not command:
        raise ParameterError("--admin is empty: give the command that runs neo4j-admin offline")
    return bulk_load(eco, target, admin=command, folder=import_dir, replace=replace,
                     progress=sys.stderr.isatty())


def _text(query: str | None, execute: str | None):
    """The query to run: ``-e`` text, ``-`` (standard input), a file or a library name."""
    from .errors import ParameterError
    from .store.queries import open_query

    if execute is not None and query is not None:
        raise ParameterError(f"give either a QUERY ({query}) or -e 'CYPHER', not both")
    if execute is not None:
        return open_query(text=execute, name="-e")
    if query is None:
        raise ParameterError("give a QUERY: a library name, a .cypher file, - (stdin) or -e 'CYPHER' "
                             "(see ecograph query --help)")
    if query == "-":
        return open_query(text=sys.stdin.read(), name="stdin")
    return open_query(query)


def _one_line(exc: Exception, prefix: str = ""):
    from .errors import StoreError

    return StoreError(prefix + " ".join(str(exc).split()))


def _query_store(kind: str, store_dir: Path | None, graph: str | None):
    """The store to query, on ``graph`` — or, when none is given, on the store's only graph."""
    from .errors import ParameterError

    target = _open_store(kind, store_dir, graph)
    if kind == "neo4j":
        return target
    names = target.graphs()
    if graph is not None:
        if graph not in names:
            raise ParameterError(f"no graph {graph!r} in the store (graphs: {', '.join(names) or 'none'})")
        return target
    if len(names) == 1 and names[0] != target.graph:
        return _open_store(kind, store_dir, names[0])
    if len(names) > 1 and target.graph not in names:
        raise ParameterError(f"the store holds {len(names)} graphs ({', '.join(names)}): "
                             "choose one with --graph NAME")
    return target


@click.command("query")
@click.argument("query", required=False)
@click.option("-e", "--execute", metavar="CYPHER", help="Run this Cypher text (ad-hoc: read-only).")
@click.option("--param", "params", multiple=True, metavar="NAME[:KIND]=VALUE",
              help="A query parameter. Plain values are text, or the kind the query's header "
                   "declares (limit (int, ...)); KIND is int, float, bool, list (JSON) or str.")
@click.option("--write", is_flag=True, default=False,
              help="Let ad-hoc text (-e, -, a file outside queries/) write; refused otherwise.")
@click.option("--lint/--no-lint", default=True, show_default=True,
              help="Refuse Cypher the target engine rejects or answers wrongly (docs/stores.md, "
                   "'Dialect traps'); --no-lint sends it anyway.")
@click.option("--graph", metavar="NAME", default=None,
              help="The named graph to query [default: the store's only graph].")
@_store_options
@format_option("table", "csv", "json")
def query_cmd(query: str | None, execute: str | None, params: tuple[str, ...], write: bool, lint: bool,
              graph: str | None, kind: str, store_dir: Path | None, fmt: str) -> None:
    """Run Cypher against a store: a library QUERY by name, a .cypher file, - (stdin) or -e TEXT.

    The library in queries/ runs unchanged on the embedded store and on
    Neo4j; each file's header lists its parameters, their kinds and an
    example. Everything is checked before any store starts: a missing or
    unknown parameter, a value of the wrong kind, Cypher the engine rejects
    or answers wrongly (the lint; warnings for Neo4j), and writes in ad-hoc
    text (CREATE, MERGE, SET, DELETE, REMOVE, ...: add --write). Errors are
    one line: exit 2 for the input, 3 for the store (a Cypher error too).

    \b
      ecograph query top_brokers --param limit=5
      ecograph query uncovered_customers --param region=NA-West --param capability=compliance
      ecograph query queries/audit_discrepancies.cypher --format csv
      ecograph query -e 'MATCH (p:Partner {id: $id}) RETURN p.name AS name' --param id=P00015
      ecograph query -e 'MATCH (p:Partner) RETURN p.id AS id LIMIT $n' --param n:int=5
      echo 'MATCH (c:Customer) RETURN count(c) AS customers' | ecograph query - --format json
      ecograph query fix.cypher --write            # an ad-hoc file that writes
      ecograph query community_members --param community=0 --graph nimbus
    """
    from .console import err
    from .errors import StoreError
    from .store.queries import missing_properties, parse_params, prepare, run_query

    chosen = _text(query, execute)
    engine = "neo4j" if kind == "neo4j" else "falkordb"
    values, warnings = prepare(chosen, parse_params(params), engine=engine, lint=lint,
                               write=write)  # before any store is opened or started
    for line in warnings:
        err.print(f"warning: {line}", markup=False, soft_wrap=True)
    try:
        target = _query_store(kind, store_dir, graph)
    except StoreError as exc:
        raise _one_line(exc) from exc
    try:
        lacking = missing_properties(target, chosen)
        if lacking:
            err.print(f"warning: {chosen.name} needs properties that `ecograph load BUNDLE --write-back` "
                      f"stores and this store lacks ({', '.join(lacking)}); expect no rows",
                      markup=False, soft_wrap=True)
        rows = run_query(target, chosen, values, lint=False, write=True)  # checked above
    except StoreError as exc:
        raise _one_line(exc, f"{chosen.name}: ") from exc
    if fmt == "json":
        click.echo(rows.to_json(orient="records", indent=2))
    elif fmt == "csv":
        click.echo(rows.to_csv(index=False), nl=False)
    else:
        out.print(table(rows, title=plural(len(rows), "row")))
