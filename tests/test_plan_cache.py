"""Repeated calls reuse a checked plan (and OpenCV's ready-made call): same numbers as torch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import filters
from filters import conv

from .references import torch_conv2d

RNG = np.random.default_rng(5)
IMAGES = {
    "grey float32": RNG.random((23, 31)).astype(np.float32),
    "rgb float32": RNG.random((23, 31, 3)).astype(np.float32),
    "rgb float64": RNG.random((23, 31, 3)),
    "grey uint8": (RNG.random((23, 31)) * 255).astype(np.uint8),
    "rgba uint8": (RNG.random((23, 31, 4)) * 255).astype(np.uint8),
    "5 channels uint16": (RNG.random((23, 31, 5)) * 6e4).astype(np.uint16),
}
KERNELS = {"dense 3×3": RNG.normal(size=(3, 3)), "even 2×4": RNG.normal(size=(2, 4)),
           "separable 5×5": np.outer([1, 4, 6, 4, 1], [1, 2, 0, -2, -1]) / 64.0}
SETTINGS = [
    dict(padding="same", padding_mode=mode, stride=1) for mode in filters.PADDING_MODES
] + [
    dict(padding=1, padding_mode="reflect", stride=2),
    dict(padding=(2, 0), padding_mode="zeros", stride=(1, 3)),
    dict(padding=0, padding_mode="zeros", stride=1, dilation=2),
    dict(padding="valid", padding_mode="zeros", stride=2, bias=0.5),
]


@pytest.mark.parametrize("image_name", list(IMAGES))
@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_first_and_repeated_calls_both_match_torch(image_name, settings):
    image = IMAGES[image_name]
    for kernel in KERNELS.values():
        expected = torch_conv2d(image.astype(np.float64), kernel, **settings)
        dtype = np.float64 if image.dtype == np.float64 else np.float32
        for backend in ("auto", "opencv", "numpy"):
            first = filters.conv2d(image, kernel, backend=backend, **settings)
            again = filters.conv2d(image.copy(), kernel.copy(), backend=backend, **settings)
            assert first.dtype == again.dtype == dtype
            np.testing.assert_array_equal(again, first)
            scale = max(1.0, float(np.abs(expected).max()))
            np.testing.assert_allclose(first, expected, rtol=1e-4, atol=1e-5 * scale)


def test_repeated_calls_use_the_remembered_plan_and_opencv_runs_directly():
    image = RNG.random((40, 41, 3)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3))
    filters.conv2d(image, kernel, padding=1, backend="opencv")
    key = conv._plan_key(image, kernel, (1, 1, "zeros", 1, None, None, False, "opencv"))
    assert key in conv._PLANS and conv._PLANS[key].runner is not None


def test_a_new_image_of_the_same_shape_gives_its_own_result():
    a, b = RNG.random((2, 30, 30)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3))
    out_a = filters.conv2d(a, kernel, padding="same")
    out_b = filters.conv2d(b, kernel, padding="same")
    np.testing.assert_allclose(out_b, torch_conv2d(b, kernel, padding="same"), atol=1e-5)
    assert not np.allclose(out_a, out_b)


def test_parameters_of_another_type_are_still_checked_after_a_plan_is_remembered():
    image, kernel = np.ones((8, 8)), np.ones((3, 3))
    filters.conv2d(image, kernel, stride=1, flip=False)
    for bad in (dict(stride=True), dict(flip=1), dict(stride=1.0)):
        with pytest.raises(TypeError):
            filters.conv2d(image, kernel, **bad)


def test_the_cache_is_bounded_and_holds_no_caller_arrays():
    image = RNG.random((12, 12)).astype(np.float32)
    for value in itertools.islice(itertools.count(), 3 * conv._MAX_PLANS):
        filters.conv2d(image, np.full((3, 3), float(value)))
    assert len(conv._PLANS) <= conv._MAX_PLANS
    for plan in conv._PLANS.values():
        assert plan.source.shape[:2] == (1, 1)
        assert not np.shares_memory(plan.source, image)
