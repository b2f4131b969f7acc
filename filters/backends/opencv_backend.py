"""OpenCV backend: ``cv2.filter2D`` (or ``cv2.sepFilter2D`` for rank-1 kernels).

Traps handled here: ``filter2D`` refuses ``BORDER_WRAP`` (circular padding filters with zeros
outside and then recomputes only the edge bands from small wrapped strips, instead of copying
the whole image into a padded one); torch's ``reflect`` is OpenCV's ``BORDER_REFLECT_101``
(``BORDER_REFLECT`` repeats the edge pixel); the anchor is set explicitly, so even kernels line
up with torch; the output depth is always float (``CV_32F``, or ``CV_64F`` for float64), so
OpenCV never saturates to uint8; ``filter2D`` takes at most 4 channels at a time (more are
processed in slices).

uint8, uint16 and int16 images go to OpenCV as they are (it converts while it filters), which
saves a float copy of the image.

Dilation is not a bigger kernel with zeros in its holes here (a 31×31 kernel with dilation 50
would be a 1501×1501 filter, and ``0·NaN`` would spread NaN through the holes). Output pixels
whose rows are ``r`` apart modulo ``dh`` (and columns modulo ``dw``) only ever read input pixels
of the same phase, so each of the ``dh·dw`` phases of the padded image is one ordinary,
undilated correlation: the same ``kh·kw`` taps per pixel as torch, and NaN stays where torch
puts it.

Large dense kernels. ``filter2D`` works tap by tap below 130 taps for float32 (50 taps for
every other depth pair, uint8 → float32 included) and through its own DFT from there. Measured
here (``benchmarks/``): its DFT route is 1.3–3× slower than ``cv2.matchTemplate(TM_CCORR)``
(the same transform, one channel at a time, on a padded copy), and uint8 images with 50–129
taps run 3–4× faster converted to float32 first (tap by tap) than through the DFT. A transform
also mixes a NaN or an infinity into every output of its tile, where torch spoils only the
windows that hold it: images that are not all finite are correlated tap by tap in pieces of
fewer taps than the DFT threshold (:func:`_tap_by_tap`), so NaN lands exactly where torch puts
it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

import cv2
import numpy as np

from ..kernels import separate
from ..padding import MODE_NAMES
from .base import DIRECT_DTYPES, BackendBase, Geometry

__all__ = ["BACKEND", "OpenCVBackend", "border_type"]


def border_type(mode: str) -> int:
    """OpenCV's border constant for one of our padding modes (from :data:`MODE_NAMES`).

    Example:
        >>> border_type("reflect") == cv2.BORDER_REFLECT_101
        True
    """
    value: int = getattr(cv2, MODE_NAMES[mode].opencv)
    return value


_MAX_CHANNELS = 4
#: filter2D's switch to its DFT (OpenCV's ``dftFilter2D``): 130 taps for float32 → float32,
#: 50 for every other pair of depths (uint8 → float32, float64 → float64, ...).
_DFT_TAPS_FLOAT32 = 130
_DFT_TAPS_OTHER = 50


class OpenCVBackend(BackendBase):
    """Usually the fastest for one kernel on every channel."""

    name = "opencv"
    #: dtypes OpenCV reads directly (the others are converted to float32 first).
    native_dtypes: ClassVar[frozenset[np.dtype]] = DIRECT_DTYPES
    copy_free_dtypes: ClassVar[frozenset[np.dtype]] = DIRECT_DTYPES
    work_grows_with_taps = False

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C`` (float32/64)."""
        image = np.ascontiguousarray(image)
        run = self.prepare(image.shape, image.dtype, kernel, geometry)
        out = run(image)
        return out if out.ndim == 3 else out[:, :, None]

    def prepare(self, image_shape: tuple[int, ...], dtype: np.dtype, kernel: np.ndarray,
                geometry: Geometry) -> Callable[[np.ndarray], np.ndarray]:
        """OpenCV calls with every argument worked out, for repeated calls on same-shaped images.

        ``image_shape`` is the caller's (``H×W`` or ``H×W×C``); the returned function takes such
        an image and returns ``H'×W'`` or ``H'×W'×C`` float32 (float64 for float64). Where
        OpenCV can pad by itself (zeros, reflect, replicate, within the kernel's reach) it is
        a single ``filter2D``/``sepFilter2D`` call; otherwise the image is padded once and
        correlated in ``"valid"`` mode.
        """
        depth = cv2.CV_64F if dtype == np.float64 else cv2.CV_32F
        route = _route(np.dtype(dtype), kernel, depth)
        (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
        rows, cols = slice(None, (out_h - 1) * sh + 1, sh), slice(None, (out_w - 1) * sw + 1, sw)
        phased = _phases_pay(kernel, geometry, depth)
        if route in ("direct", "float32") and not phased and _opencv_pads(image_shape, kernel,
                                                                             geometry):
            return _single_call(image_shape, kernel, geometry, depth, route == "float32")
        sides = (geometry.top, geometry.bottom, geometry.left, geometry.right)
        border = border_type(geometry.mode)
        grey = len(image_shape) == 2

        def run(image: np.ndarray) -> np.ndarray:
            padded = cv2.copyMakeBorder(image, *sides, border, value=0) if any(sides) else image
            padded = np.ascontiguousarray(padded)
            if padded.ndim == 2:  # a grey image, or copyMakeBorder dropped a channel axis of 1
                padded = padded[:, :, None]
            if phased:
                out = _strided(padded, kernel, geometry.stride, geometry.out_shape, depth)
                return out[:, :, 0] if grey else out
            if geometry.dilation != (1, 1):
                full = _dilated(padded, kernel, geometry.dilation, depth)
            else:
                full = _correlate_valid(padded, kernel, depth)
            out = full[rows, cols]
            return np.ascontiguousarray(out[:, :, 0] if grey else out)

        return run


def _route(dtype: np.dtype, kernel: np.ndarray, depth: int) -> str:
    """How to correlate a dense kernel on this dtype (see the module docstring).

    ``"direct"``: ``filter2D``/``sepFilter2D`` as they are (tap by tap, or a DFT where no NaN
    can occur and nothing faster was measured); ``"float32"``: convert an integer image to
    float32 first, which keeps ``filter2D`` tap by tap; ``"template"``: float32 with a kernel in
    the DFT range, through ``matchTemplate``; ``"dft"``: float64 in the DFT range.
    """
    taps = kernel.size
    if taps < _DFT_TAPS_OTHER or _separable(kernel, depth):
        return "direct"
    if dtype.kind in "ui":
        return "float32" if taps < _DFT_TAPS_FLOAT32 else "direct"
    if depth == cv2.CV_32F:
        return "direct" if taps < _DFT_TAPS_FLOAT32 else "template"
    return "dft"


def _separable(kernel: np.ndarray, depth: int) -> bool:
    _, column, _ = _prepared(kernel.tobytes(), kernel.shape, kernel.dtype.str, _work_dtype(depth))
    return column is not None


def _work_dtype(depth: int) -> str:
    return "<f8" if depth == cv2.CV_64F else "<f4"


def _opencv_pads(image_shape: tuple[int, ...], kernel: np.ndarray, geometry: Geometry) -> bool:
    """True when filter2D's own border handling gives torch's padding (no copy needed)."""
    (span_h, span_w), (sh, sw) = kernel.shape, geometry.stride
    out_h, out_w = geometry.out_shape
    return not (
        geometry.dilation != (1, 1)
        or geometry.top >= span_h
        or geometry.left >= span_w
        or (out_h - 1) * sh >= image_shape[0]
        or (out_w - 1) * sw >= image_shape[1]
    )


def _single_call(image_shape: tuple[int, ...], kernel: np.ndarray, geometry: Geometry,
                 depth: int, to_float32: bool) -> Callable[[np.ndarray], np.ndarray]:
    """One ``filter2D``/``sepFilter2D`` call that pads as torch does, then the stride's slice.

    Circular padding (``BORDER_WRAP``, which filter2D refuses) filters with zeros outside and
    then recomputes the edge bands from wrapped strips (:func:`_wrap_edges`).
    """
    channels = image_shape[2] if len(image_shape) == 3 else 1
    (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
    dense, column, row = _prepared(kernel.tobytes(), kernel.shape, kernel.dtype.str,
                                   _work_dtype(depth))
    # dst(y, x) = Σ K(u, v)·src(y + u − anchor_y, x + v − anchor_x): anchoring at
    # (left, top) makes dst(i·s) the padded correlation's output i.
    anchor = (geometry.left, geometry.top)
    circular = geometry.mode == "circular"
    border = cv2.BORDER_CONSTANT if circular else border_type(geometry.mode)
    whole = (sh, sw) == (1, 1) and (out_h, out_w) == tuple(image_shape[:2])

    def run(image: np.ndarray) -> np.ndarray:
        image = np.ascontiguousarray(image, dtype=np.float32 if to_float32 else None)
        if channels > _MAX_CHANNELS:
            out = _filter(image, kernel, depth, anchor, border)
        elif column is not None and row is not None:
            out = cv2.sepFilter2D(image, depth, row, column, anchor=anchor, delta=0.0,
                                  borderType=border)
        else:
            out = cv2.filter2D(image, depth, dense, anchor=anchor, delta=0.0, borderType=border)
        if out.ndim < len(image_shape):  # OpenCV returns H×W for an H×W×1 image
            out = out[:, :, None]
        if circular:
            _wrap_edges(out, image, kernel, geometry, depth)
        if not whole:
            out = np.ascontiguousarray(out[: (out_h - 1) * sh + 1 : sh,
                                           : (out_w - 1) * sw + 1 : sw])
        return out

    return run


def _wrap_edges(out: np.ndarray, image: np.ndarray, kernel: np.ndarray, geometry: Geometry,
                depth: int) -> None:
    """Overwrite, in place, the outputs whose windows wrap around the image (circular padding).

    ``out`` is the stride-1 result anchored at ``(left, top)``, correct wherever the window
    lies inside the image. Rows ``y < top`` and ``y > H − kh + top`` (and likewise columns)
    read the padding: each such band is recomputed from a strip gathered with wrapped indices,
    about ``(top + kh)·W`` pixels instead of a padded copy of the whole image.
    """
    height, width = image.shape[:2]
    (kh, kw), (sh, sw) = kernel.shape, geometry.stride
    rows = (geometry.out_shape[0] - 1) * sh + 1  # the stride-1 rows the stride keeps
    cols = (geometry.out_shape[1] - 1) * sw + 1
    out3 = out if out.ndim == 3 else out[:, :, None]
    image3 = image if image.ndim == 3 else image[:, :, None]
    inner_rows = (min(geometry.top, rows), min(max(height - kh + geometry.top + 1,
                                                   geometry.top), rows))
    inner_cols = (min(geometry.left, cols), min(max(width - kw + geometry.left + 1,
                                                    geometry.left), cols))
    bands = [
        ((0, inner_rows[0]), (0, cols)),  # top
        ((inner_rows[1], rows), (0, cols)),  # bottom
        (inner_rows, (0, inner_cols[0])),  # left
        (inner_rows, (inner_cols[1], cols)),  # right
    ]
    for (y0, y1), (x0, x1) in bands:
        if y0 >= y1 or x0 >= x1:
            continue
        row_index = _wrapped(y0 - geometry.top, y1 - geometry.top + kh - 1, height)
        col_index = _wrapped(x0 - geometry.left, x1 - geometry.left + kw - 1, width)
        strip = np.ascontiguousarray(image3[row_index][:, col_index])
        filtered = _filter(strip, kernel, depth, (0, 0), cv2.BORDER_CONSTANT)
        out3[y0:y1, x0:x1] = filtered[: y1 - y0, : x1 - x0]


def _wrapped(start: int, stop: int, size: int) -> slice | np.ndarray:
    """Indices ``start … stop−1`` modulo ``size``: a slice (a view) when they do not wrap."""
    if start >= 0 and stop <= size:
        return slice(start, stop)
    return np.arange(start, stop) % size


def _correlate_valid(padded: np.ndarray, kernel: np.ndarray, depth: int) -> np.ndarray:
    """The ``"valid"`` correlation of an ``H×W×C`` padded image: ``(H−kh+1)×(W−kw+1)×C``.

    Takes the route :func:`_route` gives for the image's dtype and the kernel.
    """
    route = _route(padded.dtype, kernel, depth)
    if route == "float32":
        padded = padded.astype(np.float32)
    kh, kw = kernel.shape
    if route in ("template", "dft") and not np.isfinite(padded).all():
        return _tap_by_tap(padded, kernel, depth)
    if route == "template":
        dense = _prepared(kernel.tobytes(), kernel.shape, kernel.dtype.str, "<f4")[0]
        planes = [cv2.matchTemplate(plane, dense, cv2.TM_CCORR) for plane in _planes(padded)]
        return planes[0][:, :, None] if len(planes) == 1 else cv2.merge(planes)
    filtered = _filter(padded, kernel, depth, (0, 0), cv2.BORDER_CONSTANT)
    return filtered[: padded.shape[0] - kh + 1, : padded.shape[1] - kw + 1]


def _planes(image: np.ndarray) -> list[np.ndarray]:
    """The channels of an ``H×W×C`` image as contiguous ``H×W`` arrays."""
    if image.shape[2] == 1:
        return [np.ascontiguousarray(image[:, :, 0])]
    return list(cv2.split(image))


def _phases_pay(kernel: np.ndarray, geometry: Geometry, depth: int) -> bool:
    """True when a strided call is cheaper as one correlation per phase (see :func:`_strided`).

    Gathering the phases costs about one copy of the image in strided reads (10–40 ms at
    1920×1080 RGB here), so it pays only where it replaces a transform by tap-by-tap
    filters: the whole kernel is dense and over the DFT threshold, and each phase of it is
    under. Measured at 512² and 1920×1080, grey and RGB, uint8 and float32, stride 2 and 3:
    0.57–0.96× the time of filtering everything and slicing in those cases, 1.3–5× in the others.
    """
    if geometry.stride == (1, 1) or geometry.dilation != (1, 1):
        return False
    limit = _direct_limit(depth)
    if kernel.size < limit or _separable(kernel, depth):
        return False
    (sh, sw), (kh, kw) = geometry.stride, kernel.shape
    return -(-kh // sh) * -(-kw // sw) < limit


def _direct_limit(depth: int) -> int:
    """Fewest taps that make filter2D (or, for integer images, our float32 route) use a DFT."""
    return _DFT_TAPS_OTHER if depth == cv2.CV_64F else _DFT_TAPS_FLOAT32


def _strided(padded: np.ndarray, kernel: np.ndarray, stride: tuple[int, int],
             out_shape: tuple[int, int], depth: int) -> np.ndarray:
    """Only the outputs a stride keeps: ``sh·sw`` small correlations instead of one large one.

    Output ``i`` reads ``P[s·i + u]`` for taps ``u``; writing ``u = s·m + p`` makes that
    ``P[p::s][i + m]·K[p::s][m]``: phase ``p`` of the padded image correlated (``"valid"``)
    with phase ``p`` of the kernel. The phases' results add up to the strided output, and each
    costs ``1/s²`` of the pixels times ``1/s²`` of the taps.
    """
    (sh, sw), (out_h, out_w) = stride, out_shape
    kh, kw = kernel.shape
    total: np.ndarray | None = None
    for p in range(min(sh, kh)):
        for q in range(min(sw, kw)):
            piece = np.ascontiguousarray(kernel[p::sh, q::sw])
            rows, cols = out_h + piece.shape[0] - 1, out_w + piece.shape[1] - 1
            phase = np.ascontiguousarray(padded[p : p + rows * sh : sh, q : q + cols * sw : sw])
            total = _sum_into(total, _correlate_valid(phase, piece, depth))
    assert total is not None
    return total


def _tap_by_tap(padded: np.ndarray, kernel: np.ndarray, depth: int) -> np.ndarray:
    """``"valid"`` correlation summed over blocks of the kernel small enough for direct filters.

    Each block of fewer taps than filter2D's DFT threshold is filtered tap by tap, so a NaN or
    infinity reaches exactly the outputs whose windows hold it, as in torch.
    """
    kh, kw = kernel.shape
    limit = _direct_limit(depth) - 1
    block_w = min(kw, limit)
    block_h = max(1, limit // block_w)
    out_h, out_w = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    total: np.ndarray | None = None
    for top in range(0, kh, block_h):
        for left in range(0, kw, block_w):
            block = np.ascontiguousarray(kernel[top : top + block_h, left : left + block_w])
            # With the anchor at (0, 0), output (y, x) of this block is Σ B[u, v]·P[y + u, x + v];
            # the whole kernel's output (i, j) takes it at (i + top, j + left).
            part = _filter(padded, block, depth, (0, 0), cv2.BORDER_CONSTANT)
            total = _sum_into(total, part[top : top + out_h, left : left + out_w])
    assert total is not None
    return total


def _sum_into(total: np.ndarray | None, part: np.ndarray) -> np.ndarray:
    """``total + part``, in place after the first part (a copy); inf + (−inf) = NaN, as in torch."""
    if total is None:
        return part.copy()
    with np.errstate(invalid="ignore"):
        return np.add(total, part, out=total)


def _dilated(padded: np.ndarray, kernel: np.ndarray, dilation: tuple[int, int], depth: int
             ) -> np.ndarray:
    """A dilated ``"valid"`` correlation as ``dh·dw`` undilated ones, one per phase of the image."""
    (dh, dw), (kh, kw) = dilation, kernel.shape
    full_h = padded.shape[0] - dh * (kh - 1)  # the stride-1 output
    full_w = padded.shape[1] - dw * (kw - 1)
    dtype = np.float64 if depth == cv2.CV_64F else np.float32
    full = np.empty((full_h, full_w, padded.shape[2]), dtype=dtype)
    for r in range(min(dh, full_h)):
        rows = len(range(r, full_h, dh))
        for c in range(min(dw, full_w)):
            # Output (r + a·dh, c + b·dw) = Σ K[u, v]·phase[a + u, b + v]: a valid correlation.
            phase = np.ascontiguousarray(padded[r::dh, c::dw])
            filtered = _correlate_valid(phase, kernel, depth)
            full[r::dh, c::dw] = filtered[:rows, : len(range(c, full_w, dw))]
    return full


def _filter(
    image: np.ndarray, kernel: np.ndarray, depth: int, anchor: tuple[int, int], border: int
) -> np.ndarray:
    """One OpenCV call per block of up to four channels; ``H×W×C`` → ``H×W×C``."""
    channels = image.shape[2]
    if channels > _MAX_CHANNELS:
        parts = [
            _filter(np.ascontiguousarray(image[:, :, c : c + _MAX_CHANNELS]), kernel, depth,
                    anchor, border)
            for c in range(0, channels, _MAX_CHANNELS)
        ]
        return np.concatenate(parts, axis=2)
    dense, column, row = _prepared(kernel.tobytes(), kernel.shape, kernel.dtype.str,
                                   _work_dtype(depth))
    if column is not None and row is not None:
        out = cv2.sepFilter2D(image, depth, row, column, anchor=anchor, delta=0.0,
                              borderType=border)
    else:
        out = cv2.filter2D(image, depth, dense, anchor=anchor, delta=0.0, borderType=border)
    return out if out.ndim == 3 else out[:, :, None]


@lru_cache(maxsize=256)
def _prepared(
    data: bytes, shape: tuple[int, ...], dtype: str, work_dtype: str
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The kernel in OpenCV's working dtype and, if it is rank 1, its column and row factors.

    Cached by the kernel's bytes: the SVD that tells a separable kernel costs more than a small
    ``filter2D`` call, and the same kernel is usually applied again and again.
    """
    kernel = np.frombuffer(data, dtype=dtype).reshape(shape)
    # Kernels are factorised in float64 (exact for integer kernels such as Sobel).
    pieces = separate(kernel.astype(np.float64))
    dense = kernel.astype(work_dtype)
    if pieces is None:
        return dense, None, None
    column, row = pieces
    return dense, column.astype(work_dtype), row.astype(work_dtype)


BACKEND = OpenCVBackend()
