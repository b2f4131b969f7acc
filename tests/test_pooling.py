"""pool2d against F.max_pool2d / F.avg_pool2d / F.lp_pool2d on every combination torch accepts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.pooling import pool2d, pool_output_size, unravel_pool_indices

RNG = np.random.default_rng(5)
IMAGES = {
    "grey 9x10": RNG.normal(size=(9, 10)).astype(np.float32),
    "rgb 8x7": RNG.normal(size=(8, 7, 3)).astype(np.float32),
    "grey 1x4": RNG.normal(size=(1, 4)).astype(np.float32),
    "rgb 2x2": RNG.normal(size=(2, 2, 2)).astype(np.float32),
}


def nchw(image):
    x = torch.from_numpy(np.ascontiguousarray(image))
    return x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]


def _layout(y, image):
    return y[0, 0].numpy() if image.ndim == 2 else y[0].permute(1, 2, 0).numpy()


def torch_pool(image, mode, k, s, p, d, ceil, include, norm=2.0, indices=False):
    """The reference; raises RuntimeError/ValueError where torch refuses."""
    x = nchw(image)
    if mode == "max":
        y = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil, return_indices=indices)
    elif mode == "avg":
        if d != 1:
            raise ValueError("F.avg_pool2d has no dilation")
        y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
    else:
        if d != 1 or p != 0:
            raise ValueError("F.lp_pool2d has no dilation and no padding")
        y = F.lp_pool2d(x, norm, k, s, ceil_mode=ceil)
    if indices:
        values, where = y
        return _layout(values, image), _layout(where, image)
    return _layout(y, image)


# kernel × stride × padding × dilation × ceil_mode, on odd and even sizes, grey and colour.
GRID = list(
    itertools.product(
        [1, 2, 3, (2, 3)], [None, 1, 2, (2, 1)], [0, 1, 2, (1, 0)], [1, 2, 3], [False, True]
    )
)


@pytest.mark.parametrize("name", list(IMAGES))
@pytest.mark.parametrize("mode", ["max", "avg", "lp"])
def test_pool2d_matches_torch_or_refuses_with_it_on_the_whole_grid(name, mode):
    image = IMAGES[name]
    checked = refused = 0
    for k, s, p, d, ceil in GRID:
        for include in [True, False] if mode == "avg" else [True]:
            options = dict(stride=s, padding=p, dilation=d, mode=mode, ceil_mode=ceil)
            try:
                expected = torch_pool(image, mode, k, s, p, d, ceil, include)
            except (RuntimeError, ValueError):
                with pytest.raises(ValueError):
                    pool2d(image, k, count_include_pad=include, **options)
                refused += 1
                continue
            out = pool2d(image, k, count_include_pad=include, **options)
            where = str((k, s, p, d, ceil, include))
            assert out.dtype == np.float32 and out.shape == expected.shape, where
            # lp of a negative sum is NaN in both (odd/fractional p): equal_nan.
            np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5, err_msg=where)
            checked += 1
    assert checked >= 8 and refused >= 8


@pytest.mark.parametrize("norm", [1.0, 2.0, 3.0, 1.5, 4])
@pytest.mark.parametrize("ceil", [False, True])
def test_lp_pool_norms_with_negative_values(norm, ceil):
    """torch: sign(a)·|a|·(kh·kw) to the power 1/p, a = average of xᵖ; NaN where it is."""
    image = IMAGES["rgb 8x7"]
    expected = torch_pool(image, "lp", (2, 3), (2, 2), 0, 1, ceil, True, norm)
    out = pool2d(image, (2, 3), stride=2, mode="lp", p=norm, ceil_mode=ceil)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert np.isnan(out).any() == np.isnan(expected).any()


def test_lp_pool_with_p_1_on_positive_values_is_the_window_sum():
    image = np.abs(IMAGES["grey 9x10"]).astype(np.float64)
    sums = pool2d(image, 3, mode="lp", p=1)
    np.testing.assert_allclose(sums, pool2d(image, 3, mode="avg") * 9, rtol=1e-12)
    np.testing.assert_allclose(sums[0, 0], image[:3, :3].sum(), rtol=1e-12)


@pytest.mark.parametrize("name", list(IMAGES))
def test_max_pool_indices_are_torchs(name):
    image = IMAGES[name]
    checked = 0
    for k, s, p, d, ceil in GRID[::5]:
        try:
            _, where = torch_pool(image, "max", k, s, p, d, ceil, True, indices=True)
        except RuntimeError:
            continue
        out, indices = pool2d(
            image, k, stride=s, padding=p, dilation=d, ceil_mode=ceil, return_indices=True
        )
        assert indices.dtype == np.int64
        np.testing.assert_array_equal(indices, where)
        inside = np.isfinite(out)  # a dilated window can miss the image (next test)
        rows, cols = unravel_pool_indices(indices[inside], image.shape[1])
        channel = () if image.ndim == 2 else (np.nonzero(inside)[2],)
        picked = image[(rows, cols, *channel)]
        np.testing.assert_array_equal(picked, out[inside])
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("fill", ["ties", "nan", "-inf"])
def test_max_pool_ties_nan_and_minus_infinity_follow_torch(fill):
    """Ties keep the first pixel in reading order; a NaN wins; an all −∞ window names its first."""
    image = RNG.integers(0, 2, size=(7, 6, 2)).astype(np.float64)
    if fill == "nan":
        image[RNG.random(image.shape) < 0.3] = np.nan
    if fill == "-inf":
        image[RNG.random(image.shape) < 0.7] = -np.inf
    for k, s, p, d, ceil in GRID[::3]:
        try:
            values, where = torch_pool(image, "max", k, s, p, d, ceil, True, indices=True)
        except RuntimeError:
            continue
        out, indices = pool2d(
            image, k, stride=s, padding=p, dilation=d, ceil_mode=ceil, return_indices=True
        )
        np.testing.assert_array_equal(out, values)  # NaN == NaN here
        np.testing.assert_array_equal(indices, where, err_msg=str((k, s, p, d, ceil)))
        np.testing.assert_array_equal(
            pool2d(image, k, stride=s, padding=p, dilation=d, ceil_mode=ceil), values
        )


def test_a_dilated_window_that_misses_the_image_is_minus_infinity_as_in_torch():
    # 2×2 image, kernel 2, padding 1, dilation 3: the taps sit at −1 and 2, both outside.
    image = np.arange(4.0).reshape(2, 2)
    values, where = torch_pool(image, "max", 2, None, 1, 3, False, True, indices=True)
    out, indices = pool2d(image, 2, padding=1, dilation=3, return_indices=True)
    assert out.tolist() == values.tolist() == [[-np.inf]]
    assert indices.tolist() == where.tolist() == [[6]]  # torch's index (2·2 + 2) is past the end


def test_ceil_mode_window_may_overhang_a_tiny_input_like_torch():
    # 1 pixel, 2×2 window, stride 2: floor mode has no output, ceil mode one overhanging window.
    assert pool_output_size(1, 2, 2, 0, 1, ceil_mode=True) == 1
    with pytest.raises(ValueError, match="no output"):
        pool_output_size(1, 2, 2, 0, 1, ceil_mode=False)
    image = np.array([[3.0]])
    assert pool2d(image, 2, ceil_mode=True).tolist() == [[3.0]]
    expected = torch_pool(image, "avg", 2, 2, 0, 1, True, True)
    assert pool2d(image, 2, mode="avg", ceil_mode=True).tolist() == expected.tolist() == [[3.0]]


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.bool_, np.float16, np.float64])
@pytest.mark.parametrize("mode", ["max", "avg", "lp"])
def test_pool_dtypes(dtype, mode):
    image = RNG.integers(0, 200, size=(6, 5, 3)).astype(dtype)
    out = pool2d(image, 2, mode=mode, ceil_mode=True)
    assert out.dtype == (np.float64 if dtype == np.float64 else np.float32)
    expected = torch_pool(image.astype(np.float64), mode, 2, None, 0, 1, True, True)
    np.testing.assert_allclose(out, expected, rtol=1e-5)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(2, 9),
    w=st.integers(2, 9),
    k=st.integers(1, 3),
    seed=st.integers(0, 999),
)
def test_max_pool_is_at_least_the_average_and_picks_its_own_pixels(h, w, k, seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w, 2))
    if k > min(h, w):
        return
    values, indices = pool2d(image, k, stride=1, return_indices=True)
    average = pool2d(image, k, stride=1, mode="avg")
    assert (values >= average - 1e-12).all()
    flat = image.reshape(-1, 2)
    np.testing.assert_array_equal(values[..., 0], flat[indices[..., 0], 0])
    np.testing.assert_array_equal(values[..., 1], flat[indices[..., 1], 1])


@settings(max_examples=30, deadline=None)
@given(h=st.integers(1, 6), w=st.integers(1, 6), k=st.integers(1, 3), seed=st.integers(0, 99))
def test_non_overlapping_average_pool_keeps_the_mean(h, w, k, seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h * k, w * k))
    out = pool2d(image, k, mode="avg")
    assert out.shape == (h, w)
    assert out.mean() == pytest.approx(image.mean(), abs=1e-12)


def test_global_avg_pool_is_the_channel_mean():
    image = IMAGES["rgb 8x7"]
    np.testing.assert_allclose(
        filters.global_avg_pool(image),
        F.adaptive_avg_pool2d(nchw(image), 1)[0, :, 0, 0].numpy(),
        rtol=1e-6,
    )
    grey = filters.global_avg_pool(IMAGES["grey 9x10"])
    assert grey.shape == () and grey.dtype == np.float32
    assert float(grey) == pytest.approx(float(IMAGES["grey 9x10"].mean()), rel=1e-6)


WRONG = [
    (dict(kernel_size=11), ValueError, "there is no output"),
    (dict(kernel_size=0), ValueError, "kernel_size must be at least 1"),
    (dict(kernel_size=2, stride=0), ValueError, "stride must be at least 1"),
    (dict(kernel_size=2, padding=-1), ValueError, "padding must be at least 0"),
    (dict(kernel_size=2, dilation=0), ValueError, "dilation must be at least 1"),
    (dict(kernel_size=2, padding=2), ValueError, "more than half the pooling window (2 // 2 = 1)"),
    (dict(kernel_size=3, padding=2, dilation=3), ValueError, "more than half the pooling window"),
    (dict(kernel_size=2, mode="median"), ValueError, "Unknown mode 'median'"),
    (dict(kernel_size=2, mode="average"), ValueError, "Did you mean 'avg'?"),
    (dict(kernel_size=2, mode="avg", dilation=2), ValueError, "dilation only applies to max"),
    (dict(kernel_size=2, mode="lp", padding=1), ValueError, "Lp pooling takes no padding"),
    (dict(kernel_size=2, mode="lp", p=0), ValueError, "p must be a positive finite number"),
    (dict(kernel_size=2, mode="lp", p=float("inf")), ValueError, "positive finite"),
    (dict(kernel_size=2, mode="avg", return_indices=True), ValueError, "return_indices only"),
    (dict(kernel_size=2, ceil_mode="yes"), TypeError, "ceil_mode must be True or False"),
    (dict(kernel_size=2.5), TypeError, "kernel_size must be an int"),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), WRONG)
def test_wrong_pool_calls_explain_themselves(kwargs, error, words):
    with pytest.raises(error) as info:
        pool2d(IMAGES["grey 9x10"], **kwargs)
    assert words in str(info.value)


def test_wrong_images():
    with pytest.raises(ValueError, match="2-D"):
        pool2d(np.ones((2, 3, 4, 5)), 2)
    with pytest.raises(TypeError, match="real numbers"):
        pool2d(np.array([["a", "b"]]), 1)
