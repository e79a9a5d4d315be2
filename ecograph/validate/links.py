"""Link rules: ids unique across the bundle, references that resolve, and
relationship types joining the right kinds of party.

Identity policy (docs/data-model.md, "Identity"): ids and references are read
in Unicode NFC (:func:`normalise_ids`), so two ids equal in NFC are one id. Two
ids may not differ only in case, in Unicode compatibility forms (full-width
letters, ligatures) or by look-alike letters of another script and invisible
characters (:func:`id_skeleton`): :func:`check_ids` reports each such pair.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Findings
from ..frames import isin
from ..ingest import ROW
from ..schema import RELATIONSHIP_ENDPOINTS, TABLES

__all__ = ["rejected_keys", "check_ids", "check_references", "check_relationship_endpoints", "id_owners",
           "id_skeleton", "normalise_ids", "CONFUSABLES"]

#: Look-alike letters of Cyrillic and Greek, each with the Latin letter it is read as
#: (the common cases of Unicode TR39's confusables; digits and Latin-only look-alikes
#: such as ``0``/``O`` or ``l``/``I`` are not in it).
CONFUSABLES: dict[str, str] = dict(zip(
    # Cyrillic capitals, then small letters
    "АВЕКМНОРСТУХЅІЈԚԜҮӀ" "аеорсухѕіјԛԝһԁӏү"
    # Greek capitals, then small letters
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ" "αιονρυχγ",
    "ABEKMHOPCTYXSIJQWYI" "aeopcyxsijqwhdly"
    "ABEZHIKMNOPTYX" "aiovpuxy", strict=True))


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
        for name, f in frames.items() if TABLES[name].key in f
    ]
    if not parts:  # no table could be read: no ids
        return pd.DataFrame({"id": pd.Series(dtype=object), "table": pd.Series(dtype=object),
                             "file": pd.Series(dtype=object), "row": pd.Series(dtype="int64")})
    ids = pd.concat(parts, ignore_index=True)
    return ids[ids["id"].notna()]


def normalise_ids(frames: dict[str, pd.DataFrame], files: dict[str, str],
                  findings: Findings) -> None:
    """Put every id and reference cell (each item of a list cell too) in Unicode NFC, in place.

    Ids are compared and stored in NFC, so ``Café`` written with a combining
    accent (NFD) and with a precomposed ``é`` (NFC) is one id, and a reference
    in either form resolves. Each cell that changes is reported as a warning
    (``id_normalised``), so no value is changed without a trace; the tables
    (and what ``convert`` writes) hold the NFC form.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Parsed tables by name, with ``_row``; changed in place.
    files : dict of str to str
        What findings call each table (its file name).
    findings : Findings
        Where each changed cell is recorded (warning ``id_normalised``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecograph.errors import Findings
    >>> frames = {"partners": pd.DataFrame({"id": ["Cafe\u0301", "P2"], "_row": [2, 3]}),
    ...           "capabilities": pd.DataFrame({"id": ["ai"], "_row": [2]})}
    >>> findings = Findings()
    >>> normalise_ids(frames, {"partners": "partners.csv", "capabilities": "capabilities.csv"},
    ...               findings)
    >>> frames["partners"]["id"].tolist() == ["Caf\u00e9", "P2"]
    True
    >>> findings.frame()[["severity", "row", "column", "rule"]].values.tolist()
    [['warning', 2, 'id', 'id_normalised']]
    """
    for name, frame in frames.items():
        for col in TABLES[name].columns:
            if (col.kind != "id" and not col.ref) or col.name not in frame:
                continue
            if col.many:
                _normalise_lists(frame, col.name, files[name], findings)
            else:
                _normalise_cells(frame, col.name, files[name], findings)


def _non_ascii(values: pd.Series) -> np.ndarray:
    """Which values are text with a character beyond ASCII (one Arrow kernel; ASCII text is
    the same in every normal form, so only these need a look)."""
    return ~values.astype("string[pyarrow]").str.isascii().fillna(True).to_numpy(dtype=bool)


def _nfc_changes(values: pd.Series) -> pd.Series:
    """The NFC form of each value that differs from it (indexed like ``values``)."""
    other = _non_ascii(values)
    if not other.any():  # the usual case: nothing to normalise
        return values.iloc[:0]
    candidates = values[other].astype(object)
    nfc = candidates.map(lambda v: unicodedata.normalize("NFC", v))
    return nfc[nfc != candidates]


def _report_normalised(findings: Findings, file: str, rows, column: str, raw, nfc) -> None:
    for row, before, after in zip(rows, raw, nfc, strict=True):
        findings.warn(file, int(row), column, "id_normalised", before,
                      f"not in Unicode NFC ({ascii(before)}); read, compared and written back as "
                      f"its NFC form {ascii(after)}")


def _normalise_cells(frame: pd.DataFrame, column: str, file: str, findings: Findings) -> None:
    changed = _nfc_changes(frame[column])
    if changed.empty:
        return
    _report_normalised(findings, file, frame.loc[changed.index, ROW], column,
                       frame.loc[changed.index, column].tolist(), changed.tolist())
    values = frame[column].astype(object)
    values.loc[changed.index] = changed
    frame[column] = values.astype(frame[column].dtype)


def _normalise_lists(frame: pd.DataFrame, column: str, file: str, findings: Findings) -> None:
    items = frame[column].explode()
    owner = items.index.to_numpy()  # the frame row of each item
    items = items.reset_index(drop=True)
    changed = _nfc_changes(items[items.notna()])
    if changed.empty:
        return
    where = owner[changed.index.to_numpy()]
    _report_normalised(findings, file, frame.loc[where, ROW].tolist(), column,
                       items[changed.index].tolist(), changed.tolist())
    cells = frame[column].copy()
    for i in dict.fromkeys(where):
        cells.at[i] = [unicodedata.normalize("NFC", x) for x in cells.at[i]]
    frame[column] = cells


def check_ids(owners: pd.DataFrame, findings: Findings) -> None:
    """Ids must be unique across the whole bundle, and no two may differ only in how they look.

    Ids (already in NFC, :func:`normalise_ids`) are compared by coarser and
    coarser keys; each id that an earlier one already has at a level is
    reported once, at the finest level where they meet, naming where the
    first one is:

    ``duplicate_id``
        the same id;
    ``id_case_conflict``
        the same after case folding (``P1`` and ``p1``);
    ``id_compatibility_conflict``
        the same after Unicode compatibility folding, NFKC (full-width ``Ｐ１``
        and ``P1``, the ligature ``ﬁ`` and ``fi``);
    ``id_confusable``
        the same skeleton (:func:`id_skeleton`): look-alike Cyrillic or Greek
        letters (Cyrillic ``Р1`` and Latin ``P1``) or invisible characters.

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
    >>> frames = {"partners": pd.DataFrame({"id": ["P1", "p1", "\uff30\uff12", "\u04203"],
    ...                                     "_row": [2, 3, 4, 5]}),
    ...           "customers": pd.DataFrame({"id": ["P1", "P2", "P3"], "_row": [2, 3, 4]})}
    >>> findings = Findings()
    >>> check_ids(id_owners(frames, {"partners": "partners.csv", "customers": "customers.csv"}),
    ...           findings)
    >>> findings.frame()[["file", "row", "rule"]].values.tolist()
    [['customers.csv', 2, 'duplicate_id'], ['customers.csv', 3, 'id_compatibility_conflict'],
     ['customers.csv', 4, 'id_confusable'], ['partners.csv', 3, 'id_case_conflict']]
    >>> findings.frame()["message"].iat[2].endswith("look-alike letters of another script, "
    ...                                              "or invisible characters)")
    True
    """
    _repeats(owners, owners["id"], "duplicate_id", findings,
             lambda r, first: f"id already used at {first.file} row {first.row}")
    unique = owners.drop_duplicates("id")
    other = _non_ascii(unique["id"])
    key = unique["id"].str.lower()  # ASCII ids: every fold below is lower-casing
    if other.any():
        key[other] = unique["id"][other].astype(object).map(str.casefold)
    _repeats(unique, key, "id_case_conflict", findings,
             lambda r, first: f"differs only in case from {first.id!r} at {first.file} row {first.row}")
    levels = [
        ("id_compatibility_conflict", _compatibility_key,
         lambda r, first: f"differs only in Unicode compatibility forms (full-width letters, "
                          f"ligatures) from {first.id!r} at {first.file} row {first.row}"),
        ("id_confusable", id_skeleton,
         lambda r, first: f"looks like {first.id!r} at {first.file} row {first.row} "
                          f"({ascii(r.id)} and {ascii(first.id)}: look-alike letters of another "
                          "script, or invisible characters)"),
    ]
    for rule, fold, message in levels:
        keep = ~key.duplicated().to_numpy()  # one id per key goes on to the coarser level
        unique, key, other = unique[keep], key[keep], other[keep]
        if not other.any():  # ASCII ids keep their key: only a non-ASCII one can meet anew
            return
        key = key.copy()
        key[other] = unique["id"][other].astype(object).map(fold)
        meets = isin(key, key[other])  # the groups that hold a non-ASCII id
        _repeats(unique[meets], key[meets], rule, findings, message)


def _compatibility_key(text: str) -> str:
    """``text`` after NFKC and case folding (NFKC_Casefold, give or take a rare character)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def id_skeleton(text: str) -> str:
    """What an id looks like: the key two ids that look the same share (after Unicode TR39).

    Compatibility forms are folded (NFKC), invisible format characters
    (zero-width space and joiners, soft hyphen, direction marks) dropped, the
    look-alike Cyrillic and Greek letters of :data:`CONFUSABLES` read as the
    Latin ones, and case folded.

    Parameters
    ----------
    text : str
        An id.

    Returns
    -------
    str
        Its skeleton; two ids with the same skeleton look alike.

    Examples
    --------
    >>> id_skeleton("\u0420\u0430rtner-1") == id_skeleton("Partner-1") == "partner-1"
    True
    >>> id_skeleton("P\u200b1"), id_skeleton("\uff30\uff11"), id_skeleton("Caf\u00e9") == "caf\u00e9"
    ('p1', 'p1', True)
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    mapped = "".join(CONFUSABLES.get(ch, ch) for ch in decomposed
                     if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFC", mapped).casefold()


def _repeats(owners: pd.DataFrame, key: pd.Series, rule: str, findings: Findings, message) -> None:
    """Report every row whose ``key`` an earlier row already has, naming that first row."""
    repeated = owners[key.duplicated(keep=False).to_numpy()]
    for _, group in repeated.groupby(key[repeated.index], sort=False):
        first = group.iloc[0]
        for r in group.iloc[1:].itertuples():
            findings.add(r.file, r.row, TABLES[r.table].key, rule, r.id, message(r, first))


def rejected_keys(paths: Mapping[str, os.PathLike], findings: Findings) -> dict[str, dict[str, int]]:
    """The ids of rows that reading rejected (``ragged_row``), by table: id to its row.

    Only CSV files can have such rows; each is read again for the key cell of
    those rows (the key column's place in the header), so references to them
    can be told from references to ids that never existed.

    Parameters
    ----------
    paths : mapping of str to os.PathLike
        The bundle's files by table.
    findings : Findings
        What reading found so far.

    Returns
    -------
    dict of str to dict of str to int

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from ecograph.errors import Findings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "asset_classes.csv").write_text("sku,name\\nSRV,Server,extra\\n")
    >>> findings = Findings()
    >>> findings.add("asset_classes.csv", 2, None, "ragged_row", 3, "row has 3 cells, the header has 2")
    >>> rejected_keys({"asset_classes": folder / "asset_classes.csv"}, findings)
    {'asset_classes': {'SRV': 2}}
    """
    frame = findings.frame()
    ragged = frame[frame["rule"] == "ragged_row"]
    found: dict[str, dict[str, int]] = {}
    for table, path in paths.items():
        rows = set(ragged.loc[ragged["file"] == Path(path).name, "row"].astype(int))
        if not rows or Path(path).suffix != ".csv":
            continue
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                at = header.index(TABLES[table].key)
                for n, record in enumerate(reader, start=2):
                    if n in rows and len(record) > at and record[at].strip():
                        found.setdefault(table, {})[unicodedata.normalize("NFC", record[at].strip())] = n
        except (OSError, ValueError, StopIteration, csv.Error):  # reported as read; nothing to add
            continue
    return found


def check_references(frames: dict[str, pd.DataFrame], files: dict[str, str],
                     owners: pd.DataFrame, findings: Findings, *,
                     rejected: dict[str, dict[str, int]] | None = None) -> None:
    """Every reference, including each item of a list cell, must name an existing id.

    A column whose referenced tables could not all be read is not checked:
    every value would dangle, burying the one error that matters (the file).
    Nor is one that refers to a table with rows but no id at all (its key
    column is missing or empty, which is reported as such). References to a
    row that was itself rejected (``rejected``, from :func:`rejected_keys`) are
    an echo of that row's error: they are summarised in one
    ``rejected_reference`` finding per id, not one per referencing row.

    Parameters
    ----------
    frames : dict of str to pandas.DataFrame
        Parsed tables by name, with ``_row``.
    files : dict of str to str
        What findings call each table (its file name).
    owners : pandas.DataFrame
        Every key with its table, file and row (:func:`id_owners`).
    findings : Findings
        Where problems are recorded (rules ``dangling_reference``, ``rejected_reference``).
    rejected : dict of str to dict of str to int, optional
        Ids of rejected rows by table, with their row (:func:`rejected_keys`).

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
    echoes: dict[str, list[tuple[str, str, int]]] = {}
    unread = {t for t in TABLES if t not in frames and (t in files or TABLES[t].required)}
    unread |= {t for t, f in frames.items()
               if len(f) and (TABLES[t].key not in f or f[TABLES[t].key].isna().all())}
    for name, frame in frames.items():
        for col in TABLES[name].columns:
            if not col.ref or unread.intersection(col.ref) or col.name not in frame:
                continue
            allowed = np.concatenate([keys_by_table.get(t, np.array([], dtype=object))
                                      for t in col.ref])
            values = frame[[ROW, col.name]].explode(col.name) if col.many else frame[[ROW, col.name]]
            values = values[values[col.name].notna()]
            bad = values[~isin(values[col.name], allowed)]
            gone = {v: (t, r) for t in col.ref for v, r in (rejected or {}).get(t, {}).items()}
            echo = bad[col.name].isin(list(gone)).to_numpy(dtype=bool) if gone else np.zeros(len(bad), bool)
            for value, rows in bad[echo].groupby(col.name, sort=True)[ROW]:
                echoes.setdefault(value, []).extend((files[name], col.name, int(r)) for r in rows)
            bad = bad[~echo]
            if len(bad):
                findings.add_many(files[name], bad[ROW], col.name, "dangling_reference",
                                  bad[col.name], f"no {' or '.join(col.ref)} row has this id")
    for value, where in echoes.items():
        table, row = next((t, r) for t, ids in (rejected or {}).items() for v, r in ids.items() if v == value)
        file, column, first = where[0]
        in_files = ", ".join(sorted({f for f, _, _ in where}))
        findings.add(file, first, column, "rejected_reference", value,
                     f"{len(where)} rows ({in_files}) refer to {value}, whose {files.get(table, table)} row "
                     f"{row} was rejected (see that finding); fix that row")


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
    # Position -1 (an id no table has) reads the None appended at the end.
    tables = np.append(table_of.to_numpy(dtype=object), None)
    same = rel["source"].notna() & (rel["source"] == rel["target"])
    if same.any():
        findings.add_many(file, rel.loc[same, ROW], "target", "self_relationship",
                          rel.loc[same, "target"], "a relationship must join two different parties")
    types = rel["type"].astype(object)
    for which, end in enumerate(("source", "target")):
        kinds = pd.Series(tables[table_of.index.get_indexer(rel[end])], index=rel.index, dtype=object)
        known = (kinds.notna() & types.notna()).to_numpy()
        if not known.any():  # e.g. the column is missing or empty: reported as such already
            continue
        pairs = {f"{t}|{k}" for t, ends in RELATIONSHIP_ENDPOINTS.items() for k in ends[which]}
        checked = rel[known]
        kind = kinds[known].astype(str)
        bad = ~(types[known].astype(str) + "|" + kind).isin(pairs).to_numpy()
        if bad.any():
            checked, kind = checked[bad], kind[bad]
            allowed = checked["type"].map(lambda t, w=which: ", ".join(RELATIONSHIP_ENDPOINTS[t][w]))
            messages = ("a " + checked["type"].astype(str) + " relationship cannot have a "
                        + kind + " row as its " + end + " (allowed: " + allowed.astype(str) + ")")
            findings.add_many(file, checked[ROW], end, "relationship_endpoint", checked[end],
                              messages)
