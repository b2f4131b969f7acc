"""conv2d per backend against the raw library calls it wraps, in the same process.

Each cell is the median of repeated runs; ``ratio`` is the time over the fastest raw call
(OpenCV ``filter2D`` / ``sepFilter2D``, SciPy ``ndimage.correlate``, ``torch.conv2d``) for the
same input, kernel and border. Run: ``python -m filters bench [--quick]``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import filters


def _median_seconds(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up (imports, allocations)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw_calls(image: np.ndarray, kernel: np.ndarray) -> dict[str, Callable[[], object]]:
    import cv2
    import torch
    import torch.nn.functional as F
    from scipy import ndimage

    pad = kernel.shape[0] // 2
    calls: dict[str, Callable[[], object]] = {
        "cv2.filter2D": lambda: cv2.filter2D(image, -1, kernel,
                                             borderType=cv2.BORDER_REFLECT_101),
    }
    pieces = filters.kernels.separate(kernel)
    if pieces is not None:
        column, row = pieces
        calls["cv2.sepFilter2D"] = lambda: cv2.sepFilter2D(
            image, -1, row, column, borderType=cv2.BORDER_REFLECT_101)
    if image.size <= 1_000_000 or kernel.shape[0] <= 5:
        calls["ndimage.correlate"] = lambda: ndimage.correlate(
            image, kernel[:, :, None] if image.ndim == 3 else kernel, mode="mirror")
    x = torch.from_numpy(image).permute(2, 0, 1)[None].contiguous()
    w = torch.from_numpy(np.broadcast_to(kernel.astype(np.float32),
                                         (x.shape[1], 1, *kernel.shape)).copy())

    def torch_call() -> object:
        with torch.no_grad():
            return F.conv2d(F.pad(x, (pad,) * 4, mode="reflect"), w, groups=x.shape[1])

    calls["torch.conv2d"] = torch_call
    return calls


def run(quick: bool = True) -> list[dict[str, object]]:
    """Rows: case, call, seconds, ratio to the fastest raw call."""
    sizes = [(512, 512), (1080, 1920)] + ([] if quick else [(3000, 4000)])
    kernels = {"gaussian 5 (separable)": filters.gaussian_kernel(5, 1.2),
               "gaussian 15 (separable)": filters.gaussian_kernel(15, 3.0),
               "random 5 (dense)": np.random.default_rng(0).normal(size=(5, 5)),
               "random 9 (dense)": np.random.default_rng(1).normal(size=(9, 9))}
    repeats = 3 if quick else 7
    rows: list[dict[str, object]] = []
    for height, width in sizes:
        image = np.random.default_rng(2).random((height, width, 3)).astype(np.float32)
        for name, kernel in kernels.items():
            case = f"{width}×{height} RGB float32, {name}"
            raw = {label: _median_seconds(call, repeats)
                   for label, call in _raw_calls(image, kernel).items()}
            fastest = min(raw.values())
            ours = {f"filters[{backend}]": _median_seconds(
                lambda b=backend, x=image, k=kernel: filters.conv2d(
                    x, k, padding="same", padding_mode="reflect", backend=b), repeats)
                for backend in ("auto", "opencv", "torch", "scipy")
                if backend != "scipy" or "ndimage.correlate" in raw}
            for label, seconds in {**raw, **ours}.items():
                rows.append({"case": case, "call": label, "seconds": seconds,
                             "ratio": seconds / fastest})
    return rows
