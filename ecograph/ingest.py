"""Read the files of an ecosystem bundle into frames of text cells.

This is the first stage of the pipeline: it turns bytes into rows and reports
what cannot be read (encoding, delimiters, ragged rows, quoting, size). It
never interprets values; :mod:`ecograph.validate` does that.

Every frame it returns holds the file's columns as strings ("" for an empty
cell) plus ``_row``, the row number a spreadsheet shows (header = row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import BundleNotFoundError, Findings, ParameterError
from .schema import LIST_SEPARATOR, TABLES, Column

__all__ = ["bundle_files", "read_table", "text_table", "text_cells", "number_text", "ROW",
           "MAX_CELL_CHARS", "max_file_bytes"]

ROW = "_row"
#: Text cells are pyarrow-backed strings, so string rules run as vectorised kernels.
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))
#: Longest cell accepted, in characters.
MAX_CELL_CHARS = 100_000
_SUFFIXES = (".csv", ".parquet")


def max_file_bytes() -> int:
    """Largest table file accepted: ``ECOGRAPH_MAX_FILE_MB`` (default 4096 MB).

    Read from the environment at each call, so a change takes effect at once.
    Unset or blank means the default.

    Returns
    -------
    int
        The limit in bytes (MB of 2**20 bytes; fractions allowed).

    Raises
    ------
    ParameterError
        When the variable is not a finite number greater than zero (the
        message names the variable and its value).

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"ECOGRAPH_MAX_FILE_MB": "0.5"}):
    ...     max_file_bytes()
    524288
    >>> with mock.patch.dict("os.environ", {"ECOGRAPH_MAX_FILE_MB": "abc"}):
    ...     max_file_bytes()
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: ECOGRAPH_MAX_FILE_MB must be a number of megabytes above 0; got 'abc'
    """
    text = os.environ.get("ECOGRAPH_MAX_FILE_MB", "").strip() or "4096"
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = float("nan")
    if not (0 < megabytes < float("inf")):  # also refuses nan
        raise ParameterError("ECOGRAPH_MAX_FILE_MB must be a number of megabytes above 0; "
                             f"got {text!r}")
    return int(megabytes * 2**20)


def bundle_files(path: str | os.PathLike, findings: Findings) -> dict[str, Path]:
    """Map each table name to its file in the bundle folder ``path``.

    Records a ``missing_file`` error for a required table with no file, an
    ``ambiguous_file`` error when both ``name.csv`` and ``name.parquet`` exist,
    and an ``unknown_file`` warning for any other table-looking file.

    Parameters
    ----------
    path : str or os.PathLike
        The bundle folder.
    findings : Findings
        Where problems are recorded.

    Returns
    -------
    dict of str to pathlib.Path
        The file of each table found (``.csv`` or ``.parquet``, any case of
        suffix); with both, the first by name is kept.

    Raises
    ------
    BundleNotFoundError
        When ``path`` is not a folder.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ecograph.errors import Findings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "partners.csv").write_text("id,name\\nP1,Acme\\n")
    >>> _ = (folder / "notes.csv").write_text("a,b\\n")
    >>> issues = Findings()
    >>> list(bundle_files(folder, issues)), sorted({row[4] for row in issues.rows})
    (['partners'], ['missing_file', 'unknown_file'])
    """
    root = Path(path)
    if not root.is_dir():
        raise BundleNotFoundError(f"{root}: no such bundle folder")
    found: dict[str, Path] = {}
    for f in sorted(root.iterdir()):
        if f.suffix.lower() not in _SUFFIXES or not f.is_file():
            continue
        name = f.stem
        if name not in TABLES:
            findings.warn(f.name, None, None, "unknown_file", f.name,
                          f"not a bundle table (known: {', '.join(TABLES)}); ignored")
        elif name in found:
            findings.add(f.name, None, None, "ambiguous_file", f.name,
                         f"both {found[name].name} and {f.name} exist; keep one")
        else:
            found[name] = f
    for name, table in TABLES.items():
        if table.required and name not in found:
            findings.add(f"{name}.csv", None, None, "missing_file", "",
                         f"required table {name} is missing (expected {name}.csv or .parquet)")
    return found


def read_table(file: Path, findings: Findings) -> pd.DataFrame | None:
    """Read one table file as text cells; ``None`` if it cannot be read at all.

    A file that links outside its folder (``outside_bundle``) or is larger
    than :func:`max_file_bytes` (``file_too_large``) is not read. CSV is read
    by a fast reader first, then, when that fails, by an exact one that says
    where the problem is (``encoding``, ``delimiter``, ``csv_syntax``,
    ``ragged_row``, ``blank_row``); Parquet cells are turned, in Arrow, into the
    text a CSV cell would hold (dates of any year, 64-bit integers and decimals
    exactly), and a Parquet column of a type its schema column cannot hold (a
    list where one value belongs, bytes, a struct) is a ``type`` finding on row 1.
    Every table is then checked for duplicate headers and cells over
    :data:`MAX_CELL_CHARS` characters.

    Parameters
    ----------
    file : pathlib.Path
        A ``.csv`` or ``.parquet`` file of a bundle.
    findings : Findings
        Where problems are recorded.

    Returns
    -------
    pandas.DataFrame or None
        The file's columns as strings (``""`` for an empty cell) plus ``_row``
        (the row a spreadsheet shows: the first record is row 2); ``None``
        when the file cannot be read at all.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ecograph.errors import Findings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "partners.csv").write_text("id,name\\nP1,Acme\\n")
    >>> issues = Findings()
    >>> read_table(folder / "partners.csv", issues).to_dict("records")
    [{'id': 'P1', 'name': 'Acme', '_row': 2}]
    >>> _ = (folder / "deals.csv").write_text("id;partner\\n")
    >>> read_table(folder / "deals.csv", issues) is None, issues.rows[-1][4]
    (True, 'delimiter')
    """
    real = file.resolve()
    if not real.is_relative_to(file.parent.resolve()):
        findings.add(file.name, None, None, "outside_bundle", str(real),
                     "the file links outside the bundle folder; copy the table into it")
        return None
    size = file.stat().st_size
    if size > max_file_bytes():
        findings.add(file.name, None, None, "file_too_large", size,
                     f"{size} bytes exceeds the limit of {max_file_bytes()} "
                     "(raise ECOGRAPH_MAX_FILE_MB to allow it)")
        return None
    reader = _read_parquet if file.suffix.lower() == ".parquet" else _read_csv
    frame = reader(file, findings)
    return None if frame is None else _checked(file.name, frame, findings)


def text_table(frame: pd.DataFrame, label: str, findings: Findings) -> pd.DataFrame | None:
    """A table given as a DataFrame (any dtypes) as the text cells a CSV file would hold.

    Parameters
    ----------
    frame : pandas.DataFrame
        One bundle table, as files hold it or typed (lists, dates, numbers).
    label : str
        What findings call it in their ``file`` column.
    findings : Findings
        Where problems are recorded.

    Returns
    -------
    pandas.DataFrame or None
        Text cells plus ``_row`` (the first record is row 2, as in a file);
        ``None`` when the table cannot be read at all.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> t = text_table(pd.DataFrame({"id": ["P1"], "regions": [("EMEA", "APAC")]}), "partners",
    ...                Findings())
    >>> t.to_dict("records")
    [{'id': 'P1', 'regions': 'EMEA;APAC', '_row': 2}]

    A value the column cannot hold (a list where one value belongs, bytes) is a
    ``type`` finding at its row, never rendered as text:

    >>> issues = Findings()
    >>> _ = text_table(pd.DataFrame({"id": ["P1"], "name": [b"Apex"]}), "partners", issues)
    >>> issues.frame()[["row", "column", "rule"]].values.tolist()
    [[2, 'name', 'type']]
    """
    spec = TABLES.get(label)
    names = [str(c) for c in frame.columns]
    text = pd.DataFrame({i: _frame_text(label, names[i], frame.iloc[:, i],
                                        spec.by_name.get(names[i]) if spec else None, findings)
                         for i in range(frame.shape[1])}, index=range(len(frame))).set_axis(names, axis=1)
    text[ROW] = range(2, len(text) + 2)
    return _checked(label, text.reset_index(drop=True), findings)


def _checked(name: str, frame: pd.DataFrame, findings: Findings) -> pd.DataFrame | None:
    """The checks every read table gets: unique headers, cells within the size limit."""
    if frame.columns.duplicated().any():
        for column in frame.columns[frame.columns.duplicated()].unique():
            findings.add(name, 1, column, "duplicate_column", column,
                         "column header appears more than once")
        return None
    _check_cell_sizes(name, frame, findings)
    return frame


def _read_csv(file: Path, findings: Findings) -> pd.DataFrame | None:
    data = file.read_bytes()
    if not data.strip():
        findings.add(file.name, None, None, "empty_file", "",
                     "file is empty; it needs at least a header row")
        return None
    try:
        return _read_csv_fast(data)
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError, csv.Error):
        # The fast reader only says *that* something is wrong; read again
        # slowly to say where.
        return _read_csv_exact(file.name, data, findings)


def _read_csv_fast(data: bytes) -> pd.DataFrame:
    header = next(csv.reader(io.StringIO(data[:65536].decode("utf-8-sig").split("\n", 1)[0])))
    if len(header) < 2 or b"\n\n" in data or b"\n\r\n" in data:
        raise ValueError("one column or a blank line: the exact reader reports these")
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )
    if len(set(table.column_names)) != len(table.column_names):
        raise ValueError("duplicate header: needs the exact reader")
    frame = pd.DataFrame({c: pd.Series(table.column(i).combine_chunks(), dtype=TEXT)
                          for i, c in enumerate(table.column_names)})
    frame[ROW] = range(2, len(frame) + 2)
    return frame


def _read_csv_exact(name: str, data: bytes, findings: Findings) -> pd.DataFrame | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        findings.add(name, line, None, "encoding", repr(data[exc.start:exc.start + 1]),
                     f"not valid UTF-8 at byte {exc.start}; save the file as UTF-8")
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    csv.field_size_limit(max(MAX_CELL_CHARS * 200, 2**24))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        findings.add(name, 1, None, "csv_syntax", "", f"cannot read the header: {exc}")
        return None
    if len(header) == 1 and ";" in header[0]:
        findings.add(name, 1, None, "delimiter", header[0][:80],
                     "the header looks semicolon-delimited; bundle files use commas")
        return None
    records: list[list[str]] = []
    rows: list[int] = []
    row = 1
    try:
        for record in reader:
            row += 1
            if not record or all(cell == "" for cell in record) and len(record) <= 1:
                findings.warn(name, row, None, "blank_row", "", "blank row skipped")
                continue
            if len(record) != len(header):
                findings.add(name, row, None, "ragged_row", len(record),
                             f"row has {len(record)} cells, the header has {len(header)}")
                continue
            records.append(record)
            rows.append(row)
    except csv.Error as exc:
        findings.add(name, row + 1, None, "csv_syntax", "",
                     f"{exc} (an unclosed quote swallows the rest of the file)")
        return None
    frame = pd.DataFrame(records, columns=header, dtype=object)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in header})
    frame = frame.astype(TEXT) if frame.columns.is_unique else frame
    frame[ROW] = rows
    return frame


def _read_parquet(file: Path, findings: Findings) -> pd.DataFrame | None:
    try:
        table = pq.read_table(file)
    except (pa.ArrowException, OSError) as exc:
        findings.add(file.name, None, None, "unreadable_file", "", f"not a readable Parquet file: {exc}")
        return None
    spec = TABLES.get(file.stem)
    frame = pd.DataFrame({i: _arrow_column(file.name, name, table.column(i),
                                           spec.by_name.get(name) if spec else None, findings)
                          for i, name in enumerate(table.column_names)},
                         index=range(table.num_rows)).set_axis(table.column_names, axis=1)
    frame[ROW] = range(2, len(frame) + 2)
    return frame


def _arrow_column(file: str, name: str, values: pa.ChunkedArray | pa.Array, col: Column | None,
                  findings: Findings) -> pd.Series:
    """One Arrow (Parquet) column as cell text, converted in Arrow (dates of any year,
    64-bit integers and decimals exactly). A physical type the column cannot hold
    (a list where one value belongs, bytes, a struct...) is one ``type`` finding on
    row 1, the header, and its cells are left empty."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    try:
        if col is not None and col.many and _is_list(values.type):
            text = _arrow_lists(file, name, values, findings)
        else:
            text = _arrow_text(values)
        why = f"a Parquet column of type {values.type}"
    except (pa.ArrowException, ValueError) as exc:
        text, why = None, f"a Parquet column of type {values.type} that cannot be read as text ({exc})"
    if text is None:
        if col is not None:
            holds = "a ;-separated list" if col.many else f"one {_KIND_WORDS[col.kind]}"
            findings.add(file, 1, name, "type", str(values.type),
                         f"{why}, but {name} holds {holds} per row: store it as strings, "
                         "numbers or dates")
        text = pa.nulls(len(values), pa.large_string())
    return pd.Series(text.cast(pa.large_string()).fill_null(""), dtype=TEXT)


_KIND_WORDS = {"id": "id", "str": "text", "enum": "text", "int": "whole number", "units": "number",
               "float": "number", "date": "date", "bool": "true/false"}


def _is_list(t: pa.DataType) -> bool:
    return (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t))


def _arrow_text(values: pa.Array) -> pa.Array | None:
    """Scalar Arrow values as cell text (null where missing); ``None`` for a type that
    is not one value per cell (lists, bytes, structs, times of day...)."""
    t = values.type
    if pa.types.is_dictionary(t):
        return _arrow_text(values.cast(t.value_type))
    if (pa.types.is_null(t) or pa.types.is_string(t) or pa.types.is_large_string(t)
            or pa.types.is_string_view(t) or pa.types.is_integer(t) or pa.types.is_decimal(t)):
        return values.cast(pa.large_string())  # exact: 64-bit integers, decimals as written
    if pa.types.is_boolean(t):
        return pc.if_else(values, "true", "false")
    if pa.types.is_floating(t):
        floats = values.cast(pa.float64())
        text = pa.array([_float_text(v) for v in floats.to_numpy(zero_copy_only=False)],
                        type=pa.large_string())
        return pc.if_else(floats.is_null(), pa.scalar(None, pa.large_string()), text)
    if pa.types.is_date(t):
        return pc.strftime(values.cast(pa.date32()), format="%Y-%m-%d")
    if pa.types.is_timestamp(t):
        midnight = pc.equal(values, pc.floor_temporal(values, unit="day"))
        return pc.if_else(midnight, pc.strftime(values, format="%Y-%m-%d"),
                          pc.strftime(values, format="%Y-%m-%d %H:%M:%S"))
    return None


def _float_text(v: float) -> str:
    """A float cell; NaN and infinities stay visible (the number rules reject them)."""
    if v != v:
        return "NaN"
    return ("inf" if v > 0 else "-inf") if abs(v) == float("inf") else number_text(v)


def _arrow_lists(file: str, name: str, values: pa.Array, findings: Findings) -> pa.Array | None:
    """A Parquet list column of a list column: items joined with ``;``. An item a
    ``;``-separated cell cannot hold as it is (empty or missing, holding ``;``,
    spaces at its ends) is a ``type`` finding at its row."""
    lists = values.cast(pa.large_list(values.type.value_type))
    items = _arrow_text(lists.flatten())
    if items is None:
        return None
    items = items.cast(pa.large_string())
    filled = items.fill_null("")
    bad = pc.or_(pc.or_(pc.equal(filled, ""), pc.match_substring(filled, LIST_SEPARATOR)),
                 pc.not_equal(filled, pc.utf8_trim_whitespace(filled)))
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, filled, mask=lists.is_null()),
                            pa.scalar(LIST_SEPARATOR, pa.large_string()))
    parents = pc.list_parent_indices(lists).filter(bad).to_numpy(zero_copy_only=False)
    for i in np.unique(parents).tolist():
        findings.add(file, i + 2, name, "type", repr(lists[i].as_py()),
                     "a list item a ;-separated cell cannot hold as it is "
                     "(empty, holding ';', or with spaces at its ends)")
    return joined


def _frame_text(label: str, name: str, values: pd.Series, col: Column | None,
                findings: Findings) -> pd.Series:
    """One DataFrame column as cell text; a value the column cannot hold is a ``type``
    finding at its row, and its cell is left empty."""
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.ArrowDtype):
        return _arrow_column(label, name, pa.array(values), col, findings)
    if col is not None and values.dtype == object:
        unfit = [(i, why) for i, v in enumerate(values) if (why := _unfit(v, col.many))]
        for i, why in unfit:
            findings.add(label, i + 2, name, "type", repr(values.iat[i]), why)
        if unfit:
            values = values.copy()
            values.iloc[[i for i, _ in unfit]] = None
    return text_cells(values).astype(TEXT)


_NOT_SCALAR = (list, tuple, np.ndarray, Mapping, set, frozenset, bytes, bytearray, memoryview)


def _unfit(v: object, many: bool) -> str | None:
    """Why a typed value cannot be one cell of a column (``None`` when it can)."""
    if isinstance(v, bytes | bytearray | memoryview):
        return "bytes, not text: decode them (or store the column as text)"
    if isinstance(v, Mapping | set | frozenset):
        return f"a {type(v).__name__}, not a cell value"
    if isinstance(v, list | tuple | np.ndarray):
        if not many:
            return "a list where the column holds one value"
        for x in v:
            if isinstance(x, _NOT_SCALAR):
                return "a list item that is not a single value"
            item = _cell_text(x)
            if item == "" or LIST_SEPARATOR in item or item != item.strip():
                return ("a list item a ;-separated cell cannot hold as it is "
                        "(empty, holding ';', or with spaces at its ends)")
    return None


def text_cells(values: pd.Series) -> pd.Series:
    """Values of any dtype as the text a CSV cell would hold.

    Dates as ``YYYY-MM-DD`` (a time only when it is not midnight), whole
    numbers without a decimal point, booleans as ``true``/``false``, lists
    joined with ``;``, missing values as ``""``.

    Parameters
    ----------
    values : pandas.Series
        One column.

    Returns
    -------
    pandas.Series
        Strings (object dtype), on a fresh range index.

    Examples
    --------
    >>> import pandas as pd
    >>> text_cells(pd.Series([2.0, 2.5, None])).tolist()
    ['2', '2.5', '']
    >>> text_cells(pd.Series([("a", "b"), True, pd.Timestamp("2025-01-02")])).tolist()
    ['a;b', 'true', '2025-01-02']
    """
    values = values.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        midnight = values.isna() | (values == values.dt.normalize())
        text = values.dt.strftime("%Y-%m-%d").where(midnight, values.astype(str))
        return text.fillna("").astype(object)
    if pd.api.types.is_float_dtype(values.dtype):
        return values.map(number_text).astype(object)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map({True: "true", False: "false"}).fillna("").astype(object)
    if pd.api.types.is_integer_dtype(values.dtype) or (
            values.dtype != object and pd.api.types.is_string_dtype(values.dtype)):
        return values.astype("string").fillna("").astype(object)
    return pd.Series([_cell_text(v) for v in values], dtype=object)


def _cell_text(v: object) -> str:
    if isinstance(v, str):
        return v
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return number_text(float(v))
    if isinstance(v, list | tuple | np.ndarray):
        return LIST_SEPARATOR.join(_cell_text(x) for x in v)
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)  # any unit: numpy days and seconds reach far past 2262
        if v is pd.NaT:
            return ""
    if isinstance(v, dt.datetime):  # and pandas.Timestamp: any year, not only nanosecond ones
        midnight = v.time() == dt.time(0) and getattr(v, "nanosecond", 0) == 0
        return v.date().isoformat() if midnight else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def number_text(v: float) -> str:
    """A number as a CSV cell: ``5`` for whole values, ``2.5`` otherwise, ``""`` if missing.

    Parameters
    ----------
    v : float
        The number.

    Returns
    -------
    str
        Its cell text.

    Examples
    --------
    >>> number_text(5.0), number_text(2.5), number_text(float("nan"))
    ('5', '2.5', '')
    """
    if pd.isna(v):
        return ""
    return str(int(v)) if float(v).is_integer() and abs(v) < 2**63 else repr(float(v))


def _check_cell_sizes(name: str, frame: pd.DataFrame, findings: Findings) -> None:
    for col in frame.columns.drop(ROW):
        lengths = frame[col].str.len()
        for idx in lengths.index[lengths > MAX_CELL_CHARS]:
            findings.add(name, int(frame.at[idx, ROW]), col, "cell_too_large", lengths[idx],
                         f"cell has {lengths[idx]} characters; the limit is {MAX_CELL_CHARS}")
            frame.at[idx, col] = frame.at[idx, col][:MAX_CELL_CHARS]  # keep other rules quiet
