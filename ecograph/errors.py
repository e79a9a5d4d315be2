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

__all__ = ["EcographError", "BundleError", "BundleNotFoundError", "ParameterError", "Findings",
           "FINDING_COLUMNS"]

FINDING_COLUMNS = ["severity", "file", "row", "column", "rule", "value", "message"]


class EcographError(Exception):
    """Base class of every error ecograph raises on purpose."""


class ParameterError(EcographError, ValueError):
    """An argument is outside what the function accepts; the message says what it expected."""


class BundleNotFoundError(EcographError, FileNotFoundError):
    """The bundle folder does not exist or is not a folder."""


class BundleError(EcographError, ValueError):
    """A bundle failed validation; ``.errors`` holds every finding as a DataFrame."""

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
    """Collects validation errors and warnings; nothing fails until the end."""

    rows: list[tuple] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, rule: str, value: object,
            message: str, *, severity: str = "error") -> None:
        if rule not in RULES:  # a rule must be documented before it can be reported
            raise KeyError(f"undocumented validation rule {rule!r}; add it to schema.RULES")
        self.rows.append((severity, file, row or 0, column or "", rule, _short(value), message))

    def add_many(self, file: str, rows: pd.Series, column: str, rule: str, values: pd.Series,
                 message: str | pd.Series) -> None:
        """Record one error per entry of ``rows`` (vectorised callers)."""
        messages = message if isinstance(message, pd.Series) else [message] * len(rows)
        for r, v, m in zip(rows.tolist(), values.tolist(), list(messages), strict=True):
            self.add(file, int(r), column, rule, v, m)

    def warn(self, file: str, row: int | None, column: str | None, rule: str, value: object,
             message: str) -> None:
        self.add(file, row, column, rule, value, message, severity="warning")

    @property
    def has_errors(self) -> bool:
        return any(r[0] == "error" for r in self.rows)

    def has_errors_in(self, file: str | None) -> bool:
        return any(r[0] == "error" and r[1] == file for r in self.rows)

    def frame(self) -> pd.DataFrame:
        """All findings, errors first, then by file, row and column."""
        df = pd.DataFrame(self.rows, columns=FINDING_COLUMNS)
        df["row"] = df["row"].astype("int64")
        order = df["severity"].map({"error": 0, "warning": 1})
        return (df.assign(_o=order).sort_values(["_o", "file", "row", "column"], kind="stable")
                .drop(columns="_o").reset_index(drop=True))


def _short(value: object, limit: int = 80) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
