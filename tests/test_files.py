"""Writing files atomically and folders as transactions: a failed write leaves the previous file or
folder (or none), never half of one, and never a mix of old and new."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from ecograph.errors import ParameterError
from ecograph.files import MANIFEST, atomic_write, check_separate, make_folder, replacing, write_text
from ecograph.outputs import write_json

from .faults import snapshot


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


def test_two_writers_of_one_file_never_share_a_temporary_name(tmp_path):
    seen = []
    for _ in range(2):
        atomic_write(tmp_path / "a.txt", lambda p: (seen.append(p.name), p.write_text("x")))
    assert seen[0] != seen[1] and str(os.getpid()) in seen[0]


# --- folders written as a transaction -------------------------------------------------------------

def _old_output(root: Path) -> Path:
    """An earlier complete output: two tables and the manifest listing them."""
    with replacing(root / "out") as stage:
        (stage / "a.csv").write_text("old a\n")
        (stage / "b.csv").write_text("old b\n")
    return root / "out"


def test_a_complete_transaction_replaces_the_whole_folder_and_leaves_nothing_beside_it(tmp_path):
    out = _old_output(tmp_path)
    with replacing(out) as stage:
        assert stage.parent == tmp_path and stage != out and list(stage.iterdir()) == []
        (stage / "a.csv").write_text("new a\n")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.csv"]  # b.csv went with the old
    assert (out / "a.csv").read_text() == "new a\n"
    assert json.loads((out / MANIFEST).read_text())["files"] == ["a.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("fault", [lambda: OSError(errno.ENOSPC, "No space left on device"),
                                   KeyboardInterrupt, lambda: RuntimeError("a bug")])
def test_a_writer_that_raises_half_way_leaves_the_old_folder_untouched(tmp_path, fault):
    out = _old_output(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises((OSError, KeyboardInterrupt, RuntimeError)), replacing(out) as stage:
        (stage / "a.csv").write_text("new a\n")
        (stage / "b.csv").write_text("new")
        raise fault()
    assert snapshot(tmp_path) == before  # the old output as it was, and no staging folder


def test_a_first_write_that_fails_leaves_no_folder(tmp_path):
    with pytest.raises(OSError), replacing(tmp_path / "deep" / "out") as stage:
        (stage / "a.csv").write_text("x")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert not (tmp_path / "deep" / "out").exists() and list((tmp_path / "deep").iterdir()) == []


def test_a_write_error_names_the_output_path_never_the_staging_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OSError) as caught, replacing(out) as stage:
        raise OSError(errno.ENOSPC, "No space left on device", str(stage / "t.csv"))
    assert caught.value.errno == errno.ENOSPC
    assert str(caught.value) == f"[Errno 28] No space left on device: '{out / 't.csv'}'"
    with pytest.raises(OSError, match=re.escape(f"'{out}'")), replacing(out):  # names no file
        raise OSError(errno.EIO, "Input/output error")


def test_a_crash_in_the_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = _old_output(tmp_path)
    before = snapshot(tmp_path)
    real_rename = os.rename

    def rename(src, dst):
        if ".ecograph-new-" in str(src):  # the old folder is already aside: Ctrl-C now
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt), replacing(out) as stage:
        (stage / "a.csv").write_text("new a\n")
    assert snapshot(tmp_path) == before


def test_a_transaction_inside_another_writes_into_its_staging_folder(tmp_path):
    out = tmp_path / "out"
    with replacing(out) as stage:
        with replacing(stage) as inner:
            assert inner == stage
            (inner / "t.csv").write_text("x\n")
        (stage / "summary.json").write_text("{}\n")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "summary.json", "t.csv"]


def test_concurrent_writers_to_one_folder_all_finish_with_one_complete_output(tmp_path):
    out = tmp_path / "out"
    start = threading.Barrier(8)
    errors = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                with replacing(out) as stage:
                    for i in range(20):
                        (stage / f"t{i}.csv").write_text(f"writer {n} round {round_}\n")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    texts = {(out / f"t{i}.csv").read_text() for i in range(20)}
    assert len(texts) == 1  # every file from one and the same run
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST] + [f"t{i}.csv" for i in range(20)])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or old folder left


def test_a_folder_holding_files_ecograph_did_not_write_is_refused(tmp_path):
    out = _old_output(tmp_path)
    (out / "my notes.txt").write_text("precious")
    before = snapshot(tmp_path)
    refused = r"holds files ecograph did not write \(my notes.txt\)"
    with pytest.raises(ParameterError, match=refused), replacing(out) as stage:
        (stage / "a.csv").write_text("new a\n")
    assert snapshot(tmp_path) == before


def test_an_earlier_output_without_manifest_is_replaced_when_the_new_one_writes_the_same_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("from an older ecograph")
    with replacing(out) as stage:
        (stage / "a.csv").write_text("new a\n")
    assert (out / "a.csv").read_text() == "new a\n"
    (out / "b.csv").write_text("not listed")
    with pytest.raises(ParameterError, match=r"\(b.csv\)"), replacing(out) as stage:
        (stage / "a.csv").write_text("newer a\n")


def test_the_new_folder_keeps_the_old_ones_permissions(tmp_path):
    out = _old_output(tmp_path)
    out.chmod(0o700)
    with replacing(out) as stage:
        (stage / "a.csv").write_text("x")
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_a_symbolic_link_to_the_output_folder_is_followed(tmp_path):
    real = _old_output(tmp_path)
    link = tmp_path / "latest"
    link.symlink_to(real, target_is_directory=True)
    with replacing(link) as stage:
        (stage / "c.csv").write_text("x")
    assert link.is_symlink() and (real / "c.csv").exists()


def test_a_file_in_the_way_is_named(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    for out in (tmp_path / "a_file", tmp_path / "a_file" / "out"):
        named = re.escape(f"'{tmp_path / 'a_file'}'")
        with pytest.raises(NotADirectoryError, match=named), replacing(out):
            pass
    assert (tmp_path / "a_file").read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["a_file"]


@pytest.mark.parametrize("out,inputs,says", [
    ("B", ["B"], "is the input"),
    ("B/sub", ["B"], "is inside the input"),
    ("B/sub/deeper", ["other", "B"], "is inside the input"),
    (".", ["B"], "holds the input"),
    ("link", ["B"], "is the input"),  # a symbolic link to the bundle
    ("B", ["link/partners.csv"], "holds the input"),
])
def test_an_output_over_an_input_is_refused(tmp_path, monkeypatch, out, inputs, says):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "B").mkdir()
    (tmp_path / "B" / "partners.csv").write_text("id\n")
    (tmp_path / "link").symlink_to(tmp_path / "B", target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(ParameterError, match=says):
        check_separate(out, inputs)
    with pytest.raises(ParameterError, match=says), replacing(out, protect=inputs) as stage:
        (stage / "x.csv").write_text("x")
    assert snapshot(tmp_path) == before


def test_the_current_folder_and_its_parents_are_never_replaced(tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    for out in (".", "..", tmp_path / "here"):
        with pytest.raises(ParameterError, match="holds the current folder"):
            check_separate(out)
    check_separate("sub")  # a folder inside the current one is fine


def test_make_folder_names_the_file_in_the_way(tmp_path):
    (tmp_path / "f").write_text("x")
    assert make_folder(tmp_path / "a" / "b").is_dir()
    for path in (tmp_path / "f", tmp_path / "f" / "b" / "c"):
        with pytest.raises(NotADirectoryError, match=re.escape(f"'{tmp_path / 'f'}'")):
            make_folder(path)
