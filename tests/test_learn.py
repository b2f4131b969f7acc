"""Learning a kernel (seed 003, d2l 6.2.4): the notes' loop, recovery on a photo, the gradient.

References nobody here wrote: the notes' own PyTorch loop (``nn.Conv2d``, ``l.sum().backward()``,
``w -= lr * grad``) and d2l's ``corr2d``; ``torch.nn.functional.conv2d`` (via
``tests.references.torch_conv2d``) for every target; ``numpy.linalg.lstsq`` on the full patch
matrix; ``torch.optim.Adam``; OpenCV's Gaussian kernels; scikit-learn's sample photo.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

import filters
from filters import learn
from filters.learn import (
    LearnResult,
    LearnStep,
    default_lr,
    fit_kernel,
    kernel_gradient,
    learn_kernel,
    loss_and_gradient,
    solve_kernel,
)
from tests.references import torch_conv2d

torch = pytest.importorskip("torch")

SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def gaussian(size: int, sigma: float) -> np.ndarray:
    column = cv2.getGaussianKernel(size, sigma, ktype=cv2.CV_64F)
    return column @ column.T


def corr2d(X, K):
    """d2l's corr2d, as the notes write it (in numpy)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def notes_pair() -> tuple[np.ndarray, np.ndarray]:
    """d2l 6.2.4: a 6×8 image of ones with columns 2…5 zero, and corr2d with [[1, −1]]."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X, corr2d(X, np.array([[1.0, -1.0]]))


def notes_torch_loop(seed: int, iterations: int = 10):
    """The notes' code, run as written (float64): losses printed and the weight after each step."""
    torch.manual_seed(seed)
    conv2d = torch.nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False).double()
    start = conv2d.weight.detach().numpy()[0, 0].copy()
    X, Y = (torch.from_numpy(a) for a in notes_pair())
    X = X.reshape((1, 1, 6, 8))
    Y = Y.reshape((1, 1, 6, 7))
    lr = 3e-2
    losses, weights = [], []
    for _ in range(iterations):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741 — the notes' name
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        losses.append(l.sum().item())
        weights.append(conv2d.weight.detach().numpy()[0, 0].copy())
    return start, losses, weights


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """scikit-learn's china.jpg in grey (ITU-R 601 weights), float64 in [0, 1], 128×128 crop."""
    datasets = pytest.importorskip("sklearn.datasets")
    rgb = datasets.load_sample_image("china.jpg").astype(np.float64) / 255.0
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    return grey[100:228, 200:328]


@pytest.fixture(scope="module")
def colour_photo() -> np.ndarray:
    datasets = pytest.importorskip("sklearn.datasets")
    return datasets.load_sample_image("china.jpg")[150:214, 250:314]  # uint8 64×64×3


def steps_of(generator) -> tuple[list[LearnStep], LearnResult]:
    steps = []
    while True:
        try:
            steps.append(next(generator))
        except StopIteration as finished:
            return steps, finished.value


# --- the notes' example --------------------------------------------------------------------


def test_the_notes_pair_is_the_notes_6x8_and_6x7():
    X, Y = notes_pair()
    assert Y.shape == (6, 7)
    assert Y[:, 1].tolist() == [1.0] * 6 and Y[:, 5].tolist() == [-1.0] * 6
    assert np.count_nonzero(Y) == 12
    np.testing.assert_array_equal(filters.conv2d(X, np.array([[1.0, -1.0]])), Y)


@pytest.mark.parametrize("engine", ["numpy", "torch"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_notes_loop_is_reproduced_step_by_step(seed, engine):
    start, torch_losses, torch_weights = notes_torch_loop(seed)
    steps = list(learn_kernel(*notes_pair(), (1, 2), steps=10, lr=3e-2, loss="sum",
                              init=start[None] if start.ndim == 1 else start, engine=engine))
    np.testing.assert_allclose([s.loss for s in steps], torch_losses, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose([s.kernel for s in steps], torch_weights, rtol=1e-12, atol=1e-12)
    # what the notes show after 10 iterations: a kernel of about [[1.0, −1.0]]
    assert np.abs(steps[-1].kernel - [[1.0, -1.0]]).max() < 0.2


@pytest.mark.parametrize("seed", range(8))
def test_notes_example_reaches_1_minus_1_within_20_steps(seed):
    X, Y = notes_pair()
    steps = list(learn_kernel(X, Y, (1, 2), steps=20, lr=3e-2, loss="sum", seed=seed))
    first_close = next(s.step for s in steps if np.abs(s.kernel - [[1, -1]]).max() < 0.05)
    assert first_close <= 20
    losses = [s.loss for s in steps]
    # the notes print the loss at iterations 2, 4, …, 10: it falls every time
    printed = losses[1:10:2]
    assert all(later < earlier for earlier, later in itertools.pairwise(printed))


@pytest.mark.parametrize("torch_seed", range(5))
def test_notes_example_from_torch_default_init_reaches_1_minus_1_within_20_steps(torch_seed):
    torch.manual_seed(torch_seed)
    start = torch.nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False).weight.detach().double()
    result = fit_kernel(*notes_pair(), (1, 2), steps=20, lr=3e-2, loss="sum",
                        init=start.numpy()[0, 0])
    assert np.abs(result.kernel - [[1.0, -1.0]]).max() < 0.05
    assert result.rmse < 0.05 and result.residual.shape == (6, 7)


def test_random_init_is_in_nn_conv2d_range_and_seeded():
    X, Y = notes_pair()
    first = next(learn_kernel(X, Y, (1, 2), steps=1, lr=1e-12, seed=5)).kernel
    again = next(learn_kernel(X, Y, (1, 2), steps=1, lr=1e-12, seed=5)).kernel
    np.testing.assert_array_equal(first, again)
    assert np.abs(first).max() <= 1 / np.sqrt(2)  # nn.Conv2d: U(−1/√fan_in, 1/√fan_in)


# --- the generator protocol -------------------------------------------------------------------


def test_generator_yields_named_steps_and_returns_a_result():
    X, Y = notes_pair()
    steps, result = steps_of(learn_kernel(X, Y, (1, 2), steps=30, lr=3e-2, loss="sum", seed=1))
    assert [s.step for s in steps] == list(range(1, 31))
    step, loss, kernel = steps[0]  # a NamedTuple unpacks
    assert (step, loss) == (steps[0].step, steps[0].loss) and kernel.shape == (1, 2)
    assert isinstance(result, LearnResult)
    assert result.steps == 30 and result.losses == tuple(s.loss for s in steps)
    assert result.residual.shape == Y.shape and result.bias is None and not result.converged
    np.testing.assert_allclose(result.residual, Y - corr2d(X, result.kernel), atol=1e-15)
    assert result.rmse == pytest.approx(np.sqrt(np.mean(result.residual**2)))
    assert result.seconds >= 0
    np.testing.assert_array_equal(result.kernel, steps[-1].kernel)


def test_yielded_kernels_are_copies():
    X, Y = notes_pair()
    generator = learn_kernel(X, Y, (1, 2), steps=3, lr=3e-2, loss="sum", init="zeros")
    first = next(generator)
    first.kernel[:] = 100.0
    second = next(generator)
    assert np.abs(second.kernel).max() < 2


def test_loss_is_of_the_kernel_before_the_update():
    X, Y = notes_pair()
    steps = list(learn_kernel(X, Y, (1, 2), steps=5, lr=3e-2, loss="sum", init="zeros"))
    assert steps[0].loss == pytest.approx(np.sum(Y**2))  # zero kernel: loss = Σ Y² = 12
    for before, after in itertools.pairwise(steps):
        assert after.loss == pytest.approx(np.sum((corr2d(X, before.kernel) - Y) ** 2))


def test_resuming_from_a_kernel_continues_sgd_exactly():
    X, Y = notes_pair()
    whole = fit_kernel(X, Y, (1, 2), steps=10, lr=3e-2, loss="sum", init="zeros")
    half = fit_kernel(X, Y, (1, 2), steps=5, lr=3e-2, loss="sum", init="zeros")
    rest = fit_kernel(X, Y, (1, 2), steps=5, lr=3e-2, loss="sum", init=half.kernel)
    np.testing.assert_allclose(rest.kernel, whole.kernel, atol=1e-15)
    assert half.losses + rest.losses == pytest.approx(whole.losses)


def test_tol_stops_when_the_gradient_is_small():
    X, Y = notes_pair()
    result = fit_kernel(X, Y, (1, 2), steps=1000, lr=3e-2, loss="sum", seed=0, tol=1e-8)
    assert result.converged and 20 < result.steps < 1000
    _, gradient, _ = loss_and_gradient(X, Y, result.kernel, loss="sum")
    assert np.abs(gradient).max() <= 1e-8
    np.testing.assert_allclose(result.kernel, [[1.0, -1.0]], atol=1e-9)


def test_best_kernel_is_kept_when_adam_overshoots():
    X, Y = notes_pair()
    steps, result = steps_of(learn_kernel(X, Y, (1, 2), steps=60, optimizer="adam", lr=0.5,
                                          loss="sum", seed=0))
    losses = [s.loss for s in steps]
    assert losses[-1] > min(losses)  # lr 0.5 makes Adam bounce around the answer
    assert result.rmse**2 * Y.size <= min(losses) + 1e-12


# --- recovery on a real photo -------------------------------------------------------------------

HIDDEN = {
    "sobel_3x3": SOBEL_X,
    "gaussian_5x5": gaussian(5, 1.0),
    "gaussian_7x7": gaussian(7, 1.5),
    "random_5x5": np.random.default_rng(5).uniform(-1.0, 1.0, (5, 5)),
}


@pytest.mark.parametrize("name", list(HIDDEN))
def test_least_squares_recovers_hidden_kernels_on_a_photo(photo, name):
    kernel = HIDDEN[name]
    target = torch_conv2d(photo, kernel, padding="same", padding_mode="reflect")
    result = solve_kernel(photo, target, kernel.shape, padding="same", padding_mode="reflect")
    assert np.abs(result.kernel - kernel).max() < 1e-9
    assert result.rmse < 1e-10 and result.converged


@pytest.mark.parametrize("name", list(HIDDEN))
def test_adam_recovers_hidden_kernels_on_a_photo_to_1e_3(photo, name):
    kernel = HIDDEN[name]
    target = torch_conv2d(photo, kernel, padding="same", padding_mode="reflect")
    result = fit_kernel(photo, target, kernel.shape, steps=2500, optimizer="adam", lr=0.02,
                        padding="same", padding_mode="reflect", seed=0)
    error = np.abs(result.kernel - kernel).max()
    assert error < 1e-3, error
    assert result.losses[-1] < result.losses[0] * 1e-6


def test_sgd_default_lr_recovers_a_kernel_on_noise():
    """On zero-mean white noise the loss is well conditioned: SGD at the default lr converges."""
    noise = np.random.default_rng(0).normal(size=(64, 64))
    kernel = HIDDEN["random_5x5"]
    target = torch_conv2d(noise, kernel)
    result = fit_kernel(noise, target, 5, steps=300, seed=0)
    assert np.abs(result.kernel - kernel).max() < 1e-3


@pytest.mark.parametrize("loss", ["mean", "sum"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_default_sgd_lr_never_increases_the_loss(photo, loss, dtype):
    """lr = 1/trace(Hessian) ≤ 1/largest curvature: every step lowers the loss, at any scale."""
    image = (photo * 255).round().astype(dtype)
    target = torch_conv2d(image.astype(np.float64), HIDDEN["gaussian_7x7"])
    losses = [s.loss for s in learn_kernel(image, target, 7, steps=40, loss=loss, seed=0)]
    assert all(b <= a for a, b in itertools.pairwise(losses))
    assert losses[-1] < 0.2 * losses[0]


def test_default_lr_is_one_over_the_trace_of_the_hessian():
    X, _ = notes_pair()
    # Σ over the 6×7 windows of x² for tap (0,0) (columns 0…6) and tap (0,1) (columns 1…7)
    trace = 2 * (np.sum(X[:, 0:7] ** 2) + np.sum(X[:, 1:8] ** 2))
    assert default_lr(X, (1, 2), loss="sum") == pytest.approx(1 / trace)
    assert default_lr(X, (1, 2), loss="mean") == pytest.approx(42 / trace)
    assert default_lr(X, (1, 2), optimizer="adam") == learn.ADAM_LR


# --- the gradient ---------------------------------------------------------------------------


def reference_loss(x, y, kernel, bias, padding, padding_mode, loss):
    """Σ or mean of (torch conv + bias − y)²: the loss, computed by PyTorch."""
    if kernel.ndim == 3:
        weight = kernel[:, None]
        out = torch_conv2d(x, weight, padding=padding, padding_mode=padding_mode,
                           groups=kernel.shape[0])
    else:
        out = torch_conv2d(x, kernel, padding=padding, padding_mode=padding_mode)
    squares = (out + (0.0 if bias is None else bias) - y) ** 2
    return float(squares.sum() if loss == "sum" else squares.mean())


@pytest.mark.parametrize(
    ("channels", "kernel_shape", "with_bias", "padding", "padding_mode", "loss"),
    [
        (1, (3, 3), False, 0, "zeros", "sum"),
        (1, (2, 3), True, "same", "reflect", "mean"),
        (3, (3, 3), True, 1, "circular", "sum"),  # shared over 3 channels
        (3, (3, 2, 2), True, "same", "replicate", "mean"),  # one kernel per channel
        (2, (1, 4), False, (0, 2), "zeros", "mean"),
    ],
)
def test_gradient_matches_central_differences(channels, kernel_shape, with_bias, padding,
                                              padding_mode, loss):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(9, 10) if channels == 1 else (9, 10, channels))
    kernel = rng.normal(size=kernel_shape)
    bias = None
    if with_bias:
        bias = rng.normal(size=kernel_shape[0]) if len(kernel_shape) == 3 else 0.3
    probe = torch_conv2d(x, np.zeros(kernel_shape[-2:]), padding=padding,
                         padding_mode=padding_mode)
    y = rng.normal(size=probe.shape)

    def f(k, b):
        return reference_loss(x, y, k, b, padding, padding_mode, loss)

    value, grad_k, grad_b = loss_and_gradient(x, y, kernel, bias=bias, padding=padding,
                                              padding_mode=padding_mode, loss=loss)
    assert value == pytest.approx(f(kernel, bias), rel=1e-12)
    eps = 1e-6
    numeric = np.zeros_like(kernel)
    for index in np.ndindex(kernel.shape):
        step = np.zeros_like(kernel)
        step[index] = eps
        numeric[index] = (f(kernel + step, bias) - f(kernel - step, bias)) / (2 * eps)
    np.testing.assert_allclose(grad_k, numeric, rtol=1e-6, atol=1e-7)
    if with_bias:
        b = np.atleast_1d(np.asarray(bias, dtype=np.float64))
        numeric_b = np.zeros_like(b)
        for i in range(b.size):
            step = np.zeros_like(b)
            step[i] = eps
            plus, minus = b + step, b - step
            if b.size == 1:
                plus, minus = float(plus[0]), float(minus[0])
            numeric_b[i] = (f(kernel, plus) - f(kernel, minus)) / (2 * eps)
        np.testing.assert_allclose(np.atleast_1d(grad_b), numeric_b, rtol=1e-6, atol=1e-7)
    else:
        assert grad_b is None


def test_kernel_gradient_is_twice_the_input_correlated_with_the_residual():
    rng = np.random.default_rng(3)
    padded = rng.normal(size=(12, 11))
    residual = rng.normal(size=(8, 9))  # so the kernel is 5×3
    expected = 2 * torch_conv2d(padded, residual)  # corr(x, r): the residual as the kernel
    got = kernel_gradient(padded[:, :, None], residual[:, :, None], (5, 3))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# --- engines and optimisers agree ---------------------------------------------------------------


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize(("shared", "bias"), [(True, False), (True, True), (False, True)])
def test_numpy_and_torch_engines_agree(colour_photo, optimizer, shared, bias):
    image = colour_photo[:32, :32].astype(np.float64) / 255
    target = torch_conv2d(image, gaussian(3, 0.8), padding="same", padding_mode="reflect") + 0.1
    options = dict(steps=40, optimizer=optimizer, padding="same", padding_mode="reflect",
                   shared=shared, bias=bias, seed=3)
    a_steps, a = steps_of(learn_kernel(image, target, 3, engine="numpy", **options))
    b_steps, b = steps_of(learn_kernel(image, target, 3, engine="torch", **options))
    np.testing.assert_allclose([s.loss for s in a_steps], [s.loss for s in b_steps], rtol=1e-10)
    np.testing.assert_allclose(a.kernel, b.kernel, atol=1e-10)
    if bias:
        np.testing.assert_allclose(a.bias, b.bias, atol=1e-10)
    assert a.rmse == pytest.approx(b.rmse, rel=1e-8)


def test_numpy_adam_matches_torch_optim_adam():
    """The hand-written Adam against torch.optim.Adam on the same loss (torch's autograd)."""
    X, Y = notes_pair()
    start = np.array([[0.3, 0.2]])
    weight = torch.tensor(start.copy(), requires_grad=True)
    optim = torch.optim.Adam([weight], lr=0.1)
    x_t, y_t = torch.from_numpy(X)[None, None], torch.from_numpy(Y)[None, None]
    expected = []
    for _ in range(25):
        optim.zero_grad()
        loss = ((torch.nn.functional.conv2d(x_t, weight[None, None]) - y_t) ** 2).sum()
        loss.backward()
        optim.step()
        expected.append(weight.detach().numpy().copy())
    got = [s.kernel for s in learn_kernel(X, Y, (1, 2), steps=25, optimizer="adam", lr=0.1,
                                          loss="sum", init=start)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


# --- least squares ------------------------------------------------------------------------------


def test_solve_matches_numpy_lstsq_on_the_full_patch_matrix(photo):
    x = photo[:40, :50]
    y = np.sqrt(x[1:-1, 1:-1]) + 0.05 * np.random.default_rng(1).normal(size=(38, 48))
    rows = [[*x[i:i + 3, j:j + 3].ravel().tolist(), 1.0]
            for i in range(38) for j in range(48)]
    expected, *_ = np.linalg.lstsq(np.array(rows), y.ravel(), rcond=None)
    result = solve_kernel(x, y, 3, bias=True)
    np.testing.assert_allclose(result.kernel.ravel(), expected[:9], rtol=1e-8, atol=1e-10)
    assert result.bias == pytest.approx(expected[9], rel=1e-8)
    assert result.losses[0] == pytest.approx(np.sum(result.residual**2))


def test_solve_in_small_blocks_gives_the_same_kernel(photo, monkeypatch):
    target = torch_conv2d(photo, HIDDEN["random_5x5"])
    target = target + 0.01 * np.random.default_rng(2).normal(size=target.shape)
    whole = solve_kernel(photo, target, 5)
    monkeypatch.setattr(learn, "_SOLVE_CHUNK_BYTES", 8 * 27 * 124 * 3)  # 3 rows at a time
    blocks = solve_kernel(photo, target, 5)
    np.testing.assert_allclose(blocks.kernel, whole.kernel, rtol=1e-9, atol=1e-12)


def test_gradient_descent_approaches_the_least_squares_fit_of_a_noisy_target(photo):
    x = photo[:48, :48]
    target = torch_conv2d(x, SOBEL_X, padding="same", padding_mode="reflect")
    target = target + 0.05 * np.random.default_rng(4).normal(size=target.shape)
    best = solve_kernel(x, target, 3, padding="same", padding_mode="reflect")
    learned = fit_kernel(x, target, 3, steps=3000, optimizer="adam", padding="same",
                         padding_mode="reflect", seed=0)
    np.testing.assert_allclose(learned.kernel, best.kernel, atol=1e-3)
    assert learned.rmse == pytest.approx(best.rmse, rel=1e-4)
    assert best.rmse == pytest.approx(0.05, rel=0.1)  # the noise is what no kernel explains


def test_method_lstsq_yields_one_step(photo):
    target = torch_conv2d(photo, SOBEL_X)
    steps, result = steps_of(learn_kernel(photo, target, 3, method="lstsq"))
    assert len(steps) == 1 and steps[0].step == 1
    np.testing.assert_allclose(steps[0].kernel, SOBEL_X, atol=1e-9)
    assert result.converged and result.losses == (steps[0].loss,) and steps[0].loss < 1e-20


# --- sizes, channels, several pairs, bias ------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize("size", [(1, 2), (2, 2), (4, 3), (1, 7), (6, 6), (15, 15)])
@pytest.mark.parametrize("padding", [0, "same"])
def test_odd_even_and_non_square_kernels(size, padding):
    x = np.random.default_rng(1).random((40, 36))
    kernel = np.random.default_rng(2).normal(size=size)
    target = torch_conv2d(x, kernel, padding=padding)
    solved = solve_kernel(x, target, size, padding=padding)
    np.testing.assert_allclose(solved.kernel, kernel, atol=1e-9)
    learned = fit_kernel(x, target, size, steps=5, padding=padding, seed=0)
    assert learned.kernel.shape == size and learned.losses[-1] < learned.losses[0]


def test_colour_channels_can_share_one_kernel(colour_photo):
    target = torch_conv2d(colour_photo.astype(np.float64), SOBEL_X)
    assert target.shape == (62, 62, 3)
    result = solve_kernel(colour_photo, target, 3)
    np.testing.assert_allclose(result.kernel, SOBEL_X, atol=1e-9)
    assert result.residual.shape == (62, 62, 3)


def test_one_kernel_per_channel(colour_photo):
    image = colour_photo.astype(np.float64) / 255
    kernels = np.stack([SOBEL_X, SOBEL_X.T, gaussian(3, 1.0)])
    target = torch_conv2d(image, kernels[:, None], groups=3) + np.array([0.1, -0.2, 0.3])
    solved = solve_kernel(image, target, 3, shared=False, bias=True)
    assert solved.kernel.shape == (3, 3, 3)
    np.testing.assert_allclose(solved.kernel, kernels, atol=1e-9)
    np.testing.assert_allclose(solved.bias, [0.1, -0.2, 0.3], atol=1e-9)
    learned = fit_kernel(image, target, 3, shared=False, bias=True, steps=3000,
                         optimizer="adam", seed=0)
    np.testing.assert_allclose(learned.kernel, kernels, atol=1e-3)
    applied = filters.conv2d(image, learned.kernel[:, None], groups=3, bias=learned.bias)
    np.testing.assert_allclose(applied, target, atol=1e-3)


def test_a_shared_bias_is_learned(photo):
    target = torch_conv2d(photo, gaussian(3, 1.0)) + 0.25
    solved = solve_kernel(photo, target, 3, bias=True)
    assert solved.bias == pytest.approx(0.25, abs=1e-9)
    without = solve_kernel(photo, target, 3)
    assert without.bias is None and without.rmse > 1e-3


def test_several_pairs_make_one_problem(photo):
    crops = [photo[:40, :40], photo[60:100, 50:110]]
    kernel = HIDDEN["random_5x5"]
    targets = [torch_conv2d(c, kernel) for c in crops]
    solved = solve_kernel(crops, targets, 5)
    np.testing.assert_allclose(solved.kernel, kernel, atol=1e-9)
    assert isinstance(solved.residual, list)
    assert [r.shape for r in solved.residual] == [(36, 36), (36, 56)]
    # the loss of several pairs is the loss over all their pixels
    value, _, _ = loss_and_gradient(crops, targets, np.zeros((5, 5)), loss="sum")
    assert value == pytest.approx(sum(np.sum(t**2) for t in targets))
    as_tuples = solve_kernel(list(zip(crops, targets, strict=True)), None, 5)
    np.testing.assert_array_equal(as_tuples.kernel, solved.kernel)
    learned = fit_kernel(crops, targets, 5, steps=2000, optimizer="adam", seed=0)
    assert np.abs(learned.kernel - kernel).max() < 1e-3


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64, bool])
def test_any_real_dtype_is_accepted_and_the_kernel_is_float64(dtype):
    values = np.random.default_rng(0).random((20, 20))
    x = (values > 0.5) if dtype is bool else (values * 200).astype(dtype)
    target = torch_conv2d(x.astype(np.float64), np.array([[0.5, 0.25], [0.0, -1.0]]))
    result = solve_kernel(x, target.astype(np.float32), 2)
    assert result.kernel.dtype == np.float64
    np.testing.assert_allclose(result.kernel, [[0.5, 0.25], [0.0, -1.0]], atol=1e-4)


def test_large_integers_are_used_in_full_precision():
    x = np.arange(2**24 + 1, 2**24 + 1 + 64, dtype=np.int64).reshape(8, 8)  # not exact in float32
    result = solve_kernel(x, 3 * x.astype(np.float64), 1)
    assert result.kernel[0, 0] == pytest.approx(3.0, rel=1e-12)
    assert result.rmse < 1e-3  # float32 would be off by about 1 per pixel (×3)


def test_several_pairs_may_mix_grey_and_colour_with_a_shared_kernel(colour_photo):
    grey = colour_photo[:, :, 1].astype(np.float64)
    colour = colour_photo[:40, :30].astype(np.float64)
    targets = [torch_conv2d(grey, SOBEL_X), torch_conv2d(colour, SOBEL_X)]
    result = solve_kernel([grey, colour], targets, 3)
    np.testing.assert_allclose(result.kernel, SOBEL_X, atol=1e-9)
    assert [r.shape for r in result.residual] == [(62, 62), (38, 28, 3)]


# --- what no kernel explains, and wrong calls --------------------------------------------------


@pytest.mark.parametrize("method", ["gd", "lstsq"])
def test_a_pair_no_kernel_explains_leaves_a_residual_not_an_error(photo, method):
    x = photo[:64, :64]
    result = fit_kernel(x, x**2, 3, padding="same", method=method, steps=200,
                        optimizer="adam", seed=0)
    assert result.residual.shape == x.shape
    assert np.all(np.isfinite(result.residual)) and np.isfinite(result.rmse)
    assert result.rmse > 1e-3
    assert all(np.isfinite(result.losses))


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "words"),
    [
        ((np.zeros((6, 8)), np.zeros((6, 8)), (1, 2)), {}, ValueError,
         ["targets has shape 6×8", "into 6×7", "expected target shape", "padding='same'"]),
        ((np.zeros((6, 8, 3)), np.zeros((6, 7)), (1, 2)), {}, ValueError,
         ["6×7", "into 6×7×3"]),
        ((np.zeros((30, 30)), np.zeros((30, 30)), 16), {"padding": "same"}, ValueError,
         ["16×16", "larger than the 15×15", "at most 15"]),
        ((np.zeros((30, 30)), np.zeros((30, 30)), (3, 17)), {"padding": "same"}, ValueError,
         ["3×17"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "optimizer": "adma"},
         ValueError, ["Unknown optimizer 'adma'", "Did you mean 'adam'?"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "engine": "jax"},
         ValueError, ["engine", "'numpy'", "'torch'"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "loss": "l1"},
         ValueError, ["loss", "'mean'", "'sum'"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "lr": -1.0},
         ValueError, ["lr must be a positive finite number"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "steps": 2.5},
         TypeError, ["steps must be an int", "2.5"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "steps": -1},
         ValueError, ["steps must be at least 0"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "lr": "fast"},
         TypeError, ["lr must be a number", "'fast'"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 3), {"padding": "same", "init": np.zeros((2, 2))},
         ValueError, ["init kernel has shape (2, 2)", "(3, 3)"]),
        ((np.zeros((9, 9)), np.zeros((9, 9)), 0), {}, ValueError,
         ["kernel_size must be at least 1"]),
        (([np.zeros((9, 9))], np.zeros((7, 7)), 3), {}, TypeError, ["both be single images"]),
        (([np.zeros((9, 9))] * 2, [np.zeros((7, 7))], 3), {}, ValueError, ["2 inputs but 1"]),
        (([np.zeros((9, 9)), np.zeros((8, 8))], [np.zeros((7, 7)), np.zeros((7, 7))], 3), {},
         ValueError, ["targets[1] has shape 7×7", "into 6×6"]),
        (([np.zeros((9, 9)), np.zeros((9, 9, 3))], [np.zeros((7, 7)), np.zeros((7, 7, 3))], 3),
         {"shared": False}, ValueError, ["same number of channels", "[1, 3]"]),
        ((np.full((9, 9), np.nan), np.zeros((7, 7)), 3), {}, ValueError, ["inputs", "finite"]),
        ((np.zeros((9, 9)), np.zeros((9, 9, 1, 1)), 3), {}, ValueError, ["targets", "2-D"]),
        ((np.zeros((9, 9), dtype=complex), np.zeros((7, 7)), 3), {}, TypeError, ["real numbers"]),
    ],
)
def test_wrong_calls_are_explained(args, kwargs, error, words):
    with pytest.raises(error) as info:
        fit_kernel(*args, **{"steps": 1, **kwargs})
    for word in words:
        assert word in str(info.value)


def test_bad_arguments_raise_at_the_call_not_at_the_first_step():
    with pytest.raises(ValueError, match="expected target shape"):
        learn_kernel(np.zeros((6, 8)), np.zeros((6, 8)), (1, 2))  # no next() needed
    with pytest.raises(ValueError, match="Unknown optimizer"):
        learn_kernel(*notes_pair(), (1, 2), optimizer="sdg")


def test_a_kernel_larger_than_the_padded_image_is_explained():
    with pytest.raises(ValueError, match="kernel"):
        fit_kernel(np.zeros((4, 4)), np.zeros((1, 1)), 5)


def test_divergence_is_reported_with_advice(photo):
    for engine in ("numpy", "torch"):
        with pytest.raises(ValueError, match=r"too large.*Lower it"):
            fit_kernel(photo, photo, 3, padding="same", steps=300, lr=1e3, engine=engine)


def test_the_package_exports_learn_kernel_and_learnresult():
    assert filters.learn_kernel is learn_kernel and filters.LearnResult is LearnResult
