"""Plotly figures for the "How convolution works" page: number grids with the window drawn on.

Every number drawn here comes from :mod:`filters.explain`; these helpers only lay them out.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

import filters

__all__ = ["number_grid", "receptive_overlay"]

_WINDOW = "#dc2626"
_PAD = "rgba(148, 163, 184, 0.35)"


def _fmt(value: float) -> str:
    if np.isnan(value):
        return ""
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.3g}"


def number_grid(
    values: np.ndarray,
    *,
    title: str = "",
    window: tuple[Sequence[int], Sequence[int]] | None = None,
    padding: tuple[int, int, int, int] = (0, 0, 0, 0),
    highlight: tuple[int, int] | None = None,
    marks: Sequence[tuple[int, int]] = (),
    colorscale: str = "RdBu",
    cell: int = 44,
) -> go.Figure:
    """A heatmap of ``values`` with every number printed in its cell.

    Args:
        values: ``H×W`` numbers (NaN cells are left blank: not computed yet).
        title: figure title.
        window: ``(rows, cols)`` of the taps the kernel covers; each tap gets a red frame, so
            dilation's holes stay visible.
        padding: ``(top, bottom, left, right)`` border cells drawn shaded (added by padding).
        highlight: one cell to frame (the output pixel being filled).
        marks: cells to frame in red (e.g. the pixels max pooling picked).
        colorscale: plotly colour scale, centred on 0 for signed values.
        cell: pixel size of a cell.

    Returns:
        A ``plotly.graph_objects.Figure`` with rows growing downwards, as in the notes.
    """
    z = np.asarray(values, dtype=np.float64)
    height, width = z.shape
    finite = z[np.isfinite(z)]
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    figure = go.Figure(
        go.Heatmap(
            z=z,
            text=[[_fmt(v) for v in row] for row in z],
            texttemplate="%{text}",
            textfont={"size": 13},
            colorscale=colorscale,
            zmid=0.0 if colorscale == "RdBu" else None,
            zmin=(-limit if colorscale == "RdBu" else 0.0) or -1.0,
            zmax=limit or 1.0,
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
        )
    )
    top, bottom, left, right = padding
    shapes = []
    for r in range(height):
        for c in range(width):
            if r < top or r >= height - bottom or c < left or c >= width - right:
                shapes.append(_rect(r, c, fill=_PAD, line="rgba(0,0,0,0)"))
    if window is not None:
        rows, cols = window
        for r in rows:
            for c in cols:
                if 0 <= r < height and 0 <= c < width:
                    shapes.append(_rect(r, c, line=_WINDOW, width=3))
    if highlight is not None:
        shapes.append(_rect(*highlight, line=_WINDOW, width=4))
    shapes.extend(_rect(r, c, line=_WINDOW, width=3) for r, c in marks)
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 14}},
        shapes=shapes,
        width=max(160, cell * width + 40),
        height=max(140, cell * height + 60),
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        xaxis={"showticklabels": False, "showgrid": False, "zeroline": False, "ticks": "",
               "constrain": "domain"},
        yaxis={"showticklabels": False, "showgrid": False, "zeroline": False, "ticks": "",
               "autorange": "reversed", "scaleanchor": "x"},
        plot_bgcolor="white",
    )
    return figure


def _rect(row: int, col: int, *, line: str, width: float = 1.0, fill: str = "rgba(0,0,0,0)"
          ) -> dict:
    return {
        "type": "rect", "x0": col - 0.5, "x1": col + 0.5, "y0": row - 0.5, "y1": row + 0.5,
        "line": {"color": line, "width": width}, "fillcolor": fill, "layer": "above",
    }


def receptive_overlay(image: np.ndarray, box: tuple[int, int, int, int], *, title: str = ""
                      ) -> go.Figure:
    """Show ``image`` (``H×W`` or ``H×W×3`` in [0, 1]) with a receptive-field rectangle.

    Args:
        image: the user's image.
        box: ``(top, left, bottom, right)`` in pixels, inclusive, possibly outside the image
            (the part outside is padding).
        title: figure title.
    """
    # Sent as an image file, not a list of numbers: PNG (exact pixels) for a small crop, JPEG
    # for a photo-sized picture (a tenth of the bytes).
    picture = Image.fromarray(filters.to_display(image)).convert("RGB")
    kind = "png" if picture.width * picture.height <= 256 * 256 else "jpeg"
    buffer = io.BytesIO()
    picture.save(buffer, kind.upper(), **({"quality": 90} if kind == "jpeg" else {}))
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    figure = go.Figure(go.Image(source=f"data:image/{kind};base64,{data}"))
    top, left, bottom, right = box
    figure.add_shape(type="rect", x0=left - 0.5, x1=right + 0.5, y0=top - 0.5, y1=bottom + 0.5,
                     line={"color": _WINDOW, "width": 3}, fillcolor="rgba(220,38,38,0.12)")
    figure.update_layout(title={"text": title, "x": 0.0}, margin={"l": 0, "r": 0, "t": 30, "b": 0},
                         xaxis={"showticklabels": False}, yaxis={"showticklabels": False})
    return figure
