"""conv2d per backend against the raw library calls, on the same HWC numpy image, same process.

Every case is one image (size, grey or RGB, uint8 or float32) and one kernel (3, 5, 9, 15, 31;
a Gaussian, which is separable, or random values, which are not), with ``padding="same"`` and
``padding_mode="reflect"``. The raw calls are what a user would write to get the same numbers
from the same array:

- ``cv2.filter2D`` / ``cv2.sepFilter2D`` with ``BORDER_REFLECT_101`` and a float32 result
  (``ddepth=CV_32F``, so uint8 is not rounded or saturated);
- ``signal.oaconvolve``: ``cv2.copyMakeBorder`` then overlap-add FFT convolution with the
  flipped kernel, ``mode="valid"``;
- ``ndimage.correlate`` with ``mode="mirror"`` and a float32 output;
- ``torch.conv2d``: a ``1×C×H×W`` view of the image, ``F.pad(mode="reflect")`` and a
  depthwise ``F.conv2d`` (plus ``.float()`` for uint8), the result viewed back as ``H×W×C``.

Each cell is the median of interleaved repeats (every call once per round, so a slow moment of
the machine hits all calls alike); ``ratio`` is the time over the fastest raw call of the same
case, as the median of the per-round ratios (see :func:`paired_ratios`). ``peak_mib`` is the
peak of the memory Python can see (numpy and OpenCV arrays, traced by ``tracemalloc``) during
one call; torch's and the libraries' scratch memory is not included.
Slow calls (SciPy and torch with large kernels on large images) are left out of the quick run;
their place in the table stays empty.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import filters
from filters.backends import AUTO

KERNEL_SIZES = (3, 5, 9, 15, 31)
#: Skip a slow library (SciPy's ndimage, torch) when pixels·channels·k² exceeds this.
SLOW_WORK_LIMIT = {True: 2e8, False: 4e9}


@dataclass(frozen=True)
class ConvCase:
    """One row group of the table: an image and a kernel."""

    height: int
    width: int
    rgb: bool
    dtype: str
    kernel_size: int
    separable: bool

    @property
    def label(self) -> str:
        """E.g. ``"1920×1080 RGB float32, gaussian 15 (separable)"``."""
        return f"{self.size} {self.channels} {self.dtype}, {self.op}"

    @property
    def size(self) -> str:
        """``"W×H"``."""
        return f"{self.width}×{self.height}"

    @property
    def channels(self) -> str:
        """``"RGB"`` or ``"grey"``."""
        return "RGB" if self.rgb else "grey"

    @property
    def op(self) -> str:
        """The kernel, e.g. ``"random 9 (dense)"``."""
        kind = "gaussian" if self.separable else "random"
        return f"{kind} {self.kernel_size} ({'separable' if self.separable else 'dense'})"

    def image(self) -> np.ndarray:
        """A smooth random picture of this case's shape and dtype."""
        rng = np.random.default_rng(self.height * 7 + self.width)
        shape = (self.height, self.width, 3) if self.rgb else (self.height, self.width)
        values = rng.random(shape, dtype=np.float32)
        return (values * 255).astype(np.uint8) if self.dtype == "uint8" else values

    def kernel(self) -> np.ndarray:
        """float32 ``k×k``: a Gaussian (σ = k/6) or standard normal values."""
        k = self.kernel_size
        if self.separable:
            return filters.gaussian_kernel(k, max(k / 6, 0.5)).astype(np.float32)
        return np.random.default_rng(k).normal(size=(k, k)).astype(np.float32)


def cases(quick: bool = True) -> list[ConvCase]:
    """Every case of the quick (512² and 1920×1080) or full run (adds 4000×3000)."""
    sizes = [(512, 512), (1080, 1920)] + ([] if quick else [(3000, 4000)])
    return [
        ConvCase(h, w, rgb, dtype, k, separable)
        for h, w in sizes
        for rgb in (False, True)
        for dtype in ("float32", "uint8")
        for separable in (True, False)
        for k in KERNEL_SIZES
    ]


#: Every backend of the registry and the raw calls of its own library it is raced against
#: (numpy has none: it is the readable reference, too slow to race). The order is the
#: tables' column order.
RAW_CALLS: dict[str, tuple[str, ...]] = {
    "opencv": ("cv2.filter2D", "cv2.sepFilter2D"),
    "fft": ("signal.oaconvolve",),
    "scipy": ("ndimage.correlate",),
    "torch": ("torch.conv2d",),
    "numpy": (),
}


def raw_calls(case: ConvCase, image: np.ndarray, quick: bool) -> dict[str, Callable[[], object]]:
    """The library calls a user would write for the same result (see the module docstring)."""
    import cv2
    import torch
    import torch.nn.functional as F
    from scipy import ndimage, signal

    kernel = case.kernel()
    pad = case.kernel_size // 2
    reflect = cv2.BORDER_REFLECT_101
    calls: dict[str, Callable[[], object]] = {
        "cv2.filter2D": lambda: cv2.filter2D(image, cv2.CV_32F, kernel, borderType=reflect),
    }
    pieces = filters.kernels.separate(kernel)
    if pieces is not None:
        column, row = (piece.astype(np.float32) for piece in pieces)
        calls["cv2.sepFilter2D"] = lambda: cv2.sepFilter2D(
            image, cv2.CV_32F, row, column, borderType=reflect)
    if case.kernel_size >= 9:
        flipped = kernel[::-1, ::-1] if image.ndim == 2 else kernel[::-1, ::-1, None]

        def oaconvolve() -> object:
            padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, reflect).astype(
                np.float32, copy=False)
            return signal.oaconvolve(padded, flipped, mode="valid", axes=(0, 1))

        calls["signal.oaconvolve"] = oaconvolve
    if _affordable(case, quick):
        weights = kernel if image.ndim == 2 else kernel[:, :, None]
        calls["ndimage.correlate"] = lambda: ndimage.correlate(
            image, weights, output=np.float32, mode="mirror")
        channels = 3 if case.rgb else 1
        w = torch.from_numpy(np.broadcast_to(kernel, (channels, 1, *kernel.shape)).copy())

        def torch_conv2d() -> object:
            x = torch.from_numpy(image if image.ndim == 3 else image[:, :, None])
            x = x.permute(2, 0, 1)[None]
            if x.dtype != torch.float32:
                x = x.float()
            with torch.no_grad():
                y = F.conv2d(F.pad(x, (pad,) * 4, mode="reflect"), w, groups=channels)
            return y[0].permute(1, 2, 0).numpy()

        calls["torch.conv2d"] = torch_conv2d
    return calls


def our_calls(case: ConvCase, image: np.ndarray, raw: dict[str, object]
              ) -> dict[str, Callable[[], object]]:
    """``filters.conv2d`` on each backend whose library has a raw row in this case."""
    kernel = case.kernel()
    wanted = {AUTO: True} | {backend: any(call in raw for call in calls)
                             for backend, calls in RAW_CALLS.items()}
    return {
        f"filters[{backend}]": (lambda b=backend: filters.conv2d(
            image, kernel, padding="same", padding_mode="reflect", backend=b))
        for backend, keep in wanted.items() if keep
    }


def _affordable(case: ConvCase, quick: bool) -> bool:
    work = case.height * case.width * (3 if case.rgb else 1) * case.kernel_size**2
    return work <= SLOW_WORK_LIMIT[quick]


def timed_rounds(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds of each call in each of several interleaved rounds (two warm-up calls each first).

    Every round runs each call once, in a new random order, so a slow moment of the machine
    hits all calls alike. The fastest call and every call within :data:`NEAR` times of it are
    timed together, in up to 200 rounds (about two seconds); the other calls in groups of their
    own, so a heavy call never runs between two sub-millisecond ones it would disturb. Groups
    under 20 ms a call get the same round budget, heavier calls ``repeats`` rounds, and calls
    slower than half a second 3. torch's calls are timed in rounds of their own, after the
    others: its OpenMP threads keep spinning for a moment after a call and would slow down
    whichever call came next.
    """
    others = {name: call for name, call in calls.items() if "torch" not in name}
    torch_calls = {name: call for name, call in calls.items() if "torch" in name}
    times = _rounds(others, repeats)
    times.update(_rounds(torch_calls, repeats))
    return times


def _rounds(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    warm_up = {}
    for name, call in calls.items():
        call()  # the first call plans, imports and fills caches: it says little about the next
        start = time.perf_counter()
        call()
        warm_up[name] = time.perf_counter() - start
    if not warm_up:
        return {}
    # The fastest call and those within NEAR× of it run together (they are the ones compared);
    # every other call under 20 ms in rounds of its own group, heavier ones fewer times.
    fastest = min(warm_up.values())
    near = [name for name in calls if warm_up[name] <= NEAR * fastest]
    light = [name for name in calls if name not in near and warm_up[name] < 0.02]
    heavy = [name for name in calls if name not in near and name not in light]
    slow = [name for name in heavy if warm_up[name] > 0.5]
    times: dict[str, list[float]] = {}
    for group in (near, light):
        seconds = sum(warm_up[name] for name in group)
        rounds = max(repeats, min(200, int(2.0 / max(seconds, 1e-4))))
        times.update(_interleaved(calls, group, rounds if seconds < 0.5 else repeats))
    times.update(_interleaved(calls, [name for name in heavy if name not in slow], repeats))
    times.update(_interleaved(calls, slow, 3))
    return times


#: Calls within this factor of the fastest call are timed in the same rounds.
NEAR = 4.0


def _interleaved(calls: dict[str, Callable[[], object]], names: list[str], rounds: int
                 ) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in names}
    order = random.Random(len(names))
    names = list(names)
    for _ in range(rounds if names else 0):
        order.shuffle(names)
        for name in names:
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median_seconds(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each call over :func:`timed_rounds`."""
    return {name: statistics.median(values)
            for name, values in timed_rounds(calls, repeats).items()}


def paired_ratios(times: dict[str, list[float]], raw: list[str]) -> dict[str, float]:
    """Each call's time over the fastest raw call's, as the median of per-round ratios.

    The fastest raw call is the one with the smallest median. Pairing the two calls of the
    same round cancels what the machine was doing at that moment (a busy core, a slower
    clock), so two calls that do the same work come out near 1.0 instead of anywhere in ±20 %.
    (torch's calls, timed in rounds of their own, are paired by round number.)
    """
    fastest = min(raw, key=lambda name: statistics.median(times[name]))
    return {name: statistics.median(a / b for a, b in zip(values, times[fastest], strict=False))
            for name, values in times.items()}


#: Each backend wrapped around one library call and the raw calls it stands for (the FFT
#: backend is a different algorithm from ``oaconvolve``, so it is compared, not "wrapped").
WRAPPED = {backend: calls for backend, calls in RAW_CALLS.items() if calls and backend != "fft"}


def wrapper_rows(case: ConvCase, times: dict[str, list[float]], seconds: dict[str, float]
                 ) -> list[dict[str, object]]:
    """``kind="wrapper"`` rows: each backend over the fastest raw call of its own library.

    This is the wrapper's whole cost (checks, padding, conversions, the output copy) on the
    same input; below 1 where the backend takes a faster route than the plain call (e.g.
    ``matchTemplate`` instead of ``filter2D``'s DFT).
    """
    rows: list[dict[str, object]] = []
    for backend, library_calls in WRAPPED.items():
        ours = f"filters[{backend}]"
        present = [name for name in library_calls if name in times]
        if ours not in times or not present:
            continue
        ratio = paired_ratios({ours: times[ours], **{name: times[name] for name in present}},
                              present)[ours]
        fastest = min(present, key=lambda name: seconds[name])
        rows.append({"kind": "wrapper", "case": case.label, "size": case.size,
                     "channels": case.channels, "dtype": case.dtype, "op": case.op,
                     "call": f"{ours} ÷ {fastest}", "seconds": seconds[ours], "ratio": ratio,
                     "peak_mib": None})
    return rows


def peak_mib(call: Callable[[], object]) -> float:
    """Peak Python-visible allocation of one call, in MiB."""
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def run(quick: bool = True, progress: Callable[[str], None] | None = None
        ) -> list[dict[str, object]]:
    """Rows ``kind, case, size, channels, dtype, op, call, seconds, ratio, peak_mib``."""
    repeats = 7 if quick else 9
    rows: list[dict[str, object]] = []
    for case in cases(quick):
        image = case.image()
        raw = raw_calls(case, image, quick)
        ours = our_calls(case, image, raw)
        times = timed_rounds({**raw, **ours}, repeats)
        seconds = {name: statistics.median(values) for name, values in times.items()}
        ratios = paired_ratios(times, list(raw))
        for name, call in {**raw, **ours}.items():
            rows.append({"kind": "conv", "case": case.label, "size": case.size,
                         "channels": case.channels, "dtype": case.dtype, "op": case.op,
                         "call": name, "seconds": seconds[name], "ratio": ratios[name],
                         "peak_mib": peak_mib(call) if seconds[name] < 0.5 else None})
        rows += wrapper_rows(case, times, seconds)
        if progress:
            auto = ratios["filters[auto]"]
            progress(f"{case.label}: auto {auto:.2f}× the fastest raw call")
    return rows
