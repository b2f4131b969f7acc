"""Layer arithmetic: output size, receptive field, jump, parameters and multiply-adds of a stack.

Receptive field and jump (the distance in input pixels between neighbouring outputs) follow
the usual recursion for a layer with effective kernel ``k' = d(k−1) + 1``, stride ``s`` and
padding ``p``:

``r_out = r_in + (k' − 1)·j_in``, ``j_out = j_in·s``,
``start_out = start_in + ((k' − 1)/2 − p)·j_in``

Seed 004: two 3×3 convolutions see 5×5 with 2·9C² weights where one 5×5 needs 25C²; three see
7×7 with 27C² against 49C².

Example:
    >>> receptive_field(parse_layers("conv3,conv3"))
    5
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ._validation import check_choice
from .sizes import effective_kernel_size, output_size, transposed_output_size

__all__ = [
    "PRESETS",
    "LayerSpec",
    "LayerStats",
    "layer_stats",
    "layers_table",
    "parse_layers",
    "receptive_field",
    "receptive_window",
]

Kind = Literal["conv", "pool", "convT"]


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a stack.

    Attributes:
        kind: ``"conv"``, ``"pool"`` or ``"convT"`` (transposed convolution).
        kernel: kernel side.
        stride: step.
        padding: pixels added on each side.
        dilation: spacing between taps.
        out_channels: output channels (``None``: same as the input; pooling always keeps them).
        groups: channel groups; ``0`` means depthwise (one group per input channel).
        output_padding: for ``"convT"``.
        bias: whether a convolution has a bias per output channel.
        name: label for tables.
    """

    kind: Kind = "conv"
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    out_channels: int | None = None
    groups: int = 1
    output_padding: int = 0
    bias: bool = True
    name: str = ""


@dataclass(frozen=True)
class LayerStats:
    """What one layer does to a square ``n×n`` input with ``channels`` channels.

    Attributes:
        name: the layer's label.
        size: output side.
        channels: output channels.
        receptive_field: side of the input square one output pixel sees.
        jump: input pixels between neighbouring output pixels.
        start: input coordinate of the centre of output pixel 0's field.
        params: weights (+ biases).
        mult_adds: multiply-adds for the whole layer.
    """

    name: str
    size: int
    channels: int
    receptive_field: float
    jump: float
    start: float
    params: int
    mult_adds: int


def layer_stats(layers: Sequence[LayerSpec], input_size: int, in_channels: int = 1
                ) -> list[LayerStats]:
    """Per-layer output size, receptive field, jump, parameters and multiply-adds.

    Args:
        layers: the stack, first layer first.
        input_size: side of the square input, in pixels.
        in_channels: channels of the input.

    Returns:
        One :class:`LayerStats` per layer.

    Example:
        >>> [s.size for s in layer_stats(PRESETS["LeNet"], 28)]
        [28, 14, 10, 5]
    """
    stats = []
    n, channels = input_size, in_channels
    rf, jump, start = 1.0, 1.0, 0.5 - 0.5  # the centre of input pixel 0
    for index, layer in enumerate(layers, start=1):
        check_choice(layer.kind, ("conv", "pool", "convT"), "layer kind")
        span = effective_kernel_size(layer.kernel, layer.dilation)
        groups = channels if layer.groups == 0 else layer.groups
        out_channels = channels if layer.kind == "pool" or layer.out_channels is None \
            else layer.out_channels
        if channels % groups or out_channels % groups:
            raise ValueError(
                f"Layer {index}: groups={groups} must divide its {channels} input and "
                f"{out_channels} output channels."
            )
        if layer.kind == "convT":
            size = transposed_output_size(n, layer.kernel, layer.stride, layer.padding,
                                          layer.output_padding, layer.dilation)
            new_jump = jump / layer.stride
            rf = rf + (math.ceil(span / layer.stride) - 1) * jump
            start = start - layer.padding * new_jump + 0.0
            jump = new_jump
        else:
            size = output_size(n, layer.kernel, layer.stride, layer.padding, layer.dilation)
            rf = rf + (span - 1) * jump
            start = start + ((span - 1) / 2 - layer.padding) * jump
            jump = jump * layer.stride
        if layer.kind == "pool":
            params, mult_adds = 0, 0
        else:
            per_output = layer.kernel * layer.kernel * (channels // groups)
            params = per_output * out_channels + (out_channels if layer.bias else 0)
            mult_adds = per_output * out_channels * (n * n if layer.kind == "convT" else
                                                     size * size)
        stats.append(LayerStats(layer.name or f"{layer.kind}{layer.kernel}", size, out_channels,
                                rf, jump, start, params, mult_adds))
        n, channels = size, out_channels
    return stats


def receptive_field(layers: Sequence[LayerSpec]) -> int:
    """Side of the input square that one output pixel of the whole stack sees.

    Example:
        >>> receptive_field(parse_layers("conv3,conv3,conv3"))
        7
    """
    stats = layer_stats(layers, input_size=_large_enough(layers))
    return round(stats[-1].receptive_field) if stats else 1


def _large_enough(layers: Sequence[LayerSpec]) -> int:
    size = 1
    for layer in layers:
        size = size * max(layer.stride, 1) + effective_kernel_size(layer.kernel, layer.dilation)
    return max(size, 1)


def receptive_window(layers: Sequence[LayerSpec], out_row: int, out_col: int,
                     input_size: int) -> tuple[int, int, int, int]:
    """The input square ``(top, left, bottom, right)`` (inclusive) one output pixel sees.

    It may reach outside ``0…input_size−1``: that part is padding.

    Example:
        >>> receptive_window(parse_layers("conv3,conv3"), 0, 0, 32)
        (0, 0, 4, 4)
        >>> receptive_window(parse_layers("conv3p1,conv3p1"), 0, 0, 32)  # reaches the padding
        (-2, -2, 2, 2)
    """
    stats = layer_stats(layers, input_size)
    last = stats[-1]
    half = (last.receptive_field - 1) / 2
    top = last.start + out_row * last.jump - half
    left = last.start + out_col * last.jump - half
    size = round(last.receptive_field)
    first_row, first_col = math.floor(top), math.floor(left)
    return first_row, first_col, first_row + size - 1, first_col + size - 1


_TOKEN = re.compile(
    r"^(?P<kind>conv|convT|dw|pool|maxpool|avgpool)(?P<k>\d+)"
    r"(?P<mods>(?:s\d+|p\d+|d\d+|c\d+|g\d+|op\d+|nb)*)$"
)
_MODIFIER = re.compile(r"(s|p|d|c|g|op)(\d+)|nb")


def parse_layers(text: str) -> list[LayerSpec]:
    """Read a stack written as comma-separated tokens.

    Grammar: ``KIND K [sS] [pP] [dD] [cC] [gG] [opO] [nb]`` where KIND is ``conv``, ``convT``
    (transposed), ``dw`` (depthwise conv), ``pool``/``maxpool``/``avgpool``; ``K`` the kernel;
    ``s`` stride (pooling defaults to K), ``p`` padding, ``d`` dilation, ``c`` output channels,
    ``g`` groups, ``op`` output_padding, ``nb`` no bias. Example: ``"conv5p2c6,pool2,conv5c16,
    pool2"`` is LeNet's feature extractor.

    Example:
        >>> layer = parse_layers("conv3s2p1c64")[0]
        >>> layer.kernel, layer.stride, layer.padding, layer.out_channels
        (3, 2, 1, 64)
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Give layers as text, e.g. 'conv3,conv3,pool2'.")
    layers = []
    for position, raw in enumerate(text.replace(" ", "").split(","), start=1):
        match = _TOKEN.match(raw)
        if not match:
            raise ValueError(
                f"Layer {position} {raw!r} is not understood. Write KIND+kernel then options, "
                "e.g. conv3, conv3s2p1c64, dw3, pool2, convT3s2p1op1."
            )
        kind_text, kernel = match["kind"], int(match["k"])
        if kernel < 1:
            raise ValueError(f"Layer {position} {raw!r}: the kernel must be at least 1.")
        values: dict[str, int] = {}
        bias = True
        for modifier in _MODIFIER.finditer(match["mods"]):
            if modifier.group(0) == "nb":
                bias = False
            else:
                values[modifier.group(1)] = int(modifier.group(2))
        kind: Kind = "pool" if kind_text.endswith("pool") else (
            "convT" if kind_text == "convT" else "conv")
        default_stride = kernel if kind == "pool" else 1
        layers.append(LayerSpec(
            kind=kind, kernel=kernel, stride=values.get("s", default_stride),
            padding=values.get("p", 0), dilation=values.get("d", 1),
            out_channels=values.get("c"), groups=0 if kind_text == "dw" else values.get("g", 1),
            output_padding=values.get("op", 0), bias=bias, name=raw,
        ))
        if layers[-1].stride < 1 or layers[-1].dilation < 1:
            raise ValueError(f"Layer {position} {raw!r}: stride and dilation must be ≥ 1.")
    return layers


def layers_table(text: str, input_size: int, in_channels: int = 1) -> str:
    """A printable table of :func:`layer_stats` for layers written as in :func:`parse_layers`.

    Example:
        >>> print(layers_table("conv3,conv3", 32).splitlines()[0])
        layer          size  channels  receptive field  jump      params   mult-adds
    """
    stats = layer_stats(parse_layers(text), input_size, in_channels)
    lines = [f"{'layer':<14}{'size':>5}{'channels':>10}{'receptive field':>17}{'jump':>6}"
             f"{'params':>12}{'mult-adds':>12}",
             f"{'input':<14}{input_size:>5}{in_channels:>10}{1:>17}{1:>6}{'':>12}{'':>12}"]
    for s in stats:
        lines.append(f"{s.name:<14}{s.size:>5}{s.channels:>10}{s.receptive_field:>17g}"
                     f"{s.jump:>6g}{s.params:>12,}{s.mult_adds:>12,}")
    lines.append(f"{'total':<14}{'':>5}{'':>10}{'':>17}{'':>6}"
                 f"{sum(s.params for s in stats):>12,}{sum(s.mult_adds for s in stats):>12,}")
    return "\n".join(lines)


#: Stacks from the notes, for the receptive-field page (channels as in the original networks).
PRESETS: dict[str, list[LayerSpec]] = {
    "two 3×3": parse_layers("conv3p1c64nb,conv3p1c64nb"),
    "one 5×5": parse_layers("conv5p2c64nb"),
    "three 3×3": parse_layers("conv3p1c64nb,conv3p1c64nb,conv3p1c64nb"),
    "one 7×7": parse_layers("conv7p3c64nb"),
    "LeNet": parse_layers("conv5p2c6,avgpool2,conv5c16,avgpool2"),
    "VGG block": parse_layers("conv3p1c64,conv3p1c64,maxpool2"),
    "ResNet bottleneck": parse_layers("conv1c64,conv3p1c64,conv1c256"),
    "MobileNet depthwise separable": parse_layers("dw3p1,conv1c64"),
}


def with_channels(layers: Sequence[LayerSpec], channels: int) -> list[LayerSpec]:
    """The same stack with every convolution's output channels set to ``channels``."""
    return [layer if layer.kind == "pool" else replace(layer, out_channels=channels)
            for layer in layers]
