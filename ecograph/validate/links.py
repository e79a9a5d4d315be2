"""Link rules: ids unique across the bundle, references that resolve, and
relationship types joining the right kinds of party."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Findings
from ..frames import isin
from ..ingest import ROW
from ..schema import RELATIONSHIP_ENDPOINTS, TABLES

__all__ = ["check_ids", "check_references", "check_relationship_endpoints", "id_owners"]


def id_owners(frames: dict[str, pd.DataFrame], files: dict[str, str]) -> pd.DataFrame:
    """Every key in the bundle with its table, file and row."""
    parts = [
        pd.DataFrame({"id": f[TABLES[name].key], "table": name, "file": files[name], "row": f[ROW]})
        for name, f in frames.items()
    ]
    ids = pd.concat(parts, ignore_index=True)
    return ids[ids["id"].notna()]


def check_ids(owners: pd.DataFrame, findings: Findings) -> None:
    """Ids must be unique across the whole bundle, and not differ only in case."""
    _repeats(owners, owners["id"], "duplicate_id", findings,
             lambda r, first: f"id already used at {first.file} row {first.row}")
    unique = owners.drop_duplicates("id")
    _repeats(unique, unique["id"].str.lower(), "id_case_conflict", findings,
             lambda r, first: f"differs only in case from {first.id!r} at {first.file} "
                              f"row {first.row}")


def _repeats(owners: pd.DataFrame, key: pd.Series, rule: str, findings: Findings, message) -> None:
    """Report every row whose ``key`` an earlier row already has, naming that first row."""
    repeated = owners[key.duplicated(keep=False).to_numpy()]
    for _, group in repeated.groupby(key[repeated.index], sort=False):
        first = group.iloc[0]
        for r in group.iloc[1:].itertuples():
            findings.add(r.file, r.row, TABLES[r.table].key, rule, r.id, message(r, first))


def check_references(frames: dict[str, pd.DataFrame], files: dict[str, str],
                     owners: pd.DataFrame, findings: Findings) -> None:
    """Every reference, including each item of a list cell, must name an existing id.

    A column whose referenced tables could not all be read is not checked:
    every value would dangle, burying the one error that matters (the file).
    """
    keys_by_table = {t: g.to_numpy(dtype=object) for t, g in owners.groupby("table")["id"]}
    unread = {t for t in TABLES if t not in frames and (t in files or TABLES[t].required)}
    for name, frame in frames.items():
        for col in TABLES[name].columns:
            if not col.ref or unread.intersection(col.ref):
                continue
            allowed = np.concatenate([keys_by_table.get(t, np.array([], dtype=object))
                                      for t in col.ref])
            values = frame[[ROW, col.name]].explode(col.name) if col.many else frame[[ROW, col.name]]
            values = values[values[col.name].notna()]
            bad = values[~isin(values[col.name], allowed)]
            if len(bad):
                findings.add_many(files[name], bad[ROW], col.name, "dangling_reference",
                                  bad[col.name], f"no {' or '.join(col.ref)} row has this id")


def check_relationship_endpoints(rel: pd.DataFrame, file: str, owners: pd.DataFrame,
                                 findings: Findings) -> None:
    """A relationship type may only join the kinds of party the data model allows."""
    table_of = owners.drop_duplicates("id").set_index("id")["table"]
    positions = {end: table_of.index.get_indexer(rel[end]) for end in ("source", "target")}
    same = rel["source"].notna() & (rel["source"] == rel["target"])
    if same.any():
        findings.add_many(file, rel.loc[same, ROW], "target", "self_relationship",
                          rel.loc[same, "target"], "a relationship must join two different parties")
    for which, end in enumerate(("source", "target")):
        where = positions[end]
        kinds = pd.Series(np.where(where >= 0, table_of.to_numpy(dtype=object)[where], None),
                          index=rel.index, dtype=object)
        pairs = {f"{t}|{k}" for t, ends in RELATIONSHIP_ENDPOINTS.items() for k in ends[which]}
        known = kinds.notna() & rel["type"].notna()
        bad = known & ~(rel["type"] + "|" + kinds).isin(pairs)
        if bad.any():
            allowed = rel.loc[bad, "type"].map(lambda t, w=which: ", ".join(RELATIONSHIP_ENDPOINTS[t][w]))
            messages = ("a " + rel.loc[bad, "type"] + " relationship cannot have a "
                        + kinds[bad] + " row as its " + end + " (allowed: " + allowed + ")")
            findings.add_many(file, rel.loc[bad, ROW], end, "relationship_endpoint",
                              rel.loc[bad, end], messages)
