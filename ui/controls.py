"""Control panels and read-outs shared by pages: convolution settings, the size formula with the
user's numbers, display normalisation and value statistics.

Settings come back as a frozen :class:`ConvSettings`, which :func:`filters.conv2d` accepts as
``**settings.kwargs()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import streamlit as st

import filters

from .i18n import option_format, t
from .state import persist

__all__ = [
    "NORMALIZATIONS",
    "ConvSettings",
    "conv_settings_panel",
    "normalize_choice",
    "output_summary",
    "padding_names_table",
    "size_formula",
    "value_metrics",
]

NORMALIZATIONS = ("clip", "abs", "minmax")


@dataclass(frozen=True)
class ConvSettings:
    """Every ``conv2d`` option except the image and the kernel.

    Attributes:
        stride: step of the window (≥ 1).
        padding: pixels per side, or ``"same"`` / ``"valid"``.
        padding_mode: ``"zeros" | "reflect" | "replicate" | "circular"``.
        dilation: spacing of the kernel taps (1 = dense).
        bias: added to every output value (``None`` = no bias).
        flip: ``True`` for true convolution (kernel rotated 180°), ``False`` for
            cross-correlation.
        backend: one of ``filters.BACKENDS`` (the backend registry's names, or ``"auto"``).
    """

    stride: int = 1
    padding: int | str = "same"
    padding_mode: str = "reflect"
    dilation: int = 1
    bias: float | None = None
    flip: bool = False
    backend: str = "auto"

    def kwargs(self) -> dict[str, Any]:
        """The settings as keyword arguments of :func:`filters.conv2d`."""
        return asdict(self)


def conv_settings_panel(prefix: str = "filter") -> ConvSettings:
    """Render stride, dilation, padding (same / valid / a number), padding mode, bias, backend
    and the correlation/convolution switch; return them.

    Widget keys are ``f"{prefix}_stride"``, ``f"{prefix}_dilation"``, ``f"{prefix}_padding_kind"``,
    ``f"{prefix}_padding"``, ``f"{prefix}_padding_mode"``, ``f"{prefix}_bias"``,
    ``f"{prefix}_backend"`` and ``f"{prefix}_flip"``; every value is kept across pages
    (:func:`ui.state.persist`).
    """
    a, b = st.columns(2)
    stride = a.number_input(t("common.stride"), 1, 64, help=t("settings.stride_help"),
                            **persist(f"{prefix}_stride", 1))
    dilation = b.number_input(t("common.dilation"), 1, 32, help=t("settings.dilation_help"),
                              **persist(f"{prefix}_dilation", 1))
    kind = st.radio(t("filter.padding_kind"), ["same", "valid", "custom"],
                    horizontal=True, **persist(f"{prefix}_padding_kind", "same"),
                    format_func=option_format("filter.padding."),
                    help=t("settings.padding_help"))
    padding: int | str = kind
    if kind == "custom":
        padding = int(st.number_input(t("filter.padding_amount"), 0, 512,
                                      **persist(f"{prefix}_padding", 1)))
    c, d = st.columns(2)
    mode = c.selectbox(t("common.padding_mode"), list(filters.PADDING_MODES),
                       format_func=option_format("mode."),
                       **persist(f"{prefix}_padding_mode", "reflect"),
                       disabled=kind == "valid" or padding == 0)
    backends = ["auto", *[b for b in filters.available_backends() if b != "auto"]]
    backend = d.selectbox(t("common.backend"), backends, **persist(f"{prefix}_backend", "auto"),
                          format_func=_backend_label(),
                          help=t("settings.backend_help"))
    e, _ = st.columns(2)
    bias = e.number_input(t("common.bias"), -10.0, 10.0, step=0.1, help=t("settings.bias_help"),
                          **persist(f"{prefix}_bias", 0.0))
    flip = st.toggle(t("filter.flip"), help=t("filter.flip_help"),
                     **persist(f"{prefix}_flip", False))
    return ConvSettings(int(stride), padding, str(mode), int(dilation),
                        float(bias) if bias else None, bool(flip), str(backend))


def size_formula(image_shape: tuple[int, ...], kernel_shape: tuple[int, ...],
                 settings: ConvSettings, geometry: Any) -> None:
    """Render the output-size formula and, per axis, the same formula with the user's numbers.

    Args:
        image_shape: ``(H, W, ...)`` of the input.
        kernel_shape: ``(..., kh, kw)`` of the kernel or weight.
        settings: the convolution settings.
        geometry: the checked geometry from :func:`filters.conv.plan_conv` (padding per side
            and the output size).
    """
    kh, kw = kernel_shape[-2:]
    s, d = settings.stride, settings.dilation
    lines = [r"n' &= \lfloor (n + p_1 + p_2 - d(k-1) - 1) / s \rfloor + 1"]
    for axis, n, before, after, k, out in (
        ("H", image_shape[0], geometry.top, geometry.bottom, kh, geometry.out_shape[0]),
        ("W", image_shape[1], geometry.left, geometry.right, kw, geometry.out_shape[1]),
    ):
        lines.append(rf"{axis}' &= \lfloor ({n} + {before} + {after} - {d}\cdot({k}-1) - 1)"
                     rf" / {s} \rfloor + 1 = \mathbf{{{out}}}")
    st.latex(r"\small\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}")
    st.caption(t("settings.formula_terms"))
    if d > 1:
        st.caption(t("settings.effective", d=d, kh=kh, kw=kw,
                     eh=filters.effective_kernel_size(kh, d),
                     ew=filters.effective_kernel_size(kw, d)))
    if settings.padding == "same":
        st.caption(t("settings.same_note"))


def normalize_choice(key: str, default_help: str | None = None, default: str = "abs") -> str:
    """Render the display normalisation switch (clip / absolute value / min–max), kept across
    pages under ``key``; return it."""
    value = st.radio(t("filter.normalize"), list(NORMALIZATIONS), horizontal=True,
                     **persist(key, default),
                     format_func=option_format("filter.normalize."),
                     help=default_help or t("filter.normalize_help"))
    return str(value)


def output_summary(array: np.ndarray) -> dict[str, Any]:
    """Shape, min, max, mean and sum (float64) of an output (three passes over it: the mean is
    the sum over the size)."""
    total = float(array.sum(dtype=np.float64))
    return {"shape": tuple(int(v) for v in array.shape), "min": float(array.min()),
            "max": float(array.max()), "mean": total / array.size, "sum": total}


def value_metrics(summary: dict[str, Any], milliseconds: float | None = None,
                  backend: str | None = None) -> None:
    """Render min / max / mean / shape of an output (from :func:`output_summary`) as metrics."""
    columns = st.columns(4)
    columns[0].metric(t("stats.min"), f"{summary['min']:.4g}")
    columns[1].metric(t("stats.max"), f"{summary['max']:.4g}")
    columns[2].metric(t("stats.mean"), f"{summary['mean']:.4g}")
    columns[3].metric(t("stats.shape"), "×".join(map(str, summary["shape"])))
    if milliseconds is not None:
        st.caption(t("filter.seconds", ms=milliseconds, backend=backend or ""))


def padding_names_table() -> list[dict[str, str]]:
    """One row per padding mode: ``1 2 3`` padded by 2 (from :func:`filters.pad`) and the
    mode's name in NumPy, SciPy, OpenCV and PyTorch, read from ``filters.padding.MODE_NAMES``
    (the table every backend uses)."""
    from filters.padding import MODE_NAMES

    rows = []
    for mode, names in MODE_NAMES.items():
        line = np.asarray(filters.pad(np.array([[1.0, 2.0, 3.0]]), (2, 2, 0, 0), mode))[0]
        example = " ".join(f"{v:g}" for v in line[:2]) + " │ 1 2 3 │ " + " ".join(
            f"{v:g}" for v in line[-2:])
        rows.append({t("padding.table.mode"): mode, t("padding.table.example"): example,
                     "NumPy np.pad": names.numpy, "SciPy ndimage": names.scipy,
                     "OpenCV": names.opencv, "PyTorch F.pad": names.torch})
    return rows


def _backend_label() -> Callable[[str], str]:
    """``format_func`` of the backend list: ``auto`` explained, backend names as they are."""
    return option_format("", keys={"auto": "settings.backend_auto"}, unknown_as_is=True)
