"""The pages, driven headlessly with Streamlit's AppTest: real values, not just elements."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import filters

TIMEOUT = 90


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    if page:
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
    return at


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.radio(key="image_source").set_value("upload").run()
    at.file_uploader(key="upload").set_value((name, data, mime))
    at.run()
    return at


@pytest.fixture(scope="module")
def gradient() -> np.ndarray:
    rows = np.linspace(0, 255, 40)[:, None] * np.ones((1, 56))
    pixels = np.stack([rows, rows[::-1], np.full_like(rows, 90)], axis=-1)
    return pixels.astype(np.uint8)


def test_landing_page_runs_and_links_every_page():
    at = open_page()
    assert at.title[0].value == "Convolution Lab"
    assert not at.error


def test_filter_page_output_equals_conv2d_on_the_sample():
    at = open_page("pages/1_Filter.py")
    summary = at.session_state["filter_output_summary"]
    image = filters.load_sample("china")
    expected = filters.conv2d(image, filters.get_kernel("sobel_x"), padding="same",
                              padding_mode="reflect")
    assert summary["shape"] == expected.shape
    assert summary["sum"] == pytest.approx(float(expected.sum()), rel=1e-4, abs=1e-2)
    assert summary["max"] == pytest.approx(float(expected.max()), abs=1e-4)


def test_kernel_change_changes_the_output_values():
    at = open_page("pages/1_Filter.py")
    before = at.session_state["filter_output_summary"]
    at.selectbox(key="filter_kernel").select("laplacian_8").run()
    after = at.session_state["filter_output_summary"]
    assert after["sum"] != pytest.approx(before["sum"])
    image = filters.load_sample("china")
    expected = filters.conv2d(image, filters.get_kernel("laplacian_8"), padding="same",
                              padding_mode="reflect")
    assert after["min"] == pytest.approx(float(expected.min()), abs=1e-4)


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_uploaded_images_flow_through_the_filter(kind, gradient):
    at = open_page("pages/1_Filter.py")
    data = png_bytes(gradient) if kind == "png" else jpeg_bytes(gradient)
    upload(at, f"gradient.{kind}", data, f"image/{kind}")
    assert not at.exception and not at.error
    summary = at.session_state["filter_output_summary"]
    assert summary["shape"] == (40, 56, 3)
    decoded = filters.load_image(data)
    expected = filters.conv2d(decoded, filters.get_kernel("sobel_x"), padding="same",
                              padding_mode="reflect")
    assert summary["sum"] == pytest.approx(float(expected.sum()), abs=1e-3)


def test_corrupt_upload_shows_an_error_and_keeps_the_previous_image(gradient):
    at = open_page("pages/1_Filter.py")
    upload(at, "gradient.png", png_bytes(gradient), "image/png")
    good = at.session_state["filter_output_summary"]
    upload(at, "broken.png", b"\x89PNG\r\n\x1a\n this is not really a png", "image/png")
    assert not at.exception
    assert any("broken.png" in e.value for e in at.error)
    assert at.session_state["filter_output_summary"]["sum"] == pytest.approx(good["sum"])


def test_typed_kernel_errors_are_shown_and_text_kept():
    at = open_page("pages/1_Filter.py")
    at.radio(key="filter_source").set_value("custom").run()
    at.text_area(key="custom_text").input("1 2\n3").run()
    assert not at.exception
    assert any("Row 2 has 1 numbers" in e.value for e in at.error)
    assert at.text_area(key="custom_text").value == "1 2\n3"
    at.text_area(key="custom_text").input("0 0 0; 0 2 0; 0 0 0").run()
    summary = at.session_state["filter_output_summary"]
    image = filters.load_sample("china")
    assert summary["sum"] == pytest.approx(float(2 * image.sum()), rel=1e-5)


def test_stride_that_leaves_no_output_is_a_message_not_a_traceback():
    at = open_page("pages/1_Filter.py")
    at.radio(key="filter_padding_kind").set_value("valid").run()
    at.number_input(key="filter_dilation").set_value(32).run()
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()
    at.slider(key="param_gaussian_blur_size").set_value(31).run()
    assert not at.exception
    assert any("no output" in e.value for e in at.error)


def test_channel_mixing_full_weight_matches_conv2d():
    at = open_page("pages/1_Filter.py")
    at.radio(key="filter_source").set_value("mix").run()
    summary = at.session_state["filter_output_summary"]
    image = filters.load_sample("china")
    weight = np.array([0.299, 0.587, 0.114])[None, :, None, None] * \
        filters.get_kernel("sobel_x")[None, None]
    expected = filters.conv2d(image, weight, padding="same", padding_mode="reflect")
    assert summary["shape"] == expected.shape == (427, 640, 1)
    assert summary["sum"] == pytest.approx(float(expected.sum()), abs=1e-2)


def test_saved_kernel_lands_in_the_library_and_is_usable():
    at = open_page("pages/1_Filter.py")
    at.text_input(key="save_name_sobel_x").input("my edge").run()
    at.button(key="save_kernel").click().run()
    assert "my edge" in at.session_state["kernel_library"]
    at.radio(key="filter_source").set_value("library").run()
    assert not at.exception
    assert at.selectbox(key="library_pick").value == "my edge"


def test_chinese_switch_changes_the_text():
    at = open_page("pages/1_Filter.py")
    assert at.title[0].value == "Filter"
    at.radio(key="lang").set_value("zh").run()
    assert at.title[0].value == "滤波"
    assert any("卷积" in c.value for c in at.caption)


def test_padding_page_grids_equal_the_notes():
    from tests.test_study_notes import SEED2_PADDED

    at = open_page("pages/2_Padding.py")
    grids = at.session_state["padding_grids"]
    for mode, expected in SEED2_PADDED.items():
        assert grids[mode] == expected


def test_padding_page_runs_on_a_tiny_upload():
    at = open_page("pages/2_Padding.py")
    upload(at, "tiny.png", png_bytes(np.full((3, 3), 200, np.uint8)), "image/png")
    assert not at.exception


def test_explain_page_steps_through_seed000_to_the_notes_output():
    from tests.test_study_notes import SEED0_OUTPUT

    at = open_page("pages/4_How_convolution_works.py")
    current = at.session_state["explain_current"]
    assert current["output"] == SEED0_OUTPUT
    assert current["index"] == 0 and current["value"] == -3.0
    assert current["products"] == [[1, 0, -3], [0, 0, -2], [2, 0, -1]]
    values = [current["value"]]
    for _ in range(8):
        at.button(key="explain_next").click().run()
        values.append(at.session_state["explain_current"]["value"])
    assert values == [v for row in SEED0_OUTPUT for v in row]
    at.button(key="explain_next").click().run()  # wraps around
    assert at.session_state["explain_current"]["index"] == 0


def test_explain_page_multichannel_sums_slices_plus_bias():
    at = open_page("pages/4_How_convolution_works.py")
    at.radio(key="explain_data").set_value("channels").run()
    assert at.session_state["explain_current"]["output"] == [[57.0, 73.0], [105.0, 121.0]]


def test_explain_page_flip_rotates_the_kernel_and_patch_mode_runs():
    at = open_page("pages/4_How_convolution_works.py")
    at.toggle(key="explain_flip").set_value(True).run()
    assert at.session_state["explain_current"]["output"][0][0] == 3.0
    at.radio(key="explain_data").set_value("patch").run()
    assert not at.exception and not at.error


def test_solver_presets_give_the_notes_numbers():
    at = open_page("pages/4_How_convolution_works.py")
    expected = {"s000": 3, "down": 16, "up": 32, "five": 5, "six": 6, "dilated": 5, "lenet": 28}
    for name, size in expected.items():
        at.button(key=f"preset_{name}").click().run()
        assert at.session_state["solver_out"] == size, name
    at.button(key="preset_up").click().run()
    at.number_input(key="solver_op").set_value(2).run()  # output_padding = stride: refused
    assert any("output_padding (2) must be smaller" in e.value for e in at.error)


def test_pooling_page_numbers():
    at = open_page("pages/3_Pooling_and_Upsampling.py")
    assert at.session_state["pool_output_shape"] == (213, 320, 3)  # 427×640 max-pooled by 2
    assert at.session_state["round_trip"] == (16, 31, 32)
    assert at.session_state["checkerboard"] == [1.0, 2.0, 4.0]
    winners = at.session_state["pool_winners"]
    assert len(winners) == 16
    for row, col in winners:  # each winner lies in its own 2×2 window
        assert (row // 2, col // 2) in {(r // 2, c // 2) for r, c in winners}
    at.radio(key="pool_mode").set_value("avg").run()
    at.toggle(key="pool_ceil").set_value(True).run()
    at.number_input(key="pool_kernel").set_value(3).run()
    assert at.session_state["pool_output_shape"] == (
        filters.pooling.pool_output_size(427, 3, 2, 0, 1, True),
        filters.pooling.pool_output_size(640, 3, 2, 0, 1, True), 3)
    at.number_input(key="pool_padding").set_value(2).run()  # more than half of 3: refused
    assert any("more than half the pooling window" in e.value for e in at.error)


def test_pooling_page_custom_transposed_kernel_and_bad_text():
    at = open_page("pages/3_Pooling_and_Upsampling.py")
    assert at.session_state["up_transposed_shape"] == (96, 96)
    at.radio(key="up_tkernel").set_value("custom").run()
    at.text_area(key="up_text").input("1 2 x").run()
    assert not at.exception
    assert any("'x' is not a number" in e.value for e in at.error)


def test_receptive_field_page_presets():
    at = open_page("pages/7_Receptive_fields.py")
    at.selectbox(key="rf_preset").select("two 3×3").run()
    assert at.session_state["rf_stats"][-1][1] == 5
    top, left, bottom, right = at.session_state["rf_window"]
    assert bottom - top + 1 == 5 and right - left + 1 == 5
    at.selectbox(key="rf_preset").select("three 3×3").run()
    assert at.session_state["rf_stats"][-1][1] == 7
    at.selectbox(key="rf_preset").select("LeNet").run()
    assert [s[0] for s in at.session_state["rf_stats"]] == [427, 213, 209, 104]
    at.selectbox(key="rf_preset").select("custom").run()
    at.text_input(key="rf_text").input("conv3,blur").run()
    assert not at.exception and any("Layer 2 'blur'" in e.value for e in at.error)


def test_learn_page_start_steps_pause_and_the_kernel_lands_in_the_library():
    at = open_page("pages/5_Learn_a_kernel.py")
    at.selectbox(key="learn_hidden").select("sobel_x").run()
    at.button(key="learn_start").click().run()
    at.run()  # a fragment tick (run_every does not tick in AppTest)
    steps = at.session_state["learn_summary"]["steps"]
    assert steps >= 100
    at.run()
    assert at.session_state["learn_summary"]["steps"] > steps
    at.button(key="learn_pause").click().run()
    paused = at.session_state["learn_summary"]["steps"]
    at.run()
    assert at.session_state["learn_summary"]["steps"] == paused
    at.button(key="learn_start").click().run()  # resume keeps the progress
    assert at.session_state["learn_summary"]["steps"] > paused
    at.button(key="learn_solve").click().run()
    learned = np.array(at.session_state["learn_summary"]["kernel"])
    np.testing.assert_allclose(learned, filters.get_kernel("sobel_x"), atol=1e-6)
    at.text_input(key="learn_save_name").input("recovered sobel").run()
    at.button(key="learn_save").click().run()
    library = at.session_state["kernel_library"]
    assert library["recovered sobel"].source == "learned"
    at.switch_page("pages/1_Filter.py").run()
    at.radio(key="filter_source").set_value("library").run()
    assert at.selectbox(key="library_pick").value == "recovered sobel"
    assert not at.exception


def test_learn_page_mismatched_after_image_is_a_message(gradient):
    at = open_page("pages/5_Learn_a_kernel.py")
    at.radio(key="learn_target").set_value("pair").run()
    at.file_uploader(key="learn_after").set_value(("after.png", png_bytes(gradient), "image/png"))
    at.run()
    assert not at.exception
    assert any("must be the same size" in e.value for e in at.error)


def test_explain_page_transposed_conv_is_zero_insertion_padding_and_flipped_conv():
    at = open_page("pages/4_How_convolution_works.py")
    assert at.session_state["tconv_shape"] == (5, 5) and at.session_state["tconv_check"]
    at.number_input(key="tconv_op").set_value(1).run()
    assert at.session_state["tconv_shape"] == (6, 6) and at.session_state["tconv_check"]


def test_lenet_page_start_ticks_pause_resume_reset():
    at = open_page("pages/6_Train_LeNet.py")
    at.button(key="lenet_start").click().run()
    first = at.session_state["lenet_summary"]["losses"]
    assert first > 0
    at.run()  # a fragment tick
    at.run()
    grown = at.session_state["lenet_summary"]["losses"]
    assert grown > first
    at.button(key="lenet_pause").click().run()
    paused = at.session_state["lenet_summary"]["losses"]
    at.run()
    assert at.session_state["lenet_summary"]["losses"] == paused
    assert at.session_state["lenet_confusion_total"] == 360  # the digits test set
    assert at.session_state["lenet_maps"]["conv2"] == (16, 10, 10)
    at.button(key="lenet_start").click().run()  # resume continues from where it was
    assert at.session_state["lenet_summary"]["losses"] > paused
    at.button(key="lenet_reset").click().run()
    assert at.session_state["lenet_run"] is None
    assert not at.exception


def test_two_sessions_training_at_once_do_not_share_state():
    one, two = open_page("pages/6_Train_LeNet.py"), open_page("pages/6_Train_LeNet.py")
    one.button(key="lenet_start").click().run()
    one.run()
    two.run()
    assert one.session_state["lenet_summary"]["steps"] > 0
    assert "lenet_run" not in two.session_state or two.session_state["lenet_run"] is None
    two.button(key="lenet_start").click().run()
    assert two.session_state["lenet_run"]["trainer"] is not one.session_state["lenet_run"][
        "trainer"]
    assert two.session_state["lenet_summary"]["steps"] < one.session_state["lenet_summary"][
        "steps"]
