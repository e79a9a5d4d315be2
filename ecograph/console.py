"""The terminal face's shared parts: what commands take, and how results look.

Options every command family shares (:func:`bundle_command`,
:func:`report_options`, :func:`as_of_option`, :func:`format_option`) and the
rendering of every result: :func:`show` prints a
:class:`~ecograph.pipeline.Result`'s sections as tables or as one JSON
document; :func:`table` turns a frame into a terminal table.

>>> import pandas as pd
>>> table(pd.DataFrame({"id": ["P1"], "score": [2.5]}), title="Scores").title
'Scores'
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from .dates import timestamp
from .ecosystem import load_bundle
from .errors import EcographError
from .outputs import write_tables
from .pipeline import Result

__all__ = ["bundle_command", "format_option", "as_of_option", "report_options", "show", "write",
           "records", "table", "cell", "out", "err"]

#: Standard output and standard error (no colour markup is ever interpreted in data).
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


def bundle_command(f):
    """Take a BUNDLE argument; call the command with its :class:`~ecograph.Ecosystem`,
    loaded (and validated) with a spinner on standard error.

    Parameters
    ----------
    f : callable
        The command's function; it receives the ecosystem first, then the
        command's options as keywords.

    Returns
    -------
    callable
        ``f`` taking a ``bundle`` folder instead (put ``@click.command()`` above).

    Examples
    --------
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @bundle_command
    ... def count(eco):
    ...     click.echo(len(eco.partners))
    >>> CliRunner().invoke(count, ["fixtures/tiny"]).output
    '3\\n'
    """
    @click.argument("bundle", type=click.Path(file_okay=False, path_type=Path))
    @functools.wraps(f)
    def wrapper(bundle: Path, **options):
        with err.status(f"Loading {bundle}..."):
            eco = load_bundle(bundle)
        return f(eco, **options)
    return wrapper


def format_option(*choices: str):
    """``--format``: the first of ``choices`` (default ``table``, ``json``) by default.

    Parameters
    ----------
    *choices : str
        The formats offered; none: ``table`` and ``json``.

    Returns
    -------
    callable
        A click option decorator; the command receives ``fmt``.

    Examples
    --------
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @format_option()
    ... def cmd(fmt):
    ...     click.echo(fmt)
    >>> CliRunner().invoke(cmd, []).output, CliRunner().invoke(cmd, ["--format", "json"]).output
    ('table\\n', 'json\\n')
    """
    return click.option("--format", "fmt", type=click.Choice(choices or ("table", "json")),
                        default=(choices or ("table",))[0], show_default=True,
                        help="Print tables, or JSON for scripts.")


def as_of_option(what: str, name: str = "--as-of"):
    """A date option (``--as-of`` by default), checked as a date (:mod:`ecograph.dates`).

    Parameters
    ----------
    what : str
        What the date applies to, for the help text ("... as of the end of
        this day").
    name : str, default "--as-of"
        The option's name.

    Returns
    -------
    callable
        A click option decorator; the command receives the date as given
        (``YYYY-MM-DD`` text) or ``None``, and a value that is not a date is a
        usage error.

    Examples
    --------
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @as_of_option("Balances")
    ... def balances(as_of):
    ...     click.echo(as_of)
    >>> CliRunner().invoke(balances, ["--as-of", "2025-06-30"]).output
    '2025-06-30\\n'
    >>> result = CliRunner().invoke(balances, ["--as-of", "2025-13-01"])
    >>> result.exit_code, result.output.splitlines()[-1]
    (2, "Error: Invalid value for '--as-of': '2025-13-01' is not a date (use YYYY-MM-DD)")
    """
    return click.option(name, callback=lambda ctx, p, v: _day(v),
                        help=f"{what} as of the end of this day (YYYY-MM-DD).")


def _day(value: str | None) -> str | None:
    try:
        timestamp(value)
    except EcographError as exc:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)") from exc
    return value


def report_options(what: str, top: int):
    """``--top``, ``--out`` and ``--format``: what every analysis command takes.

    Parameters
    ----------
    what : str
        What ``--out`` receives, for its help text ("Folder for ...").
    top : int
        The default of ``--top`` (rows of each ranked table shown; at least 1).

    Returns
    -------
    callable
        A decorator adding the three options; the command receives ``top``,
        ``out_dir`` (a :class:`pathlib.Path` or ``None``) and ``fmt``
        (:func:`format_option`).

    Examples
    --------
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @report_options("the scores", top=5)
    ... def scores(top, out_dir, fmt):
    ...     click.echo(f"{top} {out_dir} {fmt}")
    >>> CliRunner().invoke(scores, []).output
    '5 None table\\n'
    """
    def decorate(f):
        f = click.option("--top", default=top, show_default=True, type=click.IntRange(1),
                         help="How many rows of each ranked table to show (files hold all).")(f)
        f = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                         help=f"Folder for {what} (CSV and JSON).")(f)
        return format_option()(f)
    return decorate


def show(result: Result, *, fmt: str, top: int, out_dir: Path | None) -> None:
    """Print ``result``'s sections — as tables, or (``fmt="json"``) as one JSON
    document of the headline and each section's rows — and write its tables.

    Parameters
    ----------
    result : Result
        A stage's result.
    fmt : {"table", "json"}
        How to print.
    top : int
        Rows of each ranked section shown (files hold all).
    out_dir : pathlib.Path, optional
        Where to write every table (CSV and JSON).

    Examples
    --------
    >>> from ecograph import load_bundle, pipeline
    >>> show(pipeline.gaps(load_bundle("fixtures/tiny")), fmt="json", top=1, out_dir=None)
    {
      "headline": {
    ...
    """
    shown = {s.key: s.frame.head(top) if s.ranked else s.frame for s in result.sections}
    if fmt == "json":
        document = {"headline": result.headline, **{k: records(f) for k, f in shown.items()}}
        click.echo(json.dumps(document, indent=2, default=str))
    else:
        for section in result.sections:
            out.print(table(shown[section.key], title=section.title))
    write(out_dir, result.tables)


def write(out_dir: Path | None, tables: dict[str, pd.DataFrame]) -> None:
    """Write every table as CSV and JSON into ``out_dir`` (nothing without one), and say where.

    Parameters
    ----------
    out_dir : pathlib.Path, optional
        The folder.
    tables : dict of str to pandas.DataFrame
        Frames by name.

    Examples
    --------
    >>> write(None, {})
    """
    if out_dir is not None:
        folder = write_tables(out_dir, tables, formats=("csv", "json"))
        err.print(f"Tables written to [bold]{folder.resolve()}[/]")


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (dates in ISO 8601, missing values as null).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame.

    Returns
    -------
    list of dict
        One dict per row, column name to value.

    Examples
    --------
    >>> records(pd.DataFrame({"d": pd.to_datetime(["2025-01-02"])}))
    [{'d': '2025-01-02T00:00:00.000'}]
    """
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def table(frame: pd.DataFrame, *, title: str) -> Table:
    """A terminal table of ``frame``: numbers right-aligned, dates without midnight,
    whole floats without decimals, list cells joined.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show; its index is left out.
    title : str
        Shown above the table, left-aligned.

    Returns
    -------
    rich.table.Table
        One column per column of ``frame``, cells as :func:`cell` writes them.

    Examples
    --------
    >>> table(pd.DataFrame({"n": [1.0]}), title="t").columns[0].justify
    'right'
    """
    t = Table(title=title, title_justify="left")
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        # fold, never cut: a narrow terminal or a log (80 columns) must still show every word
        t.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        t.add_row(*(cell(v) for v in row))
    return t


def cell(v) -> str:
    """One value as table text.

    Floats with thousands separators (whole ones without decimals, others
    with two), a timestamp as its date when it is midnight, a tuple (a list
    cell) joined with ``", "``, ``None`` and ``pd.NA`` as ``""``, anything
    else as ``str`` gives it.

    Parameters
    ----------
    v : object
        One cell of a frame.

    Returns
    -------
    str

    Examples
    --------
    >>> cell(1234.0), cell(0.5), cell(("a", "b")), cell(None)
    ('1,234', '0.50', 'a, b', '')
    """
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if v == v.normalize() else str(v)
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    return "" if v is None or v is pd.NA else str(v)
