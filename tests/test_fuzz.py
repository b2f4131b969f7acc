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
BACKENDS = ["numpy", "scipy", "torch", "opencv", "auto"]


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
