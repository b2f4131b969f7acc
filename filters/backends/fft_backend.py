"""FFT backend: pad like torch, then ``scipy.signal.fftconvolve`` in ``"valid"`` mode.

The convolution theorem turns a ``k×k`` correlation into two transforms and a product, so the
cost hardly grows with the kernel. It is here as a named backend and a reference route; ``auto``
does not pick it, because OpenCV's ``matchTemplate`` transform was 1.5–4× faster on every case
measured (see ``choose_backend`` in :mod:`filters.conv`). Correlation is convolution with the
kernel rotated by 180°, so the kernel is flipped before the transform. A transform mixes every
pixel into every output, so a NaN or infinity would spoil the whole result instead of the
windows that hold it: such images are handed to the numpy backend, which keeps torch's rule.

Rounding: float32 transforms carry a relative error of about ``1e-7·log2(N)`` of the output's
magnitude, well inside the 1e-4 every backend is held to.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .base import BackendBase, Geometry, dilate_kernel
from .numpy_backend import BACKEND as NUMPY

__all__ = ["BACKEND", "FFTBackend"]


class FFTBackend(BackendBase):
    """Transform-domain correlation with SciPy (``scipy.signal.fftconvolve``)."""

    name = "fft"
    work_grows_with_taps = False

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate every channel with ``kernel``; ``H×W×C`` → ``H'×W'×C``."""
        if not np.isfinite(image).all():
            return NUMPY.depthwise(image, kernel, geometry)
        padded = image if geometry.is_unpadded else NUMPY.pad(image, geometry)
        flipped = dilate_kernel(kernel.astype(image.dtype), geometry.dilation)[::-1, ::-1]
        if padded.shape[2] == 1:
            full = signal.fftconvolve(padded[:, :, 0], flipped, mode="valid")[:, :, None]
        else:
            full = signal.fftconvolve(padded, flipped[:, :, None], mode="valid", axes=(0, 1))
        (sh, sw), (out_h, out_w) = geometry.stride, geometry.out_shape
        return full[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw].astype(
            image.dtype, copy=False
        )


BACKEND = FFTBackend()
