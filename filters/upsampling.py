"""Upsampling: transposed convolution (two paths that agree) and interpolation, as PyTorch.

(The module is ``upsampling``, not ``upsample``, so that ``filters.upsample`` stays the function.)

``conv_transpose2d`` has a direct scatter-add path and the readable path of notes §1.15:
insert ``stride − 1`` zeros between pixels (:func:`zero_insert`), pad by ``d(k−1) − p`` (plus
``output_padding`` on the bottom/right), and run an ordinary convolution with the kernel
rotated by 180°.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import (
    as_image,
    check_bias,
    check_budget,
    check_choice,
    check_flag,
    check_int,
    check_number,
    check_weight,
    to_pair,
)
from .backends import is_available
from .conv import conv2d
from .sizes import transposed_output_size

__all__ = [
    "TRANSPOSED_METHODS",
    "UPSAMPLE_MODES",
    "bilinear_kernel",
    "bilinear_padding",
    "conv_transpose2d",
    "transposed_padding",
    "upsample",
    "zero_insert",
    "zero_inserted_input",
]

UPSAMPLE_MODES: tuple[str, ...] = ("nearest", "bilinear", "bicubic")


def zero_insert(image: Any, stride: int | tuple[int, int]) -> np.ndarray:
    """Put ``stride − 1`` zeros between neighbouring pixels (the first step of notes §1.15).

    Args:
        image: ``H×W`` or ``H×W×C``.
        stride: int or ``(sh, sw)``.

    Returns:
        ``((H−1)·sh + 1)×((W−1)·sw + 1)[×C]`` float32 (float64 stays float64).

    Example:
        >>> zero_insert(np.array([[1, 2], [3, 4]]), 2).tolist()
        [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]]
    """
    array = as_image(image)
    sh, sw = to_pair(stride, "stride", minimum=1)
    h, w = array.shape[:2]
    _check_budget(((h - 1) * sh + 1) * ((w - 1) * sw + 1) * array[0, 0].size,
                  array.dtype.itemsize)
    out = np.zeros(((h - 1) * sh + 1, (w - 1) * sw + 1, *array.shape[2:]), dtype=array.dtype)
    out[::sh, ::sw] = array
    return out


def transposed_padding(kernel_size: tuple[int, int], padding: tuple[int, int],
                       dilation: tuple[int, int]) -> tuple[int, int]:
    """The padding of the notes' equivalent convolution: ``d(k−1) − p`` per axis (may be < 0).

    Example:
        >>> transposed_padding((3, 3), (1, 1), (1, 1))
        (1, 1)
    """
    (kh, kw), (ph, pw) = to_pair(kernel_size, "kernel_size", minimum=1), to_pair(padding, "padding")
    dh, dw = to_pair(dilation, "dilation", minimum=1)
    return dh * (kh - 1) - ph, dw * (kw - 1) - pw


TRANSPOSED_METHODS: tuple[str, ...] = ("auto", "direct", "zero_insert")


def conv_transpose2d(
    image: Any,
    kernel: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int | None = None,
    bias: float | np.ndarray | None = None,
    method: str = "auto",
) -> np.ndarray:
    """Transposed convolution, equal to ``torch.nn.functional.conv_transpose2d``.

    Two paths give the same numbers (tests check both against torch):

    * ``"direct"``: every input pixel adds ``pixel × kernel`` into the output at
      ``(row·s, col·s)`` (a scatter-add), then ``padding`` rows/columns are cut from each side;
    * ``"zero_insert"``: the picture of notes §1.15: :func:`zero_insert` puts ``s − 1`` zeros
      between pixels, the result is padded by ``d(k−1) − p`` on each side (cropped when that is
      negative) plus ``output_padding`` on the bottom/right, and an ordinary convolution with the
      kernel rotated by 180° (``filters.conv2d(..., flip=True)``) finishes the job.

    Args:
        image: ``H×W`` or ``H×W×C``, any real dtype.
        kernel: ``kh×kw`` (each channel on its own, output keeps the input's layout), or a full
            weight in torch's transposed layout ``C_in×(C_out/groups)×kh×kw`` (output
            ``H'×W'×C_out``).
        stride: int or pair; the spacing of the inserted pixels.
        padding: int or pair; rows/columns removed from each side of the full output.
        output_padding: int or pair, added on the bottom/right; must be smaller than the stride
            or the dilation (torch's rule: it only picks among the input sizes that a strided
            convolution maps to the same output size).
        dilation: int or pair.
        groups: for a full weight (default 1); a ``kh×kw`` kernel always uses one group per
            channel.
        bias: a number, or one per output channel.
        method: ``"auto"`` (currently ``"direct"``, the fastest here), ``"direct"`` or
            ``"zero_insert"``.

    Returns:
        ``H'×W'``, ``H'×W'×C`` or ``H'×W'×C_out`` float32 (float64 stays float64) with
        ``H' = (H−1)s − 2p + d(k−1) + output_padding + 1`` (the same for ``W'``).

    Example:
        >>> conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=2).tolist()
        [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
        >>> conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1).shape
        (5, 5)
    """
    array = as_image(image)
    grey = array.ndim == 2
    x = array[:, :, None] if grey else array
    method = check_choice(method, TRANSPOSED_METHODS, "method")
    weight = check_weight(kernel, full_layout="C_in×C_out/groups×kh×kw")
    depthwise = weight.ndim == 2
    s = to_pair(stride, "stride", minimum=1)
    p = to_pair(padding, "padding", minimum=0)
    op = to_pair(output_padding, "output_padding", minimum=0)
    d = to_pair(dilation, "dilation", minimum=1)
    channels = x.shape[2]
    if groups is not None:
        groups = check_int(groups, "groups")
    if depthwise:
        if groups not in (None, channels):
            raise ValueError(f"A kh×kw kernel works on each of the {channels} channels on its "
                             f"own (groups={channels}); got groups={groups}. For other groups "
                             "give a full C_in×C_out/groups×kh×kw weight.")
        groups = channels
        weight = np.broadcast_to(weight, (channels, 1, *weight.shape))
    groups = 1 if groups is None else int(groups)
    if groups < 1 or channels % groups or weight.shape[0] != channels:
        raise ValueError(
            f"The weight {weight.shape} expects {weight.shape[0]} input channels "
            f"(C_in×C_out/groups×kh×kw, torch's transposed layout) and groups={groups} must "
            f"divide them; the image has {channels} channel(s)."
        )
    kh, kw = weight.shape[-2:]
    out_shape = tuple(
        transposed_output_size(n, k, si, pi, oi, di)
        for n, k, si, pi, oi, di in zip(x.shape[:2], (kh, kw), s, p, op, d, strict=True)
    )
    c_out = weight.shape[1] * groups
    bias_values = check_bias(bias, c_out)
    full_h = max((x.shape[0] - 1) * s[0] + d[0] * (kh - 1) + 1, p[0] + out_shape[0])
    full_w = max((x.shape[1] - 1) * s[1] + d[1] * (kw - 1) + 1, p[1] + out_shape[1])
    _check_budget((full_h + d[0] * kh) * (full_w + d[1] * kw) * max(c_out, channels),
                  array.dtype.itemsize * 2 if method != "zero_insert" else 8 * 3)
    if method in ("auto", "direct"):
        out = _scatter(x, weight, groups, s, p, d, out_shape)
    else:
        out = _by_zero_insertion(x, weight, groups, s, p, op, d, out_shape)
    if bias_values is not None:
        out = out + bias_values
    out = np.ascontiguousarray(out, dtype=array.dtype)
    return out[:, :, 0] if grey and depthwise else out


def _check_budget(values: int, bytes_per_value: int) -> None:
    """Refuse outputs whose working arrays would exceed the memory budget."""
    check_budget(values * bytes_per_value, "This",
                 "Use a smaller image or stride, or fewer channels.")


def _scatter(x: np.ndarray, weight: np.ndarray, groups: int, s: tuple[int, int],
             p: tuple[int, int], d: tuple[int, int], out_shape: tuple[int, ...]) -> np.ndarray:
    """Every input pixel adds ``pixel × kernel`` at ``(i·s, j·s)`` of the full output, then crop.

    Done tap by tap: kernel tap ``(u, v)`` of every input pixel lands on one strided slice of the
    full output, so the loop runs ``kh·kw`` times over whole images.
    """
    h, w, channels = x.shape
    kh, kw = weight.shape[-2:]
    c_in_group, c_out_group = channels // groups, weight.shape[1]
    full_h = max((h - 1) * s[0] + d[0] * (kh - 1) + 1, p[0] + out_shape[0])
    full_w = max((w - 1) * s[1] + d[1] * (kw - 1) + 1, p[1] + out_shape[1])
    full = np.zeros((full_h, full_w, c_out_group * groups), dtype=x.dtype)
    depthwise = c_in_group == 1 and c_out_group == 1
    # groups × (h·w) × C_in/groups, and groups × C_in/groups × C_out/groups × kh × kw.
    x_groups = x.reshape(h * w, groups, c_in_group).transpose(1, 0, 2)
    w_groups = weight.astype(x.dtype).reshape(groups, c_in_group, c_out_group, kh, kw)
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * d[0], u * d[0] + (h - 1) * s[0] + 1, s[0])
            cols = slice(v * d[1], v * d[1] + (w - 1) * s[1] + 1, s[1])
            if depthwise:
                contribution = x * w_groups[:, 0, 0, u, v]
            else:
                contribution = (x_groups @ w_groups[..., u, v]).transpose(1, 0, 2).reshape(h, w, -1)
            full[rows, cols] += contribution
    return full[p[0] : p[0] + out_shape[0], p[1] : p[1] + out_shape[1]]


def _by_zero_insertion(x: np.ndarray, weight: np.ndarray, groups: int, s: tuple[int, int],
                       p: tuple[int, int], op: tuple[int, int], d: tuple[int, int],
                       out_shape: tuple[int, ...]) -> np.ndarray:
    """Notes §1.15: zero insertion, padding d(k−1)−p (+ output_padding), flipped convolution."""
    kh, kw = weight.shape[-2:]
    spread = zero_insert(x.astype(np.float64), s)
    pad_h, pad_w = transposed_padding((kh, kw), p, d)
    # Negative padding crops; output_padding adds zeros on the bottom/right only.
    widths = ((max(pad_h, 0), max(pad_h, 0) + op[0]), (max(pad_w, 0), max(pad_w, 0) + op[1]),
              (0, 0))
    padded = np.pad(spread, widths)
    crop_h, crop_w = max(-pad_h, 0), max(-pad_w, 0)
    padded = padded[crop_h : padded.shape[0] - crop_h or None, crop_w : padded.shape[1] - crop_w
                    or None]
    # The equivalent convolution's weight: C_out × C_in/groups, per group.
    c_in_group = x.shape[2] // groups
    conv_weight = np.concatenate(
        [weight[g * c_in_group : (g + 1) * c_in_group].transpose(1, 0, 2, 3)
         for g in range(groups)], axis=0,
    )
    out = conv2d(padded, conv_weight, dilation=d, groups=groups, flip=True, backend="numpy")
    return out[: out_shape[0], : out_shape[1]]


def bilinear_kernel(factor: int) -> np.ndarray:
    """The FCN initialisation: a ``(2f − f mod 2)``-square kernel that upsamples bilinearly.

    The kernel is the outer product of a tent ``1 − |i − centre| / f``. With
    ``conv_transpose2d(x, k, stride=f, padding=bilinear_padding(f))`` the output has the same
    ``f·H × f·W`` size as ``upsample(x, f, mode="bilinear")`` and the same values away from the
    border. In a band of exactly ``f // 2`` pixels along each edge they differ: there
    interpolation reads a position left of (or above) the first pixel and torch clamps it to the
    edge pixel, while the transposed convolution sees the zero beyond the edge. Output pixel
    ``o < f // 2`` of a constant image 1 is ``(o + 0.5)/f + 0.5`` instead of 1 (0.75 for
    ``f = 2``): a dark frame.

    Args:
        factor: the upsampling factor ``f ≥ 1``.

    Returns:
        ``(2f − f mod 2)×(2f − f mod 2)`` float64, summing to ``f²`` (each input pixel spreads
        over ``f²`` outputs).

    Example:
        >>> bilinear_kernel(2).tolist()[0]
        [0.0625, 0.1875, 0.1875, 0.0625]
    """
    factor = check_int(factor, "factor", minimum=1)
    size = 2 * factor - factor % 2
    centre = factor - 1 if size % 2 == 1 else factor - 0.5
    line = 1.0 - np.abs(np.arange(size) - centre) / factor
    return np.outer(line, line)


def bilinear_padding(factor: int) -> int:
    """The ``padding`` that aligns :func:`bilinear_kernel` with half-pixel bilinear upsampling.

    ``⌈(f − 1)/2⌉``, so that ``(H−1)f − 2p + (2f − f mod 2)`` is exactly ``f·H``.

    Example:
        >>> bilinear_padding(2), bilinear_padding(3), bilinear_padding(4)
        (1, 1, 2)
    """
    return math.ceil((check_int(factor, "factor", minimum=1) - 1) / 2)


def upsample(
    image: Any,
    scale_factor: float | tuple[float, float] | None = None,
    size: int | tuple[int, int] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    *,
    clip: bool = False,
) -> np.ndarray:
    """Resize like ``torch.nn.functional.interpolate`` (``nearest``, ``bilinear``, ``bicubic``).

    Each axis is resampled on its own: output pixel ``i`` reads input position
    ``(i + 0.5)·scale − 0.5`` (or ``i·(n_in−1)/(n_out−1)`` with ``align_corners=True``), where
    ``scale`` is ``1/scale_factor`` when a factor is given and ``n_in/n_out`` for a ``size``, as
    torch does.

    Bicubic overshoots: Keys' cubic (``a = −0.75``) has negative lobes, so next to a sharp edge
    the result leaves the input's range (a 0→1 step upsampled 4× gives about −0.11…1.11). A uint8
    image turned back to uint8 would wrap; ``clip=True`` clips to the input's min…max.

    Args:
        image: ``H×W`` or ``H×W×C``, any real dtype.
        scale_factor: a positive number, or a pair ``(rows, cols)``; output size is
            ``⌊H·factor⌋``.
        size: output ``H'`` (square) or ``(H', W')`` instead of a scale factor.
        mode: ``"nearest"`` (torch's legacy ``'nearest'``: input ``⌊i·scale⌋``), ``"bilinear"``
            or ``"bicubic"``.
        align_corners: torch's flag for bilinear/bicubic (``None`` = False); ``nearest`` takes
            none (torch refuses it even as False).
        clip: clip the result to the input's min…max (for bicubic's overshoot).

    Returns:
        ``H'×W'`` or ``H'×W'×C`` float32 (float64 stays float64).

    Example:
        >>> upsample(np.array([[1.0, 2.0]]), 2).tolist()
        [[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]
        >>> upsample(np.array([[0.0, 1.0]]), size=(1, 4), mode="bilinear").tolist()
        [[0.0, 0.25, 0.75, 1.0]]
    """
    array = as_image(image)
    mode = check_choice(mode, UPSAMPLE_MODES, "mode")
    if (scale_factor is None) == (size is None):
        raise ValueError("Give exactly one of scale_factor and size.")
    if align_corners is not None:
        align_corners = check_flag(align_corners, "align_corners")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("align_corners only applies to bilinear and bicubic; leave it None for "
                         "nearest (torch refuses it too).")
    clip = check_flag(clip, "clip")
    h, w = array.shape[:2]
    if size is not None:
        out_h, out_w = to_pair(size, "size", minimum=1)
        scales = (h / out_h, w / out_w)
    else:
        raw: Any = scale_factor if isinstance(scale_factor, (tuple, list)) else \
            (scale_factor, scale_factor)
        if len(raw) != 2:
            raise ValueError(f"scale_factor must be a positive number or a pair of them; got "
                             f"{len(raw)} values {scale_factor!r}.")
        factors = (check_number(raw[0], "scale_factor", positive=True),
                   check_number(raw[1], "scale_factor", positive=True))
        out_h, out_w = math.floor(h * factors[0]), math.floor(w * factors[1])
        if out_h < 1 or out_w < 1:
            raise ValueError(f"scale_factor {scale_factor!r} leaves no output pixels "
                             f"({h}×{w} → {out_h}×{out_w}).")
        scales = (1.0 / factors[0], 1.0 / factors[1])
    channels = array.shape[2] if array.ndim == 3 else 1
    _check_budget(out_h * max(out_w, w) * channels, 8 * 3)
    if mode == "nearest":  # one tap per pixel: a gather, in the image's own dtype
        rows = _taps(h, out_h, scales[0], mode, False)[0][:, 0]
        cols = _taps(w, out_w, scales[1], mode, False)[0][:, 0]
        return array[rows][:, cols]
    if _opencv_resizes_like_torch(array, mode, align_corners, scales, (out_h, out_w)):
        import cv2

        out = cv2.resize(array, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        return out.reshape(out_h, out_w, *array.shape[2:])
    x = array.astype(np.float64)
    with np.errstate(invalid="ignore"):  # ∞ − ∞ is NaN, as in torch
        out = _resample(x, 0, *_taps(h, out_h, scales[0], mode, bool(align_corners)))
        out = _resample(out, 1, *_taps(w, out_w, scales[1], mode, bool(align_corners)))
    if clip and not np.isnan(x).all():
        out = np.clip(out, np.nanmin(x), np.nanmax(x))
    return out.astype(array.dtype)


def _opencv_resizes_like_torch(array: np.ndarray, mode: str, align_corners: bool | None,
                               scales: tuple[float, float], out_size: tuple[int, int]) -> bool:
    """True when ``cv2.resize(INTER_LINEAR)`` gives torch's bilinear numbers (10–40× faster).

    OpenCV samples at ``(i + 0.5)·n_in/n_out − 0.5`` like torch's ``align_corners=False``, but
    always with the ratio of the sizes, where torch uses ``1/scale_factor`` when one is given;
    so the scales must agree exactly. OpenCV also multiplies every tap, zero weights included,
    so a NaN would spread: only finite images qualify. ``tests/test_upsampling.py`` checks the
    two against ``F.interpolate`` on random sizes.
    """
    if mode != "bilinear" or align_corners or (array.ndim == 3 and array.shape[2] > 512):
        return False
    (h, w), (out_h, out_w) = array.shape[:2], out_size
    if scales != (h / out_h, w / out_w) or not is_available("opencv"):
        return False
    return bool(np.isfinite(array).all())


def _resample(x: np.ndarray, axis: int, indices: np.ndarray, weights: np.ndarray
              ) -> np.ndarray:
    """Along ``axis``: output i = Σ_t weights[i, t]·x[indices[i, t]] (only the taps it uses)."""
    shape = [1] * x.ndim
    shape[axis] = indices.shape[0]
    out = np.zeros((*x.shape[:axis], indices.shape[0], *x.shape[axis + 1:]))
    for tap in range(indices.shape[1]):
        weight = weights[:, tap].reshape(shape)
        # A tap with weight exactly 0 is skipped, so a NaN there does not spread (0·NaN = NaN).
        out += np.where(weight != 0.0, np.take(x, indices[:, tap], axis=axis) * weight, 0.0)
    return out


def _taps(n_in: int, n_out: int, scale: float, mode: str, align_corners: bool
          ) -> tuple[np.ndarray, np.ndarray]:
    """Input indices and weights of each output pixel along one axis (torch's formulas)."""
    out_index = np.arange(n_out, dtype=np.float64)
    if n_in == n_out and (align_corners or scale == 1.0):  # torch copies an unscaled axis
        return np.arange(n_out)[:, None], np.ones((n_out, 1))
    if mode == "nearest":  # torch computes this index in float32; so must we, to the last pixel
        product = np.arange(n_out, dtype=np.float32) * np.float32(scale)
        source = np.minimum(np.floor(product).astype(int), n_in - 1)
        return source[:, None], np.ones((n_out, 1))
    if align_corners:
        source = out_index * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        source = (out_index + 0.5) * scale - 0.5
    if mode == "bilinear":
        if not align_corners:
            source = np.maximum(source, 0.0)
        left = np.minimum(np.floor(source).astype(int), n_in - 1)
        right = np.minimum(left + 1, n_in - 1)
        t = source - left
        return np.stack([left, right], axis=1), np.stack([1.0 - t, t], axis=1)
    base = np.floor(source).astype(int)
    t = source - base
    a = -0.75
    weights = [
        ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
        ((a + 2) * t - (a + 3)) * t * t + 1,
        ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
        ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
    ]
    indices = [np.clip(base + offset, 0, n_in - 1) for offset in (-1, 0, 1, 2)]
    return np.stack(indices, axis=1), np.stack(weights, axis=1)


def zero_inserted_input(image: Any, kernel_size: int | tuple[int, int],
                        stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                        output_padding: int | tuple[int, int] = 0
                        ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The input of the notes' equivalent convolution: zero-inserted, then padded.

    The input gets ``stride − 1`` zeros
    between pixels, then ``k − 1 − p`` padding on each side (plus ``output_padding`` at the bottom
    and the right). A plain correlation of it with the kernel rotated by 180° (padding 0, stride
    1) is :func:`conv_transpose2d`'s output.

    Args:
        image: ``H×W`` or ``H×W×C``.
        kernel_size: ``k`` or ``(kh, kw)``.
        stride: as for :func:`conv_transpose2d`.
        padding: as for :func:`conv_transpose2d` (at most ``k − 1``).
        output_padding: as for :func:`conv_transpose2d` (dilation is 1).

    Returns:
        ``(spread, (top, bottom, left, right))``: the zero-inserted, padded input (float32;
        float64 stays float64) and the padding added.

    Raises:
        ValueError: ``padding`` larger than ``k − 1`` (the equivalent convolution would need a
        negative padding: crop :func:`conv_transpose2d`'s output instead).

    Example:
        >>> spread, sides = zero_inserted_input(np.ones((3, 3)), 3, stride=2, padding=1)
        >>> spread.shape, sides
        ((7, 7), (1, 1, 1, 1))
    """
    from .padding import pad

    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    ph, pw = to_pair(padding, "padding")
    oh, ow = to_pair(output_padding, "output_padding")
    eh, ew = transposed_padding((kh, kw), (ph, pw), (1, 1))
    if eh < 0 or ew < 0:
        raise ValueError(f"padding {(ph, pw)} is larger than kernel − 1 = {(kh - 1, kw - 1)}: the "
                         "equivalent convolution would need a negative padding.")
    spread = pad(zero_insert(image, stride), (ew, ew + ow, eh, eh + oh))  # F.pad's order
    return spread, (eh, eh + oh, ew, ew + ow)
