"""Learning a kernel: the notes' example, exact recovery on a photo, the gradient, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.learn import fit_kernel, kernel_gradient, learn_kernel, solve_kernel


def notes_pair():
    """d2l 6.2.4: a 6×8 image of ones with columns 2…5 black, filtered with [[1, −1]]."""
    X = np.ones((6, 8))
    X[:, 2:6] = 0
    return X, filters.conv2d(X, np.array([[1.0, -1.0]]))


@pytest.fixture(scope="module")
def photo():
    grey = filters.to_grey(filters.load_sample("china")).astype(np.float64)
    return grey[150:246, 250:346]  # 96×96 with edges and texture


@pytest.mark.parametrize("seed", range(6))
def test_notes_example_learns_1_minus_1_within_20_steps(seed):
    X, Y = notes_pair()
    assert Y.shape == (6, 7)
    steps = list(learn_kernel(X, Y, (1, 2), steps=20, lr=3e-2, loss="sum", seed=seed))
    losses = [s.loss for s in steps]
    assert losses[-1] < losses[0]
    assert np.abs(steps[-1].kernel - [[1.0, -1.0]]).max() < 0.05
    # the notes print the loss every 2 of 10 iterations: it falls steadily
    assert all(b < a for a, b in zip(losses[1:10:2], losses[3:10:2], strict=False))


def test_generator_returns_a_result_with_the_residual():
    X, Y = notes_pair()
    result = fit_kernel(X, Y, (1, 2), steps=30, lr=3e-2, loss="sum", seed=1)
    assert result.steps == 30 and len(result.losses) == 30
    assert result.residual.shape == Y.shape and result.rmse < 0.05


@pytest.mark.parametrize("name", ["sobel", "gaussian5", "random5"])
def test_recovers_hidden_kernels_on_a_photo_to_1e_3(photo, name):
    kernel = {
        "sobel": filters.get_kernel("sobel_x"),
        "gaussian5": filters.gaussian_kernel(5, 1.2),
        "random5": np.random.default_rng(3).normal(size=(5, 5)),
    }[name]
    target = filters.conv2d(photo, kernel, padding="same", padding_mode="reflect", backend="numpy")
    solved = solve_kernel(photo, target, kernel.shape, padding="same", padding_mode="reflect")
    assert np.abs(solved.kernel - kernel).max() < 1e-3
    learned = fit_kernel(
        photo,
        target,
        kernel.shape,
        steps=6000,
        optimizer="adam",
        lr=0.02,
        padding="same",
        padding_mode="reflect",
        seed=0,
    )
    assert np.abs(learned.kernel - kernel).max() < 1e-3, np.abs(learned.kernel - kernel).max()


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(7)
    padded = rng.normal(size=(9, 10, 2))
    kernel = rng.normal(size=(3, 2))
    target = rng.normal(size=(7, 9, 2))

    def loss(w):
        out = filters.conv2d(padded, w, backend="numpy")
        return float(np.sum((out - target) ** 2))

    residual = filters.conv2d(padded, kernel, backend="numpy") - target
    analytic = kernel_gradient(padded, residual, kernel.shape)
    numeric = np.zeros_like(kernel)
    eps = 1e-6
    for index in np.ndindex(kernel.shape):
        step = np.zeros_like(kernel)
        step[index] = eps
        numeric[index] = (loss(kernel + step) - loss(kernel - step)) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


def test_colour_channels_share_one_kernel(photo):
    colour = np.stack([photo, photo[::-1], photo[:, ::-1]], axis=-1)
    kernel = filters.get_kernel("laplacian_4")
    target = filters.conv2d(colour, kernel)
    assert np.abs(solve_kernel(colour, target, 3).kernel - kernel).max() < 1e-9


def test_a_pair_no_kernel_explains_leaves_a_residual_not_an_error(photo):
    result = solve_kernel(photo, photo**2, 3, padding="same")
    assert np.isfinite(result.rmse) and result.rmse > 1e-3
    assert result.residual.shape == photo.shape


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(kernel_size=3), "make them match"),
        (dict(kernel_size=16, padding="same"), "over the 15×15"),
        (dict(kernel_size=3, padding="same", optimizer="lbfgs"), "Unknown optimizer 'lbfgs'"),
        (dict(kernel_size=3, padding="same", lr=-1.0), "lr must be a positive number"),
    ],
)
def test_wrong_calls_are_explained(photo, kwargs, words):
    with pytest.raises(ValueError) as info:
        fit_kernel(photo, photo, steps=1, **kwargs)
    assert words in str(info.value)


def test_divergence_is_reported_with_advice(photo):
    with pytest.raises(ValueError, match="too large"):
        fit_kernel(photo, photo, 3, padding="same", steps=200, lr=1e3)


def test_one_kernel_per_channel(photo):
    colour = np.stack([photo, photo[::-1], photo[:, ::-1]], axis=-1)
    kernels = np.stack([filters.get_kernel(n) for n in ("sobel_x", "sobel_y", "laplacian_4")])
    target = filters.conv2d(colour, _per_channel_weight(kernels))
    solved = solve_kernel(colour, target, 3, shared=False)
    assert solved.kernel.shape == (3, 3, 3)
    np.testing.assert_allclose(solved.kernel, kernels, atol=1e-9)
    learned = fit_kernel(colour, target, 3, shared=False, steps=3000, optimizer="adam", lr=0.02,
                         seed=0)
    assert learned.kernel.shape == (3, 3, 3)
    assert np.abs(learned.kernel - kernels).max() < 1e-3


def _per_channel_weight(kernels):
    """A full C×C×k×k weight that filters channel c with kernels[c] only (groups = C)."""
    weight = np.zeros((3, 3, 3, 3))
    for c in range(3):
        weight[c, c] = kernels[c]
    return weight
