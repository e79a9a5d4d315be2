"""Exceptions raised by ecograph, and the table of validation findings.

Every finding names the file, the row as a spreadsheet shows it (the header is
row 1, the first record row 2), the column, the rule and the offending value.

>>> issues = Findings()
>>> issues.add("partners.csv", 3, "tier", "enum", "diamond", "not one of platinum, gold")
>>> issues.frame()[["file", "row", "rule"]].to_dict("records")
[{'file': 'partners.csv', 'row': 3, 'rule': 'enum'}]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .schema import RULES

__all__ = ["EcographError", "BundleError", "BundleNotFoundError", "ParameterError", "StoreError",
           "LockError", "Findings", "FINDING_COLUMNS"]

FINDING_COLUMNS = ["severity", "file", "row", "column", "rule", "value", "message"]


class EcographError(Exception):
    """Base class of every error ecograph raises on purpose.

    Examples
    --------
    >>> try:
    ...     raise ParameterError("top must be at least 1")
    ... except EcographError as exc:
    ...     print(type(exc).__name__, exc)
    ParameterError top must be at least 1
    """


class ParameterError(EcographError, ValueError):
    """An argument is outside what the function accepts; the message says what it expected.

    Also a :class:`ValueError`, so code that catches those catches it too.

    Examples
    --------
    >>> from ecograph.dates import timestamp
    >>> timestamp("June")
    Traceback (most recent call last):
    ...
    ecograph.errors.ParameterError: as_of must be a date (YYYY-MM-DD); got 'June'
    """


class BundleNotFoundError(EcographError, FileNotFoundError):
    """The bundle folder does not exist or is not a folder.

    Also a :class:`FileNotFoundError`.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> load_bundle("no/such/folder")
    Traceback (most recent call last):
    ...
    ecograph.errors.BundleNotFoundError: no/such/folder: no such bundle folder
    """


class StoreError(EcographError):
    """A graph store could not be started, reached, read or written as asked.

    Examples
    --------
    >>> raise StoreError("cannot reach the graph store")
    Traceback (most recent call last):
    ...
    ecograph.errors.StoreError: cannot reach the graph store
    """


class LockError(EcographError):
    """Another run holds the lock a scheduled job needs (or it cannot be taken).

    Examples
    --------
    >>> try:
    ...     raise LockError("another flag-bottlenecks run holds the lock")
    ... except EcographError as exc:
    ...     print(exc)
    another flag-bottlenecks run holds the lock
    """


class BundleError(EcographError, ValueError):
    """A bundle failed validation; ``.errors`` holds every finding as a DataFrame.

    The message names the bundle, the number of errors and the first 20 of them.

    Parameters
    ----------
    path : str
        The bundle (or what to call it).
    findings : pandas.DataFrame
        Every finding, errors and warnings (:meth:`Findings.frame`).

    Attributes
    ----------
    path : str
        As given.
    findings : pandas.DataFrame
        Every finding, as given (columns :data:`FINDING_COLUMNS`).
    errors : pandas.DataFrame
        The findings of severity ``error`` only, on a fresh index.

    Examples
    --------
    >>> issues = Findings()
    >>> issues.add("partners.csv", 3, "tier", "enum", "diamond", "not one of platinum, gold")
    >>> issues.warn("partners.csv", 5, None, "blank_row", "", "blank row skipped")
    >>> exc = BundleError("my_bundle", issues.frame())
    >>> print(exc)
    my_bundle: 1 validation error
      partners.csv row 3 column tier: [enum] not one of platinum, gold (value 'diamond')
    >>> len(exc.findings), len(exc.errors)
    (2, 1)
    """

    def __init__(self, path: str, findings: pd.DataFrame) -> None:
        self.path = path
        self.findings = findings
        self.errors = findings[findings["severity"] == "error"].reset_index(drop=True)
        n = len(self.errors)
        head = "\n".join(f"  {_describe(r)}" for r in self.errors.head(20).itertuples())
        more = f"\n  ... and {n - 20} more" if n > 20 else ""
        super().__init__(f"{path}: {n} validation error{'s' * (n != 1)}\n{head}{more}")


def _describe(r) -> str:
    where = r.file + (f" row {r.row}" if r.row else "") + (f" column {r.column}" if r.column else "")
    value = f" (value {r.value!r})" if r.value not in ("", None) else ""
    return f"{where}: [{r.rule}] {r.message}{value}"


@dataclass
class Findings:
    """Collects validation errors and warnings; nothing fails until the end.

    Attributes
    ----------
    rows : list of tuple
        One tuple per finding, in the order of :data:`FINDING_COLUMNS`.

    Examples
    --------
    >>> issues = Findings()
    >>> issues.add("partners.csv", 3, "tier", "enum", "diamond", "not one of platinum, gold")
    >>> issues.has_errors_in("partners.csv"), issues.has_errors_in("deals.csv")
    (True, False)
    >>> issues.add("partners.csv", 2, "tier", "no_such_rule", "", "nope")
    Traceback (most recent call last):
    ...
    KeyError: "undocumented validation rule 'no_such_rule'; add it to schema.RULES"
    """

    rows: list[tuple] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, rule: str, value: object,
            message: str, *, severity: str = "error") -> None:
        """Record one finding.

        Parameters
        ----------
        file : str
            The file's name (``partners.csv``).
        row : int or None
            The row as a spreadsheet shows it (header = 1); ``None`` for the
            whole file (stored as 0).
        column : str or None
            The column; ``None`` for the whole row or file (stored as ``""``).
        rule : str
            A key of :data:`ecograph.schema.RULES`.
        value : object
            The offending value (stored as text, cut to 80 characters).
        message : str
            What is wrong and how to fix it.
        severity : {"error", "warning"}, default "error"
            Errors fail the bundle; warnings do not.

        Raises
        ------
        KeyError
            When ``rule`` is not documented in :data:`ecograph.schema.RULES`.

        Examples
        --------
        >>> issues = Findings()
        >>> issues.add("deals.csv", None, None, "missing_file", "", "required table deals is missing")
        >>> issues.rows[0][:5]
        ('error', 'deals.csv', 0, '', 'missing_file')
        """
        if rule not in RULES:  # a rule must be documented before it can be reported
            raise KeyError(f"undocumented validation rule {rule!r}; add it to schema.RULES")
        self.rows.append((severity, file, row or 0, column or "", rule, _short(value), message))

    def add_many(self, file: str, rows: pd.Series, column: str, rule: str, values: pd.Series,
                 message: str | pd.Series) -> None:
        """Record one error per entry of ``rows`` (vectorised callers).

        Parameters
        ----------
        file : str
            The file's name.
        rows : pandas.Series
            Row numbers (header = 1).
        column : str
            The column.
        rule : str
            A key of :data:`ecograph.schema.RULES`.
        values : pandas.Series
            The offending values, one per row.
        message : str or pandas.Series
            One message for all, or one per row.

        Examples
        --------
        >>> import pandas as pd
        >>> issues = Findings()
        >>> issues.add_many("partners.csv", pd.Series([2, 4]), "id", "empty_id", pd.Series(["", ""]),
        ...                 "empty id")
        >>> issues.frame()[["row", "rule"]].values.tolist()
        [[2, 'empty_id'], [4, 'empty_id']]
        """
        messages = message if isinstance(message, pd.Series) else [message] * len(rows)
        for r, v, m in zip(rows.tolist(), values.tolist(), list(messages), strict=True):
            self.add(file, int(r), column, rule, v, m)

    def warn(self, file: str, row: int | None, column: str | None, rule: str, value: object,
             message: str) -> None:
        """Record one warning (:meth:`add` with ``severity="warning"``).

        Parameters
        ----------
        file : str
            The file's name.
        row : int or None
            The row (header = 1), or ``None``.
        column : str or None
            The column, or ``None``.
        rule : str
            A key of :data:`ecograph.schema.RULES`.
        value : object
            The offending value.
        message : str
            What is wrong.

        Examples
        --------
        >>> issues = Findings()
        >>> issues.warn("partners.csv", 5, None, "blank_row", "", "blank row skipped")
        >>> issues.has_errors_in("partners.csv"), issues.rows[0][0]
        (False, 'warning')
        """
        self.add(file, row, column, rule, value, message, severity="warning")

    def has_errors_in(self, file: str | None) -> bool:
        """Whether any error (not a warning) was recorded for ``file``.

        Parameters
        ----------
        file : str or None
            The file's name.

        Returns
        -------
        bool

        Examples
        --------
        >>> Findings().has_errors_in("partners.csv")
        False
        """
        return any(r[0] == "error" and r[1] == file for r in self.rows)

    def frame(self) -> pd.DataFrame:
        """All findings, errors first, then by file, row and column.

        Returns
        -------
        pandas.DataFrame
            One row per finding: ``severity, file, row`` (0 for the whole file),
            ``column`` (``""`` for the whole row), ``rule, value, message``.

        Examples
        --------
        >>> issues = Findings()
        >>> issues.warn("partners.csv", 5, None, "blank_row", "", "blank row skipped")
        >>> issues.add("partners.csv", 3, "tier", "enum", "diamond", "not one of platinum, gold")
        >>> issues.frame()[["severity", "row"]].values.tolist()
        [['error', 3], ['warning', 5]]
        """
        df = pd.DataFrame(self.rows, columns=FINDING_COLUMNS)
        df["row"] = df["row"].astype("int64")
        order = df["severity"].map({"error": 0, "warning": 1})
        return (df.assign(_o=order).sort_values(["_o", "file", "row", "column"], kind="stable")
                .drop(columns="_o").reset_index(drop=True))


def _short(value: object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
