"""The benchmark suite: conv2d, pooling, transposed conv and upsampling against the libraries,
the Filter page's reruns and the cold start — one run, one CSV, one markdown report.

``python -m filters bench --quick --csv benchmarks/results/quick.csv --markdown
benchmarks/results/quick.md`` is the run behind the README's table and the Benchmarks page.
"""

from __future__ import annotations

import csv
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import bench_conv, bench_ops, bench_page, bench_startup
from filters.backends import AUTO

FIELDS = ["kind", "case", "size", "channels", "dtype", "op", "call", "seconds", "ratio",
          "peak_mib", "machine"]
#: ``auto`` must be within this factor of the fastest raw call in every conv case.
AUTO_TARGET = 1.15
#: Each named backend must be within this factor of its own library's raw call.
WRAPPER_TARGET = 1.1
#: ``auto``, then every backend that is raced against raw calls (see ``bench_conv.RAW_CALLS``).
BACKEND_COLUMNS = [AUTO, *(name for name, calls in bench_conv.RAW_CALLS.items() if calls)]


def machine() -> str:
    """CPU model, core count, Python and the libraries' versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import cv2
    import numpy
    import scipy
    import torch

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, OpenCV {cv2.__version__}, SciPy {scipy.__version__}, "
            f"torch {torch.__version__} ({torch.get_num_threads()} threads)")


def page_rows(quick: bool) -> list[dict[str, object]]:
    """The Filter page's rerun times in the CSV layout (``kind="page"``)."""
    rows: list[dict[str, object]] = []
    for result in bench_page.run(quick=quick):
        for key, label in (("cached_s", "display change (cached)"), ("recompute_s", "bias change"),
                           ("kernel_s", "new kernel")):
            rows.append({"kind": "page", "case": result["case"], "size": "", "channels": "RGB",
                         "dtype": "uint8", "op": label, "call": "AppTest rerun",
                         "seconds": result[key], "ratio": None, "peak_mib": None})
    return rows


def conv_summary(rows: list[dict[str, object]]) -> list[str]:
    """One markdown row per conv case: the fastest raw call and every backend's ratio."""
    by_case: dict[str, dict[str, dict[str, object]]] = {}
    for row in rows:
        if row["kind"] == "conv":
            by_case.setdefault(str(row["case"]), {})[str(row["call"])] = row
    lines = ["| case | fastest raw call | ms | " + " | ".join(
        f"{name} ×" for name in BACKEND_COLUMNS) + " | auto peak MiB |",
             "|---|---|---:|" + "---:|" * len(BACKEND_COLUMNS) + "---:|"]
    for case, calls in by_case.items():
        raw = {name: row for name, row in calls.items() if not name.startswith("filters")}
        best = min(raw, key=lambda name: float(raw[name]["seconds"]))  # type: ignore[arg-type]
        ratios = []
        for backend in BACKEND_COLUMNS:
            row = calls.get(f"filters[{backend}]")
            ratios.append("" if row is None else f"{float(row['ratio']):.2f}")  # type: ignore[arg-type]
        peak = calls["filters[auto]"]["peak_mib"]
        lines.append(f"| {case} | {best} | {1000 * float(raw[best]['seconds']):.1f} | "  # type: ignore[arg-type]
                     + " | ".join(ratios)
                     + f" | {'' if peak is None else f'{float(peak):.1f}'} |")  # type: ignore[arg-type]
    return lines


def ops_table(rows: list[dict[str, object]]) -> list[str]:
    """Pooling, transposed conv and upsampling rows."""
    lines = ["| case | call | ms | × fastest library call | peak MiB |", "|---|---|---:|---:|---:|"]
    for row in rows:
        if row["kind"] in ("pool", "transposed", "upsample"):
            peak = row["peak_mib"]
            lines.append(f"| {row['case']} | {row['call']} | "
                         f"{1000 * float(row['seconds']):.1f} | {float(row['ratio']):.2f} | "  # type: ignore[arg-type]
                         f"{'' if peak is None else f'{float(peak):.1f}'} |")  # type: ignore[arg-type]
    return lines


def timing_table(rows: list[dict[str, object]]) -> list[str]:
    """Page reruns and cold start."""
    lines = ["| what | step | ms |", "|---|---|---:|"]
    for row in rows:
        if row["kind"] in ("page", "startup"):
            lines.append(f"| {row['case']} | {row['op']} | {1000 * float(row['seconds']):.0f} |")  # type: ignore[arg-type]
    return lines


def wrapper_table(rows: list[dict[str, object]]) -> list[str]:
    """One line per named backend: its time over its own library's raw call, across cases."""
    by_backend: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        if row["kind"] == "wrapper":
            by_backend.setdefault(str(row["call"]).split(" ÷ ")[0], []).append(row)
    lines = [f"| backend | cases | within {WRAPPER_TARGET}× | median × | worst × | worst case |",
             "|---|---:|---:|---:|---:|---|"]
    for backend, found in by_backend.items():
        ratios = sorted(float(row["ratio"]) for row in found)  # type: ignore[arg-type]
        worst = max(found, key=lambda row: float(row["ratio"]))  # type: ignore[arg-type]
        within = sum(ratio <= WRAPPER_TARGET for ratio in ratios)
        lines.append(f"| {backend} | {len(ratios)} | {within} | {ratios[len(ratios) // 2]:.2f} "
                     f"| {float(worst['ratio']):.2f} | {worst['call']}, {worst['case']} |")  # type: ignore[arg-type]
    return lines


def headline(rows: list[dict[str, object]]) -> str:
    """How many conv cases ``auto`` is within :data:`AUTO_TARGET` of the fastest raw call."""
    autos = [row for row in rows if row["kind"] == "conv" and row["call"] == "filters[auto]"]
    worst = max(autos, key=lambda row: float(row["ratio"]))  # type: ignore[arg-type]
    within = sum(float(row["ratio"]) <= AUTO_TARGET for row in autos)  # type: ignore[arg-type]
    return (f"`auto` is within {AUTO_TARGET}× of the fastest raw call in {within} of "
            f"{len(autos)} conv cases; worst: {float(worst['ratio']):.2f}× "  # type: ignore[arg-type]
            f"({worst['case']}).")


def tables(rows: list[dict[str, object]]) -> list[str]:
    """Every table of the report, with their headings."""
    wrappers = ("Each backend over the fastest raw call of its own library (OpenCV: `filter2D` "
                "or `sepFilter2D`; SciPy: `ndimage.correlate`; torch: `conv2d`), same input, "
                "same rounds:")
    return [wrappers, "", *wrapper_table(rows),
            "", "Every conv case (ratios over the fastest raw call of the case):", "",
            *conv_summary(rows),
            "", "Pooling, transposed convolution, upsampling:", "", *ops_table(rows),
            "", "Filter page and start-up:", "", *timing_table(rows)]


def report(rows: list[dict[str, object]], machine_text: str) -> str:
    """The markdown report: headline, wrappers, conv summary, ops, page and start-up."""
    head = [f"Machine: {machine_text}", "", headline(rows), "",
            "Ratios are times over the fastest raw library call of the same case (median of "
            "per-round ratios over interleaved rounds); an empty cell is a call left out of "
            "this run as too slow.", ""]
    return "\n".join(head + tables(rows)) + "\n"


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
README_INTRO = """\
`python -m filters bench --quick --csv benchmarks/results/quick.csv --markdown
benchmarks/results/quick.md --readme README.md` wrote this section (also on the **Benchmarks**
page). Every conv case is `filters.conv2d(image, kernel, padding="same",
padding_mode="reflect")` against the raw calls a user would write for the same numbers on the
same HWC numpy array (OpenCV with `ddepth=CV_32F`, so uint8 is not rounded; torch on a
`1×C×H×W` view), all in one process. A ratio is the median of per-round ratios to the fastest
raw call of the case (interleaved rounds in random order; calls under 20 ms in rounds of their
own); `peak MiB` is the memory Python can see during one call (`tracemalloc`: numpy and OpenCV
arrays, not torch's). An empty cell is a call left out of the quick run as too slow (SciPy and
torch with big kernels)."""


def readme_section(rows: list[dict[str, object]], machine_text: str) -> str:
    """The README's speed section: intro, machine, headline, then every table folded away."""
    return "\n".join([README_START, README_INTRO, "", f"Machine: {machine_text}", "",
                      headline(rows), "", "<details><summary>Every table of this run</summary>",
                      "", *tables(rows), "", "</details>", README_END])


def update_readme(path: Path, section: str) -> None:
    """Replace the text between the bench markers of ``path`` with ``section``."""
    text = Path(path).read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{path} has no {README_START} … {README_END} section to replace.")
    Path(path).write_text(text[:start] + section + text[end + len(README_END):],
                          encoding="utf-8")


def collect(quick: bool, progress: Callable[[str], None] | None = None) -> list[dict[str, object]]:
    """Every benchmark's rows, in the CSV layout."""
    rows = bench_conv.run(quick=quick, progress=progress)
    rows += bench_ops.run(quick=quick)
    rows += page_rows(quick)
    rows += bench_startup.run(quick=quick)
    return rows


def main(quick: bool = True, csv_path: Path | None = None,
         markdown_path: Path | None = None, readme_path: Path | None = None) -> int:
    """Run the benchmarks, print the markdown report, optionally save CSV and markdown."""
    rows = collect(quick, progress=lambda line: print(line, file=sys.stderr, flush=True))
    machine_text = machine()
    text = report(rows, machine_text)
    print(text)
    if csv_path:
        with open(csv_path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS)
            writer.writeheader()
            for row in rows:
                writer.writerow({**row, "machine": machine_text})
    if markdown_path:
        Path(markdown_path).write_text(text)
    if readme_path:
        update_readme(readme_path, readme_section(rows, machine_text))
    return 0
