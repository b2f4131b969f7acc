"""The OpenCV backend's routes for dense kernels, each against PyTorch.

``filter2D`` switches to its own DFT at 130 taps (float32) or 50 taps (other depths). The
backend sends float32 images with such kernels through ``matchTemplate``, integer images with
50–129 taps through float32, and images holding NaN or infinity tap by tap (a transform would
spread them over whole tiles). Each route must give torch's numbers, and torch's NaN positions.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import filters
from filters.backends.opencv_backend import _route

from .references import torch_conv2d

MODES = ["zeros", "reflect", "replicate", "circular"]


def _image(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return rng.normal(size=shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape).astype(dtype)


def _assert_close(out: np.ndarray, expected: np.ndarray, rtol: float = 1e-4) -> None:
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    np.testing.assert_array_equal(np.isposinf(out), np.isposinf(expected))
    np.testing.assert_array_equal(np.isneginf(out), np.isneginf(expected))
    scale = max(1.0, float(np.abs(expected[finite]).max())) if finite.any() else 1.0
    np.testing.assert_allclose(out[finite], expected[finite], atol=rtol * scale, rtol=0)


@pytest.mark.parametrize(
    ("dtype", "size", "expected"),
    [
        ("float32", 3, "direct"), ("float32", 11, "direct"), ("float32", 13, "template"),
        ("float32", 31, "template"), ("float64", 7, "direct"), ("float64", 9, "dft"),
        ("uint8", 7, "direct"), ("uint8", 9, "float32"), ("uint8", 11, "float32"),
        ("uint8", 13, "direct"), ("int16", 9, "float32"), ("uint16", 15, "direct"),
    ],
)
def test_route_follows_filter2d_dft_thresholds(dtype, size, expected):
    kernel = np.random.default_rng(size).normal(size=(size, size)).astype(np.float32)
    depth = cv2.CV_64F if dtype == "float64" else cv2.CV_32F
    assert _route(np.dtype(dtype), kernel, depth) == expected


def test_separable_kernels_always_take_sepfilter2d():
    gaussian = filters.gaussian_kernel(31, 5.0)
    assert _route(np.dtype(np.float32), gaussian.astype(np.float32), cv2.CV_32F) == "direct"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [13, 15, 21])
@pytest.mark.parametrize("channels", [1, 3, 5])
def test_template_route_matches_torch(mode, size, channels):
    shape = (61, 74) if channels == 1 else (61, 74, channels)
    image = _image("float32", shape)
    kernel = np.random.default_rng(size).normal(size=(size, size + 2))
    kwargs = dict(padding=(size // 2, size // 2 + 1), padding_mode=mode, stride=(1, 2))
    for backend in ("opencv", "auto"):
        _assert_close(filters.conv2d(image, kernel, backend=backend, **kwargs),
                      torch_conv2d(image, kernel, **kwargs))


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "int16"])
@pytest.mark.parametrize("size", [9, 11, 15])
def test_integer_images_with_mid_sized_kernels_match_torch(dtype, size):
    image = _image(dtype, (50, 47, 3))
    kernel = np.random.default_rng(size).normal(size=(size, size))
    for mode in MODES:
        kwargs = dict(padding="same", padding_mode=mode)
        _assert_close(filters.conv2d(image, kernel, backend="opencv", **kwargs),
                      torch_conv2d(image, kernel, **kwargs))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size", [9, 15, 31])
@pytest.mark.parametrize("mode", MODES)
def test_nan_and_inf_stay_in_the_windows_that_hold_them(dtype, size, mode):
    """A transform would spread them over a whole tile; torch keeps them in their windows."""
    image = _image(dtype, (80, 90, 2))
    image[40, 45, 0] = np.nan
    image[10, 70, 1] = np.inf
    image[12, 72, 1] = -np.inf  # inf − inf in shared windows: NaN, as in torch
    kernel = np.random.default_rng(size).normal(size=(size, size))
    kwargs = dict(padding=size // 2, padding_mode=mode)
    expected = torch_conv2d(image, kernel, **kwargs)
    assert np.isnan(expected).sum() < expected.size // 4  # the check below means something
    for backend in ("opencv", "auto"):
        _assert_close(filters.conv2d(image, kernel, backend=backend, **kwargs), expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nan_with_dilation_and_a_large_kernel(dtype):
    image = _image(dtype, (90, 90))
    image[30, 60] = np.nan
    kernel = np.random.default_rng(5).normal(size=(13, 13))
    kwargs = dict(padding=12, padding_mode="reflect", dilation=2, stride=(2, 1))
    _assert_close(filters.conv2d(image, kernel, backend="opencv", **kwargs),
                  torch_conv2d(image, kernel, **kwargs))


def test_a_wide_single_row_kernel_on_a_nan_image_is_split_into_direct_pieces():
    image = _image("float32", (20, 400))
    image[10, 200] = np.nan
    kernel = np.random.default_rng(6).normal(size=(2, 150))  # 300 taps, wider than one piece
    _assert_close(filters.conv2d(image, kernel, backend="opencv"), torch_conv2d(image, kernel))


@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
@pytest.mark.parametrize("size", [9, 15, 31])
@pytest.mark.parametrize("stride", [2, 3, (2, 5)])
@pytest.mark.parametrize("mode", ["zeros", "circular"])
def test_strided_calls_by_phases_match_torch(dtype, size, stride, mode):
    """Large dense kernels with a stride run as one small correlation per phase."""
    image = _image(dtype, (70, 83, 2))
    if dtype != "uint8":
        image[33, 40, 1] = np.nan
    kernel = np.random.default_rng(size).normal(size=(size, size - 2))
    kwargs = dict(padding=(size // 2, 3), padding_mode=mode, stride=stride)
    _assert_close(filters.conv2d(image, kernel, backend="opencv", **kwargs),
                  torch_conv2d(image, kernel, **kwargs))


def test_phases_are_used_only_where_they_replace_a_transform():
    from filters.backends.base import Geometry
    from filters.backends.opencv_backend import _phases_pay

    def pays(size: int, stride: int, depth: int = cv2.CV_32F, separable: bool = False) -> bool:
        kernel = (filters.gaussian_kernel(size) if separable
                  else np.random.default_rng(size).normal(size=(size, size)))
        geometry = Geometry(0, 0, 0, 0, "zeros", (stride, stride), (1, 1), (8, 8))
        return _phases_pay(kernel, geometry, depth)

    assert pays(15, 2) and pays(31, 3) and pays(9, 2, cv2.CV_64F)
    assert not pays(9, 2)  # tap by tap already: gathering phases costs more than it saves
    assert not pays(31, 2)  # 16×16 phases still need a transform
    assert not pays(15, 2, separable=True)
    assert not pays(15, 1)


@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8"])
@pytest.mark.parametrize("channels", [1, 3, 6])
@pytest.mark.parametrize(("height", "width"), [(40, 53), (5, 9), (2, 12)])
def test_circular_padding_by_edge_bands_matches_torch(dtype, channels, height, width):
    """Circular padding without a padded copy: zeros outside, then the wrapped edge bands."""
    rng = np.random.default_rng(height * width + channels)
    image = _image(dtype, (height, width, channels))
    if dtype != "uint8":
        image[height // 2, 0, 0] = np.nan  # on the left edge: its windows wrap to the right
    for size, padding, stride in [(3, 1, 1), (5, (2, 1), 1), (4, (3, 2), (2, 1)), (2, 0, 1),
                                  (7, (1, 3), (1, 3))]:
        kernel = rng.normal(size=(size, size))
        if size > height + 2 * np.max(padding) or (np.max(padding) > min(height, width)):
            continue
        kwargs = dict(padding=padding, padding_mode="circular", stride=stride)
        _assert_close(filters.conv2d(image, kernel, backend="opencv", **kwargs),
                      torch_conv2d(image, kernel, **kwargs))


def test_circular_padding_makes_no_padded_copy_of_the_image():
    """Only strips along the edges are gathered (a padded copy would be 1.6 MB here)."""
    import tracemalloc

    image = _image("float32", (400, 500))
    kernel = filters.gaussian_kernel(9)
    filters.conv2d(image, kernel, padding="same", padding_mode="circular", backend="opencv")
    tracemalloc.start()
    filters.conv2d(image, kernel, padding="same", padding_mode="circular", backend="opencv")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    output = image.nbytes
    padded = (400 + 8) * (500 + 8) * 4
    assert peak < output + padded // 2, peak


@pytest.mark.parametrize("backend", filters.BACKENDS)
@pytest.mark.parametrize(
    "settings",
    [dict(size=1), dict(size=3, padding=1), dict(size=3, padding=1, padding_mode="circular"),
     dict(size=15, padding=7), dict(size=15, padding=3, stride=2),
     dict(size=3, padding=2, dilation=2)],
    ids=["1x1", "direct", "circular", "template", "phases", "dilated"],
)
def test_an_h_w_1_image_keeps_its_channel_axis_on_first_and_repeated_calls(backend, settings):
    """OpenCV returns H×W for an H×W×1 array; the result must stay H'×W'×1 like torch's."""
    settings = dict(settings)
    size = settings.pop("size")
    kernel = np.random.default_rng(size).normal(size=(size, size))
    for shape in [(1, 1, 1), (20, 23, 1)]:
        if size > shape[0] + 2 * settings.get("padding", 0):
            continue
        image = _image("float32", shape)
        expected = torch_conv2d(image, kernel, **settings)
        for _ in range(2):  # the second call goes through the plan cache
            _assert_close(filters.conv2d(image, kernel, backend=backend, **settings), expected)
            assert filters.conv2d(image, kernel, backend=backend, **settings).shape == \
                expected.shape
