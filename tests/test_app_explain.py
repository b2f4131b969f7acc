"""How convolution works (pages/4): inputs that once raised a Streamlit exception are a message
in the page and keep the user's choices (one window position, Play and the step slider, the patch
of a tiny image, the largest settings)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import open_page, open_with_picture
from tests.rendered import explain_step

EXPLAIN = "pages/4_How_convolution_works.py"


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def has_widget(at, kind: str, key: str) -> bool:
    try:
        getattr(at, kind)(key=key)
    except KeyError:
        return False
    return True


@pytest.mark.parametrize("widget, value", [("explain_dilation", 2), ("explain_stride", 3)])
def test_explain_page_single_window_position_shows_the_step_without_a_slider(widget, value):
    at = open_page(EXPLAIN)
    at.number_input(key=widget).set_value(value).run()
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    current = explain_step(at)
    assert current["partial"].shape == (1, 1) and current["index"] == 0
    assert not np.isnan(current["partial"]).any()  # the one step fills the whole output
    assert not has_widget(at, "slider", "explain_step")
    assert any("Only one window position" in c.value for c in at.caption)
    assert at.number_input(key=widget).value == value  # the choice is kept
    at.number_input(key=widget).set_value(1).run()  # back to many steps: the slider returns
    assert not at.exception and has_widget(at, "slider", "explain_step")


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
    at = open_with_picture(EXPLAIN, np.full(shape, 100, np.uint8))
    at.radio(key="explain_data").set_value("patch").run()
    assert not at.exception, at.exception
    assert any("smaller than a" in c.value for c in at.caption)
    if shape == (1, 1) or shape == (1, 200):  # a 3×3 kernel does not fit one row
        assert any("kernel spans" in e for e in errors(at)), errors(at)
        at.number_input(key="explain_padding").set_value(1).run()  # padding makes it fit
        assert not at.exception and not at.error, errors(at)


@pytest.mark.parametrize("shape", [(1, 1), (1, 200)])
def test_explain_page_tiny_images_and_largest_settings_never_raise(shape):
    at = open_with_picture(EXPLAIN, (np.random.default_rng(4).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    at.radio(key="explain_data").set_value("patch").run()
    at.slider(key="explain_patch_size").set_value(9).run()
    for key, value in (("explain_stride", 3), ("explain_dilation", 3), ("explain_padding", 3)):
        at.number_input(key=key).set_value(value).run()
        assert not at.exception, (key, at.exception)
    at.selectbox(key="explain_mode").set_value("reflect").run()
    assert not at.exception and at.error  # reflect 3 on one row: the library's message
