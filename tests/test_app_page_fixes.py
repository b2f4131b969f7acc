"""Regression tests for pages 4, 5 and 7: inputs that used to raise a Streamlit exception now
give a message in the page (and keep the user's choices); the learn page works on a centre crop
of the full-resolution pair; the receptive-field presets are translated."""

from __future__ import annotations

import numpy as np
import pytest

import filters
from filters.kernels import gaussian_kernel
from tests.conftest import open_page, png_bytes, upload
from tests.rendered import explain_step, grid_values, learn_steps, rf_table

EXPLAIN = "pages/4_How_convolution_works.py"
LEARN = "pages/5_Learn_a_kernel.py"
RF = "pages/7_Receptive_fields.py"


def _on_page(page: str, pixels: np.ndarray, lang: str | None = None):
    """The app with ``pixels`` (uint8) uploaded as the current image, switched to ``page``."""
    at = open_page(lang=lang)
    upload(at, "picture.png", png_bytes(pixels), "image/png")
    assert not at.exception, at.exception
    at.switch_page(page).run()
    return at


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _has_widget(at, kind: str, key: str) -> bool:
    try:
        getattr(at, kind)(key=key)
    except KeyError:
        return False
    return True


# --- 1. How convolution works: one window position ------------------------------------------


@pytest.mark.parametrize("widget, value", [("explain_dilation", 2), ("explain_stride", 3)])
def test_explain_page_single_window_position_shows_the_step_without_a_slider(widget, value):
    at = open_page(EXPLAIN)
    at.number_input(key=widget).set_value(value).run()
    assert not at.exception, at.exception
    assert not at.error, _errors(at)
    current = explain_step(at)
    assert current["partial"].shape == (1, 1) and current["index"] == 0
    assert not np.isnan(current["partial"]).any()  # the one step fills the whole output
    assert not _has_widget(at, "slider", "explain_step")
    assert any("Only one window position" in c.value for c in at.caption)
    assert at.number_input(key=widget).value == value  # the choice is kept
    at.number_input(key=widget).set_value(1).run()  # back to many steps: the slider returns
    assert not at.exception and _has_widget(at, "slider", "explain_step")


def test_explain_page_play_and_the_step_slider_do_not_fight():
    at = open_page(EXPLAIN)
    at.toggle(key="explain_play").set_value(True).run()
    assert not at.exception, at.exception
    assert explain_step(at)["index"] == 1  # Play advanced one step
    at.toggle(key="explain_play").set_value(False).run()
    at.slider(key="explain_step").set_value(5).run()
    assert not at.exception and explain_step(at)["index"] == 5
    at.button(key="explain_next").click().run()
    assert explain_step(at)["index"] == 6
    assert at.slider(key="explain_step").value == 6


@pytest.mark.parametrize("shape", [(1, 1), (1, 200), (4, 4)])
def test_explain_page_patch_of_a_tiny_image_is_a_message(shape):
    at = _on_page(EXPLAIN, np.full(shape, 100, np.uint8))
    at.radio(key="explain_data").set_value("patch").run()
    assert not at.exception, at.exception
    assert any("smaller than a" in c.value for c in at.caption)
    if shape == (1, 1) or shape == (1, 200):  # a 3×3 kernel does not fit one row
        assert any("kernel spans" in e for e in _errors(at)), _errors(at)
        at.number_input(key="explain_padding").set_value(1).run()  # padding makes it fit
        assert not at.exception and not at.error, _errors(at)


# --- 2. Learn a kernel --------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (1, 200), (200, 1)])
def test_learn_page_one_pixel_image_is_a_message_and_size_1_still_learns(shape):
    at = _on_page(LEARN, (np.random.default_rng(1).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    assert any("does not fit" in e for e in _errors(at)), _errors(at)
    assert at.button(key="learn_start").disabled
    at.number_input(key="learn_size").set_value(1).run()
    assert not at.exception and not at.error, _errors(at)
    at.button(key="learn_solve").click().run()
    assert not at.exception, at.exception
    assert grid_values(at, "learn_kernel").shape == (1, 1)  # the learned 1×1 kernel is shown


def test_learn_page_kernel_larger_than_the_image_then_start_is_a_message():
    at = _on_page(LEARN, (np.random.default_rng(2).random((6, 6)) * 255).astype(np.uint8))
    at.number_input(key="learn_size").set_value(15).run()
    assert not at.exception, at.exception
    assert any("A 15×15 kernel does not fit in the 6×6 image" in e for e in _errors(at))
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
    assert any("the learner refuses this pair" in e for e in _errors(at)), _errors(at)
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
    at = _on_page(LEARN, before)
    at.radio(key="learn_target").set_value("pair").run()
    at.file_uploader(key="learn_after").set_value(("after.png", png_bytes(after), "image/png"))
    at.run()
    at.number_input(key="learn_size").set_value(7).run()
    assert not at.exception and not at.error, _errors(at)
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


# --- 3. Receptive fields: translated presets ------------------------------------------------


def test_receptive_field_presets_are_translated_and_keep_their_values():
    at = open_page(RF, lang="zh")
    options = at.selectbox(key="rf_preset").options
    for english in ("three 3×3", "VGG block", "ResNet bottleneck", "depthwise separable"):
        assert not any(english in option for option in options), options
    assert "三个 3×3 卷积" in options and "MobileNet 深度可分离卷积" in options
    # AppTest formats values outside the session (in English): choose in English, then check
    # that the value (not its label) survives the switch back to Chinese.
    at.radio(key="lang").set_value("en").run()
    assert "three 3×3" in at.selectbox(key="rf_preset").options
    at.selectbox(key="rf_preset").select("three 3×3").run()
    assert not at.exception and rf_table(at, 3)[-1] == 7
    at.radio(key="lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert at.session_state["rf_preset"] == "three 3×3"
    assert rf_table(at, 3)[-1] == 7
    assert at.dataframe[0].value.columns[3] == "感受野"  # the table in Chinese


# --- 4. Tiny images and the largest settings on the three pages -----------------------------


@pytest.mark.parametrize("shape", [(1, 1), (1, 200)])
def test_tiny_images_and_largest_settings_never_raise(shape):
    at = _on_page(EXPLAIN, (np.random.default_rng(4).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    at.radio(key="explain_data").set_value("patch").run()
    at.slider(key="explain_patch_size").set_value(9).run()
    for key, value in (("explain_stride", 3), ("explain_dilation", 3), ("explain_padding", 3)):
        at.number_input(key=key).set_value(value).run()
        assert not at.exception, (key, at.exception)
    at.selectbox(key="explain_mode").set_value("reflect").run()
    assert not at.exception and at.error  # reflect 3 on one row: the library's message

    at.switch_page(LEARN).run()
    assert not at.exception, at.exception
    for kind in ("hidden", "custom"):
        at.radio(key="learn_target").set_value(kind).run()
        at.number_input(key="learn_size").set_value(15).run()
        assert not at.exception, (kind, at.exception)
        assert any("does not fit" in e for e in _errors(at))

    at.switch_page(RF).run()
    assert not at.exception, at.exception
    for preset in at.selectbox(key="rf_preset").options:
        at.selectbox(key="rf_preset").select_index(
            at.selectbox(key="rf_preset").options.index(preset)).run()
        at.number_input(key="rf_channels").set_value(2048).run()
        assert not at.exception, (preset, at.exception)
    at.text_input(key="rf_text").input("conv15d100,convT15s1000,pool1000").run()
    assert not at.exception, at.exception
