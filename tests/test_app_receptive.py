"""Receptive fields (pages/7): the presets are translated and keep their values; the largest
settings on tiny images never raise."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import open_page, open_with_picture
from tests.rendered import rf_table

RF = "pages/7_Receptive_fields.py"


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


@pytest.mark.parametrize("shape", [(1, 1), (1, 200)])
def test_receptive_field_page_tiny_images_and_largest_settings_never_raise(shape):
    at = open_with_picture(RF, (np.random.default_rng(4).random(shape) * 255).astype(np.uint8))
    assert not at.exception, at.exception
    for preset in at.selectbox(key="rf_preset").options:
        at.selectbox(key="rf_preset").select_index(
            at.selectbox(key="rf_preset").options.index(preset)).run()
        at.number_input(key="rf_channels").set_value(2048).run()
        assert not at.exception, (preset, at.exception)
    at.text_input(key="rf_text").input("conv15d100,convT15s1000,pool1000").run()
    assert not at.exception, at.exception
