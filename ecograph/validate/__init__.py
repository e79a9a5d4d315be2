"""Validate an ecosystem bundle: collect every error, then fail once.

Stages: read files (:mod:`ecograph.ingest`) → cell rules (:mod:`.cells`) →
link rules (:mod:`.links`) → table rules (:mod:`.rules`). Each stage records
findings and goes on; the bundle is valid when no finding is an error.

>>> from ecograph.validate import validate_bundle
>>> result = validate_bundle("fixtures/it_ecosystem")
>>> result.ok, len(result.errors)
(True, 0)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from ..errors import Findings
from ..ingest import ROW, bundle_files, read_table
from ..schema import TABLES
from . import links, rules
from .cells import parse_table

__all__ = ["ValidationResult", "validate_bundle"]


@dataclass
class ValidationResult:
    """What validation found: ``findings`` (errors and warnings) and typed ``tables``."""

    path: str
    findings: pd.DataFrame
    tables: dict[str, pd.DataFrame]

    @property
    def errors(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "error"].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "warning"].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        return self.errors.empty


def validate_bundle(path: str | os.PathLike) -> ValidationResult:
    """Check every file, row and rule of the bundle at ``path``.

    Raises :class:`~ecograph.errors.BundleNotFoundError` if ``path`` is not a
    folder; every other problem is a finding in the result.
    """
    findings = Findings()
    files = bundle_files(path, findings)
    names = {t: f.name for t, f in files.items()}
    frames: dict[str, pd.DataFrame] = {}
    for name, file in files.items():
        raw = read_table(file, findings)
        if raw is not None:
            frames[name] = parse_table(TABLES[name], raw, file.name, findings)
    _check_links_and_rules(frames, names, findings)
    tables = {name: frames[name].drop(columns=ROW) for name in TABLES if name in frames}
    return ValidationResult(str(path), findings.frame(), tables)


def _check_links_and_rules(frames: dict[str, pd.DataFrame], names: dict[str, str],
                           findings: Findings) -> None:
    owners = links.id_owners(frames, names)
    links.check_ids(owners, findings)
    links.check_references(frames, names, owners, findings)
    if "company" in frames:
        rules.check_company(frames["company"], names["company"], findings)
    if "relationships" in frames:
        rel = frames["relationships"]
        links.check_relationship_endpoints(rel, names["relationships"], owners, findings)
        rules.check_periods(rel, names["relationships"], "start", "end", findings)
    if "deals" in frames:
        rules.check_deals(frames["deals"], names["deals"], findings)
    assets = frames.get("asset_classes")
    if "audits" in frames:
        rules.check_audits(frames["audits"], names["audits"], assets, findings)
    if "movements" in frames:
        moves = frames["movements"]
        rules.check_movements(moves, names["movements"], assets, findings)
        # Replaying a ledger with rows missing or broken would report
        # overdrafts that are only echoes of the first error.
        ledger_files = {names["movements"], names.get("asset_classes")}
        if not any(findings.has_errors_in(f) for f in ledger_files):
            rules.check_overdrafts(moves, names["movements"], findings)
