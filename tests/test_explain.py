"""The step-through and the backwards size solver agree with conv2d and the size formulas."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import filters
from filters.explain import (
    conv_walkthrough,
    solve_output_padding,
    solve_padding,
    solve_stride,
)

SEED0 = np.array(
    [[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [2, 0, 1, 2, 3], [1, 2, 0, 1, 0], [0, 1, 2, 3, 1]]
)
EDGE = np.array([[1, 0, -1]] * 3)


def test_seed000_steps_slide_left_to_right_then_down():
    walk = conv_walkthrough(SEED0, EDGE)
    positions = [(s.out_row, s.out_col) for s in walk.steps]
    assert positions == [(i, j) for i in range(3) for j in range(3)]
    assert walk.steps[0].rows == (0, 1, 2) and walk.steps[1].cols == (1, 2, 3)
    np.testing.assert_array_equal(walk.steps[0].products, SEED0[:3, :3] * EDGE)


@pytest.mark.parametrize(
    ("stride", "padding", "mode", "dilation", "flip"),
    list(
        itertools.product(
            [1, 2], [0, 1, "same"], ["zeros", "reflect", "circular"], [1, 2], [False, True]
        )
    ),
)
def test_every_step_value_equals_conv2d(stride, padding, mode, dilation, flip):
    if padding == "same" and stride != 1:
        return
    image = np.random.default_rng(0).random((7, 8))
    kernel = np.random.default_rng(1).normal(size=(3, 2))
    walk = conv_walkthrough(
        image,
        kernel,
        stride=stride,
        padding=padding,
        padding_mode=mode,
        dilation=dilation,
        flip=flip,
        bias=0.5,
    )
    expected = filters.conv2d(
        image,
        kernel,
        stride=stride,
        padding=padding,
        padding_mode=mode,
        dilation=dilation,
        flip=flip,
        bias=0.5,
        backend="torch",
    )
    values = np.array([s.value for s in walk.steps]).reshape(expected.shape)
    np.testing.assert_allclose(values, expected, atol=1e-9)
    np.testing.assert_allclose(walk.padded, filters.pad(image, _sides(walk), mode))
    if flip:
        np.testing.assert_array_equal(walk.kernel, kernel[::-1, ::-1])


def _sides(walk):
    top, bottom, left, right = walk.padding
    return (left, right, top, bottom)


def test_multichannel_steps_sum_one_slice_per_channel_plus_bias():
    x = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)], axis=-1)
    k = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    walk = conv_walkthrough(x, k, bias=1.0)
    assert walk.steps[0].products.shape == (2, 2, 2)
    np.testing.assert_array_equal(walk.output, np.array([[56, 72], [104, 120]]) + 1.0)


def test_walkthrough_refuses_big_outputs_and_wrong_kernels():
    with pytest.raises(ValueError, match="at most 100"):
        conv_walkthrough(np.zeros((20, 20)), np.ones((3, 3)), max_outputs=100)
    with pytest.raises(ValueError, match="one slice per channel"):
        conv_walkthrough(np.zeros((5, 5, 3)), np.ones((2, 3, 3)))


def test_solver_answers_the_notes_questions():
    assert solve_padding(32, 3).value == 1  # "same" for 3×3
    assert solve_padding(8, 5).value == 2
    assert solve_stride(32, 16, 3, padding=1).value == 2  # halve 32 → 16
    assert solve_output_padding(16, 32, 3, stride=2, padding=1).value == 1  # restore 32
    assert solve_output_padding(3, 6, 3, stride=2, padding=1).value == 1  # seed 001: 5×5 → 6×6
    assert solve_output_padding(3, 5, 3, stride=2, padding=1).value == 0


def test_solver_flags_floor_and_refuses_the_impossible():
    assert solve_stride(32, 16, 3, padding=1).exact is False  # 31/2 is floored
    assert solve_stride(33, 17, 3, padding=1).exact is True
    with pytest.raises(ValueError, match="odd"):
        solve_padding(32, 4)  # even kernel: no int padding
    with pytest.raises(ValueError, match="smaller than the stride"):
        solve_output_padding(16, 34, 3, stride=2, padding=1)
    for n, k, s in [(32, 3, 2), (28, 5, 1), (100, 7, 3)]:
        p = solve_padding(n, k, stride=s, target=filters.output_size(n, k, s, 1)).value
        assert filters.output_size(n, k, s, p) == filters.output_size(n, k, s, 1)
