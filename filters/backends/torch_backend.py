"""PyTorch backend: ``F.pad`` + ``F.conv2d`` on a ``1×C×H×W`` view of the image.

torch is imported when this module is, which happens only when the backend is first used.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch
import torch.nn.functional as F

from .base import Geometry

__all__ = ["BACKEND", "TORCH_MODES", "TorchBackend"]

#: our mode names -> ``F.pad`` modes ("zeros" is ``F.conv2d``'s own zero padding).
TORCH_MODES: dict[str, str] = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}


def _to_batch(image: np.ndarray) -> torch.Tensor:
    """``H×W×C`` numpy → ``1×C×H×W`` tensor (a view; no copy)."""
    return torch.from_numpy(image).permute(2, 0, 1).unsqueeze(0)


class TorchBackend:
    """The reference the tests compare every backend to; also fastest for many channels."""

    name = "torch"
    padding_modes: ClassVar[dict[str, object]] = dict(TORCH_MODES)
    #: dtypes handed over as they are: torch converts integers to float32 itself, on all cores.
    native_dtypes: ClassVar[frozenset[np.dtype]] = frozenset(
        np.dtype(name) for name in ("uint8", "int16", "float32", "float64")
    )

    def _convolve(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        x = _to_batch(np.ascontiguousarray(image))
        dtype = np.float64 if image.dtype == np.float64 else np.float32
        if not x.is_floating_point():
            x = x.to(torch.float32)
        w = torch.from_numpy(np.array(weight, dtype=dtype))  # small; a writable copy
        sides = (geometry.left, geometry.right, geometry.top, geometry.bottom)
        with torch.no_grad():
            # Always F.pad, never F.conv2d's own ``padding``: with it, torch 2.13 on CPU takes a
            # slow path from 9×9 kernels on (512² RGB 15×15: 1.45 s instead of 64 ms here).
            if any(sides):
                x = F.pad(x, sides, mode=TORCH_MODES[geometry.mode])
            y = F.conv2d(x, w, stride=geometry.stride, dilation=geometry.dilation, groups=groups)
        # The H×W×C copy in torch (all cores) rather than numpy's (one core).
        return y[0].permute(1, 2, 0).contiguous().numpy()

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """One kernel for every channel: a grouped convolution with ``groups = C``."""
        channels = image.shape[2]
        weight = np.broadcast_to(kernel, (channels, 1, *kernel.shape))
        return self._convolve(image, weight, channels, geometry)

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """``F.conv2d`` with the weight as given (``C_out×C_in/groups×kh×kw``)."""
        return self._convolve(image, weight, groups, geometry)


BACKEND = TorchBackend()
