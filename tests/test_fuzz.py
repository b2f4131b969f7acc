"""Fuzzing: random shapes, dtypes (NaN/inf included), kernels and parameters.

Every call either returns the reference result (PyTorch's) or raises ValueError/TypeError —
never another exception. Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters

from .references import torch_conv2d

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

DTYPES = [np.bool_, np.uint8, np.int8, np.uint16, np.int32, np.float16, np.float32, np.float64]
BACKENDS = list(filters.BACKENDS)


def _image(draw, dtype, shape):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -300), min(info.max, 300), size=shape).astype(dtype)
    image = rng.normal(size=shape).astype(dtype)
    if draw(st.booleans()) and image.size:
        flat = image.reshape(-1)
        flat[rng.integers(0, flat.size)] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return image


def _mostly(draw, valid, invalid):
    """A valid value nine times in ten, otherwise a wrong one."""
    pool = invalid if draw(st.sampled_from(range(10))) == 7 else valid
    return draw(st.sampled_from(pool))


@st.composite
def conv_calls(draw):
    ndim = _mostly(draw, [2, 3], [1, 4])
    shape = tuple(_mostly(draw, list(range(1, 17)), [0]) for _ in range(ndim))
    dtype = draw(st.sampled_from(DTYPES))
    image = _image(draw, dtype, shape)
    full = draw(st.booleans())
    kh = _mostly(draw, [1, 2, 3, 4, 5, 13], [0, 12])
    kw = _mostly(draw, [1, 2, 3, 5], [0])
    if full:
        c_in = shape[2] if ndim == 3 else draw(st.integers(1, 3))
        groups = _mostly(draw, [None, 1] + ([c_in] if c_in <= 3 else []), [2, 3, 0])
        kernel_shape = (
            draw(st.integers(1, 4)) * (groups or 1),
            max(1, c_in // (groups or 1)),
            kh,
            kw,
        )
    else:
        groups = _mostly(draw, [None], [1, 3])
        kernel_shape = (kh, kw)
    kernel = np.random.default_rng(draw(st.integers(0, 999))).normal(size=kernel_shape)
    if draw(st.sampled_from(range(20))) == 7 and kernel.size:
        kernel.reshape(-1)[0] = np.nan
    kwargs = dict(
        stride=_mostly(draw, [1, 2, 3, (1, 2)], [0, -1, (2, 0), 1.5]),
        padding=_mostly(draw, [0, 1, 2, 4, (1, 0), "same", "valid"], [-1, "full"]),
        padding_mode=_mostly(draw, ["zeros", "reflect", "replicate", "circular"], ["wrap"]),
        dilation=_mostly(draw, [1, 2, 3, (2, 1)], [0]),
        groups=groups,
        bias=_mostly(draw, [None, 0.5], [[1.0, 2.0, 3.0, 4.0, 5.0], np.nan]),
        flip=draw(st.booleans()),
        backend=_mostly(draw, BACKENDS, ["cuda"]),
    )
    return image, kernel, kwargs


@FUZZ
@given(conv_calls())
def test_conv2d_returns_torch_result_or_raises_value_or_type_error(call):
    image, kernel, kwargs = call
    try:
        out = filters.conv2d(image, kernel, **kwargs)
    except (ValueError, TypeError):
        return
    reference_kwargs = {k: v for k, v in kwargs.items() if k != "backend"}
    expected = torch_conv2d(image.astype(np.float64), kernel, **reference_kwargs)
    assert out.shape == expected.shape
    scale = max(1.0, float(np.nanmax(np.abs(np.where(np.isinf(expected), 0, expected)))))
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-4 * scale, equal_nan=True)


@FUZZ
@given(st.text(alphabet="0123456789 .,;/*-+eEnaif[]x\n\t×", max_size=80))
def test_parse_kernel_reads_or_refuses_any_text(text):
    try:
        kernel = filters.parse_kernel(text)
    except ValueError:
        return
    assert kernel.ndim == 2 and kernel.size >= 1 and np.isfinite(kernel).all()
    assert max(kernel.shape) <= 31


@FUZZ
@given(
    n=st.integers(-3, 300),
    k=st.integers(-2, 40),
    s=st.integers(-1, 6),
    p=st.integers(-2, 20),
    d=st.integers(-1, 6),
    op=st.integers(-1, 6),
)
def test_size_formulas_return_positive_sizes_or_refuse(n, k, s, p, d, op):
    for call in (
        lambda: filters.output_size(n, k, s, p, d),
        lambda: filters.transposed_output_size(n, k, s, p, op, d),
    ):
        try:
            size = call()
        except ValueError:
            continue
        assert isinstance(size, int) and size >= 1


@pytest.mark.parametrize("bad", [None, "3", 3.0, [1, 2], True])
def test_size_formulas_refuse_non_ints_with_type_error(bad):
    with pytest.raises(TypeError):
        filters.output_size(bad, 3)


def _nchw(image):
    import torch

    x = torch.from_numpy(np.asarray(image, dtype=np.float64))
    return x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]


def _hwc(y, grey):
    return y[0, 0].numpy() if grey else y[0].permute(1, 2, 0).numpy()


@st.composite
def image_and_dtype(draw):
    shape = tuple(_mostly(draw, list(range(1, 12)), [0]) for _ in range(
        _mostly(draw, [2, 3], [1, 4])))
    return _image(draw, draw(st.sampled_from(DTYPES)), shape)


@FUZZ
@given(image_and_dtype(), st.data())
def test_pool2d_returns_torch_result_or_raises(image, data):
    import torch
    import torch.nn.functional as F

    k = _mostly(data.draw, [1, 2, 3], [0, 20])
    kwargs = dict(stride=_mostly(data.draw, [None, 1, 2], [0]),
                  padding=_mostly(data.draw, [0, 1], [2, -1]),
                  mode=_mostly(data.draw, ["max", "avg"], ["median"]),
                  ceil_mode=data.draw(st.booleans()))
    try:
        out = filters.pool2d(image, k, **kwargs)
    except (ValueError, TypeError):
        return
    x = _nchw(image)
    stride = kwargs["stride"] or k
    try:
        if kwargs["mode"] == "max":
            y = F.max_pool2d(x, k, stride, kwargs["padding"], ceil_mode=kwargs["ceil_mode"])
        else:
            y = F.avg_pool2d(x, k, stride, kwargs["padding"], ceil_mode=kwargs["ceil_mode"])
    except RuntimeError:
        pytest.fail(f"torch refuses what we accepted: {kwargs}")
    assert isinstance(y, torch.Tensor)
    np.testing.assert_allclose(out, _hwc(y, image.ndim == 2), rtol=1e-3, atol=1e-3,
                               equal_nan=True)


@FUZZ
@given(image_and_dtype(), st.data())
def test_conv_transpose2d_returns_torch_result_or_raises(image, data):
    import torch
    import torch.nn.functional as F

    k = _mostly(data.draw, [1, 2, 3], [0])
    s = _mostly(data.draw, [1, 2, 3], [0])
    p = _mostly(data.draw, [0, 1], [-1, 9])
    op = _mostly(data.draw, [0, 1], [3])
    kernel = np.random.default_rng(data.draw(st.integers(0, 99))).normal(size=(k, k)) \
        if k else np.zeros((0, 0))
    try:
        out = filters.conv_transpose2d(image, kernel, stride=s, padding=p, output_padding=op)
    except (ValueError, TypeError):
        return
    x = _nchw(image)
    weight = torch.from_numpy(np.broadcast_to(kernel, (x.shape[1], 1, k, k)).copy())
    y = F.conv_transpose2d(x, weight, stride=s, padding=p, output_padding=op, groups=x.shape[1])
    expected = _hwc(y, image.ndim == 2)
    finite = np.isfinite(expected)
    np.testing.assert_allclose(out[finite], expected[finite], rtol=1e-3, atol=1e-3)


@FUZZ
@given(image_and_dtype(), st.data())
def test_upsample_returns_torch_result_or_raises(image, data):
    import torch.nn.functional as F

    mode = _mostly(data.draw, ["nearest", "bilinear", "bicubic"], ["area51"])
    factor = _mostly(data.draw, [1, 2, 3, 0.5], [0, -1])
    try:
        out = filters.upsample(image, factor, mode=mode)
    except (ValueError, TypeError):
        return
    expected = _hwc(F.interpolate(_nchw(image), scale_factor=factor, mode=mode),
                    image.ndim == 2)
    finite = np.isfinite(expected)
    np.testing.assert_allclose(out[finite], expected[finite], rtol=1e-3, atol=1e-3)
