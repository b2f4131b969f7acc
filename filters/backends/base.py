"""The backend interface and the checked geometry every backend receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

__all__ = [
    "DIRECT_DTYPES",
    "FLOAT_DTYPES",
    "Backend",
    "BackendBase",
    "Geometry",
    "Runner",
    "dilate_kernel",
    "full_by_depthwise",
]

#: The dtypes every backend computes in.
FLOAT_DTYPES: frozenset[np.dtype] = frozenset({np.dtype(np.float32), np.dtype(np.float64)})
#: The dtypes SciPy's ndimage and OpenCV read directly, without a float copy first.
DIRECT_DTYPES: frozenset[np.dtype] = frozenset(
    np.dtype(name) for name in ("uint8", "uint16", "int16", "float32", "float64")
)

#: A prepared depthwise call: the caller's ``H×W`` or ``H×W×C`` image → ``H'×W'[×C]``.
Runner = Callable[[np.ndarray], np.ndarray]


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

    ``depthwise`` and ``full`` take and return channels-last arrays (the output has the working
    float dtype, float32 or float64) and compute cross-correlation (no kernel flip). Each
    backend translates the padding mode through :data:`filters.padding.MODE_NAMES`.

    Three members are optional in spirit and have defaults in :class:`BackendBase`:
    ``native_dtypes`` (the image dtypes handed over unconverted; float32/float64 by default),
    ``copy_free_dtypes`` (those it filters without making a float copy of the image, which
    :attr:`filters.conv.ConvPlan.working_bytes` counts otherwise) and ``prepare`` (a ready-made
    depthwise call for repeated same-shaped images, or ``None``).
    """

    name: str
    native_dtypes: ClassVar[frozenset[np.dtype]]
    copy_free_dtypes: ClassVar[frozenset[np.dtype]]
    work_grows_with_taps: ClassVar[bool]

    def prepare(
        self, image_shape: tuple[int, ...], dtype: np.dtype, kernel: np.ndarray,
        geometry: Geometry,
    ) -> Runner | None:
        """The depthwise call with its set-up done once, or ``None`` if the backend has none.

        ``image_shape`` is the caller's ``H×W`` or ``H×W×C``; the runner returns ``H'×W'`` or
        ``H'×W'×C`` in the working float dtype.
        """
        ...

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


class BackendBase:
    """The defaults of :class:`Backend`'s optional members; backends inherit from it.

    Example:
        >>> BackendBase().prepare((4, 4), np.dtype("float32"), np.ones((3, 3)), None) is None
        True
    """

    native_dtypes: ClassVar[frozenset[np.dtype]] = FLOAT_DTYPES
    copy_free_dtypes: ClassVar[frozenset[np.dtype]] = FLOAT_DTYPES
    #: True when the time grows with pixels × taps (numpy, scipy, torch); OpenCV and the FFT
    #: keep their work near the image size, so ``conv2d`` does not cap it (see limits.py).
    work_grows_with_taps: ClassVar[bool] = True

    def prepare(
        self, image_shape: tuple[int, ...], dtype: np.dtype, kernel: np.ndarray,
        geometry: Geometry,
    ) -> Runner | None:
        """No prepared call: every call goes through ``depthwise``."""
        return None

    def full(
        self, image: np.ndarray, weight: np.ndarray, groups: int, geometry: Geometry
    ) -> np.ndarray:
        """A full layer as sums of per-channel ``depthwise`` correlations (integers → float32).

        Backends with a faster full layer (numpy, torch) override this.
        """
        if image.dtype.kind != "f":
            image = image.astype(np.float32)
        return full_by_depthwise(self, image, weight, groups, geometry)  # type: ignore[arg-type]


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
    """A full layer as sums of single-channel correlations (``corr2d_multi_in``, notes §3.9).

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
