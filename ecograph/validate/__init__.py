"""Validate an ecosystem bundle: collect every error, then fail once.

Stages: read files (:mod:`ecograph.ingest`) → cell rules (:mod:`.cells`) →
link rules (:mod:`.links`) → table rules (:mod:`.rules`). Each stage records
findings and goes on; the bundle is valid when no finding is an error.
:func:`validate_bundle` reads a folder; :func:`validate_tables` takes the
same tables as DataFrames (from a notebook, or projected back from a graph
store) and runs the very same rules.

>>> from ecograph.validate import validate_bundle
>>> result = validate_bundle("fixtures/it_ecosystem")
>>> result.ok, len(result.errors)
(True, 0)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..errors import Findings
from ..ingest import ROW, bundle_files, max_file_bytes, read_table, text_table
from ..schema import TABLES
from . import links, rules, supply
from .cells import parse_table

__all__ = ["ValidationResult", "validate_bundle", "validate_tables"]


@dataclass
class ValidationResult:
    """What validation found: ``findings`` (errors and warnings) and typed ``tables``.

    Examples
    --------
    >>> result = validate_bundle("fixtures/tiny")
    >>> result.ok, sorted(result.tables)[:2]
    (True, ['asset_classes', 'audits'])
    """

    path: str
    findings: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    @property
    def errors(self) -> pd.DataFrame:
        """The findings of severity ``error``."""
        return self.findings[self.findings["severity"] == "error"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        """The findings of severity ``warning``."""
        return self.findings[self.findings["severity"] == "warning"].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        """Whether no finding is an error."""
        return self.errors.empty


def validate_bundle(path: str | os.PathLike) -> ValidationResult:
    """Check every file, row and rule of the bundle folder at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        A folder of ``<table>.csv`` or ``<table>.parquet`` files.

    Returns
    -------
    ValidationResult
        Every finding, and the typed tables.

    Raises
    ------
    BundleNotFoundError
        When ``path`` is not a folder; every other problem is a finding.
    ParameterError
        When ``ECOGRAPH_MAX_FILE_MB`` is not a number above 0.

    Examples
    --------
    >>> validate_bundle("fixtures/invalid/dangling_reference").errors["rule"].tolist()
    ['dangling_reference']
    """
    max_file_bytes()  # a bad ECOGRAPH_MAX_FILE_MB stops here, before any file is read
    findings = Findings()
    files = bundle_files(path, findings)
    raw = ((name, read_table(file, findings)) for name, file in files.items())  # one at a time
    return _validate(str(path), raw, {t: f.name for t, f in files.items()}, findings, paths=files)


def validate_tables(tables: Mapping[str, pd.DataFrame], *,
                    source: str = "<tables>") -> ValidationResult:
    """Check tables given as DataFrames against every rule a bundle on disk meets.

    Values may be text (as files hold them) or typed (lists or tuples for list
    cells, dates, numbers, booleans); they are read as the text a CSV file
    would hold, so both give the same result.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Bundle tables by name (``partners``, ``relationships``...).
    source : str, default "<tables>"
        What the result's ``path`` says the tables came from.

    Returns
    -------
    ValidationResult
        Findings name the table (``partners``) where a file would be named.

    Examples
    --------
    >>> import ecograph
    >>> eco = ecograph.load_bundle("fixtures/tiny")
    >>> tables = dict(eco.tables)
    >>> tables["deals"] = tables["deals"].assign(customer="C9")
    >>> validate_tables(tables).errors[["file", "column", "rule"]].drop_duplicates().values.tolist()
    [['deals', 'customer', 'dangling_reference']]
    """
    findings = Findings()
    for name in tables:
        if name not in TABLES:
            findings.warn(name, None, None, "unknown_file", name,
                          f"not a bundle table (known: {', '.join(TABLES)}); ignored")
    for name, table in TABLES.items():
        if table.required and name not in tables:
            findings.add(name, None, None, "missing_file", "", f"required table {name} is missing")
    known = [name for name in tables if name in TABLES]
    raw = ((name, text_table(tables[name], name, findings)) for name in known)
    return _validate(source, raw, {name: name for name in known}, findings)


def _validate(source: str, raw: Iterable[tuple[str, pd.DataFrame | None]],
              names: dict[str, str], findings: Findings, *, paths: Mapping[str, os.PathLike] | None = None
              ) -> ValidationResult:
    """Parse each table's text cells as it comes (so only one table's text is held at a
    time), then check links and table rules."""
    frames = {name: parse_table(TABLES[name], text, names[name], findings)
              for name, text in raw if text is not None}
    _check_links_and_rules(frames, names, findings, links.rejected_keys(paths or {}, findings))
    tables = {name: frames[name].drop(columns=ROW) for name in TABLES if name in frames}
    return ValidationResult(source, findings.frame(), tables)


def _check_links_and_rules(frames: dict[str, pd.DataFrame], names: dict[str, str],
                           findings: Findings, rejected: dict[str, dict[str, int]] | None = None) -> None:
    links.normalise_ids(frames, names, findings)  # ids are compared and stored in NFC
    owners = links.id_owners(frames, names)
    links.check_ids(owners, findings)
    links.check_references(frames, names, owners, findings, rejected=rejected)
    if "company" in frames:
        rules.check_company(frames["company"], names["company"], findings)
    if "relationships" in frames:
        rel = frames["relationships"]
        links.check_relationship_endpoints(rel, names["relationships"], owners, findings)
        rules.check_periods(rel, names["relationships"], "start", "end", findings)
        supply.check_capacity(rel, names["relationships"], findings)
    if "deals" in frames:
        rules.check_deals(frames["deals"], names["deals"], findings)
    assets = frames.get("asset_classes")
    if "bom" in frames:
        supply.check_bom(frames["bom"], names["bom"], assets, findings)
    if "audits" in frames:
        rules.check_audits(frames["audits"], names["audits"], assets, findings)
    if "movements" in frames:
        moves = frames["movements"]
        rules.check_movements(moves, names["movements"], assets, findings)
        rules.check_lots(moves, names["movements"], assets, frames.get("bom"), findings)
        # Replaying a ledger with rows missing or broken would report
        # overdrafts that are only echoes of the first error.
        ledger_files = {names["movements"], names.get("asset_classes")}
        if not any(findings.has_errors_in(f) for f in ledger_files):
            rules.check_overdrafts(moves, names["movements"], findings)
