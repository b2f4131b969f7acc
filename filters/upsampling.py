"""Upsampling: transposed convolution (two paths that agree) and interpolation, as PyTorch.

(The module is ``upsampling``, not ``upsample``, so that ``filters.upsample`` stays the function.)

``conv_transpose2d`` has a fast scatter path and the readable path of the notes (seed 001):
insert ``stride − 1`` zeros between pixels (:func:`zero_insert`), pad by ``d(k−1) − p`` (plus
``output_padding`` on the bottom/right), and run an ordinary convolution with the kernel
rotated by 180°.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._validation import as_image, check_choice, check_finite, to_pair
from .conv import conv2d
from .sizes import transposed_output_size

__all__ = [
    "UPSAMPLE_MODES",
    "bilinear_kernel",
    "bilinear_padding",
    "conv_transpose2d",
    "transposed_padding",
    "upsample",
    "zero_insert",
]

UPSAMPLE_MODES: tuple[str, ...] = ("nearest", "bilinear", "bicubic")


def zero_insert(image: Any, stride: int | tuple[int, int]) -> np.ndarray:
    """Put ``stride − 1`` zeros between neighbouring pixels (the first step of seed 001).

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
    return (dilation[0] * (kernel_size[0] - 1) - padding[0],
            dilation[1] * (kernel_size[1] - 1) - padding[1])


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
    method: str = "scatter",
) -> np.ndarray:
    """Transposed convolution, equal to ``torch.nn.functional.conv_transpose2d``.

    Args:
        image: ``H×W`` or ``H×W×C``.
        kernel: ``kh×kw`` (each channel on its own), or a full weight in torch's transposed
            layout ``C_in×(C_out/groups)×kh×kw``.
        stride: int or pair; the spacing of the inserted pixels.
        padding: int or pair; rows/columns removed from each side of the full output.
        output_padding: int or pair, added on the bottom/right; must be smaller than the stride
            or the dilation (torch's rule).
        dilation: int or pair.
        groups: for a full weight (default 1).
        bias: a number, or one per output channel.
        method: ``"scatter"`` (each input pixel adds a scaled kernel into the output) or
            ``"zero_insert"`` (the notes' zero insertion + padding + flipped convolution).

    Returns:
        ``H'×W'(×C)`` with ``H' = (H−1)s − 2p + d(k−1) + output_padding + 1``.

    Example:
        >>> conv_transpose2d(np.ones((2, 2)), np.ones((2, 2)), stride=2).tolist()
        [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    """
    array = as_image(image)
    grey = array.ndim == 2
    x = array[:, :, None] if grey else array
    method = check_choice(method, ("scatter", "zero_insert"), "method")
    weight = np.asarray(kernel, dtype=np.float64)
    if weight.ndim not in (2, 4):
        raise ValueError(
            "kernel must be kh×kw (each channel on its own) or C_in×C_out/groups×kh×kw; "
            f"got shape {weight.shape}."
        )
    check_finite(weight, "kernel")
    s = to_pair(stride, "stride", minimum=1)
    p = to_pair(padding, "padding", minimum=0)
    op = to_pair(output_padding, "output_padding", minimum=0)
    d = to_pair(dilation, "dilation", minimum=1)
    channels = x.shape[2]
    if weight.ndim == 2:
        if groups not in (None, channels):
            raise ValueError(f"A kh×kw kernel works on each of the {channels} channels on its "
                             f"own (groups={channels}); got groups={groups}.")
        groups = channels
        weight = np.broadcast_to(weight, (channels, 1, *weight.shape))
    groups = 1 if groups is None else groups
    if groups < 1 or channels % groups or weight.shape[0] != channels:
        raise ValueError(
            f"The weight expects {weight.shape[0]} input channels (C_in×C_out/groups×kh×kw) and "
            f"groups={groups} must divide them; the image has {channels}."
        )
    kh, kw = weight.shape[-2:]
    out_shape = tuple(
        transposed_output_size(n, k, si, pi, oi, di)
        for n, k, si, pi, oi, di in zip(x.shape[:2], (kh, kw), s, p, op, d, strict=True)
    )
    c_out = weight.shape[1] * groups
    if method == "scatter":
        out = _scatter(x, weight, groups, s, p, d, out_shape)
    else:
        out = _by_zero_insertion(x, weight, groups, s, p, op, d, out_shape)
    if bias is not None:
        values = np.asarray(bias, dtype=np.float64).reshape(-1)
        if values.size not in (1, c_out):
            raise ValueError(f"bias needs 1 value or one per output channel ({c_out}).")
        out = out + values
    out = out.astype(array.dtype)
    return out[:, :, 0] if grey and c_out == 1 else out


def _scatter(x: np.ndarray, weight: np.ndarray, groups: int, s: tuple[int, int],
             p: tuple[int, int], d: tuple[int, int], out_shape: tuple[int, ...]) -> np.ndarray:
    """Every input pixel adds ``pixel × kernel`` at ``(i·s, j·s)`` of the full output."""
    h, w, channels = x.shape
    kh, kw = weight.shape[-2:]
    c_in_group, c_out_group = channels // groups, weight.shape[1]
    full_h = max((h - 1) * s[0] + d[0] * (kh - 1) + 1, p[0] + out_shape[0])
    full_w = max((w - 1) * s[1] + d[1] * (kw - 1) + 1, p[1] + out_shape[1])
    full = np.zeros((full_h, full_w, c_out_group * groups))
    for u in range(kh):
        for v in range(kw):
            rows = slice(u * d[0], u * d[0] + (h - 1) * s[0] + 1, s[0])
            cols = slice(v * d[1], v * d[1] + (w - 1) * s[1] + 1, s[1])
            for g in range(groups):
                inputs = x[:, :, g * c_in_group : (g + 1) * c_in_group]
                taps = weight[g * c_in_group : (g + 1) * c_in_group, :, u, v]  # Cin_g × Cout_g
                full[rows, cols, g * c_out_group : (g + 1) * c_out_group] += inputs @ taps
    return full[p[0] : p[0] + out_shape[0], p[1] : p[1] + out_shape[1]]


def _by_zero_insertion(x: np.ndarray, weight: np.ndarray, groups: int, s: tuple[int, int],
                       p: tuple[int, int], op: tuple[int, int], d: tuple[int, int],
                       out_shape: tuple[int, ...]) -> np.ndarray:
    """Seed 001: zero insertion, padding d(k−1)−p (+ output_padding), flipped convolution."""
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

    With ``conv_transpose2d(x, k, stride=f, padding=bilinear_padding(f))`` it reproduces
    ``upsample(x, f, mode="bilinear")`` away from the border; near the border the transposed
    convolution sees zeros where interpolation clamps to the edge pixel, so a band about ``f/2``
    pixels wide differs (``tests/test_upsample.py`` measures it).

    Example:
        >>> bilinear_kernel(2).tolist()[0]
        [0.0625, 0.1875, 0.1875, 0.0625]
    """
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"factor must be a positive int; got {factor!r}.")
    size = 2 * factor - factor % 2
    centre = factor - 1 if size % 2 == 1 else factor - 0.5
    line = 1.0 - np.abs(np.arange(size) - centre) / factor
    return np.outer(line, line)


def bilinear_padding(factor: int) -> int:
    """The ``padding`` that aligns :func:`bilinear_kernel` with half-pixel bilinear upsampling.

    Example:
        >>> bilinear_padding(2), bilinear_padding(3)
        (1, 1)
    """
    return math.ceil((factor - 1) / 2)


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

    Args:
        image: ``H×W`` or ``H×W×C``.
        scale_factor: multiplier per axis (torch maps output pixel i to input ``i / scale``).
        size: output ``(H', W')`` instead of a scale factor.
        mode: ``"nearest"`` (torch's legacy nearest), ``"bilinear"`` or ``"bicubic"``
            (Keys' cubic, a = −0.75, as torch).
        align_corners: torch's flag for bilinear/bicubic (``None`` = False).
        clip: bicubic can overshoot the input's range (ringing at edges); ``True`` clips the
            result to the input's min…max.

    Returns:
        ``H'×W'(×C)`` float32 (float64 stays float64).

    Example:
        >>> upsample(np.array([[1.0, 2.0]]), 2).tolist()
        [[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]
    """
    array = as_image(image)
    mode = check_choice(mode, UPSAMPLE_MODES, "mode")
    if (scale_factor is None) == (size is None):
        raise ValueError("Give exactly one of scale_factor and size.")
    if mode == "nearest" and align_corners:
        raise ValueError("align_corners only applies to bilinear and bicubic (as in torch).")
    h, w = array.shape[:2]
    if size is not None:
        out_h, out_w = to_pair(size, "size", minimum=1)
        scales = (h / out_h, w / out_w)
    else:
        assert scale_factor is not None
        raw = scale_factor if isinstance(scale_factor, (tuple, list)) else \
            (scale_factor, scale_factor)
        if len(raw) != 2 or not all(
                isinstance(f, (int, float)) and math.isfinite(f) and f > 0 for f in raw):
            raise ValueError(f"scale_factor must be a positive number or a pair; got "
                             f"{scale_factor!r}.")
        factors = (float(raw[0]), float(raw[1]))
        out_h, out_w = math.floor(h * factors[0]), math.floor(w * factors[1])
        if out_h < 1 or out_w < 1:
            raise ValueError(f"scale_factor {scale_factor!r} leaves no output pixels.")
        scales = (1.0 / factors[0], 1.0 / factors[1])
        if out_h * out_w * (array.shape[2] if array.ndim == 3 else 1) > 400_000_000:
            raise ValueError("The upsampled image would have over 400 million values.")
    x = array.astype(np.float64)
    out = _resample(x, 0, *_taps(h, out_h, scales[0], mode, bool(align_corners)))
    out = _resample(out, 1, *_taps(w, out_w, scales[1], mode, bool(align_corners)))
    if clip:
        out = np.clip(out, np.nanmin(x), np.nanmax(x))
    return out.astype(array.dtype)


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
    if mode == "nearest":
        source = np.minimum(np.floor(out_index * scale).astype(int), n_in - 1)
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
