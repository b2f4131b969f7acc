"""Learn a kernel (pages/5): a kernel that does not fit is a message (and size 1 still learns),
errors of the Start callback become messages, a full-resolution pair is learned on a centre crop,
the hidden kernel is recovered, the largest settings on tiny images never raise."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.kernels import gaussian_kernel
from tests.conftest import open_page, open_with_picture, png_bytes
from tests.rendered import grid_values, learn_steps

LEARN = "pages/5_Learn_a_kernel.py"


def errors(at) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("shape", [(1, 1), (1, 200), (200, 1)])
def test_learn_page_one_pixel_image_is_a_message_and_size_1_still_learns(shape):
    at = open_with_picture(LEARN, (np.random.default_rng(1).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    assert any("does not fit" in e for e in errors(at)), errors(at)
    assert at.button(key="learn_start").disabled
    at.number_input(key="learn_size").set_value(1).run()
    assert not at.exception and not at.error, errors(at)
    at.button(key="learn_solve").click().run()
    assert not at.exception, at.exception
    assert grid_values(at, "learn_kernel").shape == (1, 1)  # the learned 1×1 kernel is shown


def test_learn_page_kernel_larger_than_the_image_then_start_is_a_message():
    at = open_with_picture(LEARN, (np.random.default_rng(2).random((6, 6)) * 255).astype(np.uint8))
    at.number_input(key="learn_size").set_value(15).run()
    assert not at.exception, at.exception
    assert any("A 15×15 kernel does not fit in the 6×6 image" in e for e in errors(at))
    start = at.button(key="learn_start")
    if not start.disabled:  # the old page let Start run (and crash in its callback)
        start.click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="learn_size").value == 15  # the choice is kept


def test_learn_page_start_callback_errors_become_a_message(monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("the learner refuses this pair")

    monkeypatch.setattr(filters.learn, "learn_kernel", refuse)  # the page imports it per run
    at = open_page(LEARN)
    at.button(key="learn_start").click().run()
    assert not at.exception, at.exception
    assert any("the learner refuses this pair" in e for e in errors(at)), errors(at)
    # nothing was learned: no status line, no loss curve, no learned kernel
    keys = [chart.proto.id for chart in at.get("plotly_chart")]
    assert learn_steps(at) == 0 and not any(k.endswith(("learn_loss", "learn_kernel"))
                                            for k in keys), keys


def test_learn_page_pair_gives_the_full_resolution_kernel_on_a_centre_crop():
    rng = np.random.default_rng(3)
    before = (rng.random((300, 260)) * 255).astype(np.uint8)
    kernel = gaussian_kernel(7)
    after = filters.conv2d(before / 255.0, kernel, padding="same", padding_mode="reflect")
    after = np.clip(np.round(after * 255.0), 0, 255).astype(np.uint8)
    at = open_with_picture(LEARN, before)
    at.radio(key="learn_target").set_value("pair").run()
    at.file_uploader(key="learn_after").set_value(("after.png", png_bytes(after), "image/png"))
    at.run()
    at.number_input(key="learn_size").set_value(7).run()
    assert not at.exception and not at.error, errors(at)
    assert any("centre crop of 160×160" in c.value for c in at.caption)
    at.button(key="learn_solve").click().run()
    assert not at.exception, at.exception
    assert any("centre crop of 160×160 pixels of the 300×260 grey image" in c.value
               and "the 154×154 outputs where the 7×7 kernel" in c.value for c in at.caption)
    solved = grid_values(at, "learn_kernel")
    assert solved.shape == (7, 7)
    assert np.abs(solved - kernel).max() < 1e-3


def test_learn_page_hidden_kernel_is_recovered_on_the_crop():
    at = open_page(LEARN)
    at.selectbox(key="learn_hidden").select("gaussian_blur").run()
    at.number_input(key="learn_size").set_value(filters.get_kernel("gaussian_blur").shape[0])
    at.run()
    at.button(key="learn_solve").click().run()
    assert not at.exception, at.exception
    true = grid_values(at, "learn_true")
    np.testing.assert_allclose(true, filters.get_kernel("gaussian_blur"))
    assert np.abs(grid_values(at, "learn_kernel") - true).max() < 1e-6


@pytest.mark.parametrize("shape", [(1, 1), (1, 200)])
def test_learn_page_tiny_images_and_largest_settings_never_raise(shape):
    at = open_with_picture(LEARN, (np.random.default_rng(4).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    for kind in ("hidden", "custom"):
        at.radio(key="learn_target").set_value(kind).run()
        at.number_input(key="learn_size").set_value(15).run()
        assert not at.exception, (kind, at.exception)
        assert any("does not fit" in e for e in errors(at))
