"""The reference backend: pad with ``numpy.pad``, then add up shifted copies of the image.

Output pixel ``(i, j)`` is ``Σ_{u,v} K[u, v] · X[i·sh + u·dh, j·sw + v·dw]`` on the padded
image ``X`` — d2l's ``corr2d`` (notes §3.3), but looping over the ``kh·kw`` kernel taps instead of
the ``H'·W'`` output pixels, so every step is one vectorised multiply-add over the whole image.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..padding import MODE_NAMES
from .base import BackendBase, Geometry

__all__ = ["BACKEND", "NumpyBackend", "corr2d"]


def corr2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """d2l's ``corr2d`` exactly as the notes write it: one output pixel at a time (slow, clear).

    Args:
        image: ``H×W`` array.
        kernel: ``kh×kw`` array.

    Returns:
        ``(H−kh+1)×(W−kw+1)`` float64 array.

    Example:
        >>> X = np.arange(9.0).reshape(3, 3)
        >>> corr2d(X, np.array([[0.0, 1.0], [2.0, 3.0]])).tolist()
        [[19.0, 25.0], [37.0, 43.0]]
    """
    h, w = kernel.shape
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i : i + h, j : j + w] * kernel).sum()
    return out


class NumpyBackend(BackendBase):
    """Readable reference implementation; every other backend is tested against torch and it."""

    name = "numpy"

    def pad(self, image: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Pad the spatial axes of an ``H×W×C`` image as the geometry says."""
        widths = ((geometry.top, geometry.bottom), (geometry.left, geometry.right), (0, 0))
        mode = MODE_NAMES[geometry.mode].numpy
        return np.pad(image, widths, mode=mode)  # type: ignore[call-overload]

    def taps(
        self, padded: np.ndarray, kh: int, kw: int, geometry: Geometry
    ) -> Iterator[tuple[int, int, np.ndarray]]:
        """Yield ``(u, v, window)``: the padded pixels kernel tap ``(u, v)`` meets, per output."""
        (sh, sw), (dh, dw), (out_h, out_w) = geometry.stride, geometry.dilation, geometry.out_shape
        for u in range(kh):
            for v in range(kw):
                rows = slice(u * dh, u * dh + (out_h - 1) * sh + 1, sh)
                cols = slice(v * dw, v * dw + (out_w - 1) * sw + 1, sw)
                yield u, v, padded[rows, cols]

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C``."""
        padded = self.pad(image, geometry)
        out = np.zeros((*geometry.out_shape, image.shape[2]), dtype=image.dtype)
        kh, kw = kernel.shape
        for u, v, window in self.taps(padded, kh, kw, geometry):
            out += kernel[u, v].astype(image.dtype) * window
        return out

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """A full layer: ``H×W×C_in`` with ``C_out×C_in/g×kh×kw`` → ``H'×W'×C_out``."""
        padded = self.pad(image, geometry)
        c_out, c_in_per_group, kh, kw = weight.shape
        out_per_group = c_out // groups
        weight = weight.astype(image.dtype)
        out = np.zeros((*geometry.out_shape, c_out), dtype=image.dtype)
        for u, v, window in self.taps(padded, kh, kw, geometry):
            for g in range(groups):
                inputs = window[:, :, g * c_in_per_group : (g + 1) * c_in_per_group]
                outputs = slice(g * out_per_group, (g + 1) * out_per_group)
                # Every output channel: weighted sum of this group's input channels (notes §3.9).
                out[:, :, outputs] += inputs @ weight[outputs, :, u, v].T
        return out


BACKEND = NumpyBackend()
