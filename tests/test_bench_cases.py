"""Every backend gives torch's numbers on the benchmark's own cases (so fast never means wrong).

The cases are ``benchmarks.bench_conv.cases(quick=True)``: 512² and 1920×1080, grey and RGB,
uint8 and float32, kernels 3–31, separable and dense, ``padding="same"``, reflect. The
tolerance is 1e-4 of the output's scale (its largest magnitude): a 31×31 kernel on uint8 gives
outputs in the thousands, where float32 itself only keeps about 7 digits.

The reference is torch's ``F.conv2d`` in float32: torch's float64 convolution takes minutes on
the 1080p cases with large kernels. Its own error is at most a tenth of the tolerance, which
:func:`test_the_float32_reference_is_within_a_tenth_of_the_tolerance_of_float64` checks against
torch in float64 with the kernel of every case.
"""

from __future__ import annotations

import numpy as np
import pytest

import filters
from benchmarks import bench_conv
from filters.backends import AUTO, BACKEND_NAMES, is_available

from .references import torch_conv2d

CASES = bench_conv.cases(quick=True)
SMALL = [case for case in CASES if case.height == 512]
LARGE = [case for case in CASES if case.height == 1080]
#: Backends too slow for the big kernels of the quick cases (they run up to 9×9 only).
SLOW_BACKENDS = ("scipy", "numpy")
FAST_BACKENDS = [AUTO] + [b for b in BACKEND_NAMES if is_available(b) and b not in SLOW_BACKENDS]


def assert_matches(out: np.ndarray, reference: np.ndarray, label: str) -> None:
    assert out.shape == reference.shape, label
    assert out.dtype == np.float32, label
    scale = float(np.abs(reference).max())
    np.testing.assert_allclose(out, reference, rtol=TOLERANCE, atol=TOLERANCE * max(scale, 1.0),
                               err_msg=label)


#: The tolerance of :func:`assert_matches`, relative to the output's scale.
TOLERANCE = 1e-4


def reference(case: bench_conv.ConvCase, image: np.ndarray, dtype=np.float32) -> np.ndarray:
    return torch_conv2d(image.astype(np.float32), case.kernel(), padding="same",
                        padding_mode="reflect", dtype=dtype)


@pytest.mark.parametrize("case", SMALL, ids=lambda case: case.label)
def test_every_backend_matches_torch_on_512_cases(case):
    image = case.image()
    expected = reference(case, image)
    backends = FAST_BACKENDS + (list(SLOW_BACKENDS) if case.kernel_size <= 9 else [])
    for backend in backends:
        out = filters.conv2d(image, case.kernel(), padding="same", padding_mode="reflect",
                             backend=backend)
        assert_matches(out, expected, f"{case.label} [{backend}]")


@pytest.mark.slow
@pytest.mark.parametrize("case", LARGE, ids=lambda case: case.label)
def test_auto_and_opencv_match_torch_on_1080p_cases(case):
    image = case.image()
    expected = reference(case, image)
    for backend in ("auto", "opencv"):
        out = filters.conv2d(image, case.kernel(), padding="same", padding_mode="reflect",
                             backend=backend)
        assert_matches(out, expected, f"{case.label} [{backend}]")


@pytest.mark.parametrize("case", SMALL, ids=lambda case: case.label)
def test_the_float32_reference_is_within_a_tenth_of_the_tolerance_of_float64(case):
    """Torch in float32 against torch in float64, with the case's kernel, on a 64×64 corner of
    its image (the rounding of a sum of k² products does not grow with the image)."""
    image = case.image()[:64, :64]
    exact = reference(case, image, dtype=np.float64)
    single = reference(case, image)
    assert single.dtype == np.float32
    scale = max(float(np.abs(exact).max()), 1.0)
    assert float(np.abs(single - exact).max()) <= TOLERANCE / 10 * scale, case.label


def test_cases_cover_what_the_benchmark_promises():
    labels = {case.label for case in CASES}
    assert len(labels) == len(CASES) == 2 * 2 * 2 * 2 * 5
    assert {case.kernel_size for case in CASES} == {3, 5, 9, 15, 31}
    assert {(case.rgb, case.dtype, case.separable) for case in CASES} == {
        (rgb, dtype, sep) for rgb in (False, True) for dtype in ("float32", "uint8")
        for sep in (False, True)}
    for case in CASES:
        assert filters.kernels.is_separable(case.kernel()) == case.separable
