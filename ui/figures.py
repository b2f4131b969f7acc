"""Plotly figures shared by pages: kernel heatmaps and line charts."""

from __future__ import annotations

import numpy as np
import plotly.express as px
import plotly.graph_objects as go


def kernel_heatmap(kernel: np.ndarray, title: str = "", *, cell: int = 34) -> go.Figure:
    """A kernel as a diverging heatmap (0 is white) with every value written in its cell."""
    values = np.asarray(kernel, dtype=np.float64)
    limit = float(np.abs(values).max()) or 1.0
    text_auto = ".3g" if values.size <= 121 else False
    figure = px.imshow(values, text_auto=text_auto, color_continuous_scale="RdBu_r",
                       zmin=-limit, zmax=limit, aspect="equal")
    height = min(420, max(160, cell * values.shape[0] + 70))
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 14}}, height=height,
        margin={"l": 10, "r": 10, "t": 36 if title else 10, "b": 10},
        coloraxis_showscale=False,
    )
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    return figure


def line_chart(series: dict[str, np.ndarray], title: str = "", *, x_title: str = "",
               y_title: str = "") -> go.Figure:
    """Several named 1-D series on one line chart."""
    figure = go.Figure()
    for name, values in series.items():
        figure.add_trace(go.Scatter(y=np.asarray(values), mode="lines", name=name))
    figure.update_layout(title={"text": title, "x": 0.0, "font": {"size": 14}}, height=300,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         xaxis_title=x_title, yaxis_title=y_title)
    return figure
