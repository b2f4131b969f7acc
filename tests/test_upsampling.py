"""Transposed convolution and interpolation against torch; the notes' readable path agrees."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.upsampling import (
    bilinear_kernel,
    bilinear_padding,
    conv_transpose2d,
    upsample,
    zero_insert,
)

RNG = np.random.default_rng(9)
METHODS = ["direct", "zero_insert", "auto"]


def nchw(image):
    x = torch.from_numpy(np.asarray(image, np.float64))
    return x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]


def hwc(y, grey):
    return y[0, 0].numpy() if grey else y[0].permute(1, 2, 0).numpy()


def torch_transposed_depthwise(image, kernel, **kwargs):
    """F.conv_transpose2d with one group per channel, laid out like the input."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    weight = torch.from_numpy(np.broadcast_to(kernel, (channels, 1, *kernel.shape)).copy())
    y = F.conv_transpose2d(nchw(image), weight, groups=channels, **kwargs)
    return hwc(y, image.ndim == 2)


# --- conv_transpose2d against torch: stride × padding × output_padding × dilation --------------

GRID = list(itertools.product([1, 2, 3, (2, 1)], [0, 1, 2, 3, (0, 2)], [0, 1, 2], [1, 2]))
IMAGES = {
    "grey 4x5": RNG.normal(size=(4, 5)).astype(np.float32),
    "rgb 5x4": RNG.normal(size=(5, 4, 3)).astype(np.float32),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 3), (4, 4), (1, 1)])
@pytest.mark.parametrize("name", list(IMAGES))
def test_depthwise_transposed_conv_matches_torch_or_refuses_with_it(method, kernel_shape, name):
    image = IMAGES[name]
    kernel = RNG.normal(size=kernel_shape)
    checked = refused = 0
    for s, p, op, d in GRID:
        options = dict(stride=s, padding=p, output_padding=op, dilation=d)
        try:
            expected = torch_transposed_depthwise(image, kernel, **options)
        except RuntimeError:
            with pytest.raises(ValueError):
                conv_transpose2d(image, kernel, method=method, **options)
            refused += 1
            continue
        out = conv_transpose2d(image, kernel, method=method, **options)
        assert out.dtype == np.float32 and out.shape == expected.shape, options
        np.testing.assert_allclose(out, expected, atol=1e-5, err_msg=str(options))
        checked += 1
    assert checked > 40 and refused > 20


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("c_in", "c_out", "groups"), [(1, 1, 1), (3, 2, 1), (4, 6, 2), (3, 3, 3), (2, 4, 2)]
)
def test_full_weight_groups_and_bias_match_torch(method, c_in, c_out, groups):
    image = RNG.normal(size=(4, 5, c_in))
    weight = RNG.normal(size=(c_in, c_out // groups, 3, 2))
    bias = RNG.normal(size=c_out)
    options = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2))
    out = conv_transpose2d(image, weight, groups=groups, bias=bias, method=method, **options)
    expected = F.conv_transpose2d(
        nchw(image), torch.from_numpy(weight), torch.from_numpy(bias), groups=groups, **options
    )
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, hwc(expected, False), atol=1e-9)


def test_grey_image_with_a_full_weight_gives_channels_last_like_conv2d():
    image = RNG.normal(size=(4, 4))
    weight = RNG.normal(size=(1, 1, 3, 3))
    out = conv_transpose2d(image, weight, stride=2)
    assert out.shape == (9, 9, 1)
    assert filters.conv2d(image, weight).shape == (2, 2, 1)  # the same convention as conv2d
    np.testing.assert_allclose(
        out[:, :, 0], torch_transposed_depthwise(image, weight[0, 0], stride=2), atol=1e-12
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float16, np.float32, np.float64])
def test_transposed_dtypes(dtype):
    image = RNG.integers(0, 9, size=(3, 4, 2)).astype(dtype)
    out = conv_transpose2d(image, np.ones((2, 2)), stride=2, bias=0.5)
    assert out.dtype == (np.float64 if dtype == np.float64 else np.float32)
    expected = torch_transposed_depthwise(image.astype(np.float64), np.ones((2, 2)), stride=2)
    np.testing.assert_allclose(out, expected + 0.5, atol=1e-5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    d=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    op=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    groups=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**16),
)
def test_direct_and_zero_insertion_paths_agree(h, w, kh, kw, s, p, d, op, groups, seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w, 2 * groups))
    weight = rng.normal(size=(2 * groups, 3, kh, kw))
    options = dict(stride=s, padding=p, output_padding=op, dilation=d, groups=groups)
    try:
        direct = conv_transpose2d(image, weight, method="direct", **options)
    except ValueError as error:
        with pytest.raises(ValueError, match=re.escape(str(error))):
            conv_transpose2d(image, weight, method="zero_insert", **options)
        return
    readable = conv_transpose2d(image, weight, method="zero_insert", **options)
    np.testing.assert_allclose(readable, direct, atol=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    k=st.integers(1, 4),
    s=st.integers(1, 3),
    p=st.integers(0, 2),
    d=st.integers(1, 2),
    seed=st.integers(0, 999),
)
def test_transposed_conv_is_the_adjoint_of_conv(h, w, k, s, p, d, seed):
    """⟨conv2d(x, K), y⟩ = ⟨x, conv_transpose2d(y, K)⟩ for matching shapes (depthwise kernel)."""
    rng = np.random.default_rng(seed)
    if d * (k - 1) + 1 > h + 2 * p or d * (k - 1) + 1 > w + 2 * p:
        return
    x = rng.normal(size=(h, w))
    kernel = rng.normal(size=(k, k))
    forward = filters.conv2d(x, kernel, stride=s, padding=p, dilation=d, backend="numpy")
    y = rng.normal(size=forward.shape)
    # output_padding brings back the rows the strided convolution dropped.
    op = (h + 2 * p - d * (k - 1) - 1) % s, (w + 2 * p - d * (k - 1) - 1) % s
    back = conv_transpose2d(y, kernel, stride=s, padding=p, dilation=d, output_padding=op)
    assert back.shape == x.shape
    assert np.vdot(forward, y) == pytest.approx(np.vdot(x, back), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hw=st.tuples(st.integers(4, 8), st.integers(4, 8)),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    groups=st.sampled_from([1, 2]),
    seed=st.integers(0, 999),
)
def test_adjoint_with_full_weights_and_groups(hw, k, s, p, groups, seed):
    """The same C_out×C_in/g×kh×kw array is conv2d's weight and conv_transpose2d's weight."""
    rng = np.random.default_rng(seed)
    c_in, c_out = 2 * groups, 3 * groups
    x = rng.normal(size=(*hw, c_in))
    weight = rng.normal(size=(c_out, c_in // groups, *k))
    forward = filters.conv2d(x, weight, stride=s, padding=p, groups=groups)
    y = rng.normal(size=forward.shape)
    op = tuple((n + 2 * pi - ki) % si for n, pi, ki, si in zip(hw, p, k, s, strict=True))
    back = conv_transpose2d(y, weight, stride=s, padding=p, output_padding=op, groups=groups)
    assert back.shape == x.shape
    assert np.vdot(forward, y) == pytest.approx(np.vdot(x, back), rel=1e-9, abs=1e-9)


# --- the notes' recipe, step by step (seed 001) ------------------------------------------------


def test_zero_insert_is_the_notes_picture():
    out = zero_insert(np.arange(1.0, 5.0).reshape(2, 2), 3)
    assert out.shape == (4, 4)
    assert out[::3, ::3].tolist() == [[1, 2], [3, 4]] and out.sum() == 10
    pair = zero_insert(np.ones((2, 3, 2)), (2, 3))  # per axis, colour
    assert pair.shape == (3, 7, 2) and pair.sum() == 12
    assert zero_insert(np.ones((3, 3)), 1).tolist() == np.ones((3, 3)).tolist()
    assert zero_insert(np.ones((2, 2), np.uint8), 2).dtype == np.float32
    with pytest.raises(ValueError, match="budget"):
        zero_insert(np.ones((1000, 1000)), 1000)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        zero_insert(np.ones((2, 2)), (2, 0))


@pytest.mark.parametrize(("s", "p", "op"), [(2, 1, 1), (2, 0, 0), (3, 1, 2), (1, 2, 0)])
def test_zero_insert_pad_and_flipped_convolution_by_hand_is_torchs_transposed_conv(s, p, op):
    """Insert s−1 zeros, pad k−1−p (+ output_padding bottom/right), convolve with K rotated."""
    image = RNG.normal(size=(3, 4))
    kernel = RNG.normal(size=(3, 3))
    spread = zero_insert(image, s)
    edge = 3 - 1 - p
    padded = filters.pad(spread, (edge, edge + op, edge, edge + op))  # (left, right, top, bottom)
    by_hand = filters.conv2d(padded, kernel[::-1, ::-1], backend="numpy")
    expected = torch_transposed_depthwise(image, kernel, stride=s, padding=p, output_padding=op)
    np.testing.assert_allclose(by_hand, expected, atol=1e-9)
    np.testing.assert_allclose(
        conv_transpose2d(
            image, kernel, stride=s, padding=p, output_padding=op, method="zero_insert"
        ),
        expected,
        atol=1e-9,
    )


# --- upsample against F.interpolate ------------------------------------------------------------

REQUESTS = [
    dict(scale_factor=2),
    dict(scale_factor=3),
    dict(scale_factor=0.5),
    dict(scale_factor=1.7),
    dict(scale_factor=(1.5, 2.5)),
    dict(size=(7, 11)),
    dict(size=4),
    dict(size=(1, 1)),
]
UP_IMAGES = {
    "grey 5x6": RNG.random((5, 6)),
    "rgb 6x7": RNG.random((6, 7, 3)),
    "1x1": np.ones((1, 1)),
}


@pytest.mark.parametrize("name", list(UP_IMAGES))
@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("align", [None, False, True])
def test_upsample_matches_f_interpolate_or_refuses_with_it(name, mode, align):
    image = UP_IMAGES[name]
    for request_ in REQUESTS:
        try:
            y = F.interpolate(nchw(image), mode=mode, align_corners=align, **request_)
        except (ValueError, RuntimeError):
            with pytest.raises(ValueError):
                upsample(image, mode=mode, align_corners=align, **request_)
            continue
        out = upsample(image, mode=mode, align_corners=align, **request_)
        np.testing.assert_allclose(out, hwc(y, image.ndim == 2), atol=1e-9, err_msg=str(request_))


def test_upsample_keeps_float32_and_turns_uint8_into_float32():
    image = RNG.integers(0, 256, size=(4, 5, 3)).astype(np.uint8)
    out = upsample(image, 2, mode="bilinear")
    assert out.dtype == np.float32
    expected = F.interpolate(nchw(image.astype(np.float64)), scale_factor=2, mode="bilinear")
    np.testing.assert_allclose(out, hwc(expected, False), atol=1e-4)


def test_bicubic_overshoots_and_clip_keeps_the_range():
    step = np.zeros((4, 8))
    step[:, 4:] = 1.0
    out = upsample(step, 4, mode="bicubic")
    reference = hwc(F.interpolate(nchw(step), scale_factor=4, mode="bicubic"), True)
    np.testing.assert_allclose(out, reference, atol=1e-12)
    assert out.min() == pytest.approx(-0.10986328125) and out.max() == pytest.approx(1.10986328125)
    clipped = upsample(step, 4, mode="bicubic", clip=True)
    np.testing.assert_array_equal(clipped, np.clip(out, 0.0, 1.0))
    # bilinear never leaves the range, so clip changes nothing there.
    bilinear = upsample(step, 4, mode="bilinear")
    assert bilinear.min() >= 0 and bilinear.max() <= 1
    np.testing.assert_array_equal(upsample(step, 4, mode="bilinear", clip=True), bilinear)


# --- the FCN bilinear kernel -------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2, 3, 4, 5, 6])
def test_bilinear_kernel_equals_bilinear_upsampling_inside_and_a_band_of_f_div_2_differs(factor):
    image = RNG.random((9, 10, 2)).astype(np.float32) + 0.5  # no zeros: the border always shows
    kernel = bilinear_kernel(factor)
    assert kernel.shape == (2 * factor - factor % 2,) * 2
    assert kernel.sum() == pytest.approx(factor**2)
    up = conv_transpose2d(image, kernel, stride=factor, padding=bilinear_padding(factor))
    reference = hwc(F.interpolate(nchw(image), scale_factor=factor, mode="bilinear"), False)
    assert up.shape == reference.shape == (9 * factor, 10 * factor, 2)
    differs = np.abs(up - reference).max(axis=2) > 1e-5
    band = factor // 2
    rows, cols = np.indices(differs.shape)
    to_edge = np.minimum.reduce(
        [rows, cols, differs.shape[0] - 1 - rows, differs.shape[1] - 1 - cols]
    )
    # Inside the band they agree to float32 precision; every pixel of the band differs.
    np.testing.assert_allclose(up[to_edge >= band], reference[to_edge >= band], atol=1e-5)
    assert differs[to_edge < band].all()
    assert not differs[to_edge >= band].any()


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_bilinear_kernel_border_is_darker_because_it_sees_zeros_beyond_the_edge(factor):
    """Interpolation clamps to the edge pixel; the transposed convolution reads a 0 there."""
    ones = np.ones((6, 6))
    up = conv_transpose2d(
        ones, bilinear_kernel(factor), stride=factor, padding=bilinear_padding(factor)
    )
    interpolated = upsample(ones, factor, mode="bilinear")
    np.testing.assert_allclose(interpolated, 1.0)
    middle = up.shape[1] // 2
    for o in range(factor // 2):
        weight = (o + 0.5) / factor + 0.5  # the tent's weight on the edge pixel
        assert up[o, middle] == pytest.approx(weight)
        assert up[-1 - o, middle] == pytest.approx(weight)
        assert up[o, o] == pytest.approx(weight**2)
    np.testing.assert_allclose(up[factor // 2 : -(factor // 2), factor // 2 : -(factor // 2)], 1.0)


# --- wrong calls -------------------------------------------------------------------------------

WRONG_TRANSPOSED = [
    (
        dict(stride=2, output_padding=2),
        ValueError,
        "output_padding (2) must be smaller than stride",
    ),
    (dict(stride=1, output_padding=1), ValueError, "must be smaller than stride (1) or dilation"),
    (dict(stride=0), ValueError, "stride must be at least 1"),
    (dict(padding=-1), ValueError, "padding must be at least 0"),
    (dict(method="fast"), ValueError, "Unknown method 'fast'"),
    (dict(method="zero-insert"), ValueError, "Did you mean 'zero_insert'?"),
    (dict(padding=5), ValueError, "removes the whole output"),
    (dict(groups=2), ValueError, "works on each of the 1 channels on its own"),
    (dict(groups=1.5), TypeError, "groups must be an int"),
    (dict(bias=[1.0, 2.0]), ValueError, "bias needs 1 value or one per output channel (1)"),
    (dict(bias=float("nan")), ValueError, "bias must hold finite numbers"),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), WRONG_TRANSPOSED)
def test_wrong_transposed_calls(kwargs, error, words):
    with pytest.raises(error) as info:
        conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("image", "kernel", "kwargs", "error", "words"),
    [
        (np.ones((3, 3)), np.ones((3, 3, 3)), {}, ValueError, "or 4-D (C_in×C_out/groups×kh×kw"),
        (np.ones((3, 3)), np.ones((3, 3)) * 1j, {}, TypeError, "kernel must hold real numbers"),
        (np.ones((3, 3)), "sobel", {}, TypeError, "kernel must be a numpy array"),
        (np.ones((3, 3)), np.full((3, 3), np.inf), {}, ValueError, "finite"),
        (np.ones((3, 3, 3)), np.ones((2, 1, 3, 3)), {}, ValueError, "expects 2 input channels"),
        (np.ones((3, 3, 4)), np.ones((4, 1, 3, 3)), dict(groups=3), ValueError, "groups=3"),
        (np.ones((2000, 2000)), np.ones((3, 3)), dict(stride=20), ValueError, "budget"),
    ],
)
def test_wrong_transposed_weights_and_sizes(image, kernel, kwargs, error, words):
    with pytest.raises(error) as info:
        conv_transpose2d(image, kernel, **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((), {}, "exactly one of scale_factor and size"),
        ((2,), dict(size=4), "exactly one of scale_factor and size"),
        ((2,), dict(mode="trilinear"), "Unknown mode 'trilinear'"),
        ((2,), dict(mode="bilinar"), "Did you mean 'bilinear'?"),
        ((-2,), {}, "scale_factor must be a positive finite number"),
        ((float("nan"),), {}, "positive finite number"),
        ((0.1,), {}, "leaves no output pixels"),
        ((2,), dict(align_corners=False), "align_corners only applies to bilinear and bicubic"),
        ((), dict(size=0), "size must be at least 1"),
        ((10_000,), {}, "budget"),
    ],
)
def test_wrong_upsample_calls(args, kwargs, words):
    with pytest.raises(ValueError) as info:
        upsample(np.ones((3, 3)), *args, **kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize("factor", [True, "2", [2, "x"]])
def test_a_scale_factor_of_the_wrong_type_is_a_type_error(factor):
    with pytest.raises(TypeError, match="scale_factor must be a number"):
        upsample(np.ones((3, 3)), factor)


def test_wrong_bilinear_kernel_factor():
    with pytest.raises(ValueError, match="at least 1"):
        bilinear_kernel(0)
    with pytest.raises(TypeError, match="must be an int"):
        bilinear_kernel(2.0)  # type: ignore[arg-type]


def test_bilinear_and_nearest_match_torch_on_random_sizes():
    """The fast paths (OpenCV's resize for bilinear, a gather for nearest) on 200 random sizes."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(11)
    for _ in range(200):
        h, w, out_h, out_w = (int(v) for v in rng.integers(1, 48, 4))
        x = rng.random((h, w, 3)).astype(np.float32)
        for mode in ("nearest", "bilinear"):
            expected = F.interpolate(torch.from_numpy(x).permute(2, 0, 1)[None],
                                     size=(out_h, out_w), mode=mode)[0].permute(1, 2, 0).numpy()
            got = filters.upsample(x, size=(out_h, out_w), mode=mode)
            np.testing.assert_allclose(got, expected, atol=1e-5, err_msg=f"{mode} {x.shape}")
        factor = float(rng.choice([1.5, 2.0, 3.0]))
        expected = F.interpolate(torch.from_numpy(x).permute(2, 0, 1)[None],
                                 scale_factor=factor, mode="bilinear")[0].permute(1, 2, 0)
        np.testing.assert_allclose(filters.upsample(x, factor, mode="bilinear"),
                                   expected.numpy(), atol=1e-5, err_msg=f"×{factor} {x.shape}")
