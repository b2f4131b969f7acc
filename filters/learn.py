"""Learn a convolution kernel from an input and its filtered output (notes §3.5, d2l 6.2.4).

The notes build ``Y = corr(X, [[1, −1]])`` and recover the kernel by gradient descent on the
squared error ``l = (Ŷ − Y)²``: ``l.sum().backward(); w -= lr · w.grad``. This module does the
same on any image pair:

- :func:`learn_kernel` is a generator of gradient steps (SGD or Adam), so a page can draw every
  step; its return value is a :class:`LearnResult`.
- :func:`fit_kernel` runs it to the end; :func:`solve_kernel` is the exact least-squares kernel
  in one go (every output pixel is one linear equation in the kernel taps).

The gradient, written by hand for the ``"numpy"`` engine: with the residual
``r = corr(x, w) + b − y``,

    ∂/∂w[u, v] Σ r² = 2 · Σ_{i,j} r[i, j] · x_pad[i + u, j + v] = 2 · corr(x_pad, r)[u, v]

(the padded input correlated with the residual), and ``∂/∂b Σ r² = 2 · Σ r``. The ``"torch"``
engine gets the same numbers from autograd.

Example:
    >>> X = np.ones((6, 8)); X[:, 2:6] = 0          # the notes' 6×8 image
    >>> Y = conv2d(X, np.array([[1.0, -1.0]]))      # 6×7, edges marked ±1
    >>> result = fit_kernel(X, Y, (1, 2), steps=20, lr=3e-2, loss="sum", seed=0)
    >>> bool(np.abs(result.kernel - [[1, -1]]).max() < 0.05)
    True
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import (
    as_image,
    check_array,
    check_bias,
    check_choice,
    check_finite,
    check_flag,
    check_int,
    check_number,
    to_pair,
)
from .conv import conv2d, plan_conv
from .padding import pad

__all__ = [
    "ENGINES",
    "LOSSES",
    "MAX_LEARN_SIZE",
    "METHODS",
    "OPTIMIZERS",
    "LearnResult",
    "LearnStep",
    "default_lr",
    "fit_kernel",
    "kernel_gradient",
    "learn_kernel",
    "loss_and_gradient",
    "solve_kernel",
]

#: Largest kernel side :func:`learn_kernel` accepts (15×15 = 225 unknowns per kernel).
MAX_LEARN_SIZE = 15
OPTIMIZERS: tuple[str, ...] = ("sgd", "adam")
LOSSES: tuple[str, ...] = ("mean", "sum")
ENGINES: tuple[str, ...] = ("numpy", "torch")
METHODS: tuple[str, ...] = ("gd", "lstsq")
INITS: tuple[str, ...] = ("random", "zeros")

#: Adam's constants (Kingma & Ba 2015; ``torch.optim.Adam``'s defaults).
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
#: Default Adam learning rate: a step of about this size per tap per update.
ADAM_LR = 0.02
#: Rows of the patch matrix handled at once by :func:`solve_kernel` (bounds its memory).
_SOLVE_CHUNK_BYTES = 32 * 1024**2
#: Rounds of iterative refinement after the normal equations in :func:`solve_kernel`.
_REFINEMENTS = 2


class LearnStep(NamedTuple):
    """One gradient update, as yielded by :func:`learn_kernel`.

    Attributes:
        step: update number, from 1.
        loss: the loss of the kernel *before* this update (what the notes print).
        kernel: the kernel *after* this update, a fresh float64 copy (``kh×kw``, or
            ``C×kh×kw`` with ``shared=False``).
    """

    step: int
    loss: float
    kernel: np.ndarray


@dataclass(frozen=True)
class LearnResult:
    """The outcome of :func:`learn_kernel`, :func:`fit_kernel` or :func:`solve_kernel`.

    Attributes:
        kernel: float64, ``kh×kw`` (``shared=True``) or ``C×kh×kw`` (``shared=False``; apply it
            with ``conv2d(x, kernel[:, None], groups=C)``). For gradient descent, the kernel of
            lowest loss among those visited — usually the last one, but Adam can overshoot late
            in a run.
        bias: ``None`` unless ``bias=True``; then a float (shared) or a length-``C`` float64
            array, from the same step as ``kernel``.
        losses: the loss before every update (one value, the solution's, for ``"lstsq"``).
        steps: updates made (fewer than asked when ``tol`` stopped the run early).
        seconds: wall time spent computing (time the caller spends between steps not counted).
        residual: ``target − prediction`` of ``kernel``, shaped like the target (a list
            of such maps when several pairs were given): the part no kernel of this size
            explains.
        rmse: root-mean-square of the residual over every target pixel (``√`` of the mean
            loss of ``kernel``).
        converged: ``True`` when ``tol`` stopped the run (the gradient became ≤ ``tol``), and
            always for ``"lstsq"`` (an exact minimiser).
    """

    kernel: np.ndarray
    bias: float | np.ndarray | None
    losses: tuple[float, ...]
    steps: int
    seconds: float
    residual: np.ndarray | list[np.ndarray]
    rmse: float
    converged: bool


# ---------------------------------------------------------------------------------------------
# The problem: checked, padded pairs


@dataclass(frozen=True)
class _Problem:
    """Checked pairs, each padded input ``Hp×Wp×C`` and target ``H'×W'×C`` in float64."""

    padded: tuple[np.ndarray, ...]
    targets: tuple[np.ndarray, ...]
    kernel_size: tuple[int, int]
    channels: int
    shared: bool
    bias: bool
    several: bool
    greys: tuple[bool, ...]

    @property
    def groups(self) -> int:
        """Independent kernels: 1 when shared, else one per channel."""
        return 1 if self.shared else self.channels

    @property
    def count(self) -> int:
        """Target pixels (all pairs, all channels): the divisor of the mean loss."""
        return sum(y.size for y in self.targets)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        """Shape of the public kernel."""
        kh, kw = self.kernel_size
        return (kh, kw) if self.shared else (self.channels, kh, kw)


def _as_pairs(inputs: Any, targets: Any) -> tuple[list[Any], list[Any], bool]:
    """Split ``inputs``/``targets`` into lists of images; ``several`` if lists were given.

    ``targets=None`` with ``inputs`` a list of ``(input, target)`` pairs is accepted too.
    """
    if targets is None and isinstance(inputs, (list, tuple)) and all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in inputs
    ):
        inputs, targets = [pair[0] for pair in inputs], [pair[1] for pair in inputs]
    many_in = _is_image_list(inputs)
    many_out = _is_image_list(targets)
    if many_in != many_out:
        raise TypeError(
            "inputs and targets must both be single images (numpy arrays) or both lists of "
            f"images of the same length; got {_describe(inputs)} and {_describe(targets)}."
        )
    if not many_in:
        return [inputs], [targets], False
    if len(inputs) != len(targets):
        raise ValueError(
            f"Got {len(inputs)} inputs but {len(targets)} targets; every input needs its target."
        )
    if not inputs:
        raise ValueError("inputs is an empty list; give at least one input/target pair.")
    return list(inputs), list(targets), True


def _is_image_list(value: Any) -> bool:
    """A list/tuple of numpy arrays (several images); nested lists of numbers are one image."""
    return isinstance(value, (list, tuple)) and all(isinstance(v, np.ndarray) for v in value)


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return type(value).__name__


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _prepare(inputs: Any, targets: Any, kernel_size: Any, padding: Any, padding_mode: str,
             shared: Any, bias: Any) -> _Problem:
    """Check everything about the data; pad every input once (the padding never changes)."""
    shared = check_flag(shared, "shared")
    bias = check_flag(bias, "bias")
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    if max(kh, kw) > MAX_LEARN_SIZE:
        raise ValueError(
            f"kernel_size {kh}×{kw} is larger than the {MAX_LEARN_SIZE}×{MAX_LEARN_SIZE} that can "
            f"be learned here ({kh * kw} unknowns); choose sides of at most {MAX_LEARN_SIZE}."
        )
    xs, ys, several = _as_pairs(inputs, targets)
    padded, outs, greys, channels = [], [], [], set()
    for index, (x_raw, y_raw) in enumerate(zip(xs, ys, strict=True)):
        tag = f"[{index}]" if several else ""
        as_image(x_raw, f"inputs{tag}")  # kind and shape checks with their messages
        as_image(y_raw, f"targets{tag}")
        x = np.asarray(x_raw, dtype=np.float64)  # full precision, whatever the dtype
        y = np.asarray(y_raw, dtype=np.float64)
        check_finite(x, f"inputs{tag}")
        check_finite(y, f"targets{tag}")
        greys.append(x.ndim == 2)
        x3 = x[:, :, None] if x.ndim == 2 else x
        y3 = y[:, :, None] if y.ndim == 2 else y
        plan = plan_conv(x3, np.zeros((kh, kw)), padding=padding, padding_mode=padding_mode,
                         backend="numpy")
        g = plan.geometry
        expected = g.out_shape if x.ndim == 2 else (*g.out_shape, x.shape[2])
        if y.shape != expected:
            raise ValueError(
                f"targets{tag} has shape {_shape_text(y.shape)}, but a {kh}×{kw} kernel with "
                f"padding={padding!r} turns the {_shape_text(x.shape)} input into "
                f"{_shape_text(expected)}, so that is the expected target shape (rows: "
                f"{x.shape[0]} + {g.top + g.bottom} padding − {kh} + 1 = {g.out_shape[0]}; "
                f"columns: {x.shape[1]} + {g.left + g.right} − {kw} + 1 = {g.out_shape[1]}). "
                "Crop the target to match, or use padding='same' to keep the input's size."
            )
        padded.append(pad(x3, (g.left, g.right, g.top, g.bottom), padding_mode))
        outs.append(y3)
        channels.add(x3.shape[2])
    if not shared and len(channels) > 1:
        raise ValueError(
            f"With shared=False every input needs the same number of channels (one kernel per "
            f"channel); got {sorted(channels)}. Convert them alike, or use shared=True."
        )
    return _Problem(tuple(padded), tuple(outs), (kh, kw), max(channels), bool(shared),
                    bool(bias), several, tuple(greys))


# ---------------------------------------------------------------------------------------------
# The numpy engine: prediction, loss and the hand-written gradient


def _predict(padded: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``corr(padded, kernel) + bias``: weights ``G×kh×kw``, bias ``G`` (1 or C) → ``H'×W'×C``."""
    channels = padded.shape[2]
    if weights.shape[0] == 1:
        out = conv2d(padded, weights[0], backend="numpy")
    else:  # one kernel per channel: a depthwise layer, groups = C
        out = conv2d(padded, weights[:, None], groups=channels, backend="numpy")
    return out + bias


def _taps(padded: np.ndarray, residual: np.ndarray, kernel_size: tuple[int, int]
          ) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(u, v, window)``: the padded pixels that kernel tap ``(u, v)`` multiplied, per output."""
    out_h, out_w = residual.shape[:2]
    for u in range(kernel_size[0]):
        for v in range(kernel_size[1]):
            yield u, v, padded[u : u + out_h, v : v + out_w]


def kernel_gradient(padded: np.ndarray, residual: np.ndarray, kernel_size: tuple[int, int], *,
                    shared: bool = True) -> np.ndarray:
    """Gradient of ``Σ r²`` with respect to the kernel, where ``r = corr(padded, w) − y``.

    Tap ``(u, v)`` multiplied ``padded[u + i, v + j]`` into output ``(i, j)``, so
    ``∂Σr²/∂w[u, v] = 2·Σ_{i,j} r[i, j]·padded[u + i, v + j]`` — the padded input correlated with
    the residual. One vectorised sum per tap.

    Args:
        padded: ``Hp×Wp×C`` padded input (float64).
        residual: ``H'×W'×C`` prediction minus target, ``H' = Hp − kh + 1``.
        kernel_size: ``(kh, kw)``.
        shared: one kernel for every channel (gradients of the channels add up) or one per
            channel.

    Returns:
        float64 ``kh×kw`` (``shared=True``) or ``C×kh×kw``.

    Example:
        >>> x = np.arange(12.0).reshape(3, 4, 1)
        >>> kernel_gradient(x, np.ones((2, 3, 1)), (2, 2)).tolist()  # 2·(sum of each window)
        [[36.0, 48.0], [84.0, 96.0]]
    """
    kh, kw = kernel_size
    gradient = np.empty((padded.shape[2], kh, kw))
    for u, v, window in _taps(padded, residual, kernel_size):
        gradient[:, u, v] = 2.0 * np.einsum("ijc,ijc->c", residual, window)
    return gradient.sum(axis=0) if shared else gradient


def _numpy_loss_and_gradient(problem: _Problem, weights: np.ndarray, bias: np.ndarray,
                             scale: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Loss, ``G×kh×kw`` kernel gradient and ``G`` bias gradient, summed over every pair."""
    total = 0.0
    grad_w = np.zeros_like(weights)
    grad_b = np.zeros_like(bias)
    for padded, target in zip(problem.padded, problem.targets, strict=True):
        residual = _predict(padded, weights, bias) - target
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported
            total += float(np.sum(residual**2))
        gradient = kernel_gradient(padded, residual, problem.kernel_size, shared=problem.shared)
        grad_w += gradient[None] if problem.shared else gradient
        per_channel = 2.0 * residual.sum(axis=(0, 1))
        grad_b += per_channel.sum(keepdims=True) if problem.shared else per_channel
    return total * scale, grad_w * scale, grad_b * scale


def loss_and_gradient(inputs: Any, targets: Any, kernel: Any, *, bias: Any = None,
                      padding: Any = 0, padding_mode: str = "zeros", loss: str = "mean"
                      ) -> tuple[float, np.ndarray, np.ndarray | float | None]:
    """The loss of a kernel and its hand-written gradient (what the ``"numpy"`` engine uses).

    Args:
        inputs: ``H×W`` or ``H×W×C`` image, or a list of them.
        targets: matching target(s), shaped like ``conv2d(inputs, kernel, padding=...)``.
        kernel: ``kh×kw`` (shared by every channel) or ``C×kh×kw`` (one per channel).
        bias: ``None``, a number (shared) or ``C`` numbers (one per channel), added to the
            prediction.
        padding: as in :func:`filters.conv2d`.
        padding_mode: as in :func:`filters.conv2d`.
        loss: ``"sum"`` of squared errors or their ``"mean"``.

    Returns:
        ``(loss, grad_kernel, grad_bias)``: a float, an array shaped like ``kernel`` and, when a
        bias was given, the bias gradient (float or ``C`` array; else ``None``). float64.

    Example:
        >>> x = np.ones((6, 8)); x[:, 2:6] = 0
        >>> y = conv2d(x, np.array([[1.0, -1.0]]))
        >>> value, grad, _ = loss_and_gradient(x, y, np.array([[1.0, -1.0]]), loss="sum")
        >>> value, grad.tolist()
        (0.0, [[0.0, 0.0]])
    """
    loss = check_choice(loss, LOSSES, "loss")
    array = check_array(kernel, "kernel", "a numpy array (kh×kw or C×kh×kw)").astype(np.float64)
    if array.ndim not in (2, 3):
        raise ValueError(f"kernel must be kh×kw or C×kh×kw; got shape {array.shape}.")
    problem = _prepare(inputs, targets, array.shape[-2:], padding, padding_mode,
                       array.ndim == 2, bias is not None)
    weights = array[None] if problem.shared else array
    if weights.shape != (problem.groups, *problem.kernel_size):
        raise ValueError(f"kernel has shape {array.shape}; for these {problem.channels}-channel "
                         f"inputs one kernel per channel is {problem.kernel_shape}.")
    bias_array = _bias_array(bias, problem)
    scale = 1.0 / problem.count if loss == "mean" else 1.0
    value, grad_w, grad_b = _numpy_loss_and_gradient(problem, weights, bias_array, scale)
    grad_kernel = grad_w[0] if problem.shared else grad_w
    return value, grad_kernel, (_public_bias(grad_b, problem) if bias is not None else None)


def _bias_array(bias: Any, problem: _Problem) -> np.ndarray:
    array = check_bias(bias, problem.groups)
    if array is None:
        return np.zeros(problem.groups)
    return np.repeat(array, problem.groups) if array.size == 1 else array


def _public_bias(bias: np.ndarray, problem: _Problem) -> float | np.ndarray:
    return float(bias[0]) if problem.shared else bias.copy()


# ---------------------------------------------------------------------------------------------
# Learning


def default_lr(inputs: Any, kernel_size: int | tuple[int, int], *, optimizer: str = "sgd",
               loss: str = "mean", padding: Any = 0, padding_mode: str = "zeros",
               bias: bool = False) -> float:
    """The learning rate :func:`learn_kernel` uses when ``lr=None``.

    SGD: ``1 / trace(H)``, where ``H`` is the Hessian of the loss with respect to the kernel
    (and bias): ``trace(H) = 2·Σ_taps Σ_windows x²`` (divided by the pixel count for
    ``"mean"``). The largest curvature is at most the trace, so this step never diverges, on any
    image and any scale. Adam: ``0.02`` (Adam's steps are about ``lr`` per tap, whatever the
    scale).

    Args:
        inputs: ``H×W``/``H×W×C`` image or a list of them.
        kernel_size: ``k`` or ``(kh, kw)``.
        optimizer: ``"sgd"`` or ``"adam"``.
        loss: ``"mean"`` or ``"sum"``.
        padding: as in :func:`filters.conv2d`.
        padding_mode: as in :func:`filters.conv2d`.
        bias: whether a bias is learned too.

    Returns:
        A positive float.

    Example:
        >>> x = np.ones((6, 8)); x[:, 2:6] = 0
        >>> round(default_lr(x, (1, 2), loss="sum"), 5)  # 1 / (2·(18 + 18))
        0.01389
    """
    optimizer = check_choice(optimizer, OPTIMIZERS, "optimizer")
    loss = check_choice(loss, LOSSES, "loss")
    bias = check_flag(bias, "bias")
    if optimizer == "adam":
        return ADAM_LR
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    images = list(inputs) if _is_image_list(inputs) else [inputs]
    traces = []
    for index, image in enumerate(images):
        x = as_image(image, f"inputs[{index}]").astype(np.float64)
        x3 = x[:, :, None] if x.ndim == 2 else x
        g = plan_conv(x3, np.zeros((kh, kw)), padding=padding, padding_mode=padding_mode,
                      backend="numpy").geometry
        padded = pad(x3, (g.left, g.right, g.top, g.bottom), padding_mode)
        out_h, out_w = g.out_shape
        traces.append(_trace(padded, (kh, kw), (out_h, out_w), bias))
    trace = sum(t for t, _ in traces)
    count = sum(n for _, n in traces)
    return _sgd_lr(trace, count, loss)


def _trace(padded: np.ndarray, kernel_size: tuple[int, int], out_shape: tuple[int, int],
           bias: bool) -> tuple[float, int]:
    """``(Σ_taps Σ_windows x² [+ windows], pixels)`` of one padded ``Hp×Wp×C`` input.

    Channel sums add up because the larger of the per-channel curvatures is below their sum.
    """
    squares = padded**2
    out_h, out_w = out_shape
    total = sum(float(squares[u : u + out_h, v : v + out_w].sum())
                for u in range(kernel_size[0]) for v in range(kernel_size[1]))
    pixels = out_h * out_w * padded.shape[2]
    return total + (pixels if bias else 0.0), pixels


def _sgd_lr(trace: float, count: int, loss: str) -> float:
    curvature = 2.0 * trace / (count if loss == "mean" else 1.0)
    return 1.0 / curvature if curvature > 0 else 1.0


def learn_kernel(
    inputs: Any,
    targets: Any,
    kernel_size: int | tuple[int, int],
    *,
    steps: int = 500,
    lr: float | None = None,
    optimizer: Literal["sgd", "adam"] | str = "sgd",
    loss: Literal["mean", "sum"] | str = "mean",
    padding: int | tuple[int, int] | str = 0,
    padding_mode: str = "zeros",
    shared: bool = True,
    init: Literal["random", "zeros"] | str | np.ndarray = "random",
    init_bias: float | Sequence[float] | np.ndarray | None = None,
    seed: int | None = None,
    bias: bool = False,
    engine: Literal["numpy", "torch"] | str = "numpy",
    tol: float | None = None,
    method: Literal["gd", "lstsq"] | str = "gd",
) -> Generator[LearnStep, None, LearnResult]:
    """Gradient descent on a kernel so that ``conv2d(inputs, kernel) ≈ targets``.

    Every update minimises the squared error between the prediction
    ``conv2d(inputs, kernel, padding=..., padding_mode=...) (+ bias)`` and the target, exactly as
    the notes' loop does (``l = (Y_hat − Y)**2; l.sum().backward(); w -= lr * w.grad``).

    Args:
        inputs: ``H×W`` or ``H×W×C`` array of any real dtype, or a list of such arrays (several
            pairs, one loss), or a list of ``(input, target)`` tuples with ``targets=None``.
            Computation is in float64.
        targets: the filtered image(s), each shaped exactly like
            ``conv2d(input, np.zeros(kernel_size), padding=padding)``: ``H'×W'`` (``×C``).
        kernel_size: ``k`` or ``(kh, kw)``, odd or even, each side 1…15 (``(1, 2)`` is fine).
        steps: most updates to make (a page may pass a huge number and stop when it likes).
        lr: learning rate; ``None`` picks :func:`default_lr` (SGD: ``1/trace`` of the loss's
            curvature, which never diverges; Adam: 0.02). The notes use ``3e-2`` with
            ``loss="sum"`` on their 6×8 image.
        optimizer: ``"sgd"`` (``w -= lr·grad``) or ``"adam"`` (β = 0.9, 0.999, ε = 1e-8, as
            ``torch.optim.Adam``).
        loss: ``"mean"`` (default: the mean squared error, so one learning rate suits any image
            size) or ``"sum"`` (the notes' ``l.sum()``).
        padding: ``0``, an int, ``(ph, pw)``, ``"valid"`` or ``"same"`` — as :func:`filters.conv2d`.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``.
        shared: one kernel for every channel (``True``) or one per channel (``False``: the
            kernel is ``C×kh×kw``).
        init: ``"random"`` (uniform in ±1/√(kh·kw), like ``nn.Conv2d``'s default init),
            ``"zeros"``, or a starting kernel shaped like the result (to resume a run with new
            settings).
        init_bias: starting bias when ``bias=True`` (default 0; with ``init="random"``,
            uniform in the same range as the kernel, like ``nn.Conv2d``).
        seed: seed of the random start (``numpy.random.default_rng``).
        bias: also learn a constant added to the output (one, or one per channel).
        engine: ``"numpy"`` (the gradient written out, see :func:`kernel_gradient`) or
            ``"torch"`` (autograd and ``torch.optim``; the same numbers to rounding).
        tol: stop early once every gradient entry is at most ``tol`` in size — the kernel is
            then the best fit to within ``tol``, even for a noisy target; ``None`` runs all
            ``steps``.
        method: ``"gd"`` (gradient descent) or ``"lstsq"`` (the exact least-squares kernel,
            :func:`solve_kernel`, yielded as one step whose loss is the solution's).

    Yields:
        :class:`LearnStep` ``(step, loss, kernel)`` after every update.

    Returns:
        A :class:`LearnResult` (the generator's ``StopIteration.value``; or use
        :func:`fit_kernel`).

    Raises:
        ValueError: at the call, for shapes that do not match (the message gives the expected
            target shape), a kernel over 15×15 or an unknown option; during the steps, when the
            loss becomes infinite (lr too large; the message suggests a smaller one).
        TypeError: at the call, for arguments of the wrong kind.

    Example:
        >>> X = np.ones((6, 8)); X[:, 2:6] = 0
        >>> Y = conv2d(X, np.array([[1.0, -1.0]]))
        >>> for step, loss, kernel in learn_kernel(X, Y, (1, 2), steps=10, lr=3e-2,
        ...                                        loss="sum", init="zeros"):
        ...     if step % 5 == 0:
        ...         print(step, round(loss, 3), kernel.round(2).tolist())
        5 0.338 [[0.89, -0.89]]
        10 0.004 [[0.99, -0.99]]
    """
    optimizer = check_choice(optimizer, OPTIMIZERS, "optimizer")
    loss = check_choice(loss, LOSSES, "loss")
    engine = check_choice(engine, ENGINES, "engine")
    method = check_choice(method, METHODS, "method")
    steps = check_int(steps, "steps", minimum=0)
    if lr is not None:
        lr = check_number(lr, "lr", positive=True)
    if tol is not None:
        tol = check_number(tol, "tol", minimum=0)
    if seed is not None:
        seed = check_int(seed, "seed")
    # Everything is checked here, at the call, before the first step is asked for.
    problem = _prepare(inputs, targets, kernel_size, padding, padding_mode, shared, bias)
    scale = 1.0 / problem.count if loss == "mean" else 1.0
    if method == "lstsq":
        return _solve_steps(problem, scale)
    weights, bias_values = _initial(problem, init, init_bias, seed)
    if lr is None:
        lr = _sgd_lr(*_problem_trace(problem), loss) if optimizer == "sgd" else ADAM_LR
    engine_class = _NumpyRun if engine == "numpy" else _TorchRun
    run = engine_class(problem, weights, bias_values, float(lr), optimizer, scale)
    return _gradient_steps(problem, run, int(steps), float(lr), scale, tol)


def _solve_steps(problem: _Problem, scale: float) -> Generator[LearnStep, None, LearnResult]:
    """``method="lstsq"`` as a generator: one step, the solution."""
    solved = _solve(problem)
    value = solved.losses[0] * scale
    yield LearnStep(1, value, solved.kernel.copy())
    return replace(solved, losses=(value,))


def _gradient_steps(problem: _Problem, run: _NumpyRun | _TorchRun, steps: int, lr: float,
                    scale: float, tol: float | None) -> Generator[LearnStep, None, LearnResult]:
    """The loop of :func:`learn_kernel`: evaluate, check, update, yield."""
    losses: list[float] = []
    seconds = 0.0
    converged = False
    best: tuple[float, np.ndarray, np.ndarray] | None = None  # (loss, weights, bias)
    for step in range(1, steps + 1):
        started = time.perf_counter()
        value, largest_gradient = run.evaluate()
        if not np.isfinite(value) or not np.isfinite(largest_gradient):
            raise ValueError(
                f"The loss became {value} at step {step}: the learning rate {lr:g} is too large "
                f"for these images. Lower it (e.g. to {lr / 10:g}), or leave lr=None for a "
                "step size that cannot diverge."
            )
        if best is None or value < best[0]:
            best = (value, *run.weights())
        if tol is not None and largest_gradient <= tol:
            converged = True
            seconds += time.perf_counter() - started
            break
        run.update(step)
        losses.append(value)
        kernel = run.kernel()
        seconds += time.perf_counter() - started
        yield LearnStep(step, value, kernel)
    started = time.perf_counter()
    result = _result(problem, *run.weights(), tuple(losses), len(losses), converged)
    # Adam (or a large lr) can overshoot late in a run: keep the best kernel seen.
    if best is not None and best[0] < result.rmse**2 * problem.count * scale:
        result = _result(problem, best[1], best[2], tuple(losses), len(losses), converged)
    seconds += time.perf_counter() - started
    return replace(result, seconds=seconds)


def _initial(problem: _Problem, init: Any, init_bias: Any, seed: int | None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Starting ``G×kh×kw`` weights and ``G`` biases."""
    kh, kw = problem.kernel_size
    groups = problem.groups
    bound = 1.0 / np.sqrt(kh * kw)
    rng = np.random.default_rng(seed)
    if isinstance(init, (np.ndarray, list, tuple)):
        kernel = check_array(init, "init").astype(np.float64)
        if kernel.shape != problem.kernel_shape:
            raise ValueError(f"init kernel has shape {kernel.shape}; expected "
                             f"{problem.kernel_shape} (the shape of the kernel being learned).")
        check_finite(kernel, "init")
        weights = kernel[None] if problem.shared else kernel
        start_bias = np.zeros(groups)
    else:
        init = check_choice(init, INITS, "init")
        if init == "random":
            weights = rng.uniform(-bound, bound, (groups, kh, kw))
            start_bias = rng.uniform(-bound, bound, groups)
        else:
            weights = np.zeros((groups, kh, kw))
            start_bias = np.zeros(groups)
    if init_bias is not None:
        start_bias = _bias_array(init_bias, problem)
        check_finite(start_bias, "init_bias")
    return weights, (start_bias if problem.bias else np.zeros(groups))


def _problem_trace(problem: _Problem) -> tuple[float, int]:
    parts = [_trace(p, problem.kernel_size, y.shape[:2], problem.bias)
             for p, y in zip(problem.padded, problem.targets, strict=True)]
    return sum(t for t, _ in parts), sum(n for _, n in parts)


class _NumpyRun:
    """Gradient steps with the hand-written gradient; Adam written out."""

    def __init__(self, problem: _Problem, weights: np.ndarray, bias: np.ndarray, lr: float,
                 optimizer: str, scale: float) -> None:
        self.problem, self.lr, self.optimizer, self.scale = problem, lr, optimizer, scale
        self.params = [weights.copy(), bias.copy()]
        self.moments = [np.zeros_like(p) for p in self.params]
        self.velocities = [np.zeros_like(p) for p in self.params]
        self.gradients: list[np.ndarray] = []

    def evaluate(self) -> tuple[float, float]:
        value, grad_w, grad_b = _numpy_loss_and_gradient(self.problem, self.params[0],
                                                         self.params[1], self.scale)
        self.gradients = [grad_w, grad_b if self.problem.bias else np.zeros_like(grad_b)]
        return value, max(float(np.abs(g).max()) for g in self.gradients)

    def update(self, step: int) -> None:
        for param, grad, m, v in zip(self.params, self.gradients, self.moments, self.velocities,
                                     strict=True):
            if self.optimizer == "sgd":
                param -= self.lr * grad
                continue
            # Adam (Kingma & Ba 2015): moving averages of the gradient and of its square,
            # corrected for their start at zero.
            m *= ADAM_BETA1
            m += (1 - ADAM_BETA1) * grad
            v *= ADAM_BETA2
            v += (1 - ADAM_BETA2) * grad**2
            m_hat = m / (1 - ADAM_BETA1**step)
            v_hat = v / (1 - ADAM_BETA2**step)
            param -= self.lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)

    def kernel(self) -> np.ndarray:
        weights = self.params[0]
        return weights[0].copy() if self.problem.shared else weights.copy()

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.params[0].copy(), self.params[1].copy()


class _TorchRun:
    """Gradient steps with ``torch.autograd`` and ``torch.optim`` (float64, CPU)."""

    def __init__(self, problem: _Problem, weights: np.ndarray, bias: np.ndarray, lr: float,
                 optimizer: str, scale: float) -> None:
        import torch

        self.torch = torch
        self.problem, self.scale = problem, scale
        # N×C×H×W tensors, as torch wants them.
        self.xs = [torch.from_numpy(np.ascontiguousarray(p.transpose(2, 0, 1)[None]))
                   for p in problem.padded]
        self.ys = [torch.from_numpy(np.ascontiguousarray(y.transpose(2, 0, 1)[None]))
                   for y in problem.targets]
        self.weight = torch.tensor(weights[:, None], dtype=torch.float64, requires_grad=True)
        self.bias = torch.tensor(bias, dtype=torch.float64, requires_grad=problem.bias)
        params = [self.weight, self.bias] if problem.bias else [self.weight]
        self.use_bias = problem.bias
        self.optim = (torch.optim.SGD(params, lr=lr) if optimizer == "sgd" else
                      torch.optim.Adam(params, lr=lr, betas=(ADAM_BETA1, ADAM_BETA2),
                                       eps=ADAM_EPS))

    def evaluate(self) -> tuple[float, float]:
        import torch.nn.functional as F

        self.optim.zero_grad()
        total = self.weight.new_zeros(())
        for x, y in zip(self.xs, self.ys, strict=True):
            channels = x.shape[1]
            weight = self.weight.expand(channels, 1, *self.problem.kernel_size)
            bias = self.bias.expand(channels) if self.use_bias else None
            prediction = F.conv2d(x, weight, bias, groups=channels)
            total = total + ((prediction - y) ** 2).sum()
        total = total * self.scale
        total.backward()
        gradients = [self.weight.grad] + ([self.bias.grad] if self.problem.bias else [])
        largest = max(float(g.abs().max()) for g in gradients if g is not None)
        return float(total.detach()), largest

    def update(self, step: int) -> None:
        self.optim.step()

    def kernel(self) -> np.ndarray:
        weights = self.weight.detach().numpy()[:, 0]
        return weights[0].copy() if self.problem.shared else weights.copy()

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.weight.detach().numpy()[:, 0].copy(), self.bias.detach().numpy().copy())


def _result(problem: _Problem, weights: np.ndarray, bias: np.ndarray, losses: tuple[float, ...],
            steps: int, converged: bool) -> LearnResult:
    """Residual maps and RMSE of the final kernel, packed into a :class:`LearnResult`."""
    residuals = []
    squares = 0.0
    for padded, target, grey in zip(problem.padded, problem.targets, problem.greys, strict=True):
        residual = target - _predict(padded, weights, bias)
        squares += float(np.sum(residual**2))
        residuals.append(residual[:, :, 0] if grey else residual)
    kernel = weights[0].copy() if problem.shared else weights.copy()
    return LearnResult(
        kernel=kernel,
        bias=_public_bias(bias, problem) if problem.bias else None,
        losses=losses,
        steps=steps,
        seconds=0.0,
        residual=residuals if problem.several else residuals[0],
        rmse=float(np.sqrt(squares / problem.count)),
        converged=converged,
    )


def fit_kernel(inputs: Any, targets: Any, kernel_size: int | tuple[int, int],
               **options: Any) -> LearnResult:
    """Run :func:`learn_kernel` to the end and return its :class:`LearnResult`.

    Takes the same arguments. ``method="lstsq"`` gives the exact least-squares kernel
    (:func:`solve_kernel`) instead of gradient steps.

    Example:
        >>> x = np.random.default_rng(0).random((32, 32))
        >>> k = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
        >>> result = fit_kernel(x, conv2d(x, k), 3, optimizer="adam", steps=3000, seed=0)
        >>> bool(np.abs(result.kernel - k).max() < 1e-3)
        True
    """
    generator = learn_kernel(inputs, targets, kernel_size, **options)
    while True:
        try:
            next(generator)
        except StopIteration as finished:
            result: LearnResult = finished.value
            return result


# ---------------------------------------------------------------------------------------------
# Least squares


def solve_kernel(inputs: Any, targets: Any, kernel_size: int | tuple[int, int], *,
                 padding: int | tuple[int, int] | str = 0, padding_mode: str = "zeros",
                 shared: bool = True, bias: bool = False) -> LearnResult:
    """The least-squares kernel in one step: every output pixel is one linear equation.

    Each window of the padded input is a row of a patch matrix ``A`` (``kh·kw`` columns, plus a
    column of ones for the bias); the kernel solves ``min ‖A·w − y‖²`` through the normal
    equations ``AᵀA·w = Aᵀy`` (a ``kh·kw``-square system), followed by two rounds of iterative
    refinement with the exact residual. ``A`` is never built whole, only blocks of rows, so
    memory stays bounded on large photos. Noise-free pairs give the hidden kernel to rounding
    error; otherwise the best linear fit, and ``residual`` shows what it misses. When many
    kernels fit equally well (a flat image), the smallest one is returned.

    Args:
        inputs: ``H×W`` or ``H×W×C`` image (any real dtype) or a list of them (or of
            ``(input, target)`` tuples, with ``targets=None``).
        targets: matching target(s), shaped like ``conv2d(input, kernel, padding=...)``.
        kernel_size: ``k`` or ``(kh, kw)``, each side 1…15.
        padding: as in :func:`filters.conv2d`.
        padding_mode: as in :func:`filters.conv2d`.
        shared: one kernel for all channels (``kh×kw``) or one per channel (``C×kh×kw``).
        bias: also fit a constant added to the output.

    Returns:
        :class:`LearnResult` with ``steps=1``, ``losses=(sum of squared residuals,)`` and
        ``converged=True``.

    Example:
        >>> x = np.random.default_rng(0).random((20, 20))
        >>> k = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> np.allclose(solve_kernel(x, conv2d(x, k), 2).kernel, k)
        True
    """
    problem = _prepare(inputs, targets, kernel_size, padding, padding_mode, shared, bias)
    return _solve(problem)


def _solve(problem: _Problem) -> LearnResult:
    started = time.perf_counter()
    kh, kw = problem.kernel_size
    unknowns = kh * kw + (1 if problem.bias else 0)
    weights = np.zeros((problem.groups, kh, kw))
    bias = np.zeros(problem.groups)
    for group in range(problem.groups):
        # Normal equations AᵀA·w = Aᵀy, summed block by block ([A | y]ᵀ[A | y] holds both).
        gram = np.zeros((unknowns + 1, unknowns + 1))
        for block in _equation_blocks(problem, group):
            gram += block.T @ block
        normal = gram[:unknowns, :unknowns]
        solution, *_ = np.linalg.lstsq(normal, gram[:unknowns, unknowns], rcond=None)
        # AᵀA squares the condition number of A; correcting with the exact residual
        # (iterative refinement) wins back the digits that costs.
        for _ in range(_REFINEMENTS):
            correction = np.zeros(unknowns)
            for block in _equation_blocks(problem, group):
                patches, target = block[:, :unknowns], block[:, unknowns]
                correction += patches.T @ (target - patches @ solution)
            solution += np.linalg.lstsq(normal, correction, rcond=None)[0]
        weights[group] = solution[: kh * kw].reshape(kh, kw)
        if problem.bias:
            bias[group] = solution[-1]
    result = _result(problem, weights, bias, (), 1, True)
    return replace(result, losses=(float(result.rmse**2 * problem.count),),
                   seconds=time.perf_counter() - started)


def _equation_blocks(problem: _Problem, group: int) -> Iterator[np.ndarray]:
    """Blocks of rows ``[window taps…, (1), target]`` for one kernel (all channels it serves)."""
    kh, kw = problem.kernel_size
    columns = kh * kw + (1 if problem.bias else 0) + 1
    channels = range(problem.channels) if problem.shared else [group]
    for padded, target in zip(problem.padded, problem.targets, strict=True):
        out_h, out_w = target.shape[:2]
        rows_per_block = max(1, _SOLVE_CHUNK_BYTES // (8 * columns * out_w))
        for c in channels:
            if c >= padded.shape[2]:
                continue
            for top in range(0, out_h, rows_per_block):
                bottom = min(out_h, top + rows_per_block)
                windows = sliding_window_view(padded[top : bottom + kh - 1, :, c], (kh, kw))
                parts = [windows.reshape(-1, kh * kw)]
                if problem.bias:
                    parts.append(np.ones((parts[0].shape[0], 1)))
                parts.append(target[top:bottom, :, c].reshape(-1, 1))
                yield np.hstack(parts)
