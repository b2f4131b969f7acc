"""Every backend gives the numbers of torch.nn.functional.conv2d (with F.pad) to 1e-4."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.backends import AUTO, BACKEND_NAMES, is_available

from .references import torch_conv2d

BACKENDS = [b for b in BACKEND_NAMES if is_available(b)] + [AUTO]
MODES = ["zeros", "reflect", "replicate", "circular"]
RNG = np.random.default_rng(7)
KERNELS = {
    "3x3": RNG.normal(size=(3, 3)),
    "2x3 even": RNG.normal(size=(2, 3)),
    "1x1": RNG.normal(size=(1, 1)),
    "sobel (separable)": filters.get_kernel("sobel_x"),
    "5x4 even": RNG.normal(size=(5, 4)),
}
GREY = RNG.random((13, 11)).astype(np.float32)
RGB = RNG.random((12, 10, 3)).astype(np.float32)


def assert_matches_torch(out: np.ndarray, image: np.ndarray, kernel: np.ndarray, **kwargs) -> None:
    expected = torch_conv2d(image, kernel, **kwargs)
    assert out.shape == expected.shape, kwargs
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4, err_msg=str(kwargs))


# torch refuses padding="same" with a stride (see test_conv_errors), so that pair is left out.
STRIDE_PADDING = [
    (stride, padding)
    for stride in (1, 2, (1, 3))
    for padding in (0, 1, (2, 1), "same", "valid")
    if not (padding == "same" and stride != 1)
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("stride", "padding"), STRIDE_PADDING)
@pytest.mark.parametrize("dilation", [1, 2, (2, 1)])
def test_depthwise_grid_matches_torch(backend, mode, stride, padding, dilation):
    for kernel, image in itertools.product(KERNELS.values(), (GREY, RGB)):
        kwargs = dict(stride=stride, padding=padding, padding_mode=mode, dilation=dilation)
        out = filters.conv2d(image, kernel, backend=backend, **kwargs)
        assert out.dtype == np.float32
        assert_matches_torch(out, image, kernel, **kwargs)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("c_in", "c_out", "groups"), [(3, 1, 1), (3, 4, 1), (4, 6, 2), (3, 3, 3), (6, 2, 2)]
)
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
def test_full_weight_groups_bias_match_torch(backend, mode, c_in, c_out, groups, stride, dilation):
    image = RNG.random((11, 9, c_in)).astype(np.float32)
    weight = RNG.normal(size=(c_out, c_in // groups, 3, 2))
    bias = RNG.normal(size=c_out)
    kwargs = dict(
        stride=stride,
        padding=(1, 2),
        padding_mode=mode,
        dilation=dilation,
        groups=groups,
        bias=bias,
    )
    out = filters.conv2d(image, weight, backend=backend, **kwargs)
    assert out.shape[2] == c_out
    assert_matches_torch(out, image, weight, **kwargs)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "dtype",
    [
        np.bool_,
        np.uint8,
        np.uint16,
        np.int16,
        np.int32,
        np.int64,
        np.float16,
        np.float32,
        np.float64,
    ],
)
def test_every_real_dtype_goes_in_float_comes_out(backend, dtype):
    raw = RNG.random((9, 8, 3))
    if dtype == np.bool_:
        image = raw > 0.5
    elif np.issubdtype(dtype, np.integer):
        image = (raw * min(np.iinfo(dtype).max, 1000)).astype(dtype)
    else:
        image = raw.astype(dtype)
    kernel = KERNELS["3x3"]
    out = filters.conv2d(image, kernel, padding=1, padding_mode="reflect", backend=backend)
    assert out.dtype == (np.float64 if dtype == np.float64 else np.float32)
    expected = torch_conv2d(image.astype(np.float64), kernel, padding=1, padding_mode="reflect")
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("backend", BACKENDS)
def test_flip_is_true_convolution_like_scipy_signal(backend):
    from scipy import signal

    kernel = KERNELS["2x3 even"]
    out = filters.conv2d(GREY, kernel, flip=True, backend=backend)
    np.testing.assert_allclose(out, signal.convolve2d(GREY, kernel, mode="valid"), atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_even_kernel_same_padding_keeps_size_and_matches_torch(backend):
    import torch
    import torch.nn.functional as F

    kernel = KERNELS["5x4 even"]
    out = filters.conv2d(GREY, kernel, padding="same", backend=backend)
    expected = F.conv2d(
        torch.from_numpy(GREY)[None, None],
        torch.from_numpy(kernel.astype(np.float32))[None, None],
        padding="same",
    )[0, 0].numpy()
    assert out.shape == GREY.shape
    np.testing.assert_allclose(out, expected, atol=1e-5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    backend=st.sampled_from(BACKENDS),
    mode=st.sampled_from(MODES),
    channels=st.sampled_from([0, 1, 2, 3, 5]),
)
def test_random_shapes_and_parameters_match_torch(data, backend, mode, channels):
    h = data.draw(st.integers(3, 14), label="h")
    w = data.draw(st.integers(3, 14), label="w")
    kh = data.draw(st.integers(1, 4), label="kh")
    kw = data.draw(st.integers(1, 4), label="kw")
    sh, sw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    dh, dw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    limit_h = h - 1 if mode == "reflect" else h
    limit_w = w - 1 if mode == "reflect" else w
    ph = data.draw(st.integers(0, min(3, limit_h)))
    pw = data.draw(st.integers(0, min(3, limit_w)))
    if dh * (kh - 1) + 1 > h + 2 * ph or dw * (kw - 1) + 1 > w + 2 * pw:
        return
    seed = data.draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    image = rng.random((h, w) if channels == 0 else (h, w, channels)).astype(np.float32)
    kernel = rng.normal(size=(kh, kw))
    kwargs = dict(
        stride=(sh, sw),
        padding=(ph, pw),
        padding_mode=mode,
        dilation=(dh, dw),
        flip=data.draw(st.booleans()),
    )
    out = filters.conv2d(image, kernel, backend=backend, **kwargs)
    assert_matches_torch(out, image, kernel, **kwargs)


def test_auto_never_changes_the_numbers():
    image = RNG.random((40, 50, 3)).astype(np.float32)
    for kernel in KERNELS.values():
        reference = filters.conv2d(
            image, kernel, padding=2, padding_mode="circular", backend="numpy"
        )
        auto = filters.conv2d(image, kernel, padding=2, padding_mode="circular", backend="auto")
        np.testing.assert_allclose(auto, reference, atol=1e-5)


def test_grey_image_keeps_2d_and_colour_keeps_channels():
    assert filters.conv2d(GREY, KERNELS["3x3"]).ndim == 2
    assert filters.conv2d(RGB, KERNELS["3x3"]).shape == (10, 8, 3)
    assert filters.conv2d(GREY, np.ones((2, 1, 3, 3))).shape == (11, 9, 2)
