"""Filter: apply a catalogue, typed, saved or channel-mixing kernel with every conv2d setting."""

import json
import time

import numpy as np
import streamlit as st

import filters
from filters.export import conv_snippets, npy_bytes
from ui.common import guard, page_setup
from ui.controls import (
    conv_settings_panel,
    normalize_choice,
    output_summary,
    size_formula,
    value_metrics,
)
from ui.i18n import t
from ui.image_source import display_pixels, show_image, show_pixels, working_image
from ui.kernel_editor import kernel_digest, kernel_picker
from ui.snippets import code_tabs, input_download
from ui.state import LibraryKernel, kernels_to_json

page_setup("filter.title")
st.title(t("filter.title"))
st.caption(t("filter.caption"))

image, image_token = working_image()
channels = 1 if image.ndim == 2 else image.shape[2]


@st.cache_data(max_entries=8, ttl=1800, show_spinner=False)
def conv_result(token: str, digest: str, settings: str, _image: np.ndarray,
                _kernel: np.ndarray) -> tuple[np.ndarray, float]:
    """conv2d and its time in ms, cached on the image token, kernel digest and settings."""
    start = time.perf_counter()
    out = filters.conv2d(_image, _kernel, **json.loads(settings))
    return out, (time.perf_counter() - start) * 1000.0


@st.cache_data(max_entries=32, ttl=1800, show_spinner=False)
def conv_view(token: str, digest: str, settings: str, normalize: str, channel: int,
              _image: np.ndarray, _kernel: np.ndarray) -> dict:
    """What a rerun shows of the output: screen pixels and statistics (the full array stays in
    ``conv_result``'s cache, so a rerun never copies it)."""
    out, milliseconds = conv_result(token, digest, settings, _image, _kernel)
    shown = out
    if out.ndim == 3 and out.shape[2] not in (1, 3):
        shown = out[:, :, min(channel, out.shape[2] - 1)]
    pixels, scale = display_pixels(shown, normalize)
    return {"pixels": pixels, "scale": scale, "shape": tuple(out.shape), "ms": milliseconds,
            "summary": output_summary(out)}


kernel_column, settings_column = st.columns(2, gap="large")
with kernel_column:
    st.subheader(t("filter.kernel_header"))
    choice = kernel_picker(channels)
with settings_column:
    st.subheader(t("filter.settings"))
    settings = conv_settings_panel("filter")
    plan = None
    if choice is not None:
        plan = guard(filters.conv.plan_conv, image, choice.values, stride=settings.stride,
                     padding=settings.padding, padding_mode=settings.padding_mode,
                     dilation=settings.dilation, backend="numpy")
    if plan is not None and choice is not None:
        st.markdown(f"**{t('filter.formula')}**")
        size_formula(image.shape, choice.values.shape, settings, plan.geometry)

view = None
if choice is not None and plan is not None:
    request = (image_token, kernel_digest(choice.values),
               json.dumps(settings.kwargs(), sort_keys=True))
    with st.spinner(t("filter.computing")):
        view = guard(conv_view, *request, st.session_state.get("filter_normalize", "abs"),
                     int(st.session_state.get("channel", 0)), image, choice.values)

st.divider()
normalize = normalize_choice("filter_normalize")
left, right = st.columns(2, gap="medium")
with left:
    show_image(image, t("filter.input_caption", h=image.shape[0], w=image.shape[1]),
               cache_key=image_token)
with right:
    if view is None:
        st.info(t("filter.no_output"))
    else:
        shape = view["shape"]
        show_pixels(view["pixels"], t("filter.output_caption", h=shape[0], w=shape[1]),
                    view["scale"], shape)
        if len(shape) == 3 and shape[2] not in (1, 3):
            if "channel" in st.session_state:  # the weight may have fewer outputs now
                st.session_state["channel"] = min(int(st.session_state["channel"]), shape[2] - 1)
            st.slider(t("filter.channel"), 0, shape[2] - 1, key="channel")


def full_output() -> np.ndarray:
    """The full output array (from the cache; recomputed only if it was evicted)."""
    assert choice is not None
    return conv_result(*request, image, choice.values)[0]


def output_png() -> bytes:
    """The output as PNG with the chosen normalisation (channel 0 of a many-channel output)."""
    out = full_output()
    if out.ndim == 3 and out.shape[2] not in (1, 3):
        out = out[:, :, 0]
    return filters.encode_png(out, normalize=normalize)


if view is not None and choice is not None:
    value_metrics(view["summary"], view["ms"], settings.backend)
    buttons = st.columns(4)
    # Downloads are prepared on click (deferred), so a rerun does not encode them.
    buttons[0].download_button(
        t("filter.download_png"), output_png,
        "output.png", "image/png", key="dl_png", icon=":material/image:", width="stretch")
    buttons[1].download_button(t("filter.download_npy"), lambda: npy_bytes(full_output()),
                               "output.npy", "application/octet-stream", key="dl_npy",
                               icon=":material/data_array:", width="stretch")
    if choice.is_full:
        buttons[2].download_button(t("filter.download_weight"), lambda: npy_bytes(choice.values),
                                   f"{choice.name}.npy", "application/octet-stream",
                                   key="dl_weight", icon=":material/grid_on:", width="stretch")
    else:
        buttons[2].download_button(t("filter.download_text"), filters.format_kernel(choice.values),
                                   f"{choice.name}.txt", "text/plain", key="dl_txt",
                                   icon=":material/description:", width="stretch")
        entry = LibraryKernel(choice.values, "catalogue" if choice.source == "catalogue"
                              else "custom", dict(choice.params))
        buttons[3].download_button(t("filter.download_json"),
                                   kernels_to_json({choice.name: entry}), f"{choice.name}.json",
                                   "application/json", key="dl_json", icon=":material/code:",
                                   width="stretch")

    if not choice.is_full:
        with st.expander(t("common.code")):
            st.caption(t("common.code_help"))
            input_download(image, key="dl_input")
            snippets = guard(conv_snippets, choice.values, channels=channels,
                             stride=settings.stride, padding=settings.padding,
                             padding_mode=settings.padding_mode,
                             dilation=settings.dilation, bias=settings.bias,
                             flip=settings.flip, image_shape=image.shape) or {}
            code_tabs(snippets)
