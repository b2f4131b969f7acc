"""The backend interface and the checked geometry every backend receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

__all__ = ["Backend", "Geometry", "dilate_kernel", "full_by_depthwise"]


@dataclass(frozen=True)
class Geometry:
    """Where the kernel goes: already validated by :func:`filters.conv2d`.

    Attributes:
        top, bottom, left, right: padding per side, in pixels.
        mode: ``"zeros" | "reflect" | "replicate" | "circular"``.
        stride: ``(sh, sw)``.
        dilation: ``(dh, dw)``.
        out_shape: ``(H', W')``, from the size formula.
    """

    top: int
    bottom: int
    left: int
    right: int
    mode: str
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out_shape: tuple[int, int]

    @property
    def is_unpadded(self) -> bool:
        """True when no padding is added on any side."""
        return self.top == self.bottom == self.left == self.right == 0


class Backend(Protocol):
    """What a convolution backend provides.

    Both methods take and return channels-last float arrays (float32 or float64, the output
    has the input's dtype) and compute cross-correlation (no kernel flip).
    """

    name: str
    padding_modes: ClassVar[dict[str, object]]

    def depthwise(self, image: np.ndarray, kernel: np.ndarray, geometry: Geometry) -> np.ndarray:
        """Correlate each channel of ``image`` (H×W×C) with the same ``kernel`` (kh×kw).

        Returns ``H'×W'×C``.
        """
        ...

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """A full layer: ``image`` H×W×C_in, ``weight`` C_out×(C_in/groups)×kh×kw → H'×W'×C_out."""
        ...


def dilate_kernel(kernel: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """Spread a kernel's taps ``dilation`` apart, filling the holes with zeros.

    Example:
        >>> dilate_kernel(np.ones((2, 2)), (2, 1)).tolist()
        [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]
    """
    dh, dw = dilation
    if dh == dw == 1:
        return kernel
    kh, kw = kernel.shape
    spread = np.zeros((dh * (kh - 1) + 1, dw * (kw - 1) + 1), dtype=kernel.dtype)
    spread[::dh, ::dw] = kernel
    return spread


def full_by_depthwise(
    backend: Backend, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
) -> np.ndarray:
    """A full layer as sums of single-channel correlations (seed 003's ``corr2d_multi_in``).

    Output channel ``o`` of group ``g`` is ``Σ_i corr(x[..., g·Cg + i], w[o, i])``.
    """
    c_out, c_in_per_group = weight.shape[:2]
    out_per_group = c_out // groups
    out = np.zeros((*geometry.out_shape, c_out), dtype=image.dtype)
    for o in range(c_out):
        first = (o // out_per_group) * c_in_per_group
        for i in range(c_in_per_group):
            channel = image[:, :, first + i : first + i + 1]
            out[:, :, o] += backend.depthwise(channel, weight[o, i], geometry)[:, :, 0]
    return out
