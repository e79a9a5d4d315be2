"""What the benchmarks share: a process's memory from /proc, and printing (or appending to
RESULTS.md) the section a benchmark measured."""

from __future__ import annotations

from pathlib import Path


def status_mb(field: str, pid: int | str = "self") -> float:
    """A memory field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``) in MB (NaN if unreadable)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith(field))
    except (OSError, StopIteration):
        return float("nan")


def publish(lines: list[str], out: Path, *, append: bool) -> None:
    """Print a benchmark's section; with ``append``, also add it to the end of ``out``."""
    print("\n".join(lines))
    if append:
        with open(out, "a") as f:
            f.write("\n".join(lines) + "\n")
