"""The Benchmarks page's data: find the results CSV, load and check it, summarise how close
``filters[auto]`` gets to the fastest raw library call, and lay the ratios out as a chart.

Nothing here draws Streamlit elements; the page (``pages/8_Benchmarks.py``) calls these pure
functions and shows what they return.

The CSV is written by ``python -m filters bench --quick --csv benchmarks/results/quick.csv``
(``full.csv`` for the full run). Columns: ``case``, ``call`` and ``seconds`` are required;
``kind``, ``size``, ``channels``, ``dtype``, ``op``, ``ratio``, ``peak_mib`` and ``machine`` are
optional and filled in when missing (see :func:`load_results`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

__all__ = ["AUTO_CALL", "BENCH_COMMAND", "BENCH_DIR_ENV", "DEFAULT_DIR", "NEAR", "OPTIONAL",
           "REQUIRED", "TIMED_KINDS", "AutoSummary", "BenchDataError", "auto_summary",
           "available_runs", "filter_rows", "load_results", "ratio_figure", "results_dir",
           "timed_rows"]

#: Environment variable that moves the results folder (tests point it at a temporary one).
BENCH_DIR_ENV = "CONVLAB_BENCH_DIR"
#: ``benchmarks/results`` of this repository.
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
#: The command that writes the quick results file.
BENCH_COMMAND = "python -m filters bench --quick --csv benchmarks/results/quick.csv"
#: Columns without which the file cannot be shown.
REQUIRED = ("case", "call", "seconds")
#: Columns filled in when missing (text columns with ``""``, numbers with NaN).
OPTIONAL = ("kind", "size", "channels", "dtype", "op", "ratio", "peak_mib", "machine")
#: Kinds that time a whole page rerun or the start-up: no raw call to compare with.
TIMED_KINDS = ("page", "startup")
#: Our automatic backend choice.
AUTO_CALL = "filters[auto]"
#: "Close enough": within this factor of the fastest raw call.
NEAR = 1.15

_TEXT = ("kind", "size", "channels", "dtype", "op", "machine")
_NUMBERS = ("seconds", "ratio", "peak_mib")
# "1920×1080 RGB float32, gaussian 15 (separable)" → size, channels, dtype, op
_CASE_LABEL = re.compile(r"^(?P<size>\d+\s*[×x]\s*\d+)\s+(?P<channels>grey|RGB)\s+"
                         r"(?P<dtype>\w+),\s*(?P<op>.+)$")
_OURS_COLOURS = ("#2563eb", "#0891b2", "#7c3aed", "#1e3a8a", "#38bdf8", "#a855f7")
_RAW_COLOURS = ("#9ca3af", "#d97706", "#6b7280", "#b45309", "#a8a29e", "#78716c", "#f59e0b",
                "#57534e")


class BenchDataError(ValueError):
    """The results file cannot be shown.

    Attributes:
        reason: ``"missing"`` (no file), ``"unreadable"`` (not a CSV, bad encoding),
            ``"columns"`` (a required column is missing) or ``"empty"`` (no row with a number
            of seconds).
        detail: a short English explanation (file name, missing columns, parser message).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def results_dir() -> Path:
    """The folder holding ``quick.csv`` / ``full.csv``: ``$CONVLAB_BENCH_DIR`` if set, else the
    repository's ``benchmarks/results``. Read on every call, so tests can change it."""
    value = os.environ.get(BENCH_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT_DIR


def available_runs(folder: Path | None = None) -> dict[str, Path]:
    """The result files that exist in ``folder`` (default :func:`results_dir`), in the order
    ``{"quick": …/quick.csv, "full": …/full.csv}``; empty if there is none."""
    folder = results_dir() if folder is None else Path(folder)
    runs = {}
    for name in ("quick", "full"):
        path = folder / f"{name}.csv"
        if path.is_file():
            runs[name] = path
    return runs


def _is_ours(call: str) -> bool:
    return call.startswith("filters")


def load_results(path: Path) -> pd.DataFrame:
    """Read and check a benchmark results CSV.

    Args:
        path: the CSV file.

    Returns:
        One row per measurement with every column of :data:`REQUIRED` and :data:`OPTIONAL`
        (text columns as ``str``, ``""`` when empty; ``seconds``/``ratio``/``peak_mib`` as
        floats, NaN when empty) plus ``ms`` (``seconds × 1000``) and ``ours`` (the call starts
        with ``filters``). Rows without a number of seconds are dropped. A file from the older
        runner (no ``kind`` …) still loads: ``kind`` becomes ``"conv"`` where a ratio is known
        or the case label names an image (``"page"`` otherwise); empty ``size``,
        ``channels``, ``dtype`` and ``op`` are read from case labels such as
        ``"512×512 RGB float32, gaussian 5 (separable)"``; a missing ratio of a non-timed row
        is ``seconds`` over the fastest raw (non-``filters``) call of its case.

    Raises:
        BenchDataError: see its ``reason`` codes.
    """
    path = Path(path)
    if not path.is_file():
        raise BenchDataError("missing", path.name)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeError, ValueError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as error:
        raise BenchDataError("unreadable", f"{path.name}: {error}") from error
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BenchDataError("columns", ", ".join(missing))
    frame = frame.loc[:, ~frame.columns.duplicated()].copy()
    had_kind = "kind" in frame.columns
    for column in (*_TEXT, "case", "call"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str).str.strip()
    for column in _NUMBERS:
        if column not in frame.columns:
            frame[column] = float("nan")
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame = frame[frame["seconds"].notna() & (frame["seconds"] >= 0)
                  & (frame["call"] != "")].reset_index(drop=True)
    if frame.empty:
        raise BenchDataError("empty", path.name)
    parsed = frame["case"].str.extract(_CASE_LABEL)
    if not had_kind:
        image_case = frame["ratio"].notna() | parsed["size"].notna()
        frame["kind"] = image_case.map({True: "conv", False: "page"})
    for column in ("size", "channels", "dtype", "op"):
        frame[column] = frame[column].mask(frame[column] == "", parsed[column].fillna(""))
    frame["ours"] = frame["call"].map(_is_ours)
    compared = ~frame["kind"].isin(TIMED_KINDS)
    fastest = (frame[compared & ~frame["ours"]].groupby("case")["seconds"].min())
    fill = frame["ratio"].isna() & compared
    if fill.any():
        best = frame.loc[fill, "case"].map(fastest)
        frame.loc[fill, "ratio"] = frame.loc[fill, "seconds"] / best.where(best > 0)
    frame["ms"] = frame["seconds"] * 1000.0
    columns = ["kind", "case", "size", "channels", "dtype", "op", "call", "seconds", "ms",
               "ratio", "peak_mib", "machine", "ours"]
    return frame[columns]


@dataclass(frozen=True)
class AutoSummary:
    """How ``filters[auto]`` does over the cases of one kind.

    Attributes:
        worst_ratio: its largest ratio (seconds over the fastest raw call of the case).
        worst_case: the case label of that ratio.
        within: how many cases have a ratio ≤ ``near``.
        cases: how many cases have an auto ratio at all.
        near: the threshold used (1.15 by default).
    """

    worst_ratio: float
    worst_case: str
    within: int
    cases: int
    near: float = NEAR


def auto_summary(frame: pd.DataFrame, *, kind: str = "conv", call: str = AUTO_CALL,
                 near: float = NEAR) -> AutoSummary | None:
    """The worst ratio of ``call`` over every case of ``kind`` and how many cases it is within
    ``near`` × of the fastest raw call; ``None`` when no such row has a ratio.

    Example:
        Two conv cases where auto takes 1.10× and 1.40× the fastest raw call give
        ``AutoSummary(worst_ratio=1.40, worst_case=<second case>, within=1, cases=2)``.
    """
    rows = frame[(frame["kind"] == kind) & (frame["call"] == call) & frame["ratio"].notna()]
    if rows.empty:
        return None
    per_case = rows.groupby("case", sort=False)["ratio"].max()
    worst_case = str(per_case.idxmax())
    return AutoSummary(worst_ratio=float(per_case.max()), worst_case=worst_case,
                       within=int((per_case <= near).sum()), cases=int(per_case.size),
                       near=near)


def filter_rows(frame: pd.DataFrame, *, kind: str | None = None,
                sizes: list[str] | None = None, channels: list[str] | None = None,
                dtypes: list[str] | None = None) -> pd.DataFrame:
    """The compared (non page/start-up) rows of ``kind`` whose size, channels and dtype are in
    the given lists; ``None`` for a list means "any"."""
    rows = frame[~frame["kind"].isin(TIMED_KINDS)]
    if kind is not None:
        rows = rows[rows["kind"] == kind]
    for column, wanted in (("size", sizes), ("channels", channels), ("dtype", dtypes)):
        if wanted is not None:
            rows = rows[rows[column].isin(wanted)]
    return rows.reset_index(drop=True)


def timed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The page-rerun and start-up rows (no ratio): ``kind``, ``case``, ``call``, ``ms``,
    ``peak_mib``."""
    rows = frame[frame["kind"].isin(TIMED_KINDS)]
    return rows[["kind", "case", "call", "ms", "peak_mib"]].reset_index(drop=True)


def ratio_figure(rows: pd.DataFrame, *, log_x: bool = True, title: str = "",
                 x_title: str = "", near: float = NEAR) -> go.Figure:
    """Grouped horizontal bars: one group per case (top to bottom in file order), one bar per
    call showing its ratio; our calls (``filters…``) in blues, teal and violet with a dark
    outline, raw library calls in greys and ambers. Vertical lines at 1.0 (the fastest raw
    call; red) and at ``near`` (green, dashed).

    Args:
        rows: rows of :func:`load_results` (rows without a ratio are left out).
        log_x: logarithmic ratio axis (ratios run from 1 to a few hundred).
        title: figure title (may be empty).
        x_title: title of the ratio axis.
        near: where the second line goes.

    Returns:
        A plotly figure; its traces are named after the calls, ours first.
    """
    data = rows[rows["ratio"].notna() & (rows["ratio"] > 0)]
    cases = list(dict.fromkeys(data["case"]))
    calls = list(dict.fromkeys(data["call"]))
    calls = [c for c in calls if _is_ours(c)] + [c for c in calls if not _is_ours(c)]
    figure = go.Figure()
    ours_index = raw_index = 0
    for call in calls:
        part = data[data["call"] == call]
        if _is_ours(call):
            colour = _OURS_COLOURS[ours_index % len(_OURS_COLOURS)]
            ours_index += 1
        else:
            colour = _RAW_COLOURS[raw_index % len(_RAW_COLOURS)]
            raw_index += 1
        figure.add_trace(go.Bar(
            x=part["ratio"].to_numpy(), y=part["case"].to_list(), name=call, orientation="h",
            marker={"color": colour, "line": {"width": 1.5 if _is_ours(call) else 0,
                                              "color": "#1e3a8a"}},
            text=[f"{v:.2f}×" for v in part["ratio"]], textposition="outside",
            textfont={"size": 10}, constraintext="none", cliponaxis=False,
            customdata=part["ms"].to_numpy(),
            hovertemplate=f"<b>{call}</b><br>%{{y}}<br>%{{x:.2f}}× · %{{customdata:.2f}} ms"
                          "<extra></extra>",
        ))
    for x, dash in ((1.0, "solid"), (near, "dash")):
        figure.add_vline(x=x, line={"color": "#dc2626" if x == 1.0 else "#16a34a",
                                    "width": 1.5, "dash": dash})
    bar_rows = max(1, len(cases)) * max(1, len(calls))
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 14}},
        barmode="group", bargap=0.25, bargroupgap=0.05,
        height=min(4000, max(320, 13 * bar_rows + 36 * len(cases) + 140)),
        margin={"l": 10, "r": 60, "t": 40 if title else 10, "b": 10},
        plot_bgcolor="white", xaxis_title=x_title,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0,
                "traceorder": "normal"},
    )
    if log_x and not data.empty:
        low = math.log10(min(0.9, float(data["ratio"].min()) * 0.9))
        high = math.log10(max(near * 1.2, float(data["ratio"].max()) * 2.0))
        figure.update_xaxes(type="log", range=[low, high])
    figure.update_xaxes(showgrid=True, gridcolor="#e5e7eb", zeroline=False)
    figure.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=cases,
                        ticks="", automargin=True)
    return figure
