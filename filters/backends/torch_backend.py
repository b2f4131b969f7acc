"""PyTorch backend: ``F.pad`` + ``F.conv2d`` on a ``1×C×H×W`` view of the image.

torch is imported when this module is, which happens only when the backend is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from ..padding import MODE_NAMES
from .base import BackendBase, Geometry

__all__ = ["BACKEND", "TorchBackend"]


def _to_batch(image: np.ndarray) -> torch.Tensor:
    """``H×W×C`` numpy → ``1×C×H×W`` tensor (a view; no copy)."""
    return torch.from_numpy(image).permute(2, 0, 1).unsqueeze(0)


class TorchBackend(BackendBase):
    """The reference the tests compare every backend to; also fastest for many channels."""

    name = "torch"
    #: dtypes handed over as they are: torch converts integers to float32 itself, on all cores.
    native_dtypes: ClassVar[frozenset[np.dtype]] = frozenset(
        np.dtype(name) for name in ("uint8", "int16", "float32", "float64")
    )

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """One kernel for every channel: a grouped convolution with ``groups = C``."""
        return self.prepare(image.shape, image.dtype, kernel, geometry)(image)

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """``F.conv2d`` with the weight as given (``C_out×C_in/groups×kh×kw``)."""
        return _convolution(_weight(weight, image.dtype), groups, geometry)(image)

    def prepare(self, image_shape: tuple[int, ...], dtype: np.dtype, kernel: np.ndarray,
                geometry: Geometry) -> Callable[[np.ndarray], np.ndarray]:
        """The depthwise call with its weight tensor made once, for same-shaped images.

        ``image_shape`` is ``H×W`` or ``H×W×C``; the function returns ``H'×W'`` or
        ``H'×W'×C`` float32 (float64 for float64).
        """
        channels = image_shape[2] if len(image_shape) == 3 else 1
        weight = _weight(np.broadcast_to(kernel, (channels, 1, *kernel.shape)), dtype)
        convolve = _convolution(weight, channels, geometry)
        native = self.native_dtypes

        def run(image: np.ndarray) -> np.ndarray:
            if image.dtype not in native:
                image = image.astype(np.float32)
            if image.ndim == 2:
                return convolve(image[:, :, None])[:, :, 0]
            return convolve(image)

        return run


def _weight(weight: np.ndarray, image_dtype: np.dtype) -> torch.Tensor:
    """The weight as a tensor of the working dtype (float64 for float64 images, else float32)."""
    dtype = np.float64 if image_dtype == np.float64 else np.float32
    return torch.from_numpy(np.array(weight, dtype=dtype))  # small; a writable copy


def _convolution(weight: torch.Tensor, groups: int, geometry: Geometry
                 ) -> Callable[[np.ndarray], np.ndarray]:
    """``H×W×C`` numpy image → ``H'×W'×C_out`` numpy result, through ``F.pad`` + ``F.conv2d``."""
    sides = (geometry.left, geometry.right, geometry.top, geometry.bottom)
    mode = MODE_NAMES[geometry.mode].torch

    def convolve(image: np.ndarray) -> np.ndarray:
        x = _to_batch(np.ascontiguousarray(image))
        if not x.is_floating_point():
            x = x.to(weight.dtype)
        with torch.no_grad():
            # Always F.pad, never F.conv2d's own ``padding``: with it, torch 2.13 on CPU takes a
            # slow path from 9×9 kernels on (512² RGB 15×15: 1.45 s instead of 64 ms here).
            if any(sides):
                x = F.pad(x, sides, mode=mode)
            y = F.conv2d(x, weight, stride=geometry.stride, dilation=geometry.dilation,
                         groups=groups)
        # The H×W×C copy in torch (all cores) rather than numpy's (one core).
        return y[0].permute(1, 2, 0).contiguous().numpy()

    return convolve


BACKEND = TorchBackend()
