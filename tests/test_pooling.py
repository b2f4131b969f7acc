"""pool2d against F.max_pool2d / F.avg_pool2d / F.lp_pool2d on every combination torch accepts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import filters
from filters.pooling import pool2d, unravel_pool_indices

RNG = np.random.default_rng(5)
IMAGES = {
    "grey 9x10": RNG.normal(size=(9, 10)).astype(np.float32),
    "rgb 8x7": RNG.normal(size=(8, 7, 3)).astype(np.float32),
}


def torch_pool(image, mode, k, s, p, d, ceil, include, norm=2.0, indices=False):
    x = torch.from_numpy(image)
    x = x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]
    if mode == "max":
        y = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil, return_indices=indices)
    elif mode == "avg":
        y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
    else:
        y = F.lp_pool2d(x, norm, k, s, ceil_mode=ceil)
    if indices:
        values, where = y
        return _layout(values, image), _layout(where, image)
    return _layout(y, image)


def _layout(y, image):
    return y[0, 0].numpy() if image.ndim == 2 else y[0].permute(1, 2, 0).numpy()


GRID = list(itertools.product([2, 3, (2, 3)], [None, 1, 2, (2, 1)], [0, 1], [1, 2], [False, True]))


@pytest.mark.parametrize("name", list(IMAGES))
@pytest.mark.parametrize("mode", ["max", "avg", "lp"])
def test_pool2d_matches_torch_on_the_whole_grid(name, mode):
    image = IMAGES[name]
    if mode == "lp":
        image = np.abs(image)  # x**p of negatives is complex for fractional p
    checked = 0
    for k, s, p, d, ceil in GRID:
        if mode != "max" and d != 1:
            continue
        if mode == "lp" and p != 0:
            continue
        for include in [True, False] if mode == "avg" else [True]:
            try:
                expected = torch_pool(image, mode, k, s, p, d, ceil, include)
            except RuntimeError:
                with pytest.raises(ValueError):
                    pool2d(
                        image,
                        k,
                        stride=s,
                        padding=p,
                        dilation=d,
                        mode=mode,
                        ceil_mode=ceil,
                        count_include_pad=include,
                    )
                continue
            out = pool2d(
                image,
                k,
                stride=s,
                padding=p,
                dilation=d,
                mode=mode,
                ceil_mode=ceil,
                count_include_pad=include,
            )
            assert out.shape == expected.shape, (k, s, p, d, ceil, include)
            np.testing.assert_allclose(
                out, expected, rtol=1e-5, atol=1e-5, err_msg=str((k, s, p, d, ceil, include))
            )
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("norm", [1.0, 2.0, 3.0])
def test_lp_pool_norms(norm):
    image = np.abs(IMAGES["rgb 8x7"])
    np.testing.assert_allclose(
        pool2d(image, 2, mode="lp", p=norm),
        torch_pool(image, "lp", 2, None, 0, 1, False, True, norm),
        rtol=1e-5,
    )


@pytest.mark.parametrize("name", list(IMAGES))
def test_max_pool_indices_are_torchs(name):
    image = IMAGES[name]
    for k, s, p, d, ceil in GRID[::3]:
        try:
            _, where = torch_pool(image, "max", k, s, p, d, ceil, True, indices=True)
        except RuntimeError:
            continue
        out, indices = pool2d(
            image, k, stride=s, padding=p, dilation=d, ceil_mode=ceil, return_indices=True
        )
        np.testing.assert_array_equal(indices, where)
        rows, cols = unravel_pool_indices(indices, image.shape[1])
        picked = (
            image[rows, cols]
            if image.ndim == 2
            else np.take_along_axis(
                image.reshape(-1, image.shape[2]), indices.reshape(-1, image.shape[2]), axis=0
            ).reshape(indices.shape)
        )
        np.testing.assert_array_equal(picked, out)


def test_global_avg_pool_is_the_channel_mean():
    image = IMAGES["rgb 8x7"]
    x = torch.from_numpy(image).permute(2, 0, 1)[None]
    np.testing.assert_allclose(
        filters.global_avg_pool(image), F.adaptive_avg_pool2d(x, 1)[0, :, 0, 0].numpy(), rtol=1e-6
    )


WRONG = [
    (dict(kernel_size=11), "no output"),
    (dict(kernel_size=2, stride=0), "stride must be at least 1"),
    (dict(kernel_size=2, padding=2), "more than half the pooling window"),
    (dict(kernel_size=2, mode="median"), "Unknown mode 'median'"),
    (dict(kernel_size=2, mode="average"), "Did you mean 'avg'?"),
    (dict(kernel_size=2, mode="avg", dilation=2), "dilation only applies to max pooling"),
    (dict(kernel_size=2, mode="lp", padding=1), "Lp pooling takes no padding"),
    (dict(kernel_size=2, mode="avg", return_indices=True), "return_indices only applies"),
]


@pytest.mark.parametrize(("kwargs", "words"), WRONG)
def test_wrong_pool_calls_explain_themselves(kwargs, words):
    with pytest.raises(ValueError) as info:
        pool2d(IMAGES["grey 9x10"], **kwargs)
    assert words in str(info.value)
