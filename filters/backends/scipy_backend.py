"""SciPy backend: ``scipy.ndimage.correlate`` with its own names for the four borders."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy import ndimage

from ..padding import MODE_NAMES
from .base import DIRECT_DTYPES, BackendBase, Geometry, dilate_kernel
from .numpy_backend import BACKEND as NUMPY

__all__ = ["BACKEND", "ScipyBackend"]


class ScipyBackend(BackendBase):
    """``ndimage.correlate`` extends the border itself, so no padded copy is made."""

    name = "scipy"
    #: dtypes ndimage reads directly (it works in float64 inside and writes float32 out).
    native_dtypes: ClassVar[frozenset[np.dtype]] = DIRECT_DTYPES
    copy_free_dtypes: ClassVar[frozenset[np.dtype]] = DIRECT_DTYPES

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C``."""
        result = np.float64 if image.dtype == np.float64 else np.float32
        spread = dilate_kernel(kernel.astype(result), geometry.dilation)
        span_h, span_w = spread.shape
        # ndimage puts output pixel j over input pixel j with the kernel's "centre" tap at
        # index c = span//2 + origin. Output i of the padded correlation reads input rows from
        # i·s − top, so choosing c = top lines them up (origin must keep c inside the kernel).
        if geometry.top < span_h and geometry.left < span_w and self._fits(image, geometry):
            origin = (geometry.top - span_h // 2, geometry.left - span_w // 2)
            grey = image.shape[2] == 1  # 2-D arrays: ndimage is slower on a length-1 axis
            full = ndimage.correlate(
                image[:, :, 0] if grey else image,
                spread if grey else spread[:, :, None],
                output=result,
                mode=MODE_NAMES[geometry.mode].scipy,  # trap: scipy's "reflect" is not torch's
                cval=0.0,
                origin=origin if grey else (*origin, 0),
            )
            if grey:
                full = full[:, :, None]
            (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
            return full[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw]
        # Padding wider than the kernel reaches: pad explicitly, then correlate the valid part.
        padded = NUMPY.pad(image, geometry)
        inner = Geometry(
            0, 0, 0, 0, "zeros", geometry.stride, geometry.dilation, geometry.out_shape
        )
        return self.depthwise(padded, kernel, inner)

    @staticmethod
    def _fits(image: np.ndarray, geometry: Geometry) -> bool:
        (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
        return (out_h - 1) * sh < image.shape[0] and (out_w - 1) * sw < image.shape[1]


BACKEND = ScipyBackend()
