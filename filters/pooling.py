"""Pooling: ``pool2d`` (max / average / Lp) with PyTorch's numbers and rules; ``global_avg_pool``.

Implemented with numpy sliding windows, so the code reads like the definition: pad, cut the
image into (possibly dilated, possibly overlapping) windows, reduce each window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_image, check_choice, to_pair

__all__ = ["POOL_MODES", "global_avg_pool", "pool2d", "pool_output_size", "unravel_pool_indices"]

POOL_MODES: tuple[str, ...] = ("max", "avg", "lp")


def pool_output_size(n: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    """PyTorch's pooling output size along one axis.

    With ``ceil_mode`` the size rounds up, but a window that would start in the right padding
    is dropped.

    Example:
        >>> pool_output_size(5, 2, 2, 0, 1, ceil_mode=False), pool_output_size(5, 2, 2, 0, 1, True)
        (2, 3)
    """
    span = dilation * (kernel - 1) + 1
    numerator = n + 2 * padding - span
    if numerator < 0:
        raise ValueError(
            f"The pooling window spans {span} pixels but the padded input has only "
            f"{n + 2 * padding} ({n} + 2·{padding}); there is no output. Use a smaller kernel "
            "or more padding."
        )
    size = (-(-numerator // stride) if ceil_mode else numerator // stride) + 1
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1  # the last window would start inside the right padding only
    return size


def pool2d(
    image: Any,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    mode: str = "max",
    p: float = 2.0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Max, average or Lp pooling of an ``H×W`` or ``H×W×C`` image, as ``torch.nn.functional``.

    Args:
        image: ``H×W`` or ``H×W×C``, any real dtype.
        kernel_size: window size, int or ``(kh, kw)``.
        stride: step between windows; defaults to the kernel size (as in torch).
        padding: pixels added on each side (at most half the kernel); max pads with −∞,
            average with zeros.
        dilation: spacing between window taps (max pooling only, as in torch).
        mode: ``"max"`` (``F.max_pool2d``), ``"avg"`` (``F.avg_pool2d``) or ``"lp"``
            (``F.lp_pool2d``: ``(Σ xᵖ)^(1/p)``, no padding or dilation).
        p: the norm of ``"lp"``.
        ceil_mode: round the output size up instead of down.
        count_include_pad: for ``"avg"``, whether padded zeros count in the divisor.
        return_indices: for ``"max"``, also return where each maximum came from, as torch's flat
            index ``row·W + col`` into the unpadded input (see :func:`unravel_pool_indices`).

    Returns:
        ``H'×W'`` or ``H'×W'×C`` float32 (float64 stays float64); with ``return_indices``, a pair
        ``(values, indices)`` with int64 indices of the same shape.

    Example:
        >>> x = np.arange(16.0).reshape(4, 4)
        >>> pool2d(x, 2).tolist()
        [[5.0, 7.0], [13.0, 15.0]]
        >>> pool2d(x, 2, mode="avg").tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    array = as_image(image)
    grey = array.ndim == 2
    x = array[:, :, None] if grey else array
    mode = check_choice(mode, POOL_MODES, "mode")
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = (kh, kw) if stride is None else to_pair(stride, "stride", minimum=1)
    ph, pw = to_pair(padding, "padding", minimum=0)
    dh, dw = to_pair(dilation, "dilation", minimum=1)
    if return_indices and mode != "max":
        raise ValueError("return_indices only applies to max pooling (mode='max').")
    if mode != "max" and (dh, dw) != (1, 1):
        raise ValueError(f"dilation only applies to max pooling; {mode} pooling has none "
                         "(as in torch).")
    if mode == "lp" and (ph, pw) != (0, 0):
        raise ValueError("Lp pooling takes no padding (F.lp_pool2d has none).")
    if mode == "lp" and not (isinstance(p, (int, float)) and np.isfinite(p) and p > 0):
        raise ValueError(f"p must be a positive finite number; got {p!r}.")
    for pad, k, d, axis in ((ph, kh, dh, "rows"), (pw, kw, dw, "columns")):
        half = (d * (k - 1) + 1) // 2 if mode == "max" else k // 2
        if pad > half:
            raise ValueError(
                f"padding {pad} ({axis}) is more than half the pooling window ({half}): a window "
                "could then hold only padding. torch refuses this too; use padding ≤ kernel/2."
            )
    height, width = x.shape[:2]
    out_h = pool_output_size(height, kh, sh, ph, dh, ceil_mode)
    out_w = pool_output_size(width, kw, sw, pw, dw, ceil_mode)
    # Extra rows/columns on the bottom/right so ceil_mode's last window fits.
    extra_h = max(0, (out_h - 1) * sh + dh * (kh - 1) + 1 - (height + 2 * ph))
    extra_w = max(0, (out_w - 1) * sw + dw * (kw - 1) + 1 - (width + 2 * pw))
    widths = ((ph, ph + extra_h), (pw, pw + extra_w), (0, 0))

    if mode == "max":
        padded = np.pad(x, widths, constant_values=-np.inf)
        windows = _windows(padded, (kh, kw), (sh, sw), (dh, dw), (out_h, out_w))
        flat = windows.reshape(*windows.shape[:3], -1)
        best = np.argmax(flat, axis=-1)
        values = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
        out = values.astype(array.dtype)
        if return_indices:
            u, v = np.divmod(best, kw)
            rows = np.arange(out_h)[:, None, None] * sh - ph + u * dh
            cols = np.arange(out_w)[None, :, None] * sw - pw + v * dw
            indices = (rows * width + cols).astype(np.int64)
            return (out[:, :, 0], indices[:, :, 0]) if grey else (out, indices)
        return out[:, :, 0] if grey else out

    source = x ** p if mode == "lp" else x
    padded = np.pad(source, widths)
    sums = _windows(padded, (kh, kw), (sh, sw), (1, 1), (out_h, out_w)).sum(axis=(-2, -1))
    # The divisor: padding counts (count_include_pad) but the ceil_mode overhang never does.
    inside = np.ones((height, width), dtype=x.dtype)
    if count_include_pad:
        counted = np.pad(inside, ((ph, ph), (pw, pw)), constant_values=1.0)
        counted = np.pad(counted, ((0, extra_h), (0, extra_w)))
    else:
        counted = np.pad(inside, widths[:2])
    divisor = _windows(counted[:, :, None], (kh, kw), (sh, sw), (1, 1), (out_h, out_w))
    divisor = divisor.sum(axis=(-2, -1))
    average = sums / divisor
    if mode == "avg":
        out = average
    else:
        # torch: sign(avg)·relu(|avg|)·(kh·kw), then the 1/p power.
        out = (np.sign(average) * np.abs(average) * (kh * kw)) ** (1.0 / p)
    out = out.astype(array.dtype)
    return out[:, :, 0] if grey else out


def _windows(padded: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int], out_shape: tuple[int, int]) -> np.ndarray:
    """``out_h×out_w×C×kh×kw`` view of the windows (dilated taps picked from the full span)."""
    (kh, kw), (sh, sw), (dh, dw), (out_h, out_w) = kernel, stride, dilation, out_shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    view = sliding_window_view(padded, (span_h, span_w), axis=(0, 1))
    return view[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw, :, ::dh, ::dw]


def unravel_pool_indices(indices: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn max pooling's flat indices into ``(rows, cols)`` of the input.

    Example:
        >>> unravel_pool_indices(np.array([5, 7]), 4)
        (array([1, 1]), array([1, 3]))
    """
    rows, cols = np.divmod(np.asarray(indices), width)
    return rows, cols


def global_avg_pool(image: Any) -> np.ndarray:
    """Global average pooling (seed 004's GAP): the mean of each channel.

    Returns a 0-d array for ``H×W`` and a length-``C`` array for ``H×W×C``.

    Example:
        >>> global_avg_pool(np.ones((4, 4, 2)) * [1.0, 3.0]).tolist()
        [1.0, 3.0]
    """
    array = as_image(image)
    return np.asarray(array.mean(axis=(0, 1)), dtype=array.dtype)
