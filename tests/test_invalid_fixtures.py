"""Every bundle in fixtures/invalid/ yields exactly the error recorded next to it."""

from __future__ import annotations

import json

import pytest

from ecograph import BundleError, load_bundle, validate_bundle

from .conftest import FIXTURES

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def test_corpus_has_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_bundle_reports_its_one_recorded_error(case):
    expected = json.loads((case / "expected.json").read_text())
    errors = validate_bundle(case).errors
    got = [(e.file, e.row, e.column, e.rule) for e in errors.itertuples()]
    assert got == [(expected["file"], expected["row"], expected["column"], expected["rule"])]
    text = f"{errors['message'].iat[0]} {errors['value'].iat[0]}"
    assert expected["message_has"] in text


@pytest.mark.parametrize("case", CASES[:5], ids=[c.name for c in CASES[:5]])
def test_invalid_bundle_is_never_half_loaded(case):
    with pytest.raises(BundleError) as info:
        load_bundle(case)
    assert len(info.value.errors) == 1
    assert info.value.errors.columns.tolist()[:5] == ["severity", "file", "row", "column", "rule"]
