"""Transposed convolution and interpolation against torch; the notes' readable path agrees."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import filters
from filters.upsampling import bilinear_kernel, bilinear_padding, conv_transpose2d, upsample

RNG = np.random.default_rng(9)


def nchw(image):
    x = torch.from_numpy(np.asarray(image, np.float64))
    return x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]


def hwc(y, grey):
    return y[0, 0].numpy() if grey else y[0].permute(1, 2, 0).numpy()


GRID = [
    (s, p, op, d)
    for s, p, op, d in itertools.product([1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2])
    if op < max(s, d)
]


@pytest.mark.parametrize("method", ["scatter", "zero_insert"])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 3), (4, 4)])
def test_depthwise_transposed_conv_matches_torch(method, kernel_shape):
    image = RNG.normal(size=(5, 6, 2)).astype(np.float32)
    kernel = RNG.normal(size=kernel_shape)
    checked = 0
    for s, p, op, d in GRID:
        weight = torch.from_numpy(np.broadcast_to(kernel, (2, 1, *kernel_shape)).copy())
        try:
            expected = F.conv_transpose2d(
                nchw(image), weight, stride=s, padding=p, output_padding=op, dilation=d, groups=2
            )
        except RuntimeError:
            with pytest.raises(ValueError):
                conv_transpose2d(
                    image, kernel, stride=s, padding=p, output_padding=op, dilation=d, method=method
                )
            continue
        out = conv_transpose2d(
            image, kernel, stride=s, padding=p, output_padding=op, dilation=d, method=method
        )
        np.testing.assert_allclose(out, hwc(expected, False), atol=1e-5, err_msg=str((s, p, op, d)))
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("method", ["scatter", "zero_insert"])
@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(1, 1, 1), (3, 2, 1), (4, 6, 2)])
def test_full_weight_groups_and_bias_match_torch(method, c_in, c_out, groups):
    image = RNG.normal(size=(4, 5, c_in))
    weight = RNG.normal(size=(c_in, c_out // groups, 3, 2))
    bias = RNG.normal(size=c_out)
    out = conv_transpose2d(
        image,
        weight,
        stride=2,
        padding=1,
        output_padding=1,
        groups=groups,
        bias=bias,
        method=method,
    )
    expected = F.conv_transpose2d(
        nchw(image),
        torch.from_numpy(weight),
        torch.from_numpy(bias),
        stride=2,
        padding=1,
        output_padding=1,
        groups=groups,
    )
    np.testing.assert_allclose(out, hwc(expected, False), atol=1e-9)


def test_zero_insert_is_the_notes_picture():
    out = filters.zero_insert(np.arange(1.0, 5.0).reshape(2, 2), 3)
    assert out.shape == (4, 4)
    assert out[::3, ::3].tolist() == [[1, 2], [3, 4]] and out.sum() == 10


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
    """⟨conv2d(x, K), y⟩ = ⟨x, conv_transpose2d(y, K)⟩ for matching shapes."""
    rng = np.random.default_rng(seed)
    if d * (k - 1) + 1 > h + 2 * p or d * (k - 1) + 1 > w + 2 * p:
        return
    x = rng.normal(size=(h, w))
    kernel = rng.normal(size=(k, k))
    forward = filters.conv2d(x, kernel, stride=s, padding=p, dilation=d, backend="numpy")
    y = rng.normal(size=forward.shape)
    op = (h + 2 * p - d * (k - 1) - 1) % s, (w + 2 * p - d * (k - 1) - 1) % s
    back = conv_transpose2d(y, kernel, stride=s, padding=p, dilation=d, output_padding=op)
    assert back.shape == x.shape
    assert np.vdot(forward, y) == pytest.approx(np.vdot(x, back), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
@pytest.mark.parametrize("align", [None, True])
@pytest.mark.parametrize(
    "request_",
    [
        dict(scale_factor=2),
        dict(scale_factor=3),
        dict(scale_factor=0.5),
        dict(size=(7, 11)),
        dict(scale_factor=(1.5, 2.5)),
    ],
)
def test_upsample_matches_f_interpolate(mode, align, request_):
    if mode == "nearest" and align:
        return
    image = RNG.random((6, 8, 3))
    out = upsample(image, mode=mode, align_corners=align, **request_)
    expected = F.interpolate(nchw(image), mode=mode, align_corners=align, **request_)
    np.testing.assert_allclose(out, hwc(expected, False), atol=1e-9)


def test_bicubic_overshoots_and_clip_keeps_the_range():
    step = np.zeros((4, 8))
    step[:, 4:] = 1.0
    out = upsample(step, 4, mode="bicubic")
    assert out.min() < 0 and out.max() > 1
    clipped = upsample(step, 4, mode="bicubic", clip=True)
    assert clipped.min() == 0 and clipped.max() == 1


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_bilinear_kernel_reproduces_bilinear_upsampling_inside_and_differs_at_the_border(factor):
    image = RNG.random((10, 12))
    kernel = bilinear_kernel(factor)
    up = conv_transpose2d(image, kernel, stride=factor, padding=bilinear_padding(factor))
    reference = upsample(image, factor, mode="bilinear")
    h, w = min(up.shape[0], reference.shape[0]), min(up.shape[1], reference.shape[1])
    difference = np.abs(up[:h, :w] - reference[:h, :w])
    band = factor  # the border band where zeros (not the edge pixel) are seen
    assert difference[band:-band, band:-band].max() < 1e-9
    assert difference.max() > 1e-3  # and the border does differ
    rows = np.where(difference.max(axis=1) > 1e-9)[0]
    assert rows.min() < band and rows.max() >= h - band


WRONG = [
    (dict(stride=2, output_padding=2), "output_padding (2) must be smaller than stride (2)"),
    (dict(stride=0), "stride must be at least 1"),
    (dict(padding=-1), "padding must be at least 0"),
    (dict(method="fast"), "Unknown method 'fast'"),
    (dict(padding=5), "removes the whole output"),
]


@pytest.mark.parametrize(("kwargs", "words"), WRONG)
def test_wrong_transposed_calls(kwargs, words):
    with pytest.raises(ValueError) as info:
        conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), **kwargs)
    assert words in str(info.value)


def test_wrong_upsample_calls():
    with pytest.raises(ValueError, match="exactly one of"):
        upsample(np.ones((3, 3)))
    with pytest.raises(ValueError, match="Unknown mode 'trilinear'"):
        upsample(np.ones((3, 3)), 2, mode="trilinear")
    with pytest.raises(ValueError, match="positive"):
        upsample(np.ones((3, 3)), -2)
