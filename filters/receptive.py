"""Layer arithmetic: output size, receptive field, jump, parameters and multiply-adds of a stack.

A stack is a list of :class:`LayerSpec` (convolution, pooling or transposed convolution), or a
text such as ``"conv3p1c64,conv3p1c64,pool2"`` read by :func:`parse_layers`.

Jump (the distance, in input pixels, between neighbouring output pixels) and start (the input
coordinate of the centre of output pixel 0's field) follow the usual recursion for a layer with
span ``k' = d(k−1) + 1``, stride ``s`` and padding ``p``:

* convolution / pooling: ``j_out = j_in·s``, ``start_out = start_in + ((k'−1)/2 − p)·j_in``;
* transposed convolution (a stride-1 convolution over the zero-inserted grid, notes §1.15):
  ``j_out = j_in / s``, ``start_out = start_in + (p − (k'−1)/2)·j_out``.

The receptive field is exact: :func:`receptive_window` walks the stack backwards from one output
pixel and collects the input pixels it depends on (the tests compare it with the gradient found
by backpropagation). For convolution and pooling stacks it equals ``r_out = r_in + (k'−1)·j_in``;
after a transposed convolution neighbouring outputs can see windows of different sizes, and
:func:`receptive_field` reports the largest.

Notes §4.8: two 3×3 convolutions see 5×5 with 2·9C² weights where one 5×5 needs 25C²; three see
7×7 with 27C² against 49C² (no bias; a bias adds C per layer).

Example:
    >>> receptive_field(parse_layers("conv3,conv3"))
    5
    >>> [s.size for s in layer_stats(PRESETS["LeNet"], 28)]
    [28, 14, 10, 5]
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

import numpy as np

from ._validation import check_choice, check_flag, check_int
from .sizes import effective_kernel_size, output_size, transposed_output_size

__all__ = [
    "GRAMMAR",
    "LAYER_KINDS",
    "PRESETS",
    "PRESET_INPUTS",
    "LayerSpec",
    "LayerStats",
    "Window",
    "layer_stats",
    "layers_table",
    "parse_layers",
    "receptive_field",
    "receptive_window",
    "with_channels",
]

Kind = Literal["conv", "pool", "convT"]
LAYER_KINDS: tuple[str, ...] = ("conv", "pool", "convT")


@dataclass(frozen=True)
class LayerSpec:
    """One layer of a stack (square kernels; the arithmetic is the same along both axes).

    Attributes:
        kind: ``"conv"``, ``"pool"`` or ``"convT"`` (transposed convolution).
        kernel: kernel side ``k``.
        stride: step ``s``.
        padding: pixels added on each side (pooling: at most ``kernel // 2``, as torch).
        dilation: spacing between taps.
        in_channels: input channels, or ``None`` to take the previous layer's output (for the
            first layer: :func:`layer_stats`' ``in_channels``, else 1). A number that disagrees
            with the previous layer is an error.
        out_channels: output channels, or ``None`` for the same as the input; pooling always
            keeps its input's channels.
        groups: channel groups; ``0`` means depthwise (one group per input channel).
        output_padding: for ``"convT"``; smaller than the stride or the dilation.
        bias: whether a convolution has a bias per output channel.
        name: label for tables (``parse_layers`` uses the token).

    Example:
        >>> LayerSpec("conv", 3, padding=1, out_channels=64).out_channels
        64
    """

    kind: Kind = "conv"
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    in_channels: int | None = None
    out_channels: int | None = None
    groups: int = 1
    output_padding: int = 0
    bias: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        check_choice(self.kind, LAYER_KINDS, "layer kind")
        minimums = {"kernel": 1, "stride": 1, "padding": 0, "dilation": 1, "groups": 0,
                    "output_padding": 0}
        for field, minimum in minimums.items():
            object.__setattr__(self, field, check_int(getattr(self, field), field,
                                                      minimum=minimum))
        for field in ("in_channels", "out_channels"):
            value = getattr(self, field)
            if value is not None:
                object.__setattr__(self, field, check_int(value, field, minimum=1))
        object.__setattr__(self, "bias", check_flag(self.bias, "bias"))
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string; got {type(self.name).__name__}.")
        if self.kind == "pool" and self.padding > self.kernel // 2:
            raise ValueError(
                f"pooling padding {self.padding} is more than half the window "
                f"({self.kernel} // 2 = {self.kernel // 2}); torch refuses it."
            )
        if self.kind != "convT" and self.output_padding:
            raise ValueError("output_padding only applies to transposed convolutions (convT).")

    @property
    def label(self) -> str:
        """``name`` or ``kind`` + kernel, e.g. ``"conv3"``."""
        return self.name or f"{self.kind}{self.kernel}"


@dataclass(frozen=True)
class LayerStats:
    """What one layer of a stack does to a square ``n×n`` input.

    Attributes:
        name: the layer's label.
        size: output side (pixels).
        channels: output channels.
        receptive_field: side of the input square one output pixel sees, counted from the
            network's input (the largest one when neighbouring outputs differ, see
            :func:`receptive_field`).
        jump: input pixels between neighbouring output pixels (``1/s`` after ``convT``).
        start: input coordinate (pixel centres are integers) of the centre of output pixel 0's
            field; negative when it lies in the padding.
        params: weights plus biases.
        mult_adds: multiply-adds of the whole layer (pooling counts 0).
        in_size: input side.
        in_channels: input channels.
    """

    name: str
    size: int
    channels: int
    receptive_field: int
    jump: float
    start: float
    params: int
    mult_adds: int
    in_size: int = 0
    in_channels: int = 0


def layer_stats(layers: Sequence[LayerSpec] | str, input_size: int,
                in_channels: int | None = None) -> list[LayerStats]:
    """Per-layer output size, receptive field, jump, start, parameters and multiply-adds.

    Args:
        layers: the stack, first layer first (or text for :func:`parse_layers`).
        input_size: side of the square input, in pixels.
        in_channels: channels of the input; ``None`` takes the first layer's ``in_channels``
            (``parse_layers``' ``in3,`` prefix), else 1.

    Returns:
        One :class:`LayerStats` per layer.

    Raises:
        ValueError: naming the layer, when it has no output, its channels do not match, or
            ``groups`` does not divide them.

    Example:
        >>> [s.size for s in layer_stats(PRESETS["LeNet"], 28)]
        [28, 14, 10, 5]
        >>> layer_stats("conv1c64nb", 32, in_channels=256)[0].params  # notes §4.7: C_in × C_out
        16384
    """
    stack = _as_layers(layers)
    n = check_int(input_size, "input_size", minimum=1)
    channels = _first_channels(stack, in_channels)
    jump, start = 1.0, 0.0  # input pixel i has its centre at coordinate i
    stats = []
    for index, layer in enumerate(stack, start=1):
        where = f"Layer {index} ({layer.label})"
        if layer.in_channels is not None and layer.in_channels != channels:
            raise ValueError(f"{where} expects {layer.in_channels} input channels but gets "
                             f"{channels}.")
        groups = channels if layer.groups == 0 else layer.groups
        out_channels = channels if layer.kind == "pool" or layer.out_channels is None \
            else layer.out_channels
        if layer.kind != "pool" and (channels % groups or out_channels % groups):
            raise ValueError(f"{where}: groups={groups} must divide its {channels} input and "
                             f"{out_channels} output channels.")
        span = effective_kernel_size(layer.kernel, layer.dilation)
        size = _layer_output(layer, n, f"{where} on a {n}×{n} input")
        if layer.kind == "convT":
            jump = jump / layer.stride
            start = start + (layer.padding - (span - 1) / 2) * jump
        else:
            start = start + ((span - 1) / 2 - layer.padding) * jump
            jump = jump * layer.stride
        if layer.kind == "pool":
            params = mult_adds = 0
        else:
            per_output = layer.kernel * layer.kernel * (channels // groups)
            params = per_output * out_channels + (out_channels if layer.bias else 0)
            # convT: every input pixel spreads its kernel; conv: every output pixel sums one.
            positions = n * n if layer.kind == "convT" else size * size
            mult_adds = per_output * out_channels * positions
        stats.append(LayerStats(layer.label, size, out_channels, receptive_field(stack[:index]),
                                jump, start, params, mult_adds, n, channels))
        n, channels = size, out_channels
    return stats


def receptive_field(layers: Sequence[LayerSpec] | str) -> int:
    """Side of the input square that one output pixel of the whole stack sees.

    Exact (the support of the output pixel, padding included); for stacks with transposed
    convolutions, the largest over the output positions (over the first 4096 when the
    transposed strides multiply to more).

    Example:
        >>> receptive_field(parse_layers("conv3,conv3,conv3"))
        7
        >>> receptive_field("conv3s2p1,convT3s2p1op1")
        5
    """
    stack = _as_layers(layers)
    # The pattern of windows repeats after the product of the transposed strides.
    period = math.prod(layer.stride for layer in stack if layer.kind == "convT")
    sides = []
    for position in range(min(period, _MAX_PERIOD)):
        support = _support(stack, position, None)
        if support.size:
            sides.append(int(support.max() - support.min() + 1))
    return max(sides, default=1)


_MAX_PERIOD = 4096


class Window(NamedTuple):
    """An input rectangle, inclusive: rows ``top…bottom``, columns ``left…right``."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        """Rows covered (0 when empty)."""
        return max(0, self.bottom - self.top + 1)

    @property
    def width(self) -> int:
        """Columns covered (0 when empty)."""
        return max(0, self.right - self.left + 1)

    @property
    def empty(self) -> bool:
        """True when the output pixel sees no input pixel at all (only padding)."""
        return self.height == 0 or self.width == 0


def receptive_window(layers: Sequence[LayerSpec] | str, out_row: int, out_col: int,
                     input_size: int | tuple[int, int], *, clip: bool = False) -> Window:
    """The input rectangle one output pixel sees.

    Args:
        layers: the stack (or text for :func:`parse_layers`).
        out_row: row of the output pixel.
        out_col: column of the output pixel.
        input_size: ``n`` or ``(H, W)`` of the input.
        clip: ``False``: the whole field, which may reach outside ``0…H−1`` / ``0…W−1`` into
            the padding. ``True``: only the input pixels it really depends on (every layer's
            padding is left out on the way back, so it is never larger than the unclipped
            window and may be empty, see :attr:`Window.empty`).

    Returns:
        ``Window(top, left, bottom, right)``, inclusive.

    Example:
        >>> receptive_window("conv3,conv3", 0, 0, 32)
        Window(top=0, left=0, bottom=4, right=4)
        >>> receptive_window("conv3p1,conv3p1", 0, 0, 32)  # reaches the padding
        Window(top=-2, left=-2, bottom=2, right=2)
        >>> receptive_window("conv3p1,conv3p1", 0, 0, 32, clip=True)
        Window(top=0, left=0, bottom=2, right=2)
    """
    stack = _as_layers(layers)
    clip = check_flag(clip, "clip")
    height, width = (input_size, input_size) if not isinstance(input_size, (tuple, list)) \
        else input_size
    rows = _axis_sizes(stack, check_int(height, "input height", minimum=1))
    cols = _axis_sizes(stack, check_int(width, "input width", minimum=1))
    for position, sizes, axis in ((out_row, rows, "row"), (out_col, cols, "column")):
        position = check_int(position, f"out_{axis}")
        if not 0 <= position < sizes[-1]:
            raise ValueError(f"output {axis} {position} is outside the output (0…"
                             f"{sizes[-1] - 1}).")
    row_support = _support(stack, int(out_row), rows if clip else None)
    col_support = _support(stack, int(out_col), cols if clip else None)
    if not row_support.size or not col_support.size:
        return Window(0, 0, -1, -1)
    return Window(int(row_support.min()), int(col_support.min()), int(row_support.max()),
                  int(col_support.max()))


def _support(stack: Sequence[LayerSpec], position: int, sizes: list[int] | None) -> np.ndarray:
    """Input positions (one axis) that output ``position`` depends on, walking backwards.

    With ``sizes`` (the length before each layer and after the last), positions that fall in a
    layer's padding are dropped on the way; without, everything is kept.
    """
    current = np.array([position])
    for index in range(len(stack) - 1, -1, -1):
        layer = stack[index]
        taps = np.arange(layer.kernel) * layer.dilation
        if layer.kind == "convT":  # output o = i·s − p + t·d
            shifted = (current[:, None] + layer.padding - taps[None, :]).ravel()
            current = np.unique(shifted[shifted % layer.stride == 0] // layer.stride)
        else:  # output o reads i = o·s − p + t·d
            current = np.unique(
                (current[:, None] * layer.stride - layer.padding + taps[None, :]).ravel())
        if sizes is not None:
            current = current[(current >= 0) & (current < sizes[index])]
        if not current.size:
            break
    return current


def _axis_sizes(stack: Sequence[LayerSpec], n: int) -> list[int]:
    """Length of one axis before each layer and after the last."""
    sizes = [n]
    for index, layer in enumerate(stack, start=1):
        n = _layer_output(layer, n, f"Layer {index} ({layer.label}) on a {n}-pixel axis")
        sizes.append(n)
    return sizes


def _layer_output(layer: LayerSpec, n: int, where: str) -> int:
    """One layer's output length on an ``n``-pixel axis; errors start with ``where``."""
    try:
        if layer.kind == "convT":
            return transposed_output_size(n, layer.kernel, layer.stride, layer.padding,
                                          layer.output_padding, layer.dilation)
        return output_size(n, layer.kernel, layer.stride, layer.padding, layer.dilation)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _as_layers(layers: object) -> list[LayerSpec]:
    if isinstance(layers, str):
        return parse_layers(layers)
    if not isinstance(layers, Sequence):
        raise TypeError(f"layers must be text such as 'conv3,conv3,pool2' or a list of "
                        f"LayerSpec; got {type(layers).__name__}.")
    stack: list[LayerSpec] = []
    for index, layer in enumerate(layers, start=1):
        if not isinstance(layer, LayerSpec):
            raise TypeError(f"Layer {index} must be a LayerSpec; got {type(layer).__name__}.")
        stack.append(layer)
    return stack


def _first_channels(stack: Sequence[LayerSpec], in_channels: int | None) -> int:
    if in_channels is None:
        return stack[0].in_channels or 1 if stack else 1
    return check_int(in_channels, "in_channels", minimum=1)


# --- the text syntax ----------------------------------------------------------------------------

_KINDS = {"conv": "conv", "convt": "convT", "dw": "conv", "pool": "pool", "maxpool": "pool",
          "avgpool": "pool"}
_OPTIONS = {"s": "stride", "p": "padding", "d": "dilation", "c": "out_channels", "g": "groups",
            "op": "output_padding", "nb": "no bias"}
_HEAD = re.compile(r"^(?P<kind>[a-z]+?)(?P<kernel>\d+)(?P<rest>.*)$")
_OPTION = re.compile(r"(op|nb|s|p|d|c|g)(\d*)")
_NOT_FOR = {
    "pool": {"c", "g", "op", "nb"},
    "avgpool": {"c", "g", "op", "nb", "d"},
    "maxpool": {"c", "g", "op", "nb"},
    "dw": {"g", "op"},
    "conv": {"op"},
    "convt": set(),
}
#: The text syntax of :func:`parse_layers`, for help texts.
GRAMMAR = """\
stack   := ["in" C ","] layer ("," layer)*        e.g. in3,conv3p1c64,conv3p1c64,maxpool2
layer   := kind K option*                          e.g. conv3s2p1c64, convT3s2p1op1, dw3p1
kind    := conv | convT | dw (depthwise conv) | pool | maxpool | avgpool   (any case)
K       := kernel side
option  := sN stride (pooling: K) | pN padding | dN dilation | cN output channels
         | gN groups | opN output_padding (convT) | nb no bias"""


def parse_layers(text: str) -> list[LayerSpec]:
    """Read a stack written as comma-separated tokens.

    Grammar (spaces are ignored, kinds in any case)::

        stack   := ["in" C ","] layer ("," layer)*
        layer   := kind K option*
        kind    := conv | convT | dw | pool | maxpool | avgpool
        option  := sN | pN | dN | cN | gN | opN | nb

    ``K`` is the kernel side; ``s`` stride (pooling defaults to ``K``), ``p`` padding, ``d``
    dilation, ``c`` output channels (default: same as the input), ``g`` groups, ``op``
    output_padding (``convT`` only), ``nb`` no bias. ``dw`` is a depthwise convolution (one
    group per channel). A leading ``inC`` sets the input channels. Example: LeNet's feature
    extractor is ``"conv5p2c6,avgpool2,conv5c16,avgpool2"``.

    Args:
        text: the stack.

    Returns:
        One :class:`LayerSpec` per token, named after it.

    Raises:
        ValueError: naming the position and the token that is not understood.

    Example:
        >>> layer = parse_layers("conv3s2p1c64")[0]
        >>> layer.kernel, layer.stride, layer.padding, layer.out_channels
        (3, 2, 1, 64)
        >>> parse_layers("in256,conv1c64")[0].in_channels
        256
    """
    if not isinstance(text, str):
        raise TypeError(f"layers must be text such as 'conv3,conv3,pool2'; got "
                        f"{type(text).__name__}.")
    tokens = [token for token in re.sub(r"\s+", "", text).split(",")]
    if not text.strip() or not any(tokens):
        raise ValueError("Give layers as text, e.g. 'conv3,conv3,pool2'.")
    in_channels = None
    first = re.fullmatch(r"in(\d+)", tokens[0].lower())
    if first:
        in_channels = int(first.group(1))
        if in_channels < 1:
            raise ValueError(f"Token 1 {tokens[0]!r}: the input needs at least 1 channel.")
        tokens = tokens[1:]
        if not tokens:
            raise ValueError(f"{text!r} has input channels but no layer; add e.g. ',conv3'.")
    offset = 2 if first else 1
    layers = [_parse_token(token, position, in_channels if position == offset else None)
              for position, token in enumerate(tokens, start=offset)]
    return layers


def _parse_token(token: str, position: int, in_channels: int | None) -> LayerSpec:
    where = f"Layer {position} {token!r}"
    if not token:
        raise ValueError(f"Layer {position} is empty (two commas in a row?).")
    head = _HEAD.match(token.lower())
    if not head:
        raise ValueError(f"{where} is not understood: write the kind and the kernel size "
                         "first, e.g. conv3, conv3s2p1c64, dw3p1, maxpool2, convT3s2p1op1.")
    kind_text = head["kind"]
    if kind_text not in _KINDS:
        raise ValueError(f"{where}: unknown layer kind {kind_text!r}; use conv, convT, dw, pool, "
                         "maxpool or avgpool.")
    values: dict[str, int] = {}
    rest = head["rest"]
    while rest:
        option = _OPTION.match(rest)
        if not option or (option.group(1) == "nb") == bool(option.group(2)):
            known = ", ".join(f"{key}N {name}" if key != "nb" else "nb no bias"
                              for key, name in _OPTIONS.items())
            raise ValueError(f"{where}: cannot read {rest!r}; options are {known}.")
        key = option.group(1)
        if key in values:
            raise ValueError(f"{where}: option {key!r} ({_OPTIONS[key]}) is given twice.")
        if key in _NOT_FOR[kind_text]:
            raise ValueError(f"{where}: {kind_text} takes no {key!r} ({_OPTIONS[key]}).")
        values[key] = int(option.group(2)) if key != "nb" else 1
        rest = rest[option.end():]
    kernel = int(head["kernel"])
    kind = _KINDS[kind_text]
    try:
        return LayerSpec(
            kind=kind,  # type: ignore[arg-type]
            kernel=kernel,
            stride=values.get("s", kernel if kind == "pool" else 1),
            padding=values.get("p", 0),
            dilation=values.get("d", 1),
            in_channels=in_channels,
            out_channels=values.get("c"),
            groups=0 if kind_text == "dw" else values.get("g", 1),
            output_padding=values.get("op", 0),
            bias="nb" not in values,
            name=token,
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None


def layers_table(text: str | Sequence[LayerSpec], input_size: int,
                 in_channels: int | None = None) -> str:
    """A printable, aligned table of :func:`layer_stats`.

    ``python -m filters size N --layers TEXT`` prints it.

    Args:
        text: the stack as text (see :func:`parse_layers`) or a list of :class:`LayerSpec`.
        input_size: side of the square input.
        in_channels: input channels (default: the ``inC`` prefix, else 1).

    Returns:
        One line per layer between a header with the input and a line with the totals.

    Example:
        >>> print(layers_table("conv3,conv3", 32))
        layer   size  channels  receptive field  jump  start  params  mult-adds
        input  32×32         1                1     1      0
        conv3  30×30         1                3     1      1      10      8,100
        conv3  28×28         1                5     1      2      10      7,056
        total                                                     20     15,156
    """
    stack = _as_layers(text)
    stats = layer_stats(stack, input_size, in_channels)
    channels = _first_channels(stack, in_channels)
    header = ["layer", "size", "channels", "receptive field", "jump", "start", "params",
              "mult-adds"]
    rows = [["input", f"{input_size}×{input_size}", str(channels), "1", "1", "0", "", ""]]
    rows += [[s.name, f"{s.size}×{s.size}", str(s.channels), str(s.receptive_field),
              f"{s.jump:g}", f"{s.start:g}", f"{s.params:,}", f"{s.mult_adds:,}"]
             for s in stats]
    rows.append(["total", "", "", "", "", "", f"{sum(s.params for s in stats):,}",
                 f"{sum(s.mult_adds for s in stats):,}"])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width)
                                             for cell, width in zip(row[1:], widths[1:],
                                                                    strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


#: Stacks from the notes (channels as in the original networks; the input's channels are given
#: by the caller, see :data:`PRESET_INPUTS`).
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

#: The input each preset was designed for: ``(side, channels)``.
PRESET_INPUTS: dict[str, tuple[int, int]] = {
    "two 3×3": (32, 64),
    "one 5×5": (32, 64),
    "three 3×3": (32, 64),
    "one 7×7": (32, 64),
    "LeNet": (28, 1),
    "VGG block": (224, 3),
    "ResNet bottleneck": (56, 256),
    "MobileNet depthwise separable": (112, 32),
}


def with_channels(layers: Sequence[LayerSpec], channels: int) -> list[LayerSpec]:
    """The same stack with every convolution's output channels set to ``channels``.

    Example:
        >>> [layer.out_channels for layer in with_channels(parse_layers("conv3,pool2"), 8)]
        [8, None]
    """
    return [layer if layer.kind == "pool" else replace(layer, out_channels=channels)
            for layer in layers]
