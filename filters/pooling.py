"""Pooling: ``pool2d`` (max / average / Lp) with PyTorch's numbers and rules; ``global_avg_pool``.

The code reads like the definition: pad the image, then visit the ``kh·kw`` taps of the window
one at a time. Tap ``(u, v)`` of every window at once is one strided slice of the padded image,
so max pooling is a running maximum over ``kh·kw`` slices and average pooling a running sum,
divided by how many pixels each window counts. Memory stays at a few output-sized arrays.

PyTorch's rules, written out:

* output size ``⌊(n + 2p − d(k−1) − 1 + (s−1 if ceil_mode)) / s⌋ + 1``; with ``ceil_mode`` a last
  window that would start in the right padding is dropped (it must start inside the input or
  the left padding);
* ``padding ≤ kernel_size // 2`` (the undilated kernel, even for dilated max pooling);
* max pooling pads with −∞; the first largest tap in reading order wins, a NaN always wins;
  a dilated window whose taps all miss the image (e.g. 2×2 image, ``kernel_size=2,
  padding=1, dilation=3``) gives −∞ and an index past the image, exactly as torch;
* average pooling divides by the window's pixels inside the padded image
  (``count_include_pad=True``) or inside the image (``False``); the ``ceil_mode`` overhang past
  the padding never counts;
* Lp pooling is ``F.lp_pool2d``: ``sign(a)·|a|·(kh·kw)`` to the power ``1/p`` where ``a`` is the
  average pooling of ``xᵖ``. That is ``(Σ xᵖ)^(1/p)`` for full windows; a ``ceil_mode`` window cut
  by the border is scaled by ``kh·kw / pixels``; ``xᵖ`` of a negative ``x`` is NaN for a
  fractional ``p``, and an odd ``p`` can give a negative sum whose root is NaN, as in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import (
    as_image,
    check_array,
    check_choice,
    check_flag,
    check_int,
    check_number,
    to_pair,
)

__all__ = ["POOL_MODES", "global_avg_pool", "pool2d", "pool_output_size", "unravel_pool_indices"]

POOL_MODES: tuple[str, ...] = ("max", "avg", "lp")


def pool_output_size(n: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    """PyTorch's pooling output size along one axis.

    ``⌊(n + 2p − d(k−1) − 1 + (s − 1 if ceil_mode)) / s⌋ + 1`` (rounding towards −∞); with
    ``ceil_mode`` a last window that would start in the right padding is dropped.

    Args:
        n: input length.
        kernel: window length ``k``.
        stride: step ``s``.
        padding: pixels ``p`` on each side.
        dilation: spacing ``d`` between taps.
        ceil_mode: round up instead of down.

    Returns:
        The output length; ``ValueError`` if there is no whole output.

    Example:
        >>> pool_output_size(5, 2, 2, 0, 1, ceil_mode=False), pool_output_size(5, 2, 2, 0, 1, True)
        (2, 3)
    """
    n = check_int(n, "n", minimum=1)
    kernel = check_int(kernel, "kernel", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    dilation = check_int(dilation, "dilation", minimum=1)
    ceil_mode = check_flag(ceil_mode, "ceil_mode")
    span = dilation * (kernel - 1) + 1
    size = (n + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1  # the last window would start inside the right padding only
    if size < 1:
        raise ValueError(
            f"The pooling window spans {span} pixels (1 + dilation·(k−1) = 1 + {dilation}·"
            f"{kernel - 1}) but the padded input has only {n + 2 * padding} ({n} + 2·{padding}); "
            "there is no output. Use a smaller kernel or dilation, or more padding."
        )
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

    Every channel is pooled on its own (channels last). The numbers equal ``F.max_pool2d``,
    ``F.avg_pool2d`` and ``F.lp_pool2d`` for every combination torch accepts, and the calls torch
    refuses raise ``ValueError`` here (see the module docstring for the rules).

    Args:
        image: ``H×W`` or ``H×W×C``, any real dtype.
        kernel_size: window size, int or ``(kh, kw)``.
        stride: step between windows, int or pair; defaults to the kernel size (as in torch).
        padding: pixels added on each side, int or pair, at most half the kernel; max pads
            with −∞, average with zeros.
        dilation: spacing between window taps, int or pair (max pooling only, as in torch).
        mode: ``"max"`` (``F.max_pool2d``), ``"avg"`` (``F.avg_pool2d``) or ``"lp"``
            (``F.lp_pool2d``: ``(Σ xᵖ)^(1/p)``, no padding or dilation).
        p: the norm of ``"lp"``, a positive finite number.
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
        >>> pool2d(x, 2, return_indices=True)[1].tolist()  # flat indices row·4 + col
        [[5, 7], [13, 15]]
    """
    array = as_image(image)
    grey = array.ndim == 2
    x = array[:, :, None] if grey else array
    mode = check_choice(mode, POOL_MODES, "mode")
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    sh, sw = (kh, kw) if stride is None else to_pair(stride, "stride", minimum=1)
    ph, pw = to_pair(padding, "padding", minimum=0)
    dh, dw = to_pair(dilation, "dilation", minimum=1)
    ceil_mode = check_flag(ceil_mode, "ceil_mode")
    count_include_pad = check_flag(count_include_pad, "count_include_pad")
    return_indices = check_flag(return_indices, "return_indices")
    p = check_number(p, "p", positive=True)  # the norm of Lp pooling
    if return_indices and mode != "max":
        raise ValueError("return_indices only applies to max pooling (mode='max').")
    if mode != "max" and (dh, dw) != (1, 1):
        raise ValueError(f"dilation only applies to max pooling; {mode} pooling has none "
                         "(as in torch).")
    if mode == "lp" and (ph, pw) != (0, 0):
        raise ValueError("Lp pooling takes no padding (F.lp_pool2d has none).")
    for pad, k, axis in ((ph, kh, "rows"), (pw, kw, "columns")):
        if pad > k // 2:
            raise ValueError(
                f"padding {pad} ({axis}) is more than half the pooling window ({k} // 2 = "
                f"{k // 2}): windows would be mostly padding. torch refuses this too; use "
                "padding ≤ kernel_size // 2."
            )
    height, width = x.shape[:2]
    out_h = pool_output_size(height, kh, sh, ph, dh, ceil_mode)
    out_w = pool_output_size(width, kw, sw, pw, dw, ceil_mode)
    # Extra rows/columns on the bottom/right so ceil_mode's last window fits.
    extra_h = max(0, (out_h - 1) * sh + dh * (kh - 1) + 1 - (height + 2 * ph))
    extra_w = max(0, (out_w - 1) * sw + dw * (kw - 1) + 1 - (width + 2 * pw))
    widths = ((ph, ph + extra_h), (pw, pw + extra_w), (0, 0))
    geometry = _Geometry((kh, kw), (sh, sw), (dh, dw), (out_h, out_w))

    if mode == "max":
        padded = np.pad(x, widths, constant_values=-np.inf)
        out, taps = _running_max(padded, geometry, (ph, pw), return_indices)
        out = out.astype(array.dtype)
        if taps is not None:
            u, v = np.divmod(taps, kw)
            rows = np.arange(out_h)[:, None, None] * sh - ph + u * dh
            cols = np.arange(out_w)[None, :, None] * sw - pw + v * dw
            indices = (rows * width + cols).astype(np.int64)
            return (out[:, :, 0], indices[:, :, 0]) if grey else (out, indices)
        return out[:, :, 0] if grey else out

    source = x ** p if mode == "lp" else x
    with np.errstate(invalid="ignore"):  # x**p of a negative x is NaN, as in torch
        sums = _running_sum(np.pad(source, widths), geometry)
    divisor = np.outer(
        _window_counts(height, kh, sh, ph, out_h, count_include_pad),
        _window_counts(width, kw, sw, pw, out_w, count_include_pad),
    )
    average = sums / divisor[:, :, None]
    if mode == "avg":
        out = average
    else:
        # torch: sign(avg)·relu(|avg|)·(kh·kw), then the 1/p power.
        with np.errstate(invalid="ignore"):
            out = (np.sign(average) * np.abs(average) * (kh * kw)) ** (1.0 / p)
    out = out.astype(array.dtype)
    return out[:, :, 0] if grey else out


class _Geometry:
    """Kernel, stride, dilation and output shape of one pooling call (pairs: rows, columns)."""

    __slots__ = ("dilation", "kernel", "out_shape", "stride")

    def __init__(self, kernel: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int], out_shape: tuple[int, int]) -> None:
        self.kernel, self.stride, self.dilation, self.out_shape = (
            kernel, stride, dilation, out_shape)

    def tap(self, padded: np.ndarray, u: int, v: int) -> np.ndarray:
        """Tap ``(u, v)`` of every window: an ``H'×W'×C`` strided view of the padded image."""
        (sh, sw), (dh, dw), (out_h, out_w) = self.stride, self.dilation, self.out_shape
        return padded[u * dh : u * dh + (out_h - 1) * sh + 1 : sh,
                      v * dw : v * dw + (out_w - 1) * sw + 1 : sw]


def _running_max(padded: np.ndarray, geometry: _Geometry, padding: tuple[int, int],
                 with_taps: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Running maximum over the taps; also which tap (``u·kw + v``) won in each window.

    As in torch a tap wins when it is larger than the best so far or NaN, so ties keep the first
    tap in reading order and a NaN anywhere in the window is the result. Padding is −∞ and never
    wins. The winning taps are only tracked when ``with_taps``.
    """
    (kh, kw), (sh, sw), (dh, dw), (out_h, out_w) = (
        geometry.kernel, geometry.stride, geometry.dilation, geometry.out_shape)
    best = np.full((out_h, out_w, padded.shape[2]), -np.inf, dtype=padded.dtype)
    if not with_taps:  # np.maximum keeps NaN too: the same values, faster
        for u in range(kh):
            for v in range(kw):
                np.maximum(best, geometry.tap(padded, u, v), out=best)
        return best, None
    taps = np.full(best.shape, -1, dtype=np.int64)
    for u in range(kh):
        for v in range(kw):
            tap = geometry.tap(padded, u, v)
            wins = (tap > best) | np.isnan(tap)
            np.copyto(best, tap, where=wins)
            np.copyto(taps, u * kw + v, where=wins)
    if (taps < 0).any():  # every pixel of the window is −∞: torch names its first inside tap
        ph, pw = padding
        first_u = -(-np.maximum(ph - np.arange(out_h) * sh, 0) // dh)
        first_v = -(-np.maximum(pw - np.arange(out_w) * sw, 0) // dw)
        first = (first_u[:, None] * kw + first_v[None, :])[:, :, None]
        taps = np.where(taps < 0, first, taps)
    return best, taps


def _running_sum(padded: np.ndarray, geometry: _Geometry) -> np.ndarray:
    """Sum of every window, tap by tap in reading order (torch's order)."""
    kh, kw = geometry.kernel
    total = np.zeros((*geometry.out_shape, padded.shape[2]), dtype=padded.dtype)
    for u in range(kh):
        for v in range(kw):
            total += geometry.tap(padded, u, v)
    return total


def _window_counts(n: int, kernel: int, stride: int, padding: int, out: int,
                   count_include_pad: bool) -> np.ndarray:
    """Pixels each window counts along one axis (torch's divisor, one factor of it)."""
    starts = np.arange(out) * stride - padding
    ends = np.minimum(starts + kernel, n + padding)  # the ceil_mode overhang never counts
    if count_include_pad:
        return ends - starts
    return np.minimum(ends, n) - np.maximum(starts, 0)


def unravel_pool_indices(indices: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn max pooling's flat indices into ``(rows, cols)`` of the input.

    Args:
        indices: int array from ``pool2d(..., return_indices=True)``, any shape.
        width: ``W`` of the pooled image.

    Returns:
        Two int arrays of ``indices``' shape: the row and the column of each winning pixel.

    Example:
        >>> unravel_pool_indices(np.array([5, 7]), 4)
        (array([1, 1]), array([1, 3]))
    """
    array = check_array(indices, "indices", "an int array from pool2d(..., return_indices=True)")
    if array.dtype.kind not in "iu":
        raise TypeError(f"indices must hold integers; got dtype {array.dtype}.")
    rows, cols = np.divmod(array, check_int(width, "width", minimum=1))
    return rows, cols


def global_avg_pool(image: Any) -> np.ndarray:
    """Global average pooling (GAP, notes §4.6): the mean of each channel.

    Args:
        image: ``H×W`` or ``H×W×C``, any real dtype.

    Returns:
        A 0-d array for ``H×W`` and a length-``C`` array for ``H×W×C``; float32 (float64 stays
        float64). Equal to ``F.adaptive_avg_pool2d(x, 1)``.

    Example:
        >>> global_avg_pool(np.ones((4, 4, 2)) * [1.0, 3.0]).tolist()
        [1.0, 3.0]
    """
    array = as_image(image)
    return np.asarray(array.mean(axis=(0, 1)), dtype=array.dtype)
