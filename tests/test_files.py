"""Writing files atomically: a failed write leaves the previous file (or none), never half of one."""

from __future__ import annotations

import errno
import json

import pytest

from ecograph.files import atomic_write, write_text
from ecograph.outputs import write_json


def test_a_complete_write_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    assert atomic_write(target, lambda p: p.write_text("new")) == target
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_writer_that_raises_leaves_the_previous_file_untouched(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text('{"old": true}\n')

    def half_then_full_disk(partial):
        partial.write_text('{"new": ')
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, half_then_full_disk)
    assert json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]  # no partial left


def test_an_interrupted_first_write_leaves_no_file(tmp_path):
    def interrupted(partial):
        partial.write_text("x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.txt", interrupted)
    assert list(tmp_path.iterdir()) == []


def test_the_writer_never_writes_to_the_target_itself(tmp_path):
    target = tmp_path / "a.txt"
    seen = []
    atomic_write(target, lambda p: (seen.append(p), p.write_text("x")))
    assert seen[0] != target and seen[0].parent == tmp_path


def test_write_text_is_utf8(tmp_path):
    path = write_text(tmp_path / "n.txt", "Ünïcødé ✓")
    assert path.read_bytes() == "Ünïcødé ✓".encode()


def test_write_json_makes_the_folder_and_writes_dates_as_text(tmp_path):
    import datetime as dt

    path = write_json(tmp_path / "deep" / "s.json", {"n": 1, "day": dt.date(2025, 6, 30)})
    assert json.loads(path.read_text()) == {"n": 1, "day": "2025-06-30"}
    assert [p.name for p in path.parent.iterdir()] == ["s.json"]
