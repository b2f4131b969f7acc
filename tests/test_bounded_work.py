"""Work and memory stay bounded: huge requests are refused or take the fast path, never hang."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.backends import BACKEND_NAMES, get_backend, is_available
from filters.limits import MAX_MULTIPLY_ADDS

from .references import torch_conv2d


def test_issue_example_31x31_dilation_50_on_12_megapixels_float64_finishes_and_is_right():
    """The dilated kernel runs phase by phase (31×31 taps), not as a 1501×1501 filter."""
    rng = np.random.default_rng(0)
    image = rng.random((3000, 4000))  # float64
    kernel = rng.random((31, 31))
    out = filters.conv2d(image, kernel, dilation=50, padding="same", padding_mode="zeros")
    assert out.shape == image.shape and out.dtype == np.float64
    padded = np.pad(image, 750)
    for row, col in [(0, 0), (1500, 2000), (2999, 3999), (777, 3141)]:
        window = padded[row : row + 1501 : 50, col : col + 1501 : 50]
        assert out[row, col] == pytest.approx(float((window * kernel).sum()), rel=1e-10)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_dilated_opencv_keeps_nan_in_the_windows_that_hold_it(mode):
    image = np.random.default_rng(1).random((40, 50, 2)).astype(np.float32)
    image[7, 9, 0] = np.nan
    kernel = np.random.default_rng(2).normal(size=(3, 3))
    kwargs = dict(padding=4, padding_mode=mode, dilation=(4, 3), stride=(1, 2))
    out = filters.conv2d(image, kernel, backend="opencv", **kwargs)
    expected = torch_conv2d(image, kernel, **kwargs)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    np.testing.assert_allclose(out, expected, atol=1e-5)


#: The backends whose work grows with pixels × taps, as each declares (numpy, scipy, torch).
TAP_BY_TAP = [name for name in BACKEND_NAMES
              if is_available(name) and get_backend(name).work_grows_with_taps]


def test_the_capped_backends_are_the_tap_by_tap_ones():
    # OpenCV's separable passes and phases and the FFT keep their work near the image size.
    assert "numpy" in TAP_BY_TAP and "opencv" not in TAP_BY_TAP and "fft" not in TAP_BY_TAP


@pytest.mark.parametrize("backend", TAP_BY_TAP)
def test_tap_by_tap_backends_refuse_minutes_of_work(backend):
    image = np.zeros((3000, 4000, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"multiply-adds.*backend='auto'"):
        filters.conv2d(image, np.ones((31, 31)), padding="same", backend=backend)


def test_auto_takes_the_same_request_without_complaint():
    image = np.zeros((3000, 4000, 3), dtype=np.float32)
    assert MAX_MULTIPLY_ADDS < 3000 * 4000 * 3 * 31 * 31
    out = filters.conv2d(image, np.ones((31, 31)), padding="same")
    assert out.shape == image.shape


def test_padding_that_would_need_hundreds_of_gigabytes_is_a_value_error():
    with pytest.raises(ValueError, match="GiB"):
        filters.pad(np.zeros((100, 100)), 100_000)


def test_a_kernel_changed_in_place_after_a_call_does_not_change_a_remembered_plan():
    """Repeated calls skip the checks; the remembered plan must hold its own copy of the kernel."""
    image = np.random.default_rng(3).random((16, 16))
    kernel = np.zeros((3, 3))
    first = filters.conv2d(image, kernel, padding=1)
    kernel += 1.0  # in place, as a gradient step does
    np.testing.assert_array_equal(filters.conv2d(image, np.zeros((3, 3)), padding=1), first)
    np.testing.assert_allclose(filters.conv2d(image, kernel, padding=1),
                               filters.conv2d(image, kernel, padding=1, backend="numpy"))
