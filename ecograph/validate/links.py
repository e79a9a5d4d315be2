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
    """Every key in the bundle with its table, file and row.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Parsed tables by name, each with its key column and ``_row``.
    files : dict of str to str
        What findings call each table (its file name).

    Returns
    -------
    pandas.DataFrame
        ``id, table, file, row``, one row per non-missing key, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> frames = {"partners": pd.DataFrame({"id": ["P1", None], "_row": [2, 3]}),
    ...           "customers": pd.DataFrame({"id": ["C1"], "_row": [2]})}
    >>> id_owners(frames, {"partners": "partners.csv", "customers": "customers.csv"}).values.tolist()
    [['P1', 'partners', 'partners.csv', 2], ['C1', 'customers', 'customers.csv', 2]]
    """
    parts = [
        pd.DataFrame({"id": f[TABLES[name].key], "table": name, "file": files[name], "row": f[ROW]})
        for name, f in frames.items()
    ]
    ids = pd.concat(parts, ignore_index=True)
    return ids[ids["id"].notna()]


def check_ids(owners: pd.DataFrame, findings: Findings) -> None:
    """Ids must be unique across the whole bundle, and not differ only in case.

    Every repeat after the first is reported (``duplicate_id`` or
    ``id_case_conflict``), naming where the first one is.

    Parameters
    ----------
    owners : pandas.DataFrame
        Every key with its table, file and row (:func:`id_owners`).
    findings : Findings
        Where problems are recorded.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> frames = {"partners": pd.DataFrame({"id": ["P1", "p1"], "_row": [2, 3]}),
    ...           "customers": pd.DataFrame({"id": ["P1"], "_row": [2]})}
    >>> findings = Findings()
    >>> check_ids(id_owners(frames, {"partners": "partners.csv", "customers": "customers.csv"}),
    ...           findings)
    >>> findings.frame()[["file", "row", "rule", "value"]].values.tolist()
    [['customers.csv', 2, 'duplicate_id', 'P1'], ['partners.csv', 3, 'id_case_conflict', 'p1']]
    """
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

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Parsed tables by name, with ``_row``.
    files : dict of str to str
        What findings call each table (its file name).
    owners : pandas.DataFrame
        Every key with its table, file and row (:func:`id_owners`).
    findings : Findings
        Where problems are recorded (rule ``dangling_reference``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> frames = {"capabilities": pd.DataFrame({"id": ["security"], "_row": [2]}),
    ...           "customers": pd.DataFrame({"id": ["C1"], "needs": [("security", "ai")],
    ...                                      "_row": [2]})}
    >>> files = {"capabilities": "capabilities.csv", "customers": "customers.csv"}
    >>> findings = Findings()
    >>> check_references(frames, files, id_owners(frames, files), findings)
    >>> findings.frame()[["file", "row", "column", "rule", "value"]].values.tolist()
    [['customers.csv', 2, 'needs', 'dangling_reference', 'ai']]
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
    """A relationship type may only join the kinds of party the data model allows.

    A relationship from a party to itself is reported too (``self_relationship``);
    endpoints that name no id are left to :func:`check_references`.

    Parameters
    ----------
    rel : pandas.DataFrame
        The parsed ``relationships`` table (``source``, ``target``, ``type``, ``_row``).
    file : str
        What findings call the table.
    owners : pandas.DataFrame
        Every key with its table, file and row (:func:`id_owners`).
    findings : Findings
        Where problems are recorded (rule ``relationship_endpoint``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> frames = {"partners": pd.DataFrame({"id": ["P1"], "_row": [2]}),
    ...           "customers": pd.DataFrame({"id": ["C1"], "_row": [2]})}
    >>> owners = id_owners(frames, {"partners": "partners.csv", "customers": "customers.csv"})
    >>> rel = pd.DataFrame({"source": ["C1", "P1"], "target": ["P1", "P1"],
    ...                     "type": ["sells_to", "co_sells_with"], "_row": [2, 3]})
    >>> findings = Findings()
    >>> check_relationship_endpoints(rel, "relationships.csv", owners, findings)
    >>> findings.frame()[["row", "column", "rule", "value"]].values.tolist()
    [[2, 'source', 'relationship_endpoint', 'C1'], [2, 'target', 'relationship_endpoint', 'P1'],
     [3, 'target', 'self_relationship', 'P1']]
    """
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
