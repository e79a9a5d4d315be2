"""Bad input beyond the invalid corpus: each case a clear error or a documented acceptance,
never a traceback; fuzzed bytes never crash the validator; one corrupted cell is reported
at exactly its row and column."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecograph import load_bundle, validate_bundle
from ecograph.errors import ParameterError
from ecograph.ingest import max_file_bytes

from .conftest import FIXTURES, edit

NASTY_NAMES = ['=HYPERLINK("http://x","click")', "+SUM(A1:A9)", "@cmd", "-2+3",
               "\"}) MATCH (n) DETACH DELETE n //", "'; DROP TABLE partners; --",
               "Ünïcødé ✓ 中文", "tab\there"]


def _findings(bundle):
    result = validate_bundle(bundle)
    return result, [(e.file, e.row, e.column, e.rule) for e in result.errors.itertuples()]


def test_a_utf8_bom_is_accepted(tiny):
    path = tiny / "partners.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_bundle(tiny).partners["id"].tolist() == ["P1", "P2", "P3"]


def test_utf16_is_an_encoding_error(tiny):
    path = tiny / "customers.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    _, errors = _findings(tiny)
    assert [e[:1] + e[3:] for e in errors] == [("customers.csv", "encoding")]


def test_a_ten_megabyte_cell_is_refused_where_it_is(tiny):
    edit(tiny, "partners.csv", "Apex Systems", "A" * 10_000_000)
    _, errors = _findings(tiny)
    assert errors == [("partners.csv", 2, "name", "cell_too_large")]


def test_a_file_over_the_size_limit_is_refused_before_reading(tiny, monkeypatch):
    monkeypatch.setenv("ECOGRAPH_MAX_FILE_MB", "0.0001")  # about 100 bytes
    _, errors = _findings(tiny)
    assert ("partners.csv", "file_too_large") in {(e[0], e[3]) for e in errors}


def test_a_table_linking_outside_the_bundle_is_refused(tiny, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    shutil.copy(tiny / "products.csv", outside)
    (tiny / "products.csv").unlink()
    os.symlink(outside, tiny / "products.csv")
    _, errors = _findings(tiny)
    assert [(e[0], e[3]) for e in errors] == [("products.csv", "outside_bundle")]


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_formula_and_query_looking_text_is_stored_verbatim(tiny, tmp_path, name):
    quoted = '"' + name.replace('"', '""') + '"'
    edit(tiny, "partners.csv", "Apex Systems", quoted)
    eco = load_bundle(tiny)
    assert eco.partners.loc[eco.partners["id"] == "P1", "name"].iat[0] == name
    from ecograph.outputs import write_tables

    write_tables(tmp_path / "out", {"partners": eco.partners})
    text = (tmp_path / "out" / "partners.csv").read_text()
    if name[0] in "=+-@\t":  # a spreadsheet would run it: written inert
        assert "'" + name.split('"')[0][:3] in text


def test_query_looking_names_survive_the_graph_store(tiny, tmp_path):
    from ecograph.store import EmbeddedServer, EmbeddedStore, load

    edit(tiny, "partners.csv", "Apex Systems", '"' + NASTY_NAMES[4].replace('"', '""') + '"')
    edit(tiny, "partners.csv", "Echo Referrals", '"' + NASTY_NAMES[6] + '"')
    eco = load_bundle(tiny)
    store = EmbeddedStore(tmp_path / "store")
    try:
        load(eco, store)
        names = {r["id"]: r["name"] for r in
                 store.run("MATCH (p:Partner) RETURN p.id AS id, p.name AS name")}
        assert names["P1"] == NASTY_NAMES[4] and names["P3"] == NASTY_NAMES[6]
        assert store.run("MATCH (n) RETURN count(n) AS n")[0]["n"] > 10  # nothing deleted
    finally:
        EmbeddedServer(tmp_path / "store").stop()


# Repeatable in CI (see conftest.py); ECOGRAPH_FUZZ=1 explores fresh examples each run.
FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@pytest.mark.slow
@settings(max_examples=150, **FUZZ)
@given(data=st.binary(max_size=2_000))
def test_random_bytes_never_crash_the_validator(tmp_path_factory, data):
    bundle = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(FIXTURES / "tiny", bundle, dirs_exist_ok=True)
    (bundle / "deals.csv").write_bytes(data)
    result = validate_bundle(bundle)  # findings, never an exception
    # bytes are never a deals table (its header must name the required columns): the
    # bundle is invalid, and every error points at the file the bytes replaced
    assert not result.ok
    assert set(result.errors["file"]) == {"deals.csv"}
    assert result.errors["message"].map(bool).all()


# One typed cell per table, and a value its column can never accept.
CELLS = [("partners.csv", "tier", "diamond"), ("customers.csv", "employees", "many"),
         ("deals.csv", "amount", "12,3.4"), ("movements.csv", "units", "-"),
         ("audits.csv", "date", "2025-13-45"), ("relationships.csv", "type", "befriends")]


@pytest.mark.slow
@settings(max_examples=40, **FUZZ)
@given(which=st.integers(0, len(CELLS) - 1), row_pick=st.integers(0, 10_000))
def test_one_corrupted_cell_is_reported_at_its_row_and_column(tmp_path_factory, which, row_pick):
    import csv

    bundle = tmp_path_factory.mktemp("cell")
    shutil.copytree(FIXTURES / "tiny", bundle, dirs_exist_ok=True)
    file, column, bad = CELLS[which]
    with open(bundle / file, newline="") as f:
        rows = list(csv.reader(f))
    r = 1 + row_pick % (len(rows) - 1)  # a data row
    rows[r][rows[0].index(column)] = bad
    with open(bundle / file, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    result = validate_bundle(bundle)
    located = {(e.file, e.row, e.column) for e in result.errors.itertuples()}
    assert (file, r + 1, column) in located  # spreadsheet row: header is row 1


@pytest.mark.parametrize("data", [b"id,na\rme\n", b"a\rb,c\r\n1,2\n", b"\r\r\n,\n"])
def test_stray_carriage_returns_in_a_header_are_findings_not_crashes(tmp_path, data):
    # found by the fuzz test: the fast reader's header parse raised csv.Error
    bundle = tmp_path / "b"
    shutil.copytree(FIXTURES / "tiny", bundle)
    (bundle / "deals.csv").write_bytes(data)
    result = validate_bundle(bundle)
    assert not result.ok and "deals.csv" in set(result.errors["file"])


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e999", "4 GB"])
def test_a_bad_max_file_size_is_a_usage_error_naming_the_variable(tiny, monkeypatch, run, value):
    monkeypatch.setenv("ECOGRAPH_MAX_FILE_MB", value)
    with pytest.raises(ParameterError, match=f"ECOGRAPH_MAX_FILE_MB .*got {value!r}"):
        validate_bundle(tiny)
    result = run("validate", tiny)
    assert result.exit_code == 2
    assert "ECOGRAPH_MAX_FILE_MB" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("value", "limit"), [("", 4096 * 2**20), ("  ", 4096 * 2**20),
                                              (" 2 ", 2 * 2**20), ("1e-3", 1048)])
def test_a_blank_max_file_size_means_the_default(monkeypatch, value, limit):
    monkeypatch.setenv("ECOGRAPH_MAX_FILE_MB", value)
    assert max_file_bytes() == limit
