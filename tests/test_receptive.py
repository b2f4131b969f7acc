"""Layer arithmetic: sizes against torch, receptive fields against brute-force gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from filters.receptive import (
    PRESETS,
    layer_stats,
    layers_table,
    parse_layers,
    receptive_field,
    receptive_window,
)


def torch_stack(layers, channels):
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


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_sizes_and_params_match_torch(name):
    layers = PRESETS[name]
    channels = 3 if name in ("LeNet",) else 16
    stats = layer_stats(layers, 32, channels)
    model = torch_stack(layers, channels)
    x = torch.zeros(1, channels, 32, 32)
    for module, s in zip(model, stats, strict=True):
        x = module(x)
        assert tuple(x.shape[1:]) == (s.channels, s.size, s.size)
        assert sum(p.numel() for p in module.parameters()) == s.params


@pytest.mark.parametrize(
    "text",
    [
        "conv3,conv3",
        "conv3s2,conv3",
        "conv3d2p2,conv3",
        "conv5p2,maxpool2,conv5",
        "conv3s2p1,conv3s2p1,conv3p1",
        "dw3p1,conv1",
    ],
)
def test_receptive_window_equals_the_gradient_support(text):
    """The input pixels that influence one output pixel, found by backpropagation."""
    layers = parse_layers(text)
    size = 40
    model = torch_stack(layers, 2)
    for module in model:
        for parameter in module.parameters():
            torch.nn.init.constant_(parameter, 1.0)
    x = torch.zeros(1, 2, size, size, requires_grad=True)
    y = model(x)
    i, j = y.shape[2] // 2, y.shape[3] // 2
    y[0, 0, i, j].backward()
    support = np.argwhere(x.grad[0].abs().sum(0).numpy() > 0)
    top, left, bottom, right = receptive_window(layers, i, j, size)
    assert (support[:, 0].min(), support[:, 1].min()) == (top, left)
    assert (support[:, 0].max(), support[:, 1].max()) == (bottom, right)
    assert receptive_field(layers) == bottom - top + 1


def test_layers_table_lists_every_layer_and_totals():
    table = layers_table("conv5p2c6,pool2,conv5c16,pool2", 28)
    lines = table.splitlines()
    assert len(lines) == 1 + 1 + 4 + 1
    assert "receptive field" in lines[0] and lines[-1].startswith("total")
    assert lines[3].split()[1] == "14"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Give layers"),
        ("conv", "not understood"),
        ("conv3,blur3", "Layer 2 'blur3'"),
        ("conv3s0", "stride and dilation must be ≥ 1"),
    ],
)
def test_parse_layers_names_the_bad_token(text, words):
    with pytest.raises(ValueError) as info:
        parse_layers(text)
    assert words in str(info.value)
