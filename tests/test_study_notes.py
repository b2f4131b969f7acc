"""The worked examples of the study notes (../shared/seeds/), reproduced to the exact number.

Seed 000: the 5×5 matrix and the 3×3 vertical edge kernel; output size formula.
Seed 001: dilation's effective kernel size, transposed convolution sizes, output_padding.
Seed 002: the 4×4 matrix 1…16 padded by 1 in each of torch's four padding modes.
Seed 003: d2l's corr2d example, learning a 1×2 kernel, LeNet's size chain.
Seed 004: receptive fields of stacked 3×3 convolutions, 1×1 convolutions, bottlenecks.
"""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.backends import AUTO, BACKEND_NAMES

# --- Seed 000: the 5×5 matrix and the 3×3 vertical edge kernel ----------------------------------

SEED0_IMAGE = np.array(
    [[1, 2, 3, 0, 1], [0, 1, 2, 3, 0], [2, 0, 1, 2, 3], [1, 2, 0, 1, 0], [0, 1, 2, 3, 1]]
)
#: Backends that give the notes' integers exactly (the FFT backend rounds: 1e-4, not exact).
EXACT_BACKENDS = [name for name in BACKEND_NAMES if name != "fft"]
SEED0_KERNEL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
# Window at [0,0]: (1+0+2) − (3+2+1) = −3, then slide right and down, as the notes describe.
SEED0_OUTPUT = [[-3, -2, 2], [0, -3, 0], [0, -3, -1]]


@pytest.mark.parametrize("backend", [*EXACT_BACKENDS, AUTO])
def test_seed000_5x5_vertical_edge_example(backend):
    out = filters.conv2d(SEED0_IMAGE, SEED0_KERNEL, backend=backend)
    np.testing.assert_array_equal(out, SEED0_OUTPUT)
    assert filters.get_kernel("vertical_edge").tolist() == SEED0_KERNEL.tolist()


def test_seed000_output_agrees_with_d2l_corr2d_loop():
    from filters.backends.numpy_backend import corr2d

    np.testing.assert_array_equal(corr2d(SEED0_IMAGE, SEED0_KERNEL), SEED0_OUTPUT)


def test_seed000_output_size_formula():
    # (Input − Filter + 2·Padding)/Stride + 1: 5×5 with 3×3, no padding, stride 1 → 3×3.
    assert filters.output_size(5, 3) == 3
    assert filters.output_size(5, 3, padding=1) == 5
    assert filters.output_size(5, 3, stride=2) == 2


def test_seed000_fully_convolutional_network_keeps_32x32():
    # conv1 = Conv2d(3, 16, 3, padding=1); conv2 = Conv2d(16, 32, 3, padding=1) → [1, 32, 32, 32]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 32, 3)).astype(np.float32)
    hidden = np.maximum(filters.conv2d(x, rng.normal(size=(16, 3, 3, 3)), padding=1), 0)
    out = np.maximum(filters.conv2d(hidden, rng.normal(size=(32, 16, 3, 3)), padding=1), 0)
    assert out.shape == (32, 32, 32)


def test_seed000_stride2_downsamples_32_to_16():
    assert filters.output_size(32, 3, stride=2, padding=1) == 16
    assert filters.conv2d(np.zeros((32, 32)), np.ones((3, 3)), stride=2, padding=1).shape == (
        16,
        16,
    )


# --- Seed 001: dilation, stride, same padding ----------------------------------------------------


@pytest.mark.parametrize(("k", "d", "span"), [(3, 1, 3), (3, 2, 5), (3, 3, 7), (5, 2, 9)])
def test_seed001_effective_kernel_size_is_1_plus_d_times_k_minus_1(k, d, span):
    assert filters.effective_kernel_size(k, d) == span
    # A dilated k×k kernel on a span×span image fits exactly once.
    assert filters.conv2d(np.ones((span, span)), np.ones((k, k)), dilation=d).shape == (1, 1)


def test_seed001_conv2d_formula_with_dilation():
    # ⌊(H + 2·padding − dilation·(k − 1) − 1)/stride + 1⌋
    for n, k, s, p, d in [(32, 3, 1, 1, 1), (28, 5, 1, 2, 1), (64, 3, 2, 2, 2), (7, 2, 3, 0, 2)]:
        assert filters.output_size(n, k, s, p, d) == (n + 2 * p - d * (k - 1) - 1) // s + 1


def test_seed001_conv_3_1_1_keeps_height_and_width():
    # nn.Conv2d(in_channels=C, out_channels=M, 3, 1, 1): (N, C, H, W) → (N, M, H, W)
    out = filters.conv2d(np.zeros((10, 13, 4)), np.ones((6, 4, 3, 3)), stride=1, padding=1)
    assert out.shape == (10, 13, 6)


def test_seed001_valid_stride_formula_when_divisible():
    # (n − k + 1)/stride when it divides: 9×9 with 3×3 and stride 1 → 7; 7 − 3 + 1 = 5 → stride 1
    assert filters.output_size(9, 3) == 9 - 3 + 1
    assert filters.output_size(11, 3, stride=3) == (11 - 3) // 3 + 1 == 3


# --- Seed 002: the 4×4 matrix 1…16 padded by 1 in each of torch's four modes ---------------------

SEED2_MATRIX = np.arange(1, 17, dtype=np.float32).reshape(4, 4)
SEED2_PADDED = {
    "zeros": [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 2, 3, 4, 0],
        [0, 5, 6, 7, 8, 0],
        [0, 9, 10, 11, 12, 0],
        [0, 13, 14, 15, 16, 0],
        [0, 0, 0, 0, 0, 0],
    ],
    "reflect": [
        [6, 5, 6, 7, 8, 7],
        [2, 1, 2, 3, 4, 3],
        [6, 5, 6, 7, 8, 7],
        [10, 9, 10, 11, 12, 11],
        [14, 13, 14, 15, 16, 15],
        [10, 9, 10, 11, 12, 11],
    ],
    "replicate": [
        [1, 1, 2, 3, 4, 4],
        [1, 1, 2, 3, 4, 4],
        [5, 5, 6, 7, 8, 8],
        [9, 9, 10, 11, 12, 12],
        [13, 13, 14, 15, 16, 16],
        [13, 13, 14, 15, 16, 16],
    ],
    "circular": [
        [16, 13, 14, 15, 16, 13],
        [4, 1, 2, 3, 4, 1],
        [8, 5, 6, 7, 8, 5],
        [12, 9, 10, 11, 12, 9],
        [16, 13, 14, 15, 16, 13],
        [4, 1, 2, 3, 4, 1],
    ],
}


@pytest.mark.parametrize("mode", list(SEED2_PADDED))
def test_seed002_4x4_padded_by_1_in_each_mode(mode):
    np.testing.assert_array_equal(filters.pad(SEED2_MATRIX, 1, mode), SEED2_PADDED[mode])


@pytest.mark.parametrize("backend", EXACT_BACKENDS)
@pytest.mark.parametrize("mode", list(SEED2_PADDED))
def test_seed002_conv_with_identity_kernel_shows_the_same_padding(mode, backend):
    # The notes print the padded tensor as the output of a conv layer; a 1×1 identity kernel with
    # padding=1 and each padding_mode gives exactly that tensor.
    out = filters.conv2d(
        SEED2_MATRIX, np.ones((1, 1)), padding=1, padding_mode=mode, backend=backend
    )
    np.testing.assert_array_equal(out, SEED2_PADDED[mode])


def test_seed002_output_size_formula_o_equals_floor_n_plus_2p_minus_f_over_s_plus_1():
    for n, f, p, s in [(4, 3, 1, 1), (5, 3, 0, 2), (6, 3, 1, 2), (227, 11, 0, 4)]:
        assert filters.output_size(n, f, s, p) == (n + 2 * p - f) // s + 1


# --- Seed 003: d2l's corr2d and multi-channel examples, padding and stride -----------------------


def test_seed003_d2l_corr2d_example():
    X = np.arange(9.0).reshape(3, 3)
    K = np.array([[0.0, 1.0], [2.0, 3.0]])
    for backend in EXACT_BACKENDS:
        np.testing.assert_array_equal(filters.conv2d(X, K, backend=backend), [[19, 25], [37, 43]])


def test_seed003_multi_input_channels_sum_into_one_output():
    # corr2d_multi_in: one kernel slice per input channel, results added (d2l 6.4.1).
    X = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)], axis=-1)
    K = np.array([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    out = filters.conv2d(X, K[None])  # weight 1×2×2×2: C_out=1, C_in=2
    np.testing.assert_array_equal(out[:, :, 0], [[56, 72], [104, 120]])


def test_seed003_1x1_convolution_is_a_per_pixel_fully_connected_layer():
    # d_1 = w11·c1 + w12·c2 + w13·c3 + b1, d_2 = w21·c1 + ... + b2
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 5, 3))
    W = rng.normal(size=(2, 3))
    b = np.array([0.5, -1.0])
    out = filters.conv2d(X, W[:, :, None, None], bias=b)
    np.testing.assert_allclose(out, X @ W.T + b, atol=1e-12)


def test_seed003_output_shape_is_n_minus_k_plus_1():
    assert filters.conv2d(np.zeros((6, 8)), np.zeros((1, 2))).shape == (6, 7)  # the 1×2 kernel


def test_seed003_padding_k_minus_1_over_2_keeps_8x8():
    # "对于一个 8x8 的输入，在使用 3x3 卷积核时 ... padding=1 ... 输出尺寸仍然可以是 8x8"
    assert filters.conv2d(np.zeros((8, 8)), np.ones((3, 3)), padding=1).shape == (8, 8)
    # (n_h − k_h + p_h + 1) with p_h total rows of padding: 8 − 5 + 4 + 1 = 8 for a 5×3 kernel.
    assert filters.conv2d(np.zeros((8, 8)), np.ones((5, 3)), padding=(2, 1)).shape == (8, 8)


def test_seed003_stride_formula_floor():
    # ⌊(输入尺寸 + 2×填充 − 核尺寸)/步幅⌋ + 1 : d2l 6.3.2's 8×8 examples
    assert filters.conv2d(np.zeros((8, 8)), np.ones((3, 3)), padding=1, stride=2).shape == (4, 4)
    assert filters.conv2d(
        np.zeros((8, 8)), np.ones((3, 5)), padding=(0, 1), stride=(3, 4)
    ).shape == (2, 2)


def test_seed003_cross_correlation_vs_convolution_is_a_180_degree_turn():
    rng = np.random.default_rng(4)
    X, K = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(
        filters.conv2d(X, K, flip=True), filters.conv2d(X, K[::-1, ::-1]), atol=1e-12
    )


# --- Seeds 001/004: transposed sizes, receptive fields, parameter counts ----------------------

from filters.receptive import PRESETS, layer_stats, parse_layers, receptive_field  # noqa: E402


def test_seed004_two_3x3_see_5x5_and_three_see_7x7_with_fewer_weights():
    channels = 64
    assert receptive_field(PRESETS["two 3×3"]) == 5 == receptive_field(PRESETS["one 5×5"])
    assert receptive_field(PRESETS["three 3×3"]) == 7 == receptive_field(PRESETS["one 7×7"])

    def weights(name):
        return sum(s.params for s in layer_stats(PRESETS[name], 32, in_channels=channels))

    assert weights("two 3×3") == 2 * 9 * channels**2 == 18 * channels**2
    assert weights("one 5×5") == 25 * channels**2
    assert weights("three 3×3") == 27 * channels**2
    assert weights("one 7×7") == 49 * channels**2


def test_seed004_1x1_conv_params_are_c_in_times_c_out():
    stats = layer_stats(parse_layers("conv1c64nb"), 32, in_channels=256)
    assert stats[0].params == 256 * 64 and stats[0].size == 32
    assert layer_stats(parse_layers("conv1c64"), 32, in_channels=256)[0].params == 256 * 64 + 64


def test_seed004_resnet_bottleneck_vs_two_3x3_convs():
    bottleneck = layer_stats(parse_layers("conv1c64nb,conv3p1c64nb,conv1c256nb"), 56, 256)
    plain = layer_stats(parse_layers("conv3p1c256nb,conv3p1c256nb"), 56, 256)
    assert sum(s.params for s in bottleneck) == 256 * 64 + 9 * 64 * 64 + 64 * 256 == 69632
    assert sum(s.params for s in plain) == 2 * 9 * 256 * 256 == 1179648
    assert [s.channels for s in bottleneck] == [64, 64, 256]


@pytest.mark.parametrize(("n_out", "k"), [(64, 3), (128, 3), (32, 5)])
def test_seed004_depthwise_separable_cost_ratio_is_1_over_n_plus_1_over_k2(n_out, k):
    c_in, size = 32, 28
    separable = layer_stats(parse_layers(f"dw{k}p{k // 2}nb,conv1c{n_out}nb"), size, c_in)
    standard = layer_stats(parse_layers(f"conv{k}p{k // 2}c{n_out}nb"), size, c_in)
    ratio = sum(s.mult_adds for s in separable) / sum(s.mult_adds for s in standard)
    assert ratio == pytest.approx(1 / n_out + 1 / k**2)


def test_seed001_down_and_up_round_trip_32_16_32():
    assert filters.output_size(32, 3, stride=2, padding=1) == 16
    assert filters.transposed_output_size(16, 3, stride=2, padding=1, output_padding=1) == 32
    down = filters.conv2d(np.ones((32, 32)), np.ones((3, 3)), stride=2, padding=1)
    up = filters.conv_transpose2d(down, np.ones((3, 3)), stride=2, padding=1, output_padding=1)
    assert down.shape == (16, 16) and up.shape == (32, 32)


def test_seed001_3x3_transposed_gives_5x5_or_6x6_with_output_padding():
    x = np.arange(9.0).reshape(3, 3)
    assert filters.conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1).shape == (5, 5)
    assert filters.conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1,
                                    output_padding=1).shape == (6, 6)
    # ... because 5×5 and 6×6 inputs both give 3×3 with k3 p1 s2.
    assert filters.output_size(5, 3, 2, 1) == filters.output_size(6, 3, 2, 1) == 3


def test_seed001_convtranspose_32_to_64():
    # nn.ConvTranspose2d(C, M, kernel_size=3, stride=2, padding=1, output_padding=1): 32 → 64
    assert filters.transposed_output_size(32, 3, stride=2, padding=1, output_padding=1) == 64


def test_seed001_output_padding_is_an_extra_bottom_right_row_of_the_full_output():
    # "本质上是给原始图像加了额外的一层不对称的padding": the extra row/column is what the
    # kernel computes one step further, with zeros where the input has run out.
    x = np.arange(1.0, 10.0).reshape(3, 3)
    k = np.arange(1.0, 10.0).reshape(3, 3)
    five = filters.conv_transpose2d(x, k, stride=2, padding=1)
    six = filters.conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
    np.testing.assert_array_equal(six[:5, :5], five)
    full = filters.conv_transpose2d(x, k, stride=2)  # no cropping: 7×7
    np.testing.assert_array_equal(six, full[1:7, 1:7])


def test_seed003_lenet_chain_28_28_14_10_5():
    stats = layer_stats(PRESETS["LeNet"], 28)
    assert [s.size for s in stats] == [28, 14, 10, 5]
    assert [s.channels for s in stats] == [6, 6, 16, 16]
    assert stats[0].params == 6 * 25 + 6 and stats[2].params == 16 * 6 * 25 + 16


# --- Seeds 000/001/004: pooling, transposed convolution and layer arithmetic, run for real -------

from filters.receptive import receptive_window  # noqa: E402


def test_seed001_convtranspose2d_32x32_to_64x64_equals_torch_module():
    # nn.ConvTranspose2d(in_channels=C, out_channels=M, kernel_size=3, stride=2, padding=1,
    # output_padding=1) on (N, C, 32, 32) gives (N, M, 64, 64).
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(3, 5, kernel_size=3, stride=2, padding=1, output_padding=1)
    x = np.random.default_rng(1).normal(size=(32, 32, 3)).astype(np.float32)
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    out = filters.conv_transpose2d(x, weight, stride=2, padding=1, output_padding=1, bias=bias)
    expected = layer(torch.from_numpy(x).permute(2, 0, 1)[None])[0].permute(1, 2, 0)
    assert out.shape == tuple(expected.shape) == (64, 64, 5)
    np.testing.assert_allclose(out, expected.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("method", ["direct", "zero_insert"])
def test_seed001_5x5_and_6x6_both_give_3x3_and_output_padding_picks_which_comes_back(method):
    kernel = np.ones((3, 3))
    five = filters.conv2d(np.ones((5, 5)), kernel, stride=2, padding=1)
    six = filters.conv2d(np.ones((6, 6)), kernel, stride=2, padding=1)
    assert five.shape == six.shape == (3, 3)
    back = filters.conv_transpose2d(five, kernel, stride=2, padding=1, method=method)
    back_op = filters.conv_transpose2d(six, kernel, stride=2, padding=1, output_padding=1,
                                       method=method)
    assert back.shape == (5, 5) and back_op.shape == (6, 6)


def test_seed000_4x4_down_to_2x2_and_up_to_4x4():
    # "输入 4x4 -> 卷积 -> 输出 2x2"; "输入 2x2 -> 反卷积 -> 输出 4x4" (stride 2).
    down = filters.conv2d(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
    assert down.tolist() == [[10.0, 18.0], [42.0, 50.0]]
    up = filters.conv_transpose2d(down, np.ones((2, 2)), stride=2)
    assert up.shape == (4, 4)
    assert up.tolist()[0] == [10.0, 10.0, 18.0, 18.0]


def test_seed000_max_pool_32x32_to_16x16_keeps_the_channels():
    # "池化不改变卷积层输出的深度，只是减少宽和高"; h = d divides n: output side n/d.
    x = np.random.default_rng(2).random((32, 32, 3))
    assert filters.pool2d(x, 2).shape == (16, 16, 3)
    assert filters.pool2d(x, 4, mode="avg").shape == (8, 8, 3)
    assert filters.pool2d(x, 2)[0, 0].tolist() == x[:2, :2].max(axis=(0, 1)).tolist()


def test_seed004_stacked_3x3_windows_are_5x5_and_7x7_squares_of_the_input():
    assert receptive_window("conv3nb,conv3nb", 0, 0, 32) == (0, 0, 4, 4)
    assert receptive_window("conv3nb,conv3nb,conv3nb", 0, 0, 32) == (0, 0, 6, 6)
    assert receptive_window("conv5nb", 0, 0, 32) == (0, 0, 4, 4)
    assert receptive_window("conv7nb", 0, 0, 32) == (0, 0, 6, 6)
    # "2层3×3参数量为 2×3²=18，1层5×5参数量为 25" (one channel in and out, no bias).
    assert sum(s.params for s in layer_stats("conv3nb,conv3nb", 32)) == 18
    assert layer_stats("conv5nb", 32)[0].params == 25
    # With a bias each layer adds one value per output channel: 27C² + 3C against 49C² + C.
    c = 64
    three = layer_stats(f"in{c},conv3c{c},conv3c{c},conv3c{c}", 32)
    assert sum(s.params for s in three) == 27 * c * c + 3 * c
    assert layer_stats(f"in{c},conv7c{c}", 32)[0].params == 49 * c * c + c


def test_seed004_5x5_costs_about_2_8_times_a_3x3():
    # "参数量为 C_in × C_out × 5×5，是3×3的约2.8倍"
    five = layer_stats("in32,conv5p2c64", 16)[0]
    three = layer_stats("in32,conv3p1c64", 16)[0]
    ratio = (five.params - 64) / (three.params - 64)
    assert ratio == 25 / 9 and round(ratio, 1) == 2.8
    assert five.mult_adds / three.mult_adds == 25 / 9


def test_seed004_224_to_112_with_a_stride_2_3x3_and_4_times_fewer_mult_adds():
    # "使用3×3卷积，步长=2 → 输出尺寸 [112, 112]"; "空间尺寸减半可使计算量减少约4倍"
    same = layer_stats("in64,conv3p1c64", 224)[0]
    halved = layer_stats("in64,conv3s2p1c64", 224)[0]
    assert (same.size, halved.size) == (224, 112)
    assert same.mult_adds == 4 * halved.mult_adds


def test_seed004_1x1_to_64_channels_cuts_the_next_3x3_to_a_quarter():
    # "输入为256通道，通过1×1卷积输出64通道，后续的3×3卷积计算量将减少为原来的1/4"
    on_256 = layer_stats("in256,conv3p1c64nb", 56)[0]
    on_64 = layer_stats("in256,conv1c64nb,conv3p1c64nb", 56)[1]
    assert on_64.mult_adds * 4 == on_256.mult_adds
    assert on_64.params == 64 * 64 * 9 and on_256.params == 256 * 64 * 9


def test_seed004_global_average_pooling_is_the_channel_mean():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).normal(size=(7, 5, 4)).astype(np.float32)
    gap = filters.global_avg_pool(x)
    expected = torch.nn.AdaptiveAvgPool2d(1)(torch.from_numpy(x).permute(2, 0, 1)[None])
    np.testing.assert_allclose(gap, expected[0, :, 0, 0].numpy(), rtol=1e-6)
    assert gap.shape == (4,)
