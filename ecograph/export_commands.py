"""Commands that hand ecosystem data to other people and tools: ``ecograph export`` (graph files
for Gephi, Cytoscape, yEd) and ``ecograph statements`` (one page per partner).

The main group (:mod:`ecograph.cli`) registers them and maps their errors to exit codes.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from .console import as_of_option, bundle_command, err, out
from .ecosystem import Ecosystem
from .wording import plural

__all__ = ["export_cmd", "statements_cmd"]


@click.command("export")
@bundle_command
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json"]),
              help="File format [default: from the suffix of --out].")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The graph file to write (replaced atomically).")
@click.option("--view", default="full", show_default=True,
              type=click.Choice(["full", "bipartite", "cosell", "supply", "asset_flow"]),
              help="Which graph: every party and tie, partners–customers, partner co-selling, "
                   "the supply network, or the flow of units.")
def export_cmd(eco: Ecosystem, fmt: str | None, out_file: Path, view: str) -> None:
    """Write a graph of BUNDLE for Gephi, Cytoscape or yEd: GraphML, GEXF or node-link JSON.

    Node and edge attributes are plain: lists joined with ";", dates as
    YYYY-MM-DD, numbers as floats, missing values left out. See docs/export.md.

    \b
      ecograph export fixtures/it_ecosystem --out out/it.graphml
      ecograph export fixtures/it_ecosystem --view cosell --out out/cosell.gexf
      ecograph export fixtures/manufacturing --view supply --format json --out out/supply.json
    """
    from .export import export

    with err.status(f"Writing the {view} graph..."):
        path = export(eco, out_file, format=fmt, view=view)
    out.print(f"Wrote the {view} graph to [bold]{escape(str(path.resolve()))}[/]")


@click.command("statements")
@bundle_command
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one sub-folder per partner (statement.html and CSV tables) and index.csv.")
@as_of_option("Make the statements")
@click.option("--partner", "partners", multiple=True, metavar="ID",
              help="Only this partner (repeat for several) [default: every partner].")
def statements_cmd(eco: Ecosystem, out_dir: Path, as_of: str | None, partners: tuple[str, ...]) -> None:
    """Write each partner its own statement: only what that partner may see.

    One folder per partner with a self-contained statement.html and a CSV per
    table: its physical account (units held, movements, audit results), its
    deal registrations, the co-selling suggestions that involve it (the other
    partner named, shared accounts as counts only) and its scorecard against
    its tier (a tier median only when it reveals no single partner).
    Counterparties outside its business are described ("a distributor"), not
    named. See docs/statements.md.

    \b
      ecograph statements fixtures/it_ecosystem --out out/statements
      ecograph statements fixtures/it_ecosystem --out out/p23 --partner P00023 --as-of 2025-06-30
    """
    from .statements import write_statements

    with err.status("Writing partner statements..."):
        folder = write_statements(eco, out_dir, as_of=as_of, partners=list(partners) or None)
    count = len(partners) or len(eco.partners)
    out.print(f"Wrote {plural(count, 'partner statement')} to [bold]{escape(str(folder.resolve()))}[/]")
