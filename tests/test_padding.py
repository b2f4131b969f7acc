"""filters.pad equals torch.nn.functional.pad, and every backend's border table is right."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.backends import is_available
from filters.padding import MODE_NAMES, PADDING_MODES


def torch_pad(image: np.ndarray, sides: tuple[int, int, int, int], mode: str) -> np.ndarray:
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.asarray(image, np.float64))
    x = x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]
    y = F.pad(x, sides, mode="constant" if mode == "zeros" else mode)
    return y[0, 0].numpy() if image.ndim == 2 else y[0].permute(1, 2, 0).numpy()


@pytest.mark.parametrize("mode", PADDING_MODES)
@pytest.mark.parametrize("sides", [(1, 1, 1, 1), (0, 2, 3, 1), (3, 0, 0, 4), (5, 5, 4, 4)])
@pytest.mark.parametrize("shape", [(6, 7), (5, 6, 3)])
def test_pad_matches_torch_f_pad(mode, sides, shape):
    image = np.random.default_rng(0).random(shape).astype(np.float32)
    out = filters.pad(image, sides, mode)  # (left, right, top, bottom) like F.pad
    np.testing.assert_array_equal(out, torch_pad(image, sides, mode).astype(np.float32))


def test_pair_padding_means_rows_then_columns():
    image = np.ones((2, 3))
    assert filters.pad(image, (1, 2)).shape == (4, 7)


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_reflect_and_circular_limits_follow_torch(mode):
    import torch
    import torch.nn.functional as F

    image = np.arange(12.0).reshape(3, 4)
    for amount in range(1, 6):
        try:
            F.pad(
                torch.zeros(1, 1, 3, 4),
                (0, 0, amount, amount),
                mode="constant" if mode == "zeros" else mode,
            )
            torch_ok = True
        except (RuntimeError, ValueError, NotImplementedError):
            torch_ok = False
        if torch_ok:
            filters.pad(image, (0, 0, amount, amount), mode)
        else:
            with pytest.raises(ValueError, match="padding"):
                filters.pad(image, (0, 0, amount, amount), mode)


# The translation tables: each library's name for torch's border, checked on 1 2 3 padded by 2.
ROW = np.array([1.0, 2.0, 3.0])
EXPECTED = {
    "zeros": [0, 0, 1, 2, 3, 0, 0],
    "reflect": [3, 2, 1, 2, 3, 2, 1],
    "replicate": [1, 1, 1, 2, 3, 3, 3],
    "circular": [2, 3, 1, 2, 3, 1, 2],
}


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_numpy_table(mode):
    np.testing.assert_array_equal(np.pad(ROW, 2, mode=MODE_NAMES[mode].numpy), EXPECTED[mode])


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_scipy_table(mode):
    np.testing.assert_array_equal(_scipy_extend(MODE_NAMES[mode].scipy), EXPECTED[mode])


def _scipy_extend(mode: str) -> np.ndarray:
    """Read 1 2 3 two pixels past each end through ``ndimage.correlate1d`` with one-hot kernels.

    A 5-tap kernel with its 1 at tap t gives output[i] = x[i + t - 2] (border extended by
    ``mode``), so every position from -2 to 4 is reachable from some output i in 0..2.
    """
    from scipy import ndimage

    values = []
    for position in range(-2, 5):
        i = min(max(position, 0), 2)
        kernel = np.zeros(5)
        kernel[position - i + 2] = 1.0
        values.append(ndimage.correlate1d(ROW, kernel, mode=mode, cval=0.0)[i])
    return np.array(values)


@pytest.mark.skipif(not is_available("opencv"), reason="OpenCV is not installed")
@pytest.mark.parametrize("mode", PADDING_MODES)
def test_opencv_table(mode):
    import cv2

    border = getattr(cv2, MODE_NAMES[mode].opencv)
    padded = cv2.copyMakeBorder(ROW[None, :], 0, 0, 2, 2, border, value=0)
    np.testing.assert_array_equal(padded[0], EXPECTED[mode])


@pytest.mark.skipif(not is_available("torch"), reason="torch is not installed")
@pytest.mark.parametrize("mode", PADDING_MODES)
def test_torch_table(mode):
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(ROW)[None, None]
    padded = F.pad(x, (2, 2), mode=MODE_NAMES[mode].torch)[0, 0]
    np.testing.assert_array_equal(padded, EXPECTED[mode])


def test_the_classic_traps_are_different_borders():
    from scipy import ndimage

    # scipy's "reflect" repeats the edge (numpy's "symmetric"), torch's does not.
    kernel = np.zeros(3)
    kernel[0] = 1.0
    assert ndimage.correlate1d(ROW, kernel, mode="reflect")[0] == 1.0
    assert ndimage.correlate1d(ROW, kernel, mode="mirror")[0] == 2.0
