"""Plotly figures and tables shared by the pages: kernel heatmaps, weight grids, line charts,
number tables.

Every helper only lays out numbers it is given; none computes anything a page shows as a result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from pandas.io.formats.style import Styler
from plotly.subplots import make_subplots

__all__ = ["kernel_heatmap", "line_chart", "number_table", "weight_grid"]

_DIVERGING = "RdBu_r"   # negative blue, zero white, positive red
_PAD_FILL = "background-color: #e2e8f0; color: #475569"
_MARK_FILL = "background-color: #fde68a; font-weight: 600"


def _text_format(values: np.ndarray) -> str | bool:
    """``text_auto`` for px.imshow: short numbers for small kernels, none for big ones."""
    if values.size > 15 * 15:
        return False
    if np.all(np.isclose(values, np.round(values))):
        return ".0f"
    return ".2f" if values.shape[1] > 7 else ".3g"


def kernel_heatmap(kernel: np.ndarray, title: str = "", *, cell: int = 40,
                   max_height: int = 440) -> go.Figure:
    """A kernel as a diverging heatmap (0 is white) with every value written in its cell.

    Args:
        kernel: ``kh×kw`` numbers.
        title: figure title (may be empty).
        cell: wanted pixel size of one cell; big kernels shrink to ``max_height``.
        max_height: the figure never gets taller than this.

    Returns:
        A ``plotly.express.imshow`` figure; rows grow downwards as in the notes, and the hover
        shows ``row, column: value``.
    """
    values = np.asarray(kernel, dtype=np.float64)
    limit = float(np.abs(values).max()) or 1.0
    kh, kw = values.shape
    figure = px.imshow(values, text_auto=_text_format(values), color_continuous_scale=_DIVERGING,
                       zmin=-limit, zmax=limit, aspect="equal")
    side = min(cell, max(12, (max_height - 50) // max(kh, 1)))
    figure.update_traces(hovertemplate="row %{y}, col %{x}: %{z:.6g}<extra></extra>",
                         xgap=1, ygap=1, textfont={"size": 13 if side >= 34 else 10})
    top = 34 if title else 6
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 14}},
        height=side * kh + top + 10, width=max(120, side * kw + 20, int(7.5 * len(title)) + 20),
        margin={"l": 6, "r": 6, "t": top, "b": 4},
        coloraxis_showscale=False, plot_bgcolor="white",
    )
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    return figure


def weight_grid(weight: np.ndarray, *, out_labels: Sequence[str], in_labels: Sequence[str],
                cell: int = 26) -> go.Figure:
    """A full ``C_out×C_in×kh×kw`` weight as a grid of kernel heatmaps (one row per output).

    Args:
        weight: ``C_out×C_in×kh×kw`` numbers.
        out_labels: a label per output channel (rows).
        in_labels: a label per input channel (columns).
        cell: pixel size of one kernel value.

    Returns:
        A plotly figure with ``C_out×C_in`` small heatmaps sharing one diverging colour scale.
    """
    values = np.asarray(weight, dtype=np.float64)
    c_out, c_in, kh, kw = values.shape
    limit = float(np.abs(values).max()) or 1.0
    titles = [f"{out_labels[o]} ← {in_labels[i]}" for o in range(c_out) for i in range(c_in)]
    figure = make_subplots(rows=c_out, cols=c_in, subplot_titles=titles,
                           horizontal_spacing=0.06, vertical_spacing=0.12 if c_out > 1 else 0.0)
    show_text = kh * kw <= 25
    for o in range(c_out):
        for i in range(c_in):
            block = values[o, i]
            figure.add_trace(
                go.Heatmap(z=block, zmin=-limit, zmax=limit, colorscale=_DIVERGING,
                           showscale=False, xgap=1, ygap=1,
                           text=np.vectorize(lambda v: f"{v:.3g}")(block) if show_text else None,
                           texttemplate="%{text}" if show_text else None,
                           hovertemplate="row %{y}, col %{x}: %{z:.6g}<extra></extra>"),
                row=o + 1, col=i + 1,
            )
    figure.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False,
                        autorange="reversed", scaleanchor="x")
    figure.update_annotations(font_size=12)
    side = max(cell * max(kh, 3), 70)
    figure.update_layout(height=c_out * (side + 36) + 20, margin={"l": 6, "r": 6, "t": 30, "b": 6},
                         plot_bgcolor="white")
    return figure


def line_chart(series: dict[str, np.ndarray], title: str = "", *, x_title: str = "",
               y_title: str = "") -> go.Figure:
    """Several named 1-D series on one plotly line chart (x is the index)."""
    figure = go.Figure()
    for name, values in series.items():
        figure.add_trace(go.Scatter(y=np.asarray(values), mode="lines", name=name))
    figure.update_layout(title={"text": title, "x": 0.0, "font": {"size": 14}}, height=300,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis_title=x_title, yaxis_title=y_title,
                         legend={"orientation": "h", "y": -0.2})
    return figure


def _number(value: float) -> str:
    if not np.isfinite(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


def number_table(values: np.ndarray, *, padding: tuple[int, int, int, int] = (0, 0, 0, 0),
                 marks: Sequence[tuple[int, int]] = ()) -> Styler:
    """A small matrix as a styled table for ``st.table``: numbers, padded cells shaded.

    Args:
        values: ``H×W`` numbers (whole numbers are shown without decimals).
        padding: ``(top, bottom, left, right)`` cells added by padding, drawn grey.
        marks: ``(row, col)`` cells to highlight (e.g. what max pooling picked).

    Returns:
        A pandas ``Styler`` whose data are the numbers as strings (row and column labels
        0, 1, 2...).
    """
    z = np.asarray(values, dtype=np.float64)
    height, width = z.shape
    frame = pd.DataFrame([[_number(v) for v in row] for row in z])
    top, bottom, left, right = padding
    marked = set(marks)

    def style(_: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for r in range(height):
            for c in range(width):
                if (r, c) in marked:
                    css.iloc[r, c] = _MARK_FILL
                elif r < top or r >= height - bottom or c < left or c >= width - right:
                    css.iloc[r, c] = _PAD_FILL
        return css

    return frame.style.apply(style, axis=None).set_properties(**{"text-align": "center"})
