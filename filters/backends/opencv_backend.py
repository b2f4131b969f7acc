"""OpenCV backend: ``cv2.filter2D`` (or ``cv2.sepFilter2D`` for rank-1 kernels).

Traps handled here: ``filter2D`` refuses ``BORDER_WRAP`` (circular pads first with
``copyMakeBorder``); torch's ``reflect`` is OpenCV's ``BORDER_REFLECT_101`` (``BORDER_REFLECT``
repeats the edge pixel); the anchor is set explicitly, so even kernels line up with torch; the
output depth is always float (``CV_32F``, or ``CV_64F`` for float64), so OpenCV never saturates
to uint8; ``filter2D`` takes at most 4 channels at a time (more are processed in slices).

uint8, uint16 and int16 images go to OpenCV as they are (it converts while it filters), which
saves a float copy of the image.

Dilation is not a bigger kernel with zeros in its holes here (a 31×31 kernel with dilation 50
would be a 1501×1501 filter, and ``0·NaN`` would spread NaN through the holes). Output pixels
whose rows are ``r`` apart modulo ``dh`` (and columns modulo ``dw``) only ever read input pixels
of the same phase, so each of the ``dh·dw`` phases of the padded image is one ordinary,
undilated correlation: the same ``kh·kw`` taps per pixel as torch, and NaN stays where torch
puts it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import ClassVar

import cv2
import numpy as np

from ..kernels import separate
from .base import Geometry, full_by_depthwise

__all__ = ["BACKEND", "OPENCV_MODES", "OpenCVBackend"]

#: torch's mode names -> OpenCV border types.
OPENCV_MODES: dict[str, int] = {
    "zeros": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
    "replicate": cv2.BORDER_REPLICATE,
    "circular": cv2.BORDER_WRAP,
}

_MAX_CHANNELS = 4


class OpenCVBackend:
    """Usually the fastest for one kernel on every channel."""

    name = "opencv"
    padding_modes: ClassVar[dict[str, object]] = dict(OPENCV_MODES)
    #: dtypes OpenCV reads directly (the others are converted to float32 first).
    native_dtypes: ClassVar[frozenset[np.dtype]] = frozenset(
        np.dtype(name) for name in ("uint8", "uint16", "int16", "float32", "float64")
    )

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C`` (float32/64)."""
        image = np.ascontiguousarray(image)
        depth = cv2.CV_64F if image.dtype == np.float64 else cv2.CV_32F
        if geometry.dilation != (1, 1):
            return _dilated(image, kernel, geometry, depth)
        run = self.prepare(image.shape, image.dtype, kernel, geometry)
        if run is not None:
            out = run(image)
            return out if out.ndim == 3 else out[:, :, None]
        # Circular padding (filter2D refuses BORDER_WRAP) or padding wider than the kernel
        # reaches: pad first, then keep the valid part.
        source = cv2.copyMakeBorder(image, geometry.top, geometry.bottom, geometry.left,
                                    geometry.right, OPENCV_MODES[geometry.mode], value=0)
        if source.ndim == 2:  # copyMakeBorder drops a single channel axis
            source = source[:, :, None]
        filtered = _filter(source, kernel, depth, (0, 0), cv2.BORDER_CONSTANT)
        (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
        return filtered[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw]

    def prepare(self, image_shape: tuple[int, ...], dtype: np.dtype, kernel: np.ndarray,
                geometry: Geometry) -> Callable[[np.ndarray], np.ndarray] | None:
        """One OpenCV call with every argument worked out, for repeated calls on same-shaped images.

        ``image_shape`` is the caller's (``H×W`` or ``H×W×C``); the returned function takes such
        an image and returns ``H'×W'`` or ``H'×W'×C`` float32 (float64 for float64). ``None``
        when OpenCV cannot pad this way itself (dilation, circular padding, padding wider than
        the kernel reaches).
        """
        channels = image_shape[2] if len(image_shape) == 3 else 1
        (span_h, span_w), (sh, sw) = kernel.shape, geometry.stride
        out_h, out_w = geometry.out_shape
        if (
            geometry.dilation != (1, 1)
            or geometry.mode == "circular"
            or geometry.top >= span_h
            or geometry.left >= span_w
            or (out_h - 1) * sh >= image_shape[0]
            or (out_w - 1) * sw >= image_shape[1]
        ):
            return None
        depth = cv2.CV_64F if dtype == np.float64 else cv2.CV_32F
        dense, column, row = _prepared(kernel.tobytes(), kernel.shape, kernel.dtype.str,
                                       "<f8" if depth == cv2.CV_64F else "<f4")
        # dst(y, x) = Σ K(u, v)·src(y + u − anchor_y, x + v − anchor_x): anchoring at
        # (left, top) makes dst(i·s) the padded correlation's output i.
        anchor, border = (geometry.left, geometry.top), OPENCV_MODES[geometry.mode]
        whole = (sh, sw) == (1, 1) and (out_h, out_w) == tuple(image_shape[:2])

        def run(image: np.ndarray) -> np.ndarray:
            image = np.ascontiguousarray(image)
            if channels > _MAX_CHANNELS:
                out = _filter(image, kernel, depth, anchor, border)
            elif column is not None and row is not None:
                out = cv2.sepFilter2D(image, depth, row, column, anchor=anchor, delta=0.0,
                                      borderType=border)
            else:
                out = cv2.filter2D(image, depth, dense, anchor=anchor, delta=0.0,
                                   borderType=border)
            if not whole:
                out = np.ascontiguousarray(out[: (out_h - 1) * sh + 1 : sh,
                                               : (out_w - 1) * sw + 1 : sw])
            return out

        return run

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """A full layer as sums of per-channel correlations."""
        if image.dtype.kind != "f":
            image = image.astype(np.float32)
        return full_by_depthwise(self, image, weight, groups, geometry)


def _dilated(image: np.ndarray, kernel: np.ndarray, geometry: Geometry, depth: int
             ) -> np.ndarray:
    """A dilated correlation as ``dh·dw`` undilated ones, one per phase of the padded image."""
    padded = cv2.copyMakeBorder(image, geometry.top, geometry.bottom, geometry.left,
                                geometry.right, OPENCV_MODES[geometry.mode], value=0)
    if padded.ndim == 2:  # copyMakeBorder drops a single channel axis
        padded = padded[:, :, None]
    (dh, dw), (kh, kw) = geometry.dilation, kernel.shape
    full_h = padded.shape[0] - dh * (kh - 1)  # the stride-1 output
    full_w = padded.shape[1] - dw * (kw - 1)
    dtype = np.float64 if depth == cv2.CV_64F else np.float32
    full = np.empty((full_h, full_w, padded.shape[2]), dtype=dtype)
    for r in range(min(dh, full_h)):
        rows = len(range(r, full_h, dh))
        for c in range(min(dw, full_w)):
            # Output (r + a·dh, c + b·dw) = Σ K[u, v]·phase[a + u, b + v]: a valid correlation.
            phase = np.ascontiguousarray(padded[r::dh, c::dw])
            filtered = _filter(phase, kernel, depth, (0, 0), cv2.BORDER_CONSTANT)
            full[r::dh, c::dw] = filtered[:rows, : len(range(c, full_w, dw))]
    (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
    return full[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw]


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
                                   "<f8" if depth == cv2.CV_64F else "<f4")
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
