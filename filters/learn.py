"""Learn a convolution kernel from an input and its filtered output (seed 003, d2l 6.2.4).

The loss is the squared error between ``conv2d(x, w)`` and the target ``y``; its gradient with
respect to the kernel tap ``w[u, v]`` is ``2·Σ r·x_pad[u + i, v + j]`` with the residual
``r = conv2d(x, w) − y`` — a correlation of the padded input with the residual, written out
below tap by tap. :func:`learn_kernel` is a generator, so a page can draw every step;
:func:`solve_kernel` gives the exact least-squares kernel in one go.

Example:
    >>> X = np.ones((6, 8)); X[:, 2:6] = 0
    >>> Y = conv2d(X, np.array([[1.0, -1.0]]))
    >>> result = fit_kernel(X, Y, (1, 2), steps=20, lr=3e-2, loss="sum", seed=0)
    >>> np.abs(result.kernel - [[1, -1]]).max() < 0.05
    np.True_
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_image, check_choice, to_pair
from .conv import conv2d, plan_conv
from .padding import pad

__all__ = ["MAX_LEARN_SIZE", "LearnResult", "LearnStep", "fit_kernel", "kernel_gradient",
           "learn_kernel", "solve_kernel"]

MAX_LEARN_SIZE = 15


class LearnStep(NamedTuple):
    """One update: the step number (from 1), the loss before it, the kernel after it."""

    step: int
    loss: float
    kernel: np.ndarray


@dataclass(frozen=True)
class LearnResult:
    """The outcome of learning or solving.

    Attributes:
        kernel: ``kh×kw`` float64.
        losses: loss per step (empty for :func:`solve_kernel`).
        steps: updates made.
        seconds: wall time.
        residual: ``target − conv2d(input, kernel)``, the part no kernel of this size explains.
        rmse: root-mean-square of the residual.
    """

    kernel: np.ndarray
    losses: tuple[float, ...]
    steps: int
    seconds: float
    residual: np.ndarray
    rmse: float


def _prepare(inputs: Any, targets: Any, kernel_size: Any, padding: Any,
             padding_mode: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Check shapes; return the padded input and target as ``H×W×C`` float64, and (kh, kw)."""
    x = as_image(inputs, "inputs").astype(np.float64)
    y = as_image(targets, "targets").astype(np.float64)
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    if max(kh, kw) > MAX_LEARN_SIZE:
        raise ValueError(f"kernel_size {kh}×{kw} is over the {MAX_LEARN_SIZE}×"
                         f"{MAX_LEARN_SIZE} that can be learned here.")
    x = x[:, :, None] if x.ndim == 2 else x
    y = y[:, :, None] if y.ndim == 2 else y
    plan = plan_conv(x, np.zeros((kh, kw)), padding=padding, padding_mode=padding_mode,
                     backend="numpy")
    expected = (*plan.geometry.out_shape, x.shape[2])
    if y.shape != expected:
        raise ValueError(
            f"The target has shape {y.shape[:2] if y.shape[2] == 1 else y.shape} but a {kh}×{kw} "
            f"kernel with padding {padding!r} turns the {x.shape[0]}×{x.shape[1]} input into "
            f"{expected[:2] if expected[2] == 1 else expected}; make them match (padding='same' "
            "keeps the size)."
        )
    g = plan.geometry
    padded = pad(x, (g.left, g.right, g.top, g.bottom), padding_mode).astype(np.float64)
    return padded, y, (kh, kw)


def _predict(padded: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    out = conv2d(padded, kernel, backend="numpy")
    return out[:, :, None] if out.ndim == 2 else out


def kernel_gradient(padded: np.ndarray, residual: np.ndarray, kernel_shape: tuple[int, int]
                    ) -> np.ndarray:
    """``∂/∂w Σ r²`` where ``r = conv2d(padded, w) − y``: ``2·Σ r·padded[u+i, v+j]`` per tap.

    Args:
        padded: ``Hp×Wp×C`` padded input.
        residual: ``H'×W'×C`` prediction minus target.
        kernel_shape: ``(kh, kw)``.

    Returns:
        ``kh×kw`` gradient (float64).
    """
    kh, kw = kernel_shape
    out_h, out_w = residual.shape[:2]
    gradient = np.empty((kh, kw))
    for u in range(kh):
        for v in range(kw):
            gradient[u, v] = 2.0 * np.sum(residual * padded[u : u + out_h, v : v + out_w])
    return gradient


def learn_kernel(
    inputs: Any,
    targets: Any,
    kernel_size: int | tuple[int, int],
    *,
    steps: int = 100,
    lr: float | None = None,
    optimizer: str = "sgd",
    loss: str = "mean",
    padding: Any = 0,
    padding_mode: str = "zeros",
    init: str | np.ndarray = "random",
    seed: int | None = None,
    shared: bool = True,
) -> Generator[LearnStep, None, LearnResult]:
    """Gradient descent on a kernel so that ``conv2d(inputs, kernel) ≈ targets``.

    Args:
        inputs: ``H×W`` or ``H×W×C`` (channels share the kernel).
        targets: the filtered image, shaped like ``conv2d(inputs, kernel, padding=...)``.
        kernel_size: ``k`` or ``(kh, kw)``, up to 15.
        steps: updates to make.
        lr: learning rate; default 3e-2 for ``loss="sum"`` with SGD (the notes), 0.1 for
            ``"mean"`` with SGD, 0.02 for Adam.
        optimizer: ``"sgd"`` or ``"adam"``.
        loss: ``"sum"`` of squared errors (the notes) or their ``"mean"`` (scale-free).
        padding: as in :func:`filters.conv2d`.
        padding_mode: as in :func:`filters.conv2d`.
        init: ``"random"`` (uniform in ±1/√(kh·kw), like ``nn.Conv2d``), ``"zeros"``, or a
            starting kernel (to resume with new settings).
        seed: for the random start.
        shared: for ``H×W×C`` inputs, one kernel for every channel (``True``) or one per
            channel (``False``; the kernel is then ``C×kh×kw``).

    Yields:
        :class:`LearnStep` after every update.

    Returns:
        A :class:`LearnResult` (the generator's ``StopIteration.value``).
    """
    padded, y, (kh, kw) = _prepare(inputs, targets, kernel_size, padding, padding_mode)
    channels = padded.shape[2]
    if not shared and channels > 1:
        # One independent problem per channel, stepped together.
        runs = [learn_kernel(padded[:, :, c], y[:, :, c], (kh, kw), steps=steps, lr=lr,
                             optimizer=optimizer, loss=loss, padding=0, init=(
                                 init[c] if isinstance(init, np.ndarray) else init),
                             seed=None if seed is None else seed + c)
                for c in range(channels)]
        results: list[LearnResult] = []
        start = time.perf_counter()
        for step in range(1, steps + 1):
            parts = [next(run) for run in runs]
            yield LearnStep(step, float(np.mean([p.loss for p in parts])),
                            np.stack([p.kernel for p in parts]))
        for run in runs:
            try:
                next(run)
            except StopIteration as finished:
                results.append(finished.value)
        residual = np.stack([r.residual for r in results], axis=-1)
        return LearnResult(np.stack([r.kernel for r in results]),
                           tuple(np.mean([r.losses for r in results], axis=0).tolist()), steps,
                           time.perf_counter() - start, residual,
                           float(np.sqrt(np.mean(residual**2))))
    optimizer = check_choice(optimizer, ("sgd", "adam"), "optimizer")
    loss = check_choice(loss, ("sum", "mean"), "loss")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number ≥ 0; got {steps!r}.")
    if lr is None:
        lr = 0.02 if optimizer == "adam" else (3e-2 if loss == "sum" else 0.1)
    if not (isinstance(lr, (int, float)) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number; got {lr!r}.")
    if isinstance(init, np.ndarray):
        kernel = np.array(init, dtype=np.float64)
        if kernel.shape != (kh, kw):
            raise ValueError(f"init kernel has shape {kernel.shape}; expected {(kh, kw)}.")
    else:
        init = check_choice(init, ("random", "zeros"), "init")
        bound = 1.0 / np.sqrt(kh * kw)
        kernel = (np.random.default_rng(seed).uniform(-bound, bound, (kh, kw))
                  if init == "random" else np.zeros((kh, kw)))
    scale = 1.0 / y.size if loss == "mean" else 1.0
    moment, velocity = np.zeros_like(kernel), np.zeros_like(kernel)
    losses: list[float] = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        residual = _predict(padded, kernel) - y
        value = float(np.sum(residual**2) * scale)
        if not np.isfinite(value):
            raise ValueError(f"The loss became {value} at step {step}: the learning rate "
                             f"{lr:g} is too large. Lower it (e.g. to {lr / 10:g}).")
        gradient = kernel_gradient(padded, residual, (kh, kw)) * scale
        if optimizer == "sgd":
            kernel = kernel - lr * gradient
        else:  # Adam, Kingma & Ba 2015, β1 = 0.9, β2 = 0.999
            moment = 0.9 * moment + 0.1 * gradient
            velocity = 0.999 * velocity + 0.001 * gradient**2
            corrected_m = moment / (1 - 0.9**step)
            corrected_v = velocity / (1 - 0.999**step)
            kernel = kernel - lr * corrected_m / (np.sqrt(corrected_v) + 1e-8)
        losses.append(value)
        yield LearnStep(step, value, kernel.copy())
    residual = y - _predict(padded, kernel)
    return LearnResult(kernel, tuple(losses), steps, time.perf_counter() - start,
                       _squeeze(residual), float(np.sqrt(np.mean(residual**2))))


def fit_kernel(inputs: Any, targets: Any, kernel_size: int | tuple[int, int],
               **options: Any) -> LearnResult:
    """Run :func:`learn_kernel` to the end and return its :class:`LearnResult`."""
    generator = learn_kernel(inputs, targets, kernel_size, **options)
    while True:
        try:
            next(generator)
        except StopIteration as finished:
            result: LearnResult = finished.value
            return result


def solve_kernel(inputs: Any, targets: Any, kernel_size: int | tuple[int, int], *,
                 padding: Any = 0, padding_mode: str = "zeros", shared: bool = True
                 ) -> LearnResult:
    """The least-squares kernel in one step: every output pixel is one equation.

    Each window of the padded input is a row of a matrix ``A`` (``kh·kw`` columns); the kernel
    solves ``min ‖A·w − y‖²`` (``numpy.linalg.lstsq``). Noise-free pairs give the hidden kernel
    to rounding error; otherwise the best linear fit and its residual. With ``shared=False`` a
    colour pair gets one kernel per channel (``C×kh×kw``).

    Example:
        >>> x = np.random.default_rng(0).random((20, 20))
        >>> k = np.array([[1.0, 2.0], [3.0, 4.0]])
        >>> np.allclose(solve_kernel(x, conv2d(x, k), 2).kernel, k)
        True
    """
    start = time.perf_counter()
    padded, y, (kh, kw) = _prepare(inputs, targets, kernel_size, padding, padding_mode)
    if not shared and padded.shape[2] > 1:
        parts = [solve_kernel(padded[:, :, c], y[:, :, c], (kh, kw))
                 for c in range(padded.shape[2])]
        residual = np.stack([r.residual for r in parts], axis=-1)
        return LearnResult(np.stack([r.kernel for r in parts]), (), 0,
                           time.perf_counter() - start, residual,
                           float(np.sqrt(np.mean(residual**2))))
    windows = sliding_window_view(padded, (kh, kw), axis=(0, 1))  # H'×W'×C×kh×kw
    matrix = windows.reshape(-1, kh * kw)
    solution, *_ = np.linalg.lstsq(matrix, y.reshape(-1), rcond=None)
    kernel = solution.reshape(kh, kw)
    residual = y - _predict(padded, kernel)
    return LearnResult(kernel, (), 0, time.perf_counter() - start, _squeeze(residual),
                       float(np.sqrt(np.mean(residual**2))))


def _squeeze(array: np.ndarray) -> np.ndarray:
    return array[:, :, 0] if array.shape[2] == 1 else array
