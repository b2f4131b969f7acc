"""The benchmark suite: conv2d against the raw libraries, and the Filter page's rerun time."""

from __future__ import annotations

import csv
import platform
from pathlib import Path

from benchmarks import bench_conv, bench_page


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(quick: bool = True, csv_path: Path | None = None,
         markdown_path: Path | None = None) -> int:
    """Run the benchmarks, print a markdown table, optionally save CSV and markdown."""
    rows = bench_conv.run(quick=quick)
    lines = [f"Machine: {_machine()}", "", "| case | call | ms | × fastest raw |",
             "|---|---|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['case']} | {row['call']} | {1000 * float(row['seconds']):.1f} | "
                     f"{float(row['ratio']):.2f} |")
    for row in bench_page.run(quick=quick):
        lines.append(f"| {row['case']} | page rerun, cached / recomputed | "
                     f"{1000 * float(row['cached_s']):.0f} / "
                     f"{1000 * float(row['recompute_s']):.0f} | |")
    table = "\n".join(lines)
    print(table)
    if csv_path:
        with open(csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["case", "call", "seconds", "ratio"])
            writer.writeheader()
            writer.writerows(rows)
    if markdown_path:
        Path(markdown_path).write_text(table + "\n")
    return 0
