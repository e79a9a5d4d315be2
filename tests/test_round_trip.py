"""Property: a valid bundle with extreme-but-valid values reads, and round-trips
CSV → Ecosystem → Parquet → Ecosystem → CSV → Ecosystem, exactly.

Hypothesis rewrites fixtures/tiny with days anywhere in 0001-01-01 … 9999-12-31
(open-ended relationships included), whole numbers up to the 64-bit limit,
amounts that are any float64 below 2**53 written as its shortest text, Unicode
ids (NFC or not) and names holding commas, quotes and line breaks, and drops
the optional tables at random.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecograph import load_bundle
from ecograph.schema import LIST_SEPARATOR, TABLES
from ecograph.validate.links import id_skeleton

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
RENAMED = ("P1", "P2", "C1", "C2", "S1")  # the parties whose ids hypothesis chooses

days = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
whole = st.integers(0, 2**63 - 1)
amounts = st.floats(0, 2.0**53, exclude_max=True, allow_nan=False).map(repr)
ids = st.text(st.characters(categories=["L", "M", "N", "P", "S"], exclude_characters=LIST_SEPARATOR),
              min_size=1, max_size=10)
names = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"], include_characters="\t\n\r"),
                min_size=1, max_size=30).filter(lambda s: s.strip())


def _read(name: str) -> list[dict[str, str]]:
    with open(TINY / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _fixed_skeletons() -> set[str]:
    """What every id of tiny that is not renamed looks like (a new id must look like none)."""
    return {id_skeleton(row[TABLES[name].key]) for name in TABLES for row in _read(name)
            if row[TABLES[name].key] not in RENAMED}


@st.composite
def bundles(draw):
    """The tables of tiny (name → rows of text) with extreme-but-valid values drawn in."""
    taken = _fixed_skeletons()
    new_ids = draw(st.lists(ids.filter(lambda i: id_skeleton(i) not in taken), min_size=len(RENAMED),
                            max_size=len(RENAMED), unique_by=id_skeleton))
    rename = dict(zip(RENAMED, new_ids, strict=True))
    tables = {name: _read(name) for name in TABLES}
    # every day of the bundle moved to a drawn day of the same rank, so the order of events
    # (a supply before its transfer, a deal registered before it closed) stays as it was
    known = sorted({row[c.name] for name in TABLES for row in tables[name] for c in TABLES[name].columns
                    if c.kind == "date" and row[c.name]})
    drawn = sorted(draw(st.lists(days, min_size=len(known), max_size=len(known), unique=True)))
    moved = dict(zip(known, drawn, strict=True))
    for name, rows in tables.items():
        for row in rows:
            for col in TABLES[name].columns:
                cell = row.setdefault(col.name, "")  # an optional column tiny does not have
                if col.kind == "id" or col.ref:
                    row[col.name] = LIST_SEPARATOR.join(rename.get(x, x) for x in cell.split(LIST_SEPARATOR))
                elif col.kind == "date" and cell:
                    row[col.name] = moved[cell]
                elif col.kind == "int" and cell and col.name == "employees":
                    row[col.name] = str(draw(whole))
                elif col.kind == "float" and cell:
                    row[col.name] = draw(amounts.filter(float) if col.min_exclusive else amounts)
                elif col.name == "name" and name != "company":
                    row[col.name] = draw(names)
    for rel in tables["relationships"]:  # open-ended, ended on the last day, or in force one day
        rel["end"] = draw(st.sampled_from(["", "9999-12-31", rel["start"]]))
        if rel["capacity"] and rel["volume"] and float(rel["capacity"]) < float(rel["volume"]):
            rel["capacity"], rel["volume"] = rel["volume"], rel["capacity"]  # capacity >= volume
    for optional in ("movements", "audits"):
        if draw(st.booleans()):
            tables[optional] = []
    return tables


def _write(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    folder.mkdir()
    for name, rows in tables.items():
        if not rows and not TABLES[name].required:
            continue
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, [c.name for c in TABLES[name].columns], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _expected(tables, name: str, column: str) -> list:
    kind = next(c.kind for c in TABLES[name].columns if c.name == column)
    cells = [row[column] for row in tables[name]]
    if kind == "date":
        return [c or None for c in cells]
    if kind == "float":
        return [float(c) if c else None for c in cells]
    if kind == "int":
        return [int(c) if c else None for c in cells]
    if kind == "id" or next(c.ref for c in TABLES[name].columns if c.name == column):
        return [unicodedata.normalize("NFC", c) or None for c in cells]
    return [c or None for c in cells]


def _actual(eco, name: str, column: str) -> list:
    values = eco.tables[name][column]
    if str(values.dtype).startswith("datetime64"):  # days, compared as their ISO text
        return [f"{v.year:04d}-{v.month:02d}-{v.day:02d}" if pd.notna(v) else None for v in values]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in values.astype(object)]


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables=bundles())
def test_extreme_valid_values_read_exactly_and_round_trip_through_parquet_and_csv(tmp_path_factory, tables):
    root = tmp_path_factory.mktemp("bundle")
    eco = load_bundle(_write(root / "csv", tables))
    for name, rows in tables.items():
        assert len(eco.tables[name]) == len(rows), name
        for col in TABLES[name].columns:
            if col.many or not rows:
                continue
            if col.kind in ("date", "int", "float", "str", "id"):
                assert _actual(eco, name, col.name) == _expected(tables, name, col.name), (name, col.name)
    parquet = load_bundle(eco.to_bundle(root / "parquet", format="parquet"))
    assert parquet == eco
    again = load_bundle(parquet.to_bundle(root / "csv-again", format="csv"))
    assert again == eco
