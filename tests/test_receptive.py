"""Layer arithmetic: sizes, parameters and FLOPs against torch; receptive fields by backprop."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

import filters
from filters.receptive import (
    PRESET_INPUTS,
    PRESETS,
    LayerSpec,
    layer_stats,
    layers_table,
    parse_layers,
    receptive_field,
    receptive_window,
)


def torch_stack(layers, channels):
    """The same stack as torch modules (average pooling; max pooling has the same shapes)."""
    modules = []
    for layer in layers:
        if layer.kind == "pool":
            modules.append(torch.nn.AvgPool2d(layer.kernel, layer.stride, layer.padding))
            continue
        out = channels if layer.out_channels is None else layer.out_channels
        groups = channels if layer.groups == 0 else layer.groups
        cls = torch.nn.ConvTranspose2d if layer.kind == "convT" else torch.nn.Conv2d
        extra = {"output_padding": layer.output_padding} if layer.kind == "convT" else {}
        modules.append(
            cls(
                channels,
                out,
                layer.kernel,
                layer.stride,
                layer.padding,
                dilation=layer.dilation,
                groups=groups,
                bias=layer.bias,
                **extra,
            )
        )
        channels = out
    return torch.nn.Sequential(*modules)


def check_against_torch(layers, size, channels):
    """Output shape, parameter count and multiply-adds (FlopCounterMode / 2) of every layer."""
    stats = layer_stats(layers, size, channels)
    model = torch_stack(layers, channels)
    x = torch.zeros(1, channels, size, size)
    for module, s in zip(model, stats, strict=True):
        with FlopCounterMode(display=False) as counter:
            x = module(x)
        assert tuple(x.shape[1:]) == (s.channels, s.size, s.size), s.name
        assert sum(p.numel() for p in module.parameters()) == s.params, s.name
        if s.mult_adds:  # torch counts 2 FLOPs per multiply-add; pooling counts none here
            assert counter.get_total_flops() == 2 * s.mult_adds, s.name


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_sizes_params_and_mult_adds_match_torch(name):
    size, channels = PRESET_INPUTS[name]
    check_against_torch(PRESETS[name], min(size, 64), channels)


@pytest.mark.parametrize(
    ("text", "size", "channels"),
    [
        ("conv3s2p1c8,convT3s2p1op1c4", 17, 3),
        ("conv3d2p2c6g3,maxpool3s2p1,conv1c12g2", 20, 3),
        ("convT4s2p1c8nb,convT3s3d2op1c2g2,dw5p2", 6, 4),
        ("dw3s2p1,conv1c16,avgpool2,convT2s2", 16, 8),
    ],
)
def test_mixed_stacks_match_torch(text, size, channels):
    check_against_torch(parse_layers(text), size, channels)


# --- receptive fields: the support of one output pixel, found by backpropagation ---------------

STACKS = [
    "conv3,conv3",
    "conv3s2,conv3",
    "conv3d2p2,conv3",
    "conv5p2,maxpool2,conv5",
    "conv3s2p1,conv3s2p1,conv3p1",
    "dw3p1,conv1",
    "conv2s2,conv3d3p3",
    "convT3s2p1op1",
    "conv3s2p1,convT3s2p1op1",
    "convT4s2p1,conv3p1,pool2",
    "conv3s2,convT3s3d2",
]


def gradient_support(layers, size, row, col):
    """Rows and columns of the input pixels whose gradient reaches output (row, col)."""
    model = torch_stack(layers, 2).double()
    for parameter in model.parameters():
        torch.nn.init.constant_(parameter, 1.0)  # positive weights: no cancellation
    x = torch.zeros(1, 2, *size, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[0, 0, row, col].backward()
    return np.argwhere(x.grad[0].abs().sum(0).numpy() > 0), y.shape[2:]


@pytest.mark.parametrize("text", STACKS)
def test_receptive_window_is_the_gradient_support_everywhere(text):
    layers = parse_layers(text)
    size = (23, 26)
    _, out_shape = gradient_support(layers, size, 0, 0)
    rows = sorted({0, 1, out_shape[0] // 2, out_shape[0] // 2 + 1, out_shape[0] - 1})
    cols = sorted({0, out_shape[1] // 2, out_shape[1] - 1})
    for i in rows:
        for j in cols:
            support, _ = gradient_support(layers, size, i, j)
            window = receptive_window(layers, i, j, size, clip=True)
            if not support.size:
                assert window.empty
                continue
            expected = (*support.min(axis=0), *support.max(axis=0))
            assert (window.top, window.left, window.bottom, window.right) == expected, (i, j)
            whole = receptive_window(layers, i, j, size)
            assert whole.top <= window.top and whole.bottom >= window.bottom
            assert whole.height <= receptive_field(layers)
    # In the middle nothing is clipped.
    middle = (out_shape[0] // 2, out_shape[1] // 2)
    assert receptive_window(layers, *middle, size) == receptive_window(
        layers, *middle, size, clip=True
    )


def test_clipping_follows_every_layer_not_only_the_input():
    # Input 6: conv1s2 reads pixels 0, 2, 4 only; the next layer's window over its outputs
    # 1…3 (3 is padding) depends on pixels 2…4, never on 5.
    layers = parse_layers("conv1s2,conv3p1")
    assert receptive_window(layers, 0, 2, 6) == (-2, 2, 2, 6)
    assert receptive_window(layers, 0, 2, 6, clip=True) == (0, 2, 2, 4)
    support = gradient_support(layers, (6, 6), 0, 2)[0]
    assert (*support.min(axis=0), *support.max(axis=0)) == (0, 2, 2, 4)


def test_an_output_that_sees_only_padding_has_an_empty_window():
    window = receptive_window("conv1p2", 0, 0, 8, clip=True)
    assert window.empty and window.height == 0
    assert receptive_window("conv1p2", 0, 0, 8) == (-2, -2, -2, -2)


def recursion(layers):
    """The textbook recursion r += (k'−1)·j, j *= s, start += ((k'−1)/2 − p)·j."""
    r, j, start = 1, 1, 0.0
    for layer in layers:
        span = layer.dilation * (layer.kernel - 1) + 1
        r += (span - 1) * j
        start += ((span - 1) / 2 - layer.padding) * j
        j *= layer.stride
    return r, j, start


conv_layer = st.builds(
    LayerSpec,
    kind=st.just("conv"),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
) | st.builds(
    LayerSpec,
    kind=st.just("pool"),
    kernel=st.integers(2, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
)


@settings(max_examples=60, deadline=None)
@given(layers=st.lists(conv_layer, min_size=1, max_size=4))
def test_conv_and_pool_stacks_follow_the_textbook_recursion(layers):
    r, j, start = recursion(layers)
    assert receptive_field(layers) == r
    try:
        stats = layer_stats(layers, 200)
    except ValueError:
        return
    assert (stats[-1].receptive_field, stats[-1].jump, stats[-1].start) == (r, j, start)
    first = receptive_window(layers, 0, 0, 200)
    assert (first.top + first.bottom) / 2 == start and first.height == r
    if stats[-1].size > 1:
        second = receptive_window(layers, 0, 1, 200)
        assert second.left - first.left == j


def test_transposed_stacks_report_the_largest_window_and_fractional_jumps():
    stats = layer_stats("convT3s2p1op1", 8)
    assert stats[0].size == 16 and stats[0].jump == 0.5
    windows = {receptive_window("convT3s2p1op1", 0, j, 8).width for j in range(1, 15)}
    assert windows == {1, 2}  # even outputs sit on an input pixel, odd ones between two
    assert receptive_field("convT3s2p1op1") == stats[0].receptive_field == 2
    # Down and up again (seed 001's 32→16→32): each output sees at most 5 input pixels.
    assert receptive_field("conv3s2p1,convT3s2p1op1") == 5


# --- text syntax, table and errors --------------------------------------------------------------


def test_parse_layers_reads_every_option():
    layer = parse_layers("convT3s2p1d2c8g2op1nb")[0]
    assert (layer.kind, layer.kernel, layer.stride, layer.padding, layer.dilation) == (
        "convT",
        3,
        2,
        1,
        2,
    )
    assert (layer.out_channels, layer.groups, layer.output_padding, layer.bias) == (8, 2, 1, False)
    pool, dw = parse_layers(" MaxPool3p1 , DW5p2 ")
    assert (pool.kind, pool.stride, pool.padding) == ("pool", 3, 1)
    assert (dw.kind, dw.groups, dw.name) == ("conv", 0, "DW5p2")
    first = parse_layers("in3,conv3c16")[0]
    assert first.in_channels == 3
    assert layer_stats("in3,conv3c16", 8)[0].params == 3 * 16 * 9 + 16


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Give layers"),
        ("conv", "Layer 1 'conv' is not understood"),
        ("conv3,blur3", "Layer 2 'blur3': unknown layer kind 'blur'"),
        ("conv3x2", "cannot read 'x2'"),
        ("conv3s2s3", "option 's' (stride) is given twice"),
        ("conv3op1", "conv takes no 'op' (output_padding)"),
        ("pool2c8", "pool takes no 'c' (out_channels)"),
        ("avgpool2d2", "avgpool takes no 'd'"),
        ("conv3s", "cannot read 's'"),
        ("conv3,,conv3", "Layer 2 is empty"),
        ("conv3s0", "Layer 1 'conv3s0': stride must be at least 1"),
        ("conv0", "kernel must be at least 1"),
        ("maxpool2p2", "more than half the window"),
        ("in0,conv3", "at least 1 channel"),
        ("in3", "no layer"),
    ],
)
def test_parse_layers_names_the_bad_token(text, words):
    with pytest.raises(ValueError) as info:
        parse_layers(text)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: layer_stats("conv5,conv5", 6), "Layer 2 (conv5) on a 2×2 input"),
        (lambda: layer_stats("in3,conv3", 8, in_channels=4), "expects 3 input channels but gets 4"),
        (lambda: layer_stats("conv3g2c4", 8, in_channels=3), "groups=2 must divide its 3 input"),
        (lambda: layer_stats("convT3s2op2", 8), "output_padding (2) must be smaller"),
        (lambda: layer_stats("conv3", 0), "input_size must be at least 1"),
        (lambda: receptive_window("conv3", 6, 0, 8), "output row 6 is outside the output (0…5)"),
        (lambda: LayerSpec("deconv", 3), "Unknown layer kind 'deconv'"),
        (lambda: LayerSpec("conv", 3, output_padding=1), "only applies to transposed"),
    ],
)
def test_wrong_stacks_explain_themselves(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value)


def test_layers_table_lists_every_layer_aligned_with_totals():
    text = "conv5p2c6,avgpool2,conv5c16,avgpool2"
    table = layers_table(text, 28)
    lines = table.splitlines()
    assert len(lines) == 1 + 1 + 4 + 1
    assert lines[0].split()[:3] == ["layer", "size", "channels"]
    assert lines[1].split()[:3] == ["input", "28×28", "1"]
    assert [line.split()[1] for line in lines[2:6]] == ["28×28", "14×14", "10×10", "5×5"]
    stats = layer_stats(text, 28)
    total = lines[-1].split()
    assert total[0] == "total" and total[1] == f"{sum(s.params for s in stats):,}"
    assert total[2] == f"{sum(s.mult_adds for s in stats):,}"
    header_end = lines[0].index("mult-adds") + len("mult-adds")
    assert all(len(line) <= header_end for line in lines)
    assert {len(line) for line in lines[2:]} == {header_end}  # right-aligned numbers


def test_command_line_prints_the_table():
    result = subprocess.run(
        [sys.executable, "-m", "filters", "size", "--layers", "conv3,conv3,pool2", "32"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.strip() == layers_table("conv3,conv3,pool2", 32)


def test_layer_stats_is_exported():
    assert filters.layer_stats is layer_stats and filters.parse_layers is parse_layers
