"""The Filter page, driven with AppTest: every number is checked against filters.conv2d (itself
checked against PyTorch in test_conv_torch.py), never only that an element exists."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import filters
from filters.kernels import load_weight_npy
from tests.conftest import jpeg_bytes, open_page, png_bytes, upload
from tests.rendered import image_captions, output_stats, shape_in
from ui.kernel_editor import (
    apply_grid_edits,
    block_diagonal_weight,
    resize_kernel,
)

FILTER = "pages/1_Filter.py"
CHINA = filters.load_sample("china")
LUMA = np.array([0.299, 0.587, 0.114])


def summary(at) -> dict:
    """The output statistics the page shows (four significant digits)."""
    return output_stats(at)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_as(value: float) -> float:
    """``value`` rounded as the page's metrics show it (four significant digits)."""
    return float(f"{value:.4g}")


def assert_matches(at, expected: np.ndarray) -> None:
    """The page shows the shape, min, max and mean of ``expected``, and the output caption its
    height and width."""
    got = summary(at)
    assert got["shape"] == expected.shape
    output = next(c for c in image_captions(at) if c.startswith("Output"))
    assert shape_in(output) == expected.shape[:2]
    for name, value in (("min", expected.min()), ("max", expected.max()),
                        ("mean", expected.mean(dtype=np.float64))):
        assert got[name] == pytest.approx(shown_as(float(value)), rel=1e-3, abs=1e-6), name


def test_default_output_is_sobel_x_on_the_sample_and_the_metrics_show_it():
    at = open_page(FILTER)
    expected = filters.conv2d(CHINA, filters.get_kernel("sobel_x"), padding="same",
                              padding_mode="reflect")
    assert_matches(at, expected)
    shown = metrics(at)
    assert float(shown["min"]) == pytest.approx(float(expected.min()), rel=1e-3)
    assert float(shown["max"]) == pytest.approx(float(expected.max()), rel=1e-3)
    assert shown["shape"] == "427×640×3"


def test_kernel_change_changes_the_output_values():
    at = open_page(FILTER)
    before = summary(at)
    at.selectbox(key="filter_kernel").select("laplacian_8").run()
    after = summary(at)
    assert after["min"] != pytest.approx(before["min"])
    assert float(metrics(at)["min"]) != pytest.approx(float(before["min"]), rel=1e-3)
    assert_matches(at, filters.conv2d(CHINA, filters.get_kernel("laplacian_8"), padding="same",
                                      padding_mode="reflect"))


def test_parametric_kernel_sliders_change_the_kernel():
    at = open_page(FILTER)
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()
    at.slider(key="param_gaussian_blur_size").set_value(9).run()
    at.slider(key="param_gaussian_blur_sigma").set_value(2.5).run()
    kernel = filters.get_kernel("gaussian_blur", size=9, sigma=2.5)
    assert_matches(at, filters.conv2d(CHINA, kernel, padding="same", padding_mode="reflect"))
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("motion_blur").run()
    at.slider(key="param_motion_blur_angle").set_value(45.0).run()
    kernel = filters.get_kernel("motion_blur", length=9, angle=45.0)
    assert_matches(at, filters.conv2d(CHINA, kernel, padding="same", padding_mode="reflect"))


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_uploaded_images_flow_through_the_filter(kind, gradient_rgb):
    at = open_page(FILTER)
    data = png_bytes(gradient_rgb) if kind == "png" else jpeg_bytes(gradient_rgb)
    upload(at, f"gradient.{kind}", data, f"image/{kind}")
    assert not at.exception and not at.error
    decoded = filters.load_image(data)
    assert_matches(at, filters.conv2d(decoded, filters.get_kernel("sobel_x"), padding="same",
                                      padding_mode="reflect"))


def test_corrupt_upload_keeps_the_previous_output(gradient_rgb):
    at = open_page(FILTER)
    upload(at, "gradient.png", png_bytes(gradient_rgb), "image/png")
    good = summary(at)
    upload(at, "broken.png", b"\x89PNG\r\n\x1a\n this is not really a png", "image/png")
    assert not at.exception
    assert any("broken.png" in e.value for e in at.error)
    assert summary(at) == good


def test_settings_stride_padding_dilation_bias_flip_and_backend():
    at = open_page(FILTER)
    kernel = filters.get_kernel("sobel_x")
    at.number_input(key="filter_stride").set_value(2).run()
    at.number_input(key="filter_dilation").set_value(2).run()
    at.radio(key="filter_padding_kind").set_value("custom").run()
    at.number_input(key="filter_padding").set_value(3).run()
    at.selectbox(key="filter_padding_mode").select("circular").run()
    at.number_input(key="filter_bias").set_value(0.5).run()
    at.toggle(key="filter_flip").set_value(True).run()
    expected = filters.conv2d(CHINA, kernel, stride=2, padding=3, padding_mode="circular",
                              dilation=2, bias=0.5, flip=True)
    assert expected.shape[:2] == (filters.output_size(427, 3, 2, 3, 2),
                                  filters.output_size(640, 3, 2, 3, 2))
    assert_matches(at, expected)
    # the formula shows the user's numbers and the result
    formula = " ".join(e.value for e in at.latex)
    assert "427 + 3 + 3 - 2\\cdot(3-1) - 1) / 2" in formula
    assert f"\\mathbf{{{expected.shape[0]}}}" in formula
    at.selectbox(key="filter_backend").select("numpy").run()
    assert_matches(at, expected)


def test_true_convolution_is_correlation_with_the_rotated_kernel():
    at = open_page(FILTER)
    at.radio(key="filter_category").set_value("other").run()
    at.selectbox(key="filter_kernel").select("emboss").run()
    correlation = summary(at)
    at.toggle(key="filter_flip").set_value(True).run()
    rotated = filters.get_kernel("emboss")[::-1, ::-1]
    assert_matches(at, filters.conv2d(CHINA, rotated, padding="same", padding_mode="reflect"))
    assert summary(at)["max"] != pytest.approx(correlation["max"])


def test_typed_kernel_errors_are_shown_and_the_text_kept():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("custom").run()
    at.text_area(key="custom_text").input("1 2\n3").run()
    assert not at.exception
    assert any("Row 2 has 1 numbers" in e.value for e in at.error)
    assert at.text_area(key="custom_text").value == "1 2\n3"
    at.text_area(key="custom_text").input("0 0 0; 0 2 0; 0 0 0").run()
    assert not at.error
    assert_matches(at, 2 * CHINA)  # the centre tap 2 doubles every pixel
    at.text_area(key="custom_text").input("1/16\n1 2 1\n2 4 2\n1 2 1").run()
    kernel = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    assert_matches(at, filters.conv2d(CHINA, kernel, padding="same", padding_mode="reflect"))


def test_grid_size_inputs_resize_the_typed_kernel():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("custom").run()
    at.text_area(key="custom_text").input("1 -1").run()
    at.number_input(key="custom_rows").set_value(2).run()
    assert filters.parse_kernel(at.text_area(key="custom_text").value).tolist() == [
        [1.0, -1.0], [0.0, 0.0]]
    assert_matches(at, filters.conv2d(CHINA, np.array([[1.0, -1.0], [0.0, 0.0]]),
                                      padding="same", padding_mode="reflect"))


def test_edit_a_copy_puts_the_catalogue_kernel_into_the_editor():
    at = open_page(FILTER)
    at.selectbox(key="filter_kernel").select("prewitt_y").run()
    at.button(key="edit_copy").click().run()
    assert at.radio(key="filter_source").value == "custom"
    typed = filters.parse_kernel(at.text_area(key="custom_text").value)
    np.testing.assert_array_equal(typed, filters.get_kernel("prewitt_y"))


def test_stride_that_leaves_no_output_is_a_message_not_a_traceback():
    at = open_page(FILTER)
    at.radio(key="filter_padding_kind").set_value("valid").run()
    at.number_input(key="filter_dilation").set_value(32).run()
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()
    at.slider(key="param_gaussian_blur_size").set_value(31).run()
    assert not at.exception
    assert any("no output" in e.value for e in at.error)
    at.radio(key="filter_padding_kind").set_value("same").run()
    at.number_input(key="filter_stride").set_value(2).run()  # torch: "same" needs stride 1
    assert not at.exception
    assert any("stride" in e.value for e in at.error)


# --- channel mixing --------------------------------------------------------------------------


def test_rgb_to_grey_then_kernel_is_a_1x3_weight():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("mix").run()
    weight = LUMA[None, :, None, None] * filters.get_kernel("sobel_x")[None, None]
    expected = filters.conv2d(CHINA, weight, padding="same", padding_mode="reflect")
    assert expected.shape == (427, 640, 1)
    assert_matches(at, expected)
    at.number_input(key="mix_w_b").set_value(1.0).run()
    weight = np.array([0.299, 0.587, 1.0])[None, :, None, None] * \
        filters.get_kernel("sobel_x")[None, None]
    assert_matches(at, filters.conv2d(CHINA, weight, padding="same", padding_mode="reflect"))


def test_a_different_kernel_on_each_channel():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("mix").run()
    at.radio(key="mix_preset").set_value("per_channel").run()
    at.selectbox(key="mix_b").select("gaussian_blur").run()  # 5×5 next to two 3×3
    expected = np.stack([
        filters.conv2d(CHINA[:, :, 0], filters.get_kernel("sobel_x"), padding=1,
                       padding_mode="reflect"),
        filters.conv2d(CHINA[:, :, 1], filters.get_kernel("sobel_y"), padding=1,
                       padding_mode="reflect"),
        filters.conv2d(CHINA[:, :, 2], filters.get_kernel("gaussian_blur"), padding=2,
                       padding_mode="reflect"),
    ], axis=-1)
    assert_matches(at, expected)


def test_swap_red_and_blue():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("mix").run()
    at.radio(key="mix_preset").set_value("swap").run()
    assert_matches(at, CHINA[:, :, ::-1])


def test_a_weight_from_an_npy_file_and_its_channel_picker():
    rng = np.random.default_rng(3)
    weight = rng.normal(size=(4, 3, 3, 3))
    buffer = io.BytesIO()
    np.save(buffer, weight)
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("mix").run()
    at.radio(key="mix_preset").set_value("npy").run()
    assert any("C_out×3×kh×kw" in i.value for i in at.info)
    at.file_uploader(key="mix_npy_file").set_value(("w.npy", buffer.getvalue(),
                                                    "application/octet-stream")).run()
    assert_matches(at, filters.conv2d(CHINA, weight, padding="same", padding_mode="reflect"))
    assert at.slider(key="channel").max == 3
    at.slider(key="channel").set_value(3).run()
    smaller = io.BytesIO()
    np.save(smaller, weight[:2])
    at.file_uploader(key="mix_npy_file").set_value(("w2.npy", smaller.getvalue(),
                                                    "application/octet-stream")).run()
    assert not at.exception
    assert at.slider(key="channel").value == 1 and at.slider(key="channel").max == 1
    at.file_uploader(key="mix_npy_file").set_value(("bad.npy", b"nonsense",
                                                    "application/octet-stream")).run()
    assert not at.exception
    assert any("Not a NumPy .npy file" in e.value for e in at.error)


def test_channel_mixing_on_a_grey_image_explains_itself():
    at = open_page(FILTER)
    at.radio(key="colour_mode").set_value("grey").run()
    at.radio(key="filter_source").set_value("mix").run()
    assert not at.exception
    assert any("colour image" in w.value for w in at.warning)


# --- the kernel library ----------------------------------------------------------------------


def test_saved_kernel_lands_in_the_library_and_filters_like_the_original():
    at = open_page(FILTER)
    at.selectbox(key="filter_kernel").select("scharr_y").run()
    at.text_input(key="save_name_scharr_y").input("my edge").run()
    at.button(key="save_kernel").click().run()
    saved = at.session_state["kernel_library"]["my edge"]
    assert saved.source == "catalogue" and saved.meta["catalogue"] == "scharr_y"
    at.radio(key="filter_source").set_value("library").run()
    assert at.selectbox(key="library_pick").value == "my edge"
    assert_matches(at, filters.conv2d(CHINA, filters.get_kernel("scharr_y"), padding="same",
                                      padding_mode="reflect"))
    at.button(key="library_remove").click().run()
    assert "my edge" not in at.session_state["kernel_library"]
    assert any("empty" in i.value for i in at.info)


def test_kernels_upload_from_json_and_text_files():
    at = open_page(FILTER)
    at.radio(key="filter_source").set_value("library").run()
    data = json.dumps([
        {"name": "learned edge", "values": [[1, -1]], "source": "learned", "meta": {"loss": 0.01}},
        {"name": "blur", "values": [[1, 1], [1, 1]]},
    ]).encode()
    at.file_uploader(key="kernel_upload").set_value(("k.json", data, "application/json")).run()
    library = at.session_state["kernel_library"]
    assert library["learned edge"].source == "learned"
    assert library["learned edge"].meta == {"loss": 0.01}
    assert library["blur"].source == "uploaded"
    assert at.selectbox(key="library_pick").value == "blur"
    assert_matches(at, filters.conv2d(CHINA, np.ones((2, 2)), padding="same",
                                      padding_mode="reflect"))
    ridge = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    at.file_uploader(key="kernel_upload").set_value(("ridge.txt", b"0 -1 0\n-1 4 -1\n0 -1 0",
                                                     "text/plain")).run()
    assert at.selectbox(key="library_pick").value == "ridge"
    assert_matches(at, filters.conv2d(CHINA, ridge, padding="same", padding_mode="reflect"))
    at.file_uploader(key="kernel_upload").set_value(("bad.json", b'[{"values": 3}]',
                                                     "application/json")).run()
    assert not at.exception
    assert any("'values' must be a list of rows" in e.value for e in at.error)


# --- pure helpers of the kernel editor -------------------------------------------------------


def test_grid_edits_resize_and_block_diagonal_weights():
    base = np.arange(6.0).reshape(2, 3)
    edited = apply_grid_edits(base, {"edited_rows": {0: {"2": -5.0}, 1: {"0": None}}})
    assert edited.tolist() == [[0.0, 1.0, -5.0], [0.0, 4.0, 5.0]]
    assert base[0, 2] == 2.0  # the original is untouched
    assert resize_kernel(base, 3, 2).tolist() == [[0.0, 1.0], [3.0, 4.0], [0.0, 0.0]]
    weight = block_diagonal_weight([np.ones((1, 1)), 2 * np.ones((3, 3))])
    assert weight.shape == (2, 2, 3, 3)
    assert weight[0, 0].tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert weight[0, 1].sum() == 0 and weight[1, 0].sum() == 0 and weight[1, 1].sum() == 18


@pytest.mark.parametrize("array, message", [
    (np.ones((3, 3)), "4-D"),
    (np.full((1, 1, 3, 3), np.nan), "NaN"),
    (np.ones((1, 1, 33, 33)), "too large"),
    (np.array([["a"]]), "real numbers"),
])
def test_bad_weight_files_are_refused_with_a_reason(array, message):
    buffer = io.BytesIO()
    np.save(buffer, array)
    with pytest.raises(ValueError, match=message):
        load_weight_npy(buffer.getvalue())


def test_any_setting_combination_gives_the_library_result_or_its_message(noise_rgb):
    """A sample of the settings grid on a small upload: the page shows exactly conv2d's result,
    or, where conv2d refuses, its message — never a traceback."""
    rng = np.random.default_rng(11)
    image = filters.load_image(png_bytes(noise_rgb[:20, :30]))
    at = open_page(FILTER)
    upload(at, "small.png", png_bytes(noise_rgb[:20, :30]), "image/png")
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("motion_blur").run()  # 9×9, not symmetric
    at.slider(key="param_motion_blur_angle").set_value(30.0).run()
    kernel = filters.get_kernel("motion_blur", length=9, angle=30.0)
    outcomes = {"result": 0, "message": 0}
    for _ in range(24):
        stride = int(rng.choice([1, 2, 5]))
        dilation = int(rng.choice([1, 2, 3]))
        kind = str(rng.choice(["same", "valid", "custom"]))
        amount = int(rng.choice([0, 4, 19, 40]))
        mode = str(rng.choice(filters.PADDING_MODES))
        flip = bool(rng.integers(2))
        at.number_input(key="filter_stride").set_value(stride)
        at.number_input(key="filter_dilation").set_value(dilation)
        at.radio(key="filter_padding_kind").set_value(kind)
        at.toggle(key="filter_flip").set_value(flip)
        at.run()
        if kind == "custom":
            at.number_input(key="filter_padding").set_value(amount).run()
        if not at.selectbox(key="filter_padding_mode").disabled:  # only with some padding
            at.selectbox(key="filter_padding_mode").select(mode).run()
        mode = at.selectbox(key="filter_padding_mode").value
        assert not at.exception, (stride, dilation, kind, amount, mode, flip)
        padding = amount if kind == "custom" else kind
        try:
            expected = filters.conv2d(image, kernel, stride=stride, padding=padding,
                                      padding_mode=mode, dilation=dilation, flip=flip)
        except ValueError as error:
            assert any(str(error) in e.value for e in at.error), (str(error), kind, amount)
            outcomes["message"] += 1
            continue
        assert not at.error, [e.value for e in at.error]
        assert_matches(at, expected)
        outcomes["result"] += 1
    assert min(outcomes.values()) >= 3, outcomes  # both paths were exercised


def test_kernel_parameters_survive_a_visit_to_another_page():
    at = open_page(FILTER)
    at.radio(key="filter_category").set_value("blur").run()
    at.selectbox(key="filter_kernel").select("gaussian_blur").run()
    at.slider(key="param_gaussian_blur_size").set_value(11).run()
    at.number_input(key="filter_dilation").set_value(2).run()
    at.switch_page("pages/2_Padding.py").run()
    at.switch_page(FILTER).run()
    assert at.slider(key="param_gaussian_blur_size").value == 11
    assert at.number_input(key="filter_dilation").value == 2
    assert_matches(at, filters.conv2d(CHINA, filters.get_kernel("gaussian_blur", size=11),
                                      dilation=2, padding="same", padding_mode="reflect"))
