"""Filter: apply a catalogue, typed, saved or channel-mixing kernel with every conv2d setting.

The convolution runs on the full-resolution image (the only page that does): its output is not
kept, only what a rerun shows (a screen-sized float16 copy, statistics, time); downloads compute
it again on click. When the full-resolution work does not fit the memory budget
(:mod:`filters.limits`), the page computes on the working copy and says why.
"""

import json
import time

import numpy as np
import streamlit as st

import filters
from filters import limits
from filters.export import conv_snippets, npy_bytes
from filters.image_io import unit_scale
from ui.common import guard, page_setup
from ui.controls import (
    conv_settings_panel,
    normalize_choice,
    output_summary,
    size_formula,
    value_metrics,
)
from ui.i18n import t
from ui.image_source import (
    Picture,
    picture,
    screen_copy,
    show_image,
    show_picture,
    working_set,
)
from ui.kernel_editor import kernel_digest, kernel_picker
from ui.memory import fits_one_request, session_cache, working_memory
from ui.snippets import code_tabs, input_download
from ui.state import LibraryKernel, kernels_to_json

page_setup("filter.title")
st.title(t("filter.title"))
st.caption(t("filter.caption"))

work = working_set()
image, image_token = work.full, work.token
channels = 1 if image.ndim == 2 else image.shape[2]


class Busy(RuntimeError):
    """No working memory was free in time (not cached: the next rerun tries again)."""


def convolve(pixels: np.ndarray, kernel: np.ndarray, settings: str) -> np.ndarray:
    """conv2d of ``pixels`` (uint8 or float32) as if they were float32 in [0, 1]: the kernel
    takes the samples' scale (convolution is linear), so no float copy of the image is made."""
    return filters.conv2d(pixels, kernel * unit_scale(pixels.dtype), **json.loads(settings))


@session_cache("filter")
def conv_view(token: str, digest: str, settings: str, _pixels: np.ndarray, _kernel: np.ndarray,
              _work_bytes: int) -> dict:
    """The convolution, reduced to what a rerun shows: the output at most ``WORK_SIDE`` a side
    (float16: display values) and the same of its magnitude (averaging signed edges first would
    cancel them), its full-resolution statistics and the time in ms. The full output is
    dropped."""
    with working_memory(_work_bytes) as verdict:
        if verdict == "busy":
            raise Busy
        start = time.perf_counter()
        out = convolve(_pixels, _kernel, settings)
        milliseconds = (time.perf_counter() - start) * 1000.0
        summary = output_summary(out)
        screen, scale = screen_copy(out)
        screen = np.array(screen, dtype=np.float16)  # for the eye: half the bytes to keep
        magnitude = screen  # to_display("abs") takes |x| itself
        if scale < 1.0:  # the output's magnitude, averaged (``out`` is not needed any more)
            magnitude = np.array(screen_copy(np.abs(out, out=out))[0], dtype=np.float16)
        return {"screen": screen, "magnitude": magnitude, "scale": scale,
                "shape": tuple(out.shape), "ms": milliseconds, "summary": summary}


@session_cache("display")
def output_picture(token: str, digest: str, settings: str, normalize: str, channel: int,
                   _view: dict) -> Picture:
    """The output as the browser gets it, for one normalisation and channel (cached: a rerun
    sends the same JPEG again without making it)."""
    shown = _view["magnitude" if normalize == "abs" else "screen"]
    if shown.ndim == 3 and shown.shape[2] not in (1, 3):
        shown = shown[:, :, channel]
    encoded = picture(shown, normalize)
    return Picture(encoded.jpeg, encoded.size, _view["scale"])


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
reduced_by = None  # why the output was computed on the working copy, if it was
busy = False
if choice is not None and plan is not None:
    settings_json = json.dumps(settings.kwargs(), sort_keys=True)
    digest = kernel_digest(choice.values)
    source, source_token = image, image_token
    if not fits_one_request(plan.working_bytes):
        reduced_by = t("memory.too_large", need=plan.working_bytes >> 20,
                       limit=limits.REQUEST_WORK_BYTES >> 20, w=work.view.shape[1],
                       h=work.view.shape[0])
        source, source_token = work.view, work.view_token
    with st.spinner(t("filter.computing")):
        try:
            view = guard(conv_view, source_token, digest, settings_json, source, choice.values,
                         plan.working_bytes)
        except Busy:
            busy = True
            reduced_by = t("memory.busy", w=work.view.shape[1], h=work.view.shape[0])
            source, source_token = work.view, work.view_token
            view = guard(conv_view, source_token, digest, settings_json, source, choice.values, 0)

st.divider()
normalize = normalize_choice("filter_normalize")
left, right = st.columns(2, gap="medium")
with left:
    show_image(work.view, t("filter.input_caption", h=image.shape[0], w=image.shape[1]),
               cache_key=work.view_token)
with right:
    if view is None:
        st.info(t("filter.no_output"))
    else:
        shape = view["shape"]
        channel = 0
        if len(shape) == 3 and shape[2] not in (1, 3):
            if "channel" in st.session_state:  # the weight may have fewer outputs now
                st.session_state["channel"] = min(int(st.session_state["channel"]), shape[2] - 1)
            channel = min(int(st.session_state.get("channel", 0)), shape[2] - 1)
        shown = output_picture(source_token, digest, settings_json, normalize, channel, view)
        show_picture(shown, t("filter.output_caption", h=shape[0], w=shape[1]), shape)
        if len(shape) == 3 and shape[2] not in (1, 3):
            st.slider(t("filter.channel"), 0, shape[2] - 1, key="channel")
        if reduced_by:
            st.warning(reduced_by, icon=":material/memory:")
            if busy:
                st.button(t("memory.retry"), key="filter_retry")


def full_output() -> np.ndarray:
    """The output at the resolution shown, computed again for a download (not kept)."""
    assert choice is not None
    with working_memory(plan.working_bytes if source is image else 0, timeout=60.0) as verdict:
        pixels = source if verdict == "ok" else work.view
        return convolve(pixels, choice.values, settings_json)


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
