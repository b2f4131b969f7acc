"""The helpers the pages call instead of computing themselves (filters.regions, filters.metrics,
filters.explain.partial_output / down_and_up, filters.upsampling.zero_inserted_input,
filters.export.npy_bytes, filters.lenet.to_digit / model_zip), against references nobody here
wrote: NumPy slicing by hand, scikit-learn, pandas, PyTorch and the notes' numbers."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

import filters
from filters.explain import conv_walkthrough, down_and_up, partial_output
from filters.export import npy_bytes
from filters.metrics import confident_mistakes, confusion_matrix, ema
from filters.regions import (
    CORNERS,
    border_profile,
    busiest_corner,
    centre_crop,
    corner_slices,
    crop_around,
    valid_crop,
)
from filters.upsampling import zero_inserted_input
from tests.references import torch_conv2d

RNG = np.random.default_rng(11)

# --- regions ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, size, expected", [
    ((427, 640, 3), 48, (slice(189, 237), slice(296, 344))),  # the pooling page's centre
    ((7, 7), 3, (slice(2, 5), slice(2, 5))),
    ((6, 9), 4, (slice(1, 5), slice(2, 6))),
    ((5, 200), 48, (slice(0, 5), slice(76, 124))),
    ((1, 1), 160, (slice(0, 1), slice(0, 1))),
])
def test_centre_crop_is_the_middle_square(shape, size, expected):
    image = RNG.random(shape)
    np.testing.assert_array_equal(centre_crop(image, size), image[expected])
    assert np.shares_memory(centre_crop(image, size), image)  # a view


def test_centre_crop_refuses_wrong_types_and_values():
    with pytest.raises(TypeError, match="numpy array"):
        centre_crop("image", 3)
    with pytest.raises(TypeError, match="size"):
        centre_crop(np.ones((4, 4)), 2.5)
    with pytest.raises(ValueError, match="size must be at least 1"):
        centre_crop(np.ones((4, 4)), 0)


def test_corner_slices_and_the_busiest_corner():
    image = np.zeros((10, 12))
    image[7:, :3] = RNG.random((3, 3))  # detail only at the bottom left
    assert busiest_corner(image, 3) == "bl"
    assert image[corner_slices(image.shape, "bl", 3)].std() > 0
    assert corner_slices((10, 12), "tl", 4) == (slice(0, 4), slice(0, 4))
    assert corner_slices((10, 12), "br", 4) == (slice(6, 10), slice(8, 12))
    assert corner_slices((3, 2), "br", 32) == (slice(0, 3), slice(0, 2))  # clipped
    assert busiest_corner(np.ones((5, 5)), 2) == CORNERS[0]  # a tie: the first
    with pytest.raises(ValueError, match="corner"):
        corner_slices((4, 4), "middle", 2)


def test_border_profile_reads_the_edge_row_from_the_corner():
    a = np.arange(20).reshape(4, 5)
    assert border_profile(a, "tl", 3).tolist() == [0, 1, 2]
    assert border_profile(a, "tr", 3).tolist() == [4, 3, 2]
    assert border_profile(a, "bl").tolist() == [15, 16, 17, 18, 19]
    assert border_profile(a, "br", 2).tolist() == [19, 18]


def test_crop_around_clips_to_the_image_and_gives_the_origin():
    image = np.arange(400.0).reshape(20, 20)
    crop, (top, left) = crop_around(image, (5, 6, 7, 8), 2)
    np.testing.assert_array_equal(crop, image[3:10, 4:11])
    assert (top, left) == (3, 4)
    crop, origin = crop_around(image, (-3, -3, 1, 1), 4)  # partly in the padding
    np.testing.assert_array_equal(crop, image[0:6, 0:6])
    assert origin == (0, 0)
    assert crop_around(image, (30, 30, 32, 32), 1)[0].size == 0  # wholly outside


@pytest.mark.parametrize("k", [1, 2, 3, 4, 7])
def test_valid_crop_is_where_torch_same_equals_valid(k):
    """``valid_crop`` of a "same" result equals the padding-0 convolution (torch both times)."""
    image = RNG.random((12, 15))
    kernel = RNG.random((k, k))
    same = torch_conv2d(image, kernel, padding="same", padding_mode="reflect" if k < 12
                        else "zeros")
    valid = torch_conv2d(image, kernel, padding=0)
    np.testing.assert_allclose(valid_crop(same, k), valid, atol=1e-12)


def test_valid_crop_refuses_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="A 7×7 kernel does not fit in the 6×6 image"):
        valid_crop(np.zeros((6, 6)), 7)


# --- metrics ------------------------------------------------------------------------------


def test_ema_matches_pandas_without_adjustment_and_a_hand_example():
    values = RNG.random(50) * 3
    for weight in (0.0, 0.5, 0.9, 0.99):
        expected = pd.Series(values).ewm(alpha=1 - weight, adjust=False).mean().to_numpy()
        np.testing.assert_allclose(ema(values, weight), expected, rtol=1e-12)
    # by hand: 0.9·2 + 0.1·1 = 1.9, then 0.9·1.9 + 0.1·4 = 2.11
    np.testing.assert_allclose(ema([2.0, 1.0, 4.0], 0.9), [2.0, 1.9, 2.11])
    assert ema([], 0.9).shape == (0,)


def test_ema_refuses_wrong_types_and_values():
    with pytest.raises(TypeError, match="weight"):
        ema([1.0], "0.9")
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        ema([1.0], 1.0)
    with pytest.raises(TypeError, match="real numbers"):
        ema(["a"], 0.5)
    with pytest.raises(ValueError, match="1-D"):
        ema(np.ones((2, 2)), 0.5)


def test_confusion_matrix_matches_scikit_learn():
    true = RNG.integers(0, 10, 500)
    predicted = np.where(RNG.random(500) < 0.7, true, RNG.integers(0, 10, 500))
    expected = sklearn_confusion_matrix(true, predicted, labels=range(10))
    got = confusion_matrix(true, predicted, 10)
    np.testing.assert_array_equal(got, expected)
    assert got.sum() == 500 and got.trace() == int((true == predicted).sum())
    # a class nobody predicted still has its column
    np.testing.assert_array_equal(confusion_matrix([0, 0], [0, 0], 3),
                                  sklearn_confusion_matrix([0, 0], [0, 0], labels=[0, 1, 2]))


def test_confusion_matrix_refuses_wrong_types_and_values():
    with pytest.raises(TypeError, match="integer class indices"):
        confusion_matrix([0.5], [0], 2)
    with pytest.raises(TypeError, match="num_classes"):
        confusion_matrix([0], [0], "2")
    with pytest.raises(ValueError, match="one label per image"):
        confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match=r"labels must be in 0…1"):
        confusion_matrix([0, 2], [0, 1], 2)


def test_confident_mistakes_are_the_wrong_answers_by_probability():
    probabilities = RNG.random((40, 5))
    probabilities /= probabilities.sum(1, keepdims=True)
    predicted = probabilities.argmax(1)
    true = np.where(RNG.random(40) < 0.5, predicted, (predicted + 1) % 5)
    got = confident_mistakes(true, predicted, probabilities, 6)
    wrong = [i for i in range(40) if true[i] != predicted[i]]
    by_hand = sorted(wrong, key=lambda i: -probabilities[i, predicted[i]])[:6]
    assert got.tolist() == by_hand
    assert confident_mistakes(true, true, probabilities, 6).size == 0  # nothing wrong


# --- explain / upsampling -----------------------------------------------------------------


def test_partial_output_fills_the_steps_done_row_by_row():
    walk = conv_walkthrough(np.arange(25.0).reshape(5, 5), filters.get_kernel("sobel_x"))
    expected = torch_conv2d(np.arange(25.0).reshape(5, 5), filters.get_kernel("sobel_x"))
    for index in range(9):
        partial = partial_output(walk, index)
        flat = partial.ravel()
        np.testing.assert_allclose(flat[: index + 1], expected.ravel()[: index + 1])
        assert np.isnan(flat[index + 1:]).all()
    with pytest.raises(ValueError, match="index must be in 0…8"):
        partial_output(walk, 9)
    with pytest.raises(TypeError, match="ConvWalkthrough"):
        partial_output("walk", 0)


def test_down_and_up_is_the_notes_32_16_31_32():
    import torch
    import torch.nn.functional as F

    x = RNG.random((32, 32))
    down, short, up = down_and_up(x)
    assert (down.shape, short.shape, up.shape) == ((16, 16), (31, 31), (32, 32))
    xt = torch.from_numpy(x)[None, None]
    expected_down = F.conv2d(xt, torch.full((1, 1, 3, 3), 1 / 9, dtype=torch.float64),
                             stride=2, padding=1)
    tent = torch.tensor([[1.0, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=torch.float64) / 4
    expected_up = F.conv_transpose2d(expected_down, tent[None, None], stride=2, padding=1,
                                     output_padding=1)
    np.testing.assert_allclose(down, expected_down[0, 0].numpy(), atol=1e-6)
    np.testing.assert_allclose(up, expected_up[0, 0].numpy(), atol=1e-6)


@pytest.mark.parametrize("stride, padding, output_padding", [
    (1, 0, 0), (2, 0, 0), (2, 1, 0), (2, 1, 1), (3, 2, 2), ((2, 3), (0, 1), (1, 2)),
])
def test_zero_inserted_input_correlated_with_the_rotated_kernel_is_torchs_transpose(
        stride, padding, output_padding):
    import torch
    import torch.nn.functional as F

    x = RNG.random((4, 5))
    kernel = RNG.random((3, 3))
    spread, _ = zero_inserted_input(x, kernel.shape, stride=stride, padding=padding,
                                    output_padding=output_padding)
    expected = F.conv_transpose2d(torch.from_numpy(x)[None, None],
                                  torch.from_numpy(kernel)[None, None], stride=stride,
                                  padding=padding, output_padding=output_padding)[0, 0].numpy()
    np.testing.assert_allclose(torch_conv2d(spread, kernel[::-1, ::-1]), expected, atol=1e-5)


def test_zero_inserted_input_sides_and_refusals():
    spread, sides = zero_inserted_input(np.ones((3, 3)), 3, stride=2, padding=1,
                                        output_padding=1)
    assert sides == (1, 2, 1, 2) and spread.shape == (8, 8)
    with pytest.raises(ValueError, match="negative padding"):
        zero_inserted_input(np.ones((3, 3)), 3, padding=3)


# --- export / lenet -----------------------------------------------------------------------


def test_npy_bytes_round_trips_through_numpy():
    array = RNG.random((3, 4, 2))
    np.testing.assert_array_equal(np.load(io.BytesIO(npy_bytes(array))), array)
    as_float32 = np.load(io.BytesIO(npy_bytes(array, np.float32)))
    assert as_float32.dtype == np.float32
    np.testing.assert_array_equal(as_float32, array.astype(np.float32))
    with pytest.raises(TypeError, match="real numbers"):
        npy_bytes(np.array(["a"]))


def test_to_digit_is_torchs_bilinear_resize_of_the_grey_image():
    import torch
    import torch.nn.functional as F

    from filters.lenet import to_digit

    image = RNG.random((60, 44, 3)).astype(np.float32)
    grey = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    resized = F.interpolate(torch.from_numpy(grey)[None, None], size=(28, 28), mode="bilinear",
                            align_corners=False)[0, 0].numpy()
    expected = np.clip(np.round(resized * 255), 0, 255).astype(np.uint8)
    digit = to_digit(image)
    assert digit.dtype == np.uint8 and digit.shape == (28, 28)
    assert np.abs(digit.astype(int) - expected.astype(int)).max() <= 1  # float rounding


def test_model_zip_holds_a_trainer_that_loads_back():
    from filters.datasets import load_dataset
    from filters.lenet import LeNet, Trainer, model_zip

    data = load_dataset("digits")
    trainer = Trainer(LeNet(seed=0), data, lr=1e-3, seed=0)
    trainer.step(2)
    archive = zipfile.ZipFile(io.BytesIO(model_zip(trainer)))
    assert sorted(archive.namelist()) == ["lenet.safetensors", "lenet.safetensors.json"]
    with pytest.raises(TypeError, match="Trainer"):
        model_zip("trainer")
