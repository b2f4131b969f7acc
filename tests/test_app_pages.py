"""Pages 4–7 (How convolution works, Learn a kernel, Train LeNet, Receptive fields) driven
headlessly with Streamlit's AppTest: real values, not just elements.

The landing page, the shared picker and pages 1–3 have their own files (test_app_common.py,
test_app_filter.py, test_app_padding.py, test_app_pooling.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

from tests.conftest import open_page, png_bytes
from tests.references import torch_conv2d
from tests.rendered import (
    explain_step,
    grid_values,
    image_captions,
    learn_steps,
    lenet_steps,
    rf_table,
    rf_window,
    trace_y,
)


def test_explain_page_steps_through_seed000_to_the_notes_output():
    from tests.test_study_notes import SEED0_OUTPUT

    at = open_page("pages/4_How_convolution_works.py")
    current = explain_step(at)
    assert current["index"] == 0 and current["value"] == -3.0
    assert current["products"].tolist() == [[1, 0, -3], [0, 0, -2], [2, 0, -1]]
    assert np.isnan(current["partial"]).sum() == 8  # only the first output pixel so far
    values = [current["value"]]
    for step in range(1, 9):
        at.button(key="explain_next").click().run()
        current = explain_step(at)
        assert current["index"] == step
        values.append(current["value"])
    assert values == [v for row in SEED0_OUTPUT for v in row]
    assert current["partial"].tolist() == SEED0_OUTPUT  # the last step fills the whole output
    at.button(key="explain_next").click().run()  # wraps around
    assert explain_step(at)["index"] == 0


def test_explain_page_multichannel_sums_slices_plus_bias():
    at = open_page("pages/4_How_convolution_works.py")
    at.radio(key="explain_data").set_value("channels").run()
    for _ in range(3):
        at.button(key="explain_next").click().run()
    assert explain_step(at)["partial"].tolist() == [[57.0, 73.0], [105.0, 121.0]]
    assert explain_step(at)["value"] == 121.0  # 2 slices summed, plus the bias 1


def test_explain_page_flip_rotates_the_kernel_and_patch_mode_runs():
    at = open_page("pages/4_How_convolution_works.py")
    at.toggle(key="explain_flip").set_value(True).run()
    assert explain_step(at)["value"] == 3.0
    assert grid_values(at, "explain_k_0").tolist() == [[-1, 0, 1]] * 3  # rotated by 180°
    at.radio(key="explain_data").set_value("patch").run()
    assert not at.exception and not at.error


def test_solver_presets_give_the_notes_numbers():
    at = open_page("pages/4_How_convolution_works.py")
    expected = {"s000": 3, "down": 16, "up": 32, "five": 5, "six": 6, "dilated": 5, "lenet": 28}
    for name, size in expected.items():
        at.button(key=f"preset_{name}").click().run()
        assert at.latex[1].value.strip("$\n").endswith(f"= {size}"), (name, at.latex[1].value)
    at.button(key="preset_up").click().run()
    at.number_input(key="solver_op").set_value(2).run()  # output_padding = stride: refused
    assert any("output_padding (2) must be smaller" in e.value for e in at.error)


def test_receptive_field_page_presets():
    at = open_page("pages/7_Receptive_fields.py")
    at.selectbox(key="rf_preset").select("two 3×3").run()
    assert rf_table(at, 3)[-1] == 5
    top, left, bottom, right = rf_window(at)
    assert bottom - top + 1 == 5 and right - left + 1 == 5
    assert any(": 5×5 pixels" in m.value for m in at.markdown)
    at.selectbox(key="rf_preset").select("three 3×3").run()
    assert rf_table(at, 3)[-1] == 7
    at.selectbox(key="rf_preset").select("LeNet").run()
    assert rf_table(at, 1) == [427, 213, 209, 104]
    at.selectbox(key="rf_preset").select("custom").run()
    at.text_input(key="rf_text").input("conv3,blur").run()
    assert not at.exception and any("Layer 2 'blur'" in e.value for e in at.error)


def test_learn_page_start_steps_pause_and_the_kernel_lands_in_the_library():
    at = open_page("pages/5_Learn_a_kernel.py")
    at.selectbox(key="learn_hidden").select("sobel_x").run()
    at.button(key="learn_start").click().run()
    at.run()  # a fragment tick (run_every does not tick in AppTest)
    steps = learn_steps(at)
    assert steps >= 100
    at.run()
    assert learn_steps(at) > steps
    at.button(key="learn_pause").click().run()
    paused = learn_steps(at)
    assert any(m.value.endswith("paused") for m in at.markdown)
    at.run()
    assert learn_steps(at) == paused
    at.button(key="learn_start").click().run()  # resume keeps the progress
    assert learn_steps(at) > paused
    at.button(key="learn_solve").click().run()
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    np.testing.assert_allclose(grid_values(at, "learn_kernel"), sobel_x, atol=1e-6)
    at.text_input(key="learn_save_name").input("recovered sobel").run()
    at.button(key="learn_save").click().run()
    library = at.session_state["kernel_library"]
    assert library["recovered sobel"].source == "learned"
    at.switch_page("pages/1_Filter.py").run()
    at.radio(key="filter_source").set_value("library").run()
    assert at.selectbox(key="library_pick").value == "recovered sobel"
    assert not at.exception


def test_learn_page_mismatched_after_image_is_a_message(gradient_rgb):
    at = open_page("pages/5_Learn_a_kernel.py")
    at.radio(key="learn_target").set_value("pair").run()
    after = ("after.png", png_bytes(gradient_rgb), "image/png")
    at.file_uploader(key="learn_after").set_value(after)
    at.run()
    assert not at.exception
    assert any("must be the same size" in e.value for e in at.error)


def test_explain_page_transposed_conv_is_zero_insertion_padding_and_flipped_conv():
    import torch
    import torch.nn.functional as F

    at = open_page("pages/4_How_convolution_works.py")
    x = torch.arange(1.0, 10.0, dtype=torch.float64).reshape(1, 1, 3, 3)
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    for name, output_padding, size in (("box_blur", 0, 5), ("box_blur", 1, 6),
                                       ("sobel_x", 1, 6)):
        at.selectbox(key="tconv_kernel").select(name).run()
        at.number_input(key="tconv_op").set_value(output_padding).run()
        kernel = grid_values(at, "tconv_kernel_fig")[::-1, ::-1].copy()  # shown rotated
        np.testing.assert_array_equal(kernel, np.ones((3, 3)) if name == "box_blur" else sobel_x)
        expected = F.conv_transpose2d(x, torch.from_numpy(kernel)[None, None], stride=2,
                                      padding=1, output_padding=output_padding)[0, 0].numpy()
        shown = grid_values(at, "tconv_out")
        assert shown.shape == expected.shape == (size, size)
        np.testing.assert_allclose(shown, expected)
        # the notes' way: the zero-inserted, padded grid shown, correlated with the rotated kernel
        spread = grid_values(at, "tconv_spread")
        np.testing.assert_allclose(torch_conv2d(spread, kernel[::-1, ::-1]), expected)


def lenet_losses(at) -> int:
    """How many minibatch losses the loss chart draws (its raw trace)."""
    return len(trace_y(at, "lenet_loss", 0))


def test_lenet_page_start_ticks_pause_resume_reset():
    from filters.lenet import predict

    at = open_page("pages/6_Train_LeNet.py")
    at.button(key="lenet_start").click().run()
    first = lenet_losses(at)
    assert first > 0 and lenet_steps(at) == first
    raw, smooth = trace_y(at, "lenet_loss", 0), trace_y(at, "lenet_loss", 1)
    np.testing.assert_allclose(  # the smoothed curve: pandas' EMA without debiasing
        smooth, pd.Series(raw).ewm(alpha=0.1, adjust=False).mean().to_numpy())
    at.run()  # a fragment tick
    at.run()
    grown = lenet_losses(at)
    assert grown > first
    at.button(key="lenet_pause").click().run()
    paused = lenet_losses(at)
    at.run()
    assert lenet_losses(at) == paused == lenet_steps(at)
    confusion = grid_values(at, "lenet_confusion")
    assert confusion.sum() == 360  # the digits test set
    trainer = at.session_state["lenet_run"]["trainer"]
    labels, _ = predict(trainer.model, trainer.dataset.test_x)
    np.testing.assert_array_equal(confusion, sklearn_confusion_matrix(
        trainer.dataset.test_y, labels, labels=range(len(trainer.dataset.classes))))
    # the most confident mistakes, with their captions, as the library's own ranking gives them
    probabilities = predict(trainer.model, trainer.dataset.test_x)[1]
    wrong = np.flatnonzero(labels != trainer.dataset.test_y)
    worst = wrong[np.argsort(-probabilities[wrong, labels[wrong]], kind="stable")][:8]
    classes = trainer.dataset.classes
    expected = [f"{classes[labels[i]]} ({probabilities[i, labels[i]]:.0%}), truly "
                f"{classes[trainer.dataset.test_y[i]]}" for i in worst]
    expected = [expected[slot] for column in range(4)  # four columns, filled row by row
                for slot in range(column, len(expected), 4)]
    captions = image_captions(at)
    assert captions[:len(expected)] == expected
    assert captions[len(expected)].startswith("Prediction: ")
    assert captions[len(expected) + 1:] == [""] * (6 + 16)  # conv1's six maps, conv2's sixteen
    at.button(key="lenet_start").click().run()  # resume continues from where it was
    assert lenet_losses(at) > paused
    at.button(key="lenet_reset").click().run()
    assert at.session_state["lenet_run"] is None
    assert not any(m.value.startswith("Epoch ") for m in at.markdown)
    assert not at.exception


def test_two_sessions_training_at_once_do_not_share_state():
    one, two = open_page("pages/6_Train_LeNet.py"), open_page("pages/6_Train_LeNet.py")
    one.button(key="lenet_start").click().run()
    one.run()
    two.run()
    assert lenet_steps(one) > 0
    assert "lenet_run" not in two.session_state or two.session_state["lenet_run"] is None
    assert lenet_steps(two) == 0
    two.button(key="lenet_start").click().run()
    assert two.session_state["lenet_run"]["trainer"] is not one.session_state["lenet_run"][
        "trainer"]
    assert 0 < lenet_steps(two) < lenet_steps(one)
