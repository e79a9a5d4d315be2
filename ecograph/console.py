"""The terminal face's shared parts: what commands take, and how results look.

Options every command family shares (:func:`bundle_command`,
:func:`report_options`, :func:`as_of_option`, :func:`format_option`) and the
rendering of every result: :func:`show` prints a
:class:`~ecograph.pipeline.Result`'s sections as tables or as one JSON
document; :func:`table` turns a frame into a terminal table.

>>> import pandas as pd
>>> str(table(pd.DataFrame({"id": ["P1"], "score": [2.5]}), title="Scores").title)
'Scores'
"""

from __future__ import annotations

import functools
import json
import math
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import click
import pandas as pd
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from .dates import timestamp
from .ecosystem import load_bundle
from .errors import EcographError
from .files import check_separate
from .outputs import write_tables
from .pipeline import Result

__all__ = ["bundle_command", "inputs", "format_option", "as_of_option", "report_options", "show", "write",
           "records", "table", "cell", "finding_lines", "PlainTable", "out", "err",
           "interruptible", "Terminated", "EXIT_INTERRUPTED", "EXIT_TERMINATED"]

#: Standard output and standard error (no colour markup is ever interpreted in data).
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # a log keeps every line whole
_INPUTS = "ecograph.inputs"  # where the click context keeps the command's input paths


def bundle_command(f):
    """Take a BUNDLE argument; call the command with its :class:`~ecograph.Ecosystem`,
    loaded (and validated) with a spinner on standard error.

    The bundle is recorded as an input of the command (:func:`inputs`), and an
    output folder option named ``out_dir`` that is, lies inside or holds the
    bundle is refused before anything is loaded or written
    (:func:`ecograph.files.check_separate`).

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
        context = click.get_current_context(silent=True)
        if context is not None:
            context.meta[_INPUTS] = (*context.meta.get(_INPUTS, ()), bundle)
        if options.get("out_dir") is not None:
            check_separate(options["out_dir"], [bundle])
        with err.status(f"Loading {escape(str(bundle))}..."):
            eco = load_bundle(bundle)
        return f(eco, **options)
    return wrapper


def inputs() -> tuple[Path, ...]:
    """The inputs the running command has read so far (its bundle, with :func:`bundle_command`).

    Writers take them as the paths their output must stay apart from.

    Returns
    -------
    tuple of pathlib.Path
        Empty outside a command.

    Examples
    --------
    >>> import click
    >>> from click.testing import CliRunner
    >>> @click.command()
    ... @bundle_command
    ... def where(eco):
    ...     click.echo(inputs())
    >>> CliRunner().invoke(where, ["fixtures/tiny"]).output
    "(PosixPath('fixtures/tiny'),)\\n"
    >>> inputs()
    ()
    """
    context = click.get_current_context(silent=True)
    return tuple(context.meta.get(_INPUTS, ())) if context is not None else ()


def format_option(*choices: str, help: str = "Print tables, or JSON for scripts."):  # noqa: A002
    """``--format``: the first of ``choices`` (default ``table``, ``json``) by default.

    Parameters
    ----------
    *choices : str
        The formats offered; none: ``table`` and ``json``.
    help : str, default "Print tables, or JSON for scripts."
        The option's help text.

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
                        help=help)


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


def write(out_dir: Path | None, tables: dict[str, pd.DataFrame], *,
          protect: Iterable[Path | None] = ()) -> None:
    """Write every table as CSV and JSON into ``out_dir`` (nothing without one), and say where.

    The folder is replaced as a whole (:func:`~ecograph.outputs.write_tables`);
    it may not be, be inside, or hold one of the command's :func:`inputs` or
    ``protect``.

    Parameters
    ----------
    out_dir : pathlib.Path, optional
        The folder.
    tables : dict of str to pandas.DataFrame
        Frames by name.
    protect : iterable of pathlib.Path, default ()
        Inputs besides :func:`inputs` (``None`` entries are skipped).

    Examples
    --------
    >>> write(None, {})
    """
    if out_dir is not None:
        folder = write_tables(out_dir, tables, formats=("csv", "json"), protect=(*protect, *inputs()))
        err.print(f"Tables written to [bold]{escape(str(folder.resolve()))}[/]")


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


class PlainTable(Table):
    """A terminal table that, printed where the output is not a terminal (a log, a
    pipe, cron), becomes plain lines keeping every field whole.

    Validation findings (a frame with ``file``, ``row``, ``column``, ``rule`` and
    ``message``) become ``file:row:column: rule: message`` lines, as compilers
    and linters print them; any other frame its title, then a tab-separated
    header and rows. Nothing is cut or wrapped, whatever the width.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows.
    title : str
        Shown above them.

    Examples
    --------
    >>> import io
    >>> plain = Console(file=io.StringIO(), soft_wrap=True)  # not a terminal, as out and err
    >>> plain.print(PlainTable(pd.DataFrame({"id": ["P1"], "name": ["x" * 90]}), title="T"))
    >>> plain.file.getvalue().splitlines()[2] == "P1\\t" + "x" * 90
    True
    """

    def __init__(self, frame: pd.DataFrame, *, title: str) -> None:
        super().__init__(title=Text(title), title_justify="left")  # Text: brackets in data are not markup
        self.cells = _cells(frame)
        self.plain = [title, *(finding_lines(frame) if set(frame.columns) >= _FINDING_FIELDS else
                               ["\t".join(map(str, frame.columns)), *("\t".join(row) for row in self.cells)])]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if console.is_terminal:
            yield from super().__rich_console__(console, options)
        else:
            yield Segment("\n".join(self.plain) + "\n")


_FINDING_FIELDS = {"file", "row", "column", "rule", "message"}


def finding_lines(findings: pd.DataFrame) -> list[str]:
    """Validation findings as plain lines: ``file:row:column: rule: message``.

    The row is the spreadsheet row (blank for a file-wide finding), the value
    follows the message, and a warning says so.

    Parameters
    ----------
    findings : pandas.DataFrame
        Columns ``file``, ``row``, ``column``, ``rule``, ``message`` (and
        ``value``, ``severity`` if known).

    Returns
    -------
    list of str
        One line per finding, every field whole.

    Examples
    --------
    >>> finding_lines(pd.DataFrame({"severity": ["error"], "file": ["relationships.csv"], "row": [7],
    ...     "column": ["target"], "rule": ["dangling_reference"], "value": ["C9"],
    ...     "message": ["no such party"]}))
    ["relationships.csv:7:target: dangling_reference: no such party (value 'C9')"]
    """
    text = []
    for r in findings.to_dict("records"):
        value = r.get("value")
        shown = f" (value {value!r})" if value not in ("", None) and not pd.isna(value) else ""
        warning = "warning: " if r.get("severity") == "warning" else ""
        row = "" if r["row"] in ("", None) or pd.isna(r["row"]) else int(r["row"])
        text.append(f"{r['file']}:{row}:{'' if pd.isna(r['column']) else r['column']}: {warning}"
                    f"{r['rule']}: {r['message']}{shown}")
    return text


def table(frame: pd.DataFrame, *, title: str) -> Table:
    """A terminal table of ``frame``: numbers right-aligned, dates without midnight,
    whole floats without decimals, list cells joined; plain lines where the
    output is not a terminal (:class:`PlainTable`).

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
    t = PlainTable(frame, title=title)
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        # fold, never cut: a narrow terminal must still show every word
        t.add_column(Text(str(col)), justify="right" if numeric else "left", overflow="fold")
    for row in t.cells:
        t.add_row(*map(Text, row))
    return t


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    """Every cell of ``frame`` as :func:`cell` writes it, a column's floats all with
    decimals or (all whole) all without."""
    whole = [all(not isinstance(v, float) or not math.isfinite(v) or v.is_integer() for v in frame[col])
             for col in frame.columns]
    return [[cell(v, whole=w) for v, w in zip(row, whole, strict=True)]
            for row in frame.itertuples(index=False)]


def cell(v, *, whole: bool | None = None) -> str:
    """One value as table text.

    Floats with thousands separators (whole ones without decimals, others
    with two; ``whole`` decides for a column at once), infinity as ``∞``, a
    timestamp as its date when it is midnight, a list cell joined
    with ``", "``, ``None`` and ``pd.NA`` as ``""``, anything else as ``str``
    gives it.

    Parameters
    ----------
    v : object
        One cell of a frame.
    whole : bool, optional
        Show a float without decimals (its column holds whole numbers only) or with
        two; default: as the value is.

    Returns
    -------
    str

    Examples
    --------
    >>> cell(1234.0), cell(0.5), cell(["a", "b"]), cell(None), cell(70.0, whole=False), cell(float("inf"))
    ('1,234', '0.50', 'a, b', '', '70.00', '∞')
    """
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if v == v.normalize() else str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        return f"{v:,.0f}" if (v.is_integer() if whole is None else whole) else f"{v:,.2f}"
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return "" if v is None or v is pd.NA else str(v)


#: Exit codes of a command stopped by Ctrl-C (SIGINT) or SIGTERM: 128 + the signal's number,
#: distinct from every result code (0 ok, 1 findings, 2 usage or I/O error, 3 store failure).
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it unwinds as for Ctrl-C.

    A :class:`KeyboardInterrupt`: ``with`` blocks and ``finally`` clauses run
    (locks are released, temporary files removed) and ``except Exception``
    does not swallow it.

    Examples
    --------
    >>> isinstance(Terminated(), KeyboardInterrupt), isinstance(Terminated(), Exception)
    (True, False)
    """


class _Stop:
    """The SIGINT and SIGTERM handler: raise once, then let the unwinding finish."""

    def __init__(self) -> None:
        self.stopping = False

    def __call__(self, signum: int, frame) -> None:
        if self.stopping:  # already unwinding: a second signal must not cut the cleanup short
            return
        self.stopping = True
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def interruptible(run, *args):
    """Call ``run(*args)``; when Ctrl-C or SIGTERM stops it, exit 130 or 143.

    The signal becomes an exception where the program is (SIGINT a
    :class:`KeyboardInterrupt`, SIGTERM a :class:`Terminated`), so every
    ``with`` block and ``finally`` clause runs: locks are released and
    atomic writes leave no temporary file. A second signal while that
    cleanup runs is ignored. Then one line goes to standard error and the
    process exits :data:`EXIT_INTERRUPTED` or :data:`EXIT_TERMINATED`,
    codes no result shares. The handlers are installed for the call only
    (from the main thread; a signal that was ignored stays ignored).

    Parameters
    ----------
    run : callable
        What to run (a command group's ``invoke``).
    *args
        Its arguments.

    Returns
    -------
    object
        What ``run`` returns.

    Examples
    --------
    >>> interruptible(len, "abc")
    3
    >>> def pressed_ctrl_c():
    ...     raise KeyboardInterrupt
    >>> try:
    ...     interruptible(pressed_ctrl_c)
    ... except SystemExit as stopped:
    ...     print(stopped.code)
    130
    """
    stop, previous = _Stop(), {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) not in (signal.SIG_IGN, None):
                previous[signum] = signal.signal(signum, stop)
    try:
        return run(*args)
    except KeyboardInterrupt as exc:
        stop.stopping = True
        terminated = isinstance(exc, Terminated)
        err.print(f"[red]stopped:[/] {'terminated (SIGTERM)' if terminated else 'interrupted (Ctrl-C)'}",
                  soft_wrap=True)
        sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
