"""OpenCV backend: ``cv2.filter2D`` (or ``cv2.sepFilter2D`` for rank-1 kernels).

Traps handled here: ``filter2D`` refuses ``BORDER_WRAP`` (circular pads first with
``copyMakeBorder``); torch's ``reflect`` is OpenCV's ``BORDER_REFLECT_101`` (``BORDER_REFLECT``
repeats the edge pixel); the anchor is set explicitly, so even kernels line up with torch; images
are float here, so OpenCV never saturates to uint8; ``filter2D`` takes at most 4 channels at a
time (more are processed in slices).
"""

from __future__ import annotations

from typing import ClassVar

import cv2
import numpy as np

from ..kernels import separate
from .base import Geometry, dilate_kernel, full_by_depthwise

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

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C``."""
        image = np.ascontiguousarray(image)
        spread = dilate_kernel(kernel.astype(np.float64), geometry.dilation)
        span_h, span_w = spread.shape
        (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
        border = OPENCV_MODES[geometry.mode]
        inside = (
            geometry.top < span_h
            and geometry.left < span_w
            and (out_h - 1) * sh < image.shape[0]
            and (out_w - 1) * sw < image.shape[1]
        )
        if inside and border != cv2.BORDER_WRAP:
            # dst(y, x) = Σ K(u, v)·src(y + u − anchor_y, x + v − anchor_x): anchoring at
            # (left, top) makes dst(i·s) the padded correlation's output i.
            source, anchor = image, (geometry.left, geometry.top)
        else:
            source = cv2.copyMakeBorder(
                image,
                geometry.top,
                geometry.bottom,
                geometry.left,
                geometry.right,
                border,
                value=0,
            )
            if source.ndim == 2:  # copyMakeBorder drops a single channel axis
                source = source[:, :, None]
            anchor, border = (0, 0), cv2.BORDER_CONSTANT
        filtered = self._filter(source, spread, anchor, border)
        return filtered[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw]

    def _filter(
        self, image: np.ndarray, kernel: np.ndarray, anchor: tuple[int, int], border: int
    ) -> np.ndarray:
        channels = image.shape[2]
        if channels > _MAX_CHANNELS:
            parts = [
                self._filter(
                    np.ascontiguousarray(image[:, :, c : c + _MAX_CHANNELS]), kernel, anchor, border
                )
                for c in range(0, channels, _MAX_CHANNELS)
            ]
            return np.concatenate(parts, axis=2)
        pieces = separate(kernel)
        if pieces is not None:
            column, row = pieces
            out = cv2.sepFilter2D(
                image, -1, row, column, anchor=anchor, delta=0.0, borderType=border
            )
        else:
            out = cv2.filter2D(image, -1, kernel, anchor=anchor, delta=0.0, borderType=border)
        return out if out.ndim == 3 else out[:, :, None]

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """A full layer as sums of per-channel correlations."""
        return full_by_depthwise(self, image, weight, groups, geometry)


BACKEND = OpenCVBackend()
