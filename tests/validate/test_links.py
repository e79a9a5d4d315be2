"""Identity: ids and references are compared and stored in Unicode NFC; ids that differ only in
case, compatibility forms (full width) or look-alike letters are findings naming both rows."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecograph import load_bundle, validate_bundle
from ecograph.errors import Findings
from ecograph.validate.links import CONFUSABLES, check_ids, id_owners, id_skeleton

from ..conftest import ROOT, edit

NFC, NFD = "Caf\u00e9", "Cafe\u0301"
CUSTOMER = ",Clinic,customer,smb,health,APAC,10,\n"


def _add_customers(bundle, *ids: str) -> None:
    path = bundle / "customers.csv"
    path.write_text(path.read_text() + "".join(i + CUSTOMER for i in ids))


def _findings(result, severity="error") -> list[tuple]:
    found = result.errors if severity == "error" else result.warnings
    return [(f.file, f.row, f.column, f.rule) for f in found.itertuples()]


def test_nfc_and_nfd_spellings_are_one_id(tiny):
    _add_customers(tiny, NFC, NFD)
    result = validate_bundle(tiny)
    assert _findings(result) == [("customers.csv", 6, "id", "duplicate_id")]
    assert "customers.csv row 5" in result.errors["message"].iat[0]
    # The NFD spelling is the one read differently: a trace, naming how it was written.
    assert _findings(result, "warning") == [("customers.csv", 6, "id", "id_normalised")]
    assert "\\u0301" in result.warnings["message"].iat[0]


def test_a_reference_in_nfd_resolves_to_an_id_in_nfc_and_is_stored_in_nfc(tiny):
    creme_nfc, creme_nfd = "Cr\u00e8me", "Cre\u0300me"
    _add_customers(tiny, NFC)
    edit(tiny, "deals.csv", "D1,P1,C1,", f"D1,P1,{NFD},")
    (tiny / "capabilities.csv").write_text((tiny / "capabilities.csv").read_text()
                                           + f"{creme_nfc},Creme,services\n")
    edit(tiny, "partners.csv", "EMEA,security,security,", f"EMEA,{creme_nfd};networking,{creme_nfc},")
    eco = load_bundle(tiny)
    assert eco.deals["customer"].iat[0] == NFC
    assert eco.partners["capabilities"].iat[0] == [creme_nfc, "networking"]
    assert eco.partners["certifications"].iat[0] == [creme_nfc]
    assert eco.warnings[["file", "row", "column", "rule"]].values.tolist() == [
        ["deals.csv", 2, "customer", "id_normalised"], ["partners.csv", 2, "capabilities", "id_normalised"]]


def test_convert_writes_the_nfc_form_and_its_output_reads_back_without_a_trace(tiny, tmp_path, run):
    _add_customers(tiny, NFD)
    result = run("convert", tiny, tmp_path / "out", "--format", "csv")
    assert result.exit_code == 0, result.output
    written = (tmp_path / "out" / "customers.csv").read_text(encoding="utf-8")
    assert NFC in written and NFD not in written
    again = validate_bundle(tmp_path / "out")
    assert again.ok and again.warnings.empty


def test_text_that_is_not_an_id_is_stored_as_written(tiny):
    edit(tiny, "partners.csv", "Apex Systems", NFD)
    eco = load_bundle(tiny)
    assert eco.partners["name"].iat[0] == NFD
    assert eco.warnings is None or eco.warnings.empty


@pytest.mark.parametrize(("first", "second", "rule"), [
    ("C3", "c3", "id_case_conflict"),
    ("STRASSE", "stra\u00dfe", "id_case_conflict"),                # case folding, not lower()
    ("C3", "\uff23\uff13", "id_compatibility_conflict"),           # full-width letters
    ("IX", "\u2168", "id_compatibility_conflict"),                 # the Roman numeral nine
    ("fix", "\ufb01x", "id_case_conflict"),                        # a ligature: case folding splits it
    ("C3", "\u04213", "id_confusable"),                            # Cyrillic Es
    ("OPAL", "\u039f\u03a1\u0391L", "id_confusable"),              # Greek capitals
    ("ops", "\u03bf\u0440s", "id_confusable"),                     # Greek and Cyrillic small letters
    ("C3", "C\u200b3", "id_confusable"),                           # a zero-width space
    ("Jos\u00e9", "J\u043es\u00e9", "id_confusable"),              # look-alike beside an accent
])
def test_near_duplicate_ids_are_errors_naming_both_rows(tiny, first, second, rule):
    if first != "C3":
        _add_customers(tiny, first)
    _add_customers(tiny, second)
    result = validate_bundle(tiny)
    row = 5 if first == "C3" else 6
    first_row = 4 if first == "C3" else 5
    assert _findings(result) == [("customers.csv", row, "id", rule)]
    assert f"customers.csv row {first_row}" in result.errors["message"].iat[0]
    assert result.errors["value"].iat[0] == second


@pytest.mark.parametrize("other", ["Cafe", "Caf\u00e8", "\u03941", "\u04171", "31", "Sa", "S\u00e1"])
def test_ids_that_only_resemble_each_other_are_distinct(tiny, other):
    # Different letters (accents, Greek Delta, Cyrillic Ze, digits) are different ids.
    _add_customers(tiny, NFC if other != NFC else "x", other)
    assert validate_bundle(tiny).ok


def test_an_id_is_reported_once_at_the_finest_level_where_it_meets_another(tiny):
    # Each of these also matches C3 by look (the coarsest key): one finding each, at the first
    # level where it meets C3; full-width small c3 differs in width and case, so not before NFKC.
    _add_customers(tiny, "c3", "\u04213", "\uff43\uff13")
    result = validate_bundle(tiny)
    assert _findings(result) == [("customers.csv", 5, "id", "id_case_conflict"),
                                 ("customers.csv", 6, "id", "id_confusable"),
                                 ("customers.csv", 7, "id", "id_compatibility_conflict")]


def test_the_committed_bundles_have_no_identity_findings(fixtures_dir):
    for name in ("it_ecosystem", "manufacturing", "tiny"):
        rules = set(validate_bundle(fixtures_dir / name).findings["rule"])
        assert not rules & {"duplicate_id", "id_case_conflict", "id_compatibility_conflict",
                            "id_confusable", "id_normalised"}


def test_every_look_alike_is_listed_in_the_data_model():
    doc = (ROOT / "docs" / "data-model.md").read_text()
    assert all(letter in doc for letter in CONFUSABLES)
    assert all(unicodedata.category(k)[0] == "L" and v.isascii() for k, v in CONFUSABLES.items())


def _owners(ids: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"id": ids, "_row": range(2, len(ids) + 2)})
    return id_owners({"partners": frame}, {"partners": "partners.csv"})


_IDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Cc")), min_size=1,
               max_size=6)


@pytest.mark.slow
@given(st.lists(_IDS, min_size=1, max_size=6, unique=True))
def test_each_id_is_found_once_and_only_an_earlier_one_is_named(ids):
    findings = Findings()
    check_ids(_owners(ids), findings)
    rows = [f[2] for f in findings.rows]
    assert len(rows) == len(set(rows))  # never two findings for one id
    for f in findings.rows:  # the first id is never reported; the one named came before
        named = re.findall(r"at partners\.csv row (\d+)", f[6])
        assert f[2] > 2 and named and int(named[-1]) < f[2]


@pytest.mark.slow
@given(_IDS)
def test_the_skeleton_sees_through_normal_forms_width_and_look_alikes(text):
    nfc = unicodedata.normalize("NFC", text)
    assert id_skeleton(nfc) == id_skeleton(unicodedata.normalize("NFD", text))
    assert id_skeleton(nfc) == id_skeleton(unicodedata.normalize("NFKC", text))
    assert id_skeleton(nfc.upper()) == id_skeleton(nfc.upper().lower().upper())
    swapped = "".join({v: k for k, v in CONFUSABLES.items()}.get(c, c) for c in nfc)
    assert id_skeleton(swapped) == id_skeleton(nfc)
