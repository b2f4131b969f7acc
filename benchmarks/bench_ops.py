"""Pooling, transposed convolution and upsampling against PyTorch and OpenCV, same process.

Every call takes the same ``H×W×C`` float32 numpy image and returns an ``H'×W'×C`` result; the
torch calls include the view to ``1×C×H×W`` and back (no copies), as a user would write them.
``ratio`` is the time over the fastest library call of the case; ``peak_mib`` as in
:mod:`benchmarks.bench_conv`.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numpy as np

import filters
from benchmarks.bench_conv import paired_ratios, peak_mib, timed_rounds


def _torch_hwc(function: Callable, image: np.ndarray) -> Callable[[], object]:
    import torch

    def call() -> object:
        x = torch.from_numpy(image).permute(2, 0, 1)[None]
        with torch.no_grad():
            return function(x)[0].permute(1, 2, 0).numpy()

    return call


def op_cases(image: np.ndarray) -> list[tuple[str, str, dict[str, Callable[[], object]],
                                               dict[str, Callable[[], object]]]]:
    """``(kind, op, library calls, our calls)`` for one image."""
    import cv2
    import torch.nn.functional as F

    h, w = image.shape[:2]
    kernel = filters.bilinear_kernel(2)
    channels = image.shape[2]
    import torch

    weight = torch.from_numpy(np.broadcast_to(kernel.astype(np.float32),
                                              (channels, 1, *kernel.shape)).copy())
    return [
        ("pool", "max 2×2, stride 2",
         {"F.max_pool2d": _torch_hwc(lambda x: F.max_pool2d(x, 2), image)},
         {"filters.pool2d": lambda: filters.pool2d(image, 2)}),
        ("pool", "avg 3×3, stride 1, padding 1",
         {"F.avg_pool2d": _torch_hwc(lambda x: F.avg_pool2d(x, 3, 1, 1), image)},
         {"filters.pool2d": lambda: filters.pool2d(image, 3, stride=1, padding=1, mode="avg")}),
        ("pool", "lp (p=2) 2×2, stride 2",
         {"F.lp_pool2d": _torch_hwc(lambda x: F.lp_pool2d(x, 2, 2), image)},
         {"filters.pool2d": lambda: filters.pool2d(image, 2, mode="lp", p=2)}),
        ("transposed", "bilinear 4×4, stride 2, padding 1",
         {"F.conv_transpose2d": _torch_hwc(
             lambda x: F.conv_transpose2d(x, weight, stride=2, padding=1, groups=channels),
             image)},
         {"filters.conv_transpose2d": lambda: filters.conv_transpose2d(
             image, kernel, stride=2, padding=1)}),
        ("upsample", "nearest ×2",
         {"cv2.resize": lambda: cv2.resize(image, (2 * w, 2 * h),
                                           interpolation=cv2.INTER_NEAREST),
          "F.interpolate": _torch_hwc(
              lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), image)},
         {"filters.upsample": lambda: filters.upsample(image, 2, mode="nearest")}),
        ("upsample", "bilinear ×2",
         {"cv2.resize": lambda: cv2.resize(image, (2 * w, 2 * h),
                                           interpolation=cv2.INTER_LINEAR),
          "F.interpolate": _torch_hwc(
              lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), image)},
         {"filters.upsample": lambda: filters.upsample(image, 2, mode="bilinear")}),
        ("upsample", "bicubic ×2",
         {"F.interpolate": _torch_hwc(
             lambda x: F.interpolate(x, scale_factor=2, mode="bicubic"), image)},
         {"filters.upsample": lambda: filters.upsample(image, 2, mode="bicubic")}),
    ]


def run(quick: bool = True) -> list[dict[str, object]]:
    """Rows in :mod:`benchmarks.bench_conv`'s layout for 512² and 1920×1080 RGB float32."""
    sizes = [(512, 512), (1080, 1920)]
    rows: list[dict[str, object]] = []
    for height, width in sizes:
        image = np.random.default_rng(3).random((height, width, 3), dtype=np.float32)
        for kind, op, raw, ours in op_cases(image):
            times = timed_rounds({**raw, **ours}, 5 if quick else 9)
            seconds = {name: statistics.median(values) for name, values in times.items()}
            ratios = paired_ratios(times, list(raw))
            for name, call in {**raw, **ours}.items():
                rows.append({"kind": kind, "case": f"{width}×{height} RGB float32, {op}",
                             "size": f"{width}×{height}", "channels": "RGB",
                             "dtype": "float32", "op": op, "call": name,
                             "seconds": seconds[name], "ratio": ratios[name],
                             "peak_mib": peak_mib(call) if seconds[name] < 0.5 else None})
    return rows
