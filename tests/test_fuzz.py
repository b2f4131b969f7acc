"""Fuzzing: random shapes, dtypes (NaN/inf included), kernels and parameters.

Every call either returns the reference result (PyTorch's) or raises ValueError/TypeError —
never another exception — and then PyTorch refuses the same call too, unless the call is one
of the :data:`TORCH_DIFFERENCES`. Each fuzz test runs its examples from a plain test that
then checks how many were compared with torch (an all-refused run would prove nothing).
Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

from collections import Counter

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

#: The calls filters refuses on purpose although PyTorch would run them, each with its reason.
#: Every other call filters refuses, torch must refuse too (the fuzz tests and
#: tests/test_conv_errors.py check it).
TORCH_DIFFERENCES = {
    "non-finite kernel": "filters refuses NaN/inf in a kernel (every output would be NaN); "
                         "torch computes the NaNs",
    "non-finite bias": "filters refuses a NaN/inf bias for the same reason; torch adds it",
    "backend": "backend= is filters' choice of engine; torch has no such argument",
    "groups with a 2-D kernel": "a 2-D kernel means one filter per channel (torch's groups=C); "
                                "filters refuses an explicit groups with it rather than guess",
    "4-D image": "filters takes one image, H×W or H×W×C; torch reads a 4-D input as a batch",
    "work budget": "filters refuses an output larger than its work budget; torch would "
                   "allocate it",
    "flip": "flip= is filters' own switch (convolution or correlation); torch always correlates",
    "named kernels": "get_kernel's names and parameters are filters' own; torch has no kernels "
                     "by name",
    "pooling mode": "mode= is filters' selector; torch has one function per mode "
                    "(max_pool2d, avg_pool2d), so an unknown mode has no torch call",
    "negative padding with a padding mode": "torch's padding modes pad with F.pad, which crops "
                                            "for a negative width; filters refuses negative "
                                            "padding (slice the array to crop)",
    "negative size": "a negative length has no tensor to hand torch; filters refuses it",
}

#: What torch raises when it refuses a call.
TORCH_REFUSALS = (RuntimeError, ValueError, TypeError, NotImplementedError, IndexError)

#: Per fuzz test: how many examples were compared with torch, refused by both, or skipped as
#: one of the TORCH_DIFFERENCES. Filled by the examples, checked by the plain tests.
COUNTS: Counter[str] = Counter()


def _check_counts(test: str, compared: int, refused: int) -> None:
    """Assert that ``test``'s examples compared at least ``compared`` results with torch and
    saw torch refuse at least ``refused`` of the calls filters refused."""
    assert COUNTS[f"{test} compared"] >= compared, dict(COUNTS)
    assert COUNTS[f"{test} refused by both"] >= refused, dict(COUNTS)


def _torch_refuses(test: str, call) -> None:
    """Assert that torch raises on ``call()`` (filters refused it) and count the refusal."""
    with pytest.raises(TORCH_REFUSALS):
        call()
    COUNTS[f"{test} refused by both"] += 1


def _tensor(image):
    """The image as torch lays it out: H×W → 1×1×H×W, H×W×C → 1×C×H×W, others unchanged."""
    import torch

    x = torch.from_numpy(np.asarray(image, dtype=np.float64))
    if x.ndim == 2:
        return x[None, None]
    return x.permute(2, 0, 1)[None] if x.ndim == 3 else x


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
    """A valid value 19 times in 20, otherwise a wrong one."""
    pool = invalid if draw(st.integers(0, 19)) == 7 else valid
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


def _conv2d_difference(image, kernel, kwargs):
    """The TORCH_DIFFERENCES entry this conv2d call falls under, or None."""
    if kwargs["backend"] not in BACKENDS:
        return "backend"
    if image.ndim == 4:
        return "4-D image"
    if kernel.ndim == 2 and kwargs["groups"] is not None:
        return "groups with a 2-D kernel"
    padding = kwargs["padding"]
    if kwargs["padding_mode"] != "zeros" and not isinstance(padding, str) \
            and min(np.atleast_1d(padding)) < 0:
        return "negative padding with a padding mode"
    if not np.isfinite(kernel).all():
        return "non-finite kernel"
    if kwargs["bias"] is not None and not np.isfinite(kwargs["bias"]).all():
        return "non-finite bias"
    return None


def _torch_conv2d_module(image, kernel, kwargs):
    """The call as ``torch.nn.Conv2d`` (which checks padding words and modes itself)."""
    import warnings

    import torch

    x = _tensor(image)
    w = np.asarray(kernel, dtype=np.float64)
    if kwargs["flip"]:
        w = w[..., ::-1, ::-1]
    channels = x.shape[1] if x.ndim == 4 else 1
    groups = 1 if kwargs["groups"] is None else kwargs["groups"]  # 0 stays 0: torch refuses it
    if w.ndim == 2:  # one filter per channel
        w, groups = np.broadcast_to(w, (channels, 1, *w.shape)), channels
    with warnings.catch_warnings():  # a kernel with no rows: "zero-element tensors"
        warnings.simplefilter("ignore", UserWarning)
        conv = torch.nn.utils.skip_init(  # the weight is set below: no random start needed
            torch.nn.Conv2d, channels, w.shape[0], w.shape[-2:], kwargs["stride"],
            kwargs["padding"], kwargs["dilation"], groups, bias=False,
            padding_mode=kwargs["padding_mode"], dtype=torch.float64)
    conv.weight = torch.nn.Parameter(torch.from_numpy(np.array(w)))
    if kwargs["bias"] is not None:
        b = np.asarray(kwargs["bias"], dtype=np.float64).reshape(-1)
        conv.bias = torch.nn.Parameter(torch.from_numpy(
            np.broadcast_to(b, (w.shape[0],)).copy() if b.size == 1 else b))
    return conv(x)


@settings(FUZZ, max_examples=270)  # a torch call for each refusal too: fewer keep the time
@given(conv_calls())
def conv2d_examples(call):
    image, kernel, kwargs = call
    try:
        out = filters.conv2d(image, kernel, **kwargs)
    except (ValueError, TypeError):
        difference = _conv2d_difference(image, kernel, kwargs)
        if difference:
            COUNTS[f"conv2d {difference}"] += 1
        else:
            _torch_refuses("conv2d", lambda: _torch_conv2d_module(image, kernel, kwargs))
        return
    reference_kwargs = {k: v for k, v in kwargs.items() if k != "backend"}
    expected = torch_conv2d(image.astype(np.float64), kernel, **reference_kwargs)
    assert out.shape == expected.shape
    scale = max(1.0, float(np.nanmax(np.abs(np.where(np.isinf(expected), 0, expected)))))
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-4 * scale, equal_nan=True)
    COUNTS["conv2d compared"] += 1


def test_conv2d_returns_torch_result_or_raises_what_torch_refuses():
    COUNTS.clear()
    conv2d_examples()
    _check_counts("conv2d", compared=50, refused=60)


@FUZZ
@given(st.text(alphabet="0123456789 .,;/*-+eEnaif[]x\n\t×", max_size=80))
def parse_kernel_examples(text):
    try:
        kernel = filters.parse_kernel(text)
    except ValueError:
        COUNTS["parse_kernel refused"] += 1
        return
    assert kernel.ndim == 2 and kernel.size >= 1 and np.isfinite(kernel).all()
    assert max(kernel.shape) <= 31
    COUNTS["parse_kernel read"] += 1


def test_parse_kernel_reads_or_refuses_any_text():
    COUNTS.clear()
    parse_kernel_examples()
    assert COUNTS["parse_kernel read"] >= 15 and COUNTS["parse_kernel refused"] >= 100, COUNTS


def _torch_length(n, k, s, p, d, op=None):
    """Length of torch's conv1d (or, with ``op``, conv_transpose1d) output for these sizes."""
    import torch
    import torch.nn.functional as F

    x, w = torch.zeros(1, 1, n), torch.zeros(1, 1, k)
    if op is None:
        return F.conv1d(x, w, stride=s, padding=p, dilation=d).shape[-1]
    return F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op,
                              dilation=d).shape[-1]


@settings(FUZZ, max_examples=200)  # two torch calls an example: fewer keep the file's time
@given(
    n=st.integers(-3, 300),
    k=st.integers(-2, 40),
    s=st.integers(-1, 6),
    p=st.integers(-2, 20),
    d=st.integers(-1, 6),
    op=st.integers(-1, 6),
)
def size_formula_examples(n, k, s, p, d, op):
    for name, ours, reference in (
        ("output_size", lambda: filters.output_size(n, k, s, p, d),
         lambda: _torch_length(n, k, s, p, d)),
        ("transposed_output_size", lambda: filters.transposed_output_size(n, k, s, p, op, d),
         lambda: _torch_length(n, k, s, p, d, op)),
    ):
        try:
            size = ours()
        except ValueError:
            if n < 0 or k < 0:
                COUNTS["sizes negative size"] += 1
            else:
                _torch_refuses("sizes", reference)
            continue
        assert isinstance(size, int) and size == reference(), (name, n, k, s, p, d, op)
        COUNTS["sizes compared"] += 1


def test_size_formulas_return_torch_sizes_or_refuse_what_torch_refuses():
    COUNTS.clear()
    size_formula_examples()
    _check_counts("sizes", compared=40, refused=150)


@pytest.mark.parametrize("bad", [None, "3", 3.0, [1, 2], True])
def test_size_formulas_refuse_non_ints_with_type_error(bad):
    with pytest.raises(TypeError):
        filters.output_size(bad, 3)


def _hwc(y, grey):
    return y[0, 0].numpy() if grey else y[0].permute(1, 2, 0).numpy()


@st.composite
def image_and_dtype(draw):
    shape = tuple(_mostly(draw, list(range(1, 12)), [0]) for _ in range(
        _mostly(draw, [2, 3], [1, 4])))
    return _image(draw, draw(st.sampled_from(DTYPES)), shape)


def _torch_pool(image, k, kwargs):
    import torch.nn.functional as F

    pool = F.max_pool2d if kwargs["mode"] == "max" else F.avg_pool2d
    stride = k if kwargs["stride"] is None else kwargs["stride"]
    return pool(_tensor(image), k, stride, kwargs["padding"],
                ceil_mode=kwargs["ceil_mode"])


@FUZZ
@given(image_and_dtype(), st.data())
def pool2d_examples(image, data):
    k = _mostly(data.draw, [1, 2, 3], [0, 20])
    kwargs = dict(stride=_mostly(data.draw, [None, 1, 2], [0]),
                  padding=_mostly(data.draw, [0, 1], [2, -1]),
                  mode=_mostly(data.draw, ["max", "avg"], ["median"]),
                  ceil_mode=data.draw(st.booleans()))
    try:
        out = filters.pool2d(image, k, **kwargs)
    except (ValueError, TypeError):
        if kwargs["mode"] not in ("max", "avg"):
            COUNTS["pool2d pooling mode"] += 1
        elif image.ndim == 4:
            COUNTS["pool2d 4-D image"] += 1
        else:
            _torch_refuses("pool2d", lambda: _torch_pool(image, k, kwargs))
        return
    expected = _hwc(_torch_pool(image, k, kwargs), image.ndim == 2)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-3, equal_nan=True)
    COUNTS["pool2d compared"] += 1


def test_pool2d_returns_torch_result_or_raises_what_torch_refuses():
    COUNTS.clear()
    pool2d_examples()
    _check_counts("pool2d", compared=100, refused=30)


def _torch_conv_transpose(image, kernel, s, p, op):
    import torch
    import torch.nn.functional as F

    x = _tensor(image)
    channels = x.shape[1] if x.ndim == 4 else 1
    weight = torch.from_numpy(np.broadcast_to(kernel, (channels, 1, *kernel.shape)).copy())
    return F.conv_transpose2d(x, weight, stride=s, padding=p, output_padding=op,
                              groups=channels)


@FUZZ
@given(image_and_dtype(), st.data())
def conv_transpose2d_examples(image, data):
    k = _mostly(data.draw, [1, 2, 3], [0])
    s = _mostly(data.draw, [1, 2, 3], [0])
    p = _mostly(data.draw, [0, 1], [-1, 9])
    op = _mostly(data.draw, [0, 1], [3])
    kernel = np.random.default_rng(data.draw(st.integers(0, 99))).normal(size=(k, k)) \
        if k else np.zeros((0, 0))
    try:
        out = filters.conv_transpose2d(image, kernel, stride=s, padding=p, output_padding=op)
    except (ValueError, TypeError):
        if image.ndim == 4:
            COUNTS["conv_transpose2d 4-D image"] += 1
        else:
            _torch_refuses("conv_transpose2d",
                           lambda: _torch_conv_transpose(image, kernel, s, p, op))
        return
    expected = _hwc(_torch_conv_transpose(image, kernel, s, p, op), image.ndim == 2)
    assert out.shape == expected.shape
    finite = np.isfinite(expected)
    np.testing.assert_allclose(out[finite], expected[finite], rtol=1e-3, atol=1e-3)
    COUNTS["conv_transpose2d compared"] += 1


def test_conv_transpose2d_returns_torch_result_or_raises_what_torch_refuses():
    COUNTS.clear()
    conv_transpose2d_examples()
    _check_counts("conv_transpose2d", compared=100, refused=40)


def _torch_upsample(image, factor, mode):
    import torch.nn.functional as F

    return F.interpolate(_tensor(image), scale_factor=factor, mode=mode)


@FUZZ
@given(image_and_dtype(), st.data())
def upsample_examples(image, data):
    mode = _mostly(data.draw, ["nearest", "bilinear", "bicubic"], ["area51"])
    factor = _mostly(data.draw, [1, 2, 3, 0.5], [0, -1])
    try:
        out = filters.upsample(image, factor, mode=mode)
    except (ValueError, TypeError):
        if image.ndim == 4:
            COUNTS["upsample 4-D image"] += 1
        else:
            _torch_refuses("upsample", lambda: _torch_upsample(image, factor, mode))
        return
    expected = _hwc(_torch_upsample(image, factor, mode), image.ndim == 2)
    assert out.shape == expected.shape
    finite = np.isfinite(expected)
    np.testing.assert_allclose(out[finite], expected[finite], rtol=1e-3, atol=1e-3)
    COUNTS["upsample compared"] += 1


def test_upsample_returns_torch_result_or_raises_what_torch_refuses():
    COUNTS.clear()
    upsample_examples()
    _check_counts("upsample", compared=120, refused=15)
