"""Pooling & upsampling: pool2d, interpolation next to transposed convolution, and its artefacts."""

import numpy as np
import streamlit as st

import filters
from filters.explain import down_and_up
from filters.export import pool_snippets, transposed_snippets
from filters.pooling import unravel_pool_indices
from filters.regions import centre_crop
from filters.upsampling import bilinear_kernel, bilinear_padding
from ui.common import guard, page_setup
from ui.explain_figures import number_grid
from ui.i18n import option_format, t
from ui.image_source import show_image, working_copy_note, working_image, zoom_to
from ui.kernel_editor import kernel_text_editor, show_kernel
from ui.memory import session_cache
from ui.snippets import code_tabs, input_download
from ui.state import persist

page_setup("pool.title")
st.title(t("pool.title"))
st.caption(t("pool.caption"))
working_copy_note()

image, token = working_image()
grey = filters.to_grey(image)
h, w = image.shape[:2]


@session_cache("pooling")
def pooled_shape(token: str, settings: tuple, _image: np.ndarray) -> tuple[int, ...]:
    """The shape of pool2d on the working image (checks the settings on it), cached on its
    token and the settings."""
    kernel, stride, padding, mode, p, ceil, include = settings
    return filters.pool2d(_image, kernel, stride=stride, padding=padding, mode=mode, p=p,
                          ceil_mode=ceil, count_include_pad=include).shape


# --- pooling -------------------------------------------------------------------------------
st.header(t("pool.pooling"))
controls, results = st.columns([2, 3], gap="large")
with controls:
    mode = st.radio(t("pool.mode"), ["max", "avg", "lp"], horizontal=True,
                    format_func=option_format("pool.mode."), **persist("pool_mode", "max"))
    a, b, c = st.columns(3)
    kernel = int(a.number_input(t("pool.kernel"), 1, 16, **persist("pool_kernel", 2)))
    stride = int(b.number_input(t("common.stride"), 1, 16, **persist("pool_stride", 2)))
    padding = int(c.number_input(t("common.padding"), 0, 8, disabled=mode == "lp",
                                 help=t("pool.padding_help"), **persist("pool_padding", 0)))
    p = st.slider(t("pool.p"), 1.0, 6.0, step=0.5, disabled=mode != "lp",
                  **persist("pool_p", 2.0))
    ceil = st.toggle(t("pool.ceil"), help=t("pool.ceil_help"), **persist("pool_ceil", False))
    include = st.toggle(t("pool.include_pad"), disabled=mode != "avg",
                        **persist("pool_include", True))
settings = (kernel, stride, 0 if mode == "lp" else padding, mode, float(p), bool(ceil),
            bool(include))
result = guard(pooled_shape, token, settings, image)
with results:
    if result is not None:
        bracket = (r"\left\lceil", r"\right\rceil") if ceil else (r"\left\lfloor", r"\right\rfloor")
        pad = settings[2]
        for axis, n, out in (("H", h, result[0]), ("W", w, result[1])):
            st.latex(rf"{axis}' = {bracket[0]} \frac{{{n} + 2\cdot{pad} - {kernel}}}{{{stride}}}"
                     rf" {bracket[1]} + 1 = {out}")
        if ceil:
            st.caption(t("pool.ceil_note"))
        st.markdown(t("pool.chain", h=h, w=w, oh=result[0], ow=result[1]))
        crop = centre_crop(image, 48)
        small = guard(filters.pool2d, crop, kernel, stride=stride, padding=settings[2],
                      mode=mode, p=float(p), ceil_mode=bool(ceil), count_include_pad=bool(include))
        one, two = st.columns(2)
        with one:
            show_image(zoom_to(crop, 320), t("pool.zoom_in", n=crop.shape[0]))
        with two:
            if small is not None:
                show_image(zoom_to(small, 320), t("pool.zoom_out", h=small.shape[0],
                                                  w=small.shape[1]),
                           "minmax" if mode == "lp" else "clip")

st.subheader(t("pool.winners"))
st.caption(t("pool.winners_caption"))
ph_max, pw_max = max(0, grey.shape[0] - 8), max(0, grey.shape[1] - 8)
keep_row, keep_col = persist("pool_patch_row", ph_max // 2), persist("pool_patch_col", pw_max // 2)
for key, upper in (("pool_patch_row", ph_max), ("pool_patch_col", pw_max)):
    # a smaller image may have arrived since
    st.session_state[key] = int(np.clip(st.session_state[key], 0, upper))
r1, r2 = st.columns(2)
top = r1.slider(t("pool.patch_row"), 0, ph_max, **keep_row) if ph_max > 0 else 0
left = r2.slider(t("pool.patch_col"), 0, pw_max, **keep_col) if pw_max > 0 else 0
patch = np.round(grey[top:top + 8, left:left + 8] * 255)
if patch.shape[0] >= 2 and patch.shape[1] >= 2:
    values, indices = filters.pool2d(patch, 2, return_indices=True)
    rows, cols = unravel_pool_indices(indices, patch.shape[1])
    winners = list(zip(rows.ravel().tolist(), cols.ravel().tolist(), strict=True))
    g1, g2 = st.columns([3, 2])
    g1.plotly_chart(number_grid(patch, title=t("pool.patch_in"), colorscale="gray",
                                marks=winners, cell=44), key="winners_in",
                    config={"displayModeBar": False})
    g2.plotly_chart(number_grid(values, title=t("pool.patch_out"), colorscale="gray", cell=44),
                    key="winners_out", config={"displayModeBar": False})

with st.expander(t("common.code")):
    st.caption(t("pool.code_help"))
    if result is not None:  # the snippets bake in the output size: only for valid settings
        input_download(image, key="pool_dl_input")
        code_tabs(pool_snippets(kernel, stride=stride, padding=settings[2], mode=mode,
                                ceil_mode=bool(ceil), p=float(p),
                                count_include_pad=bool(include), image_shape=image.shape),
                  key_prefix="pool_", file_prefix="pool_")

# --- upsampling ----------------------------------------------------------------------------
st.divider()
st.header(t("pool.upsampling"))
st.caption(t("pool.upsampling_caption"))
settings_column, kernel_column = st.columns([3, 2], gap="large")
with settings_column:
    factor = int(st.slider(t("pool.factor"), 2, 4, **persist("up_factor", 2)))
    tkind = st.radio(t("pool.tkernel"), ["bilinear", "custom"], horizontal=True,
                     format_func=option_format("pool.tkernel."),
                     **persist("up_tkernel", "bilinear"))
    if tkind == "bilinear":
        tkernel: np.ndarray | None = bilinear_kernel(factor)
        tstride, tpadding, toutput_padding = factor, bilinear_padding(factor), 0
        st.caption(t("pool.bilinear_note", k=tkernel.shape[0], s=tstride, p=tpadding))
    else:
        tkernel = kernel_text_editor("up", default="1 1 1\n1 1 1\n1 1 1", height=110)
        a, b, c = st.columns(3)
        tstride = int(a.number_input(t("common.stride"), 1, 8, **persist("up_stride", factor)))
        tpadding = int(b.number_input(t("common.padding"), 0, 8, **persist("up_padding", 1)))
        toutput_padding = int(c.number_input(t("pool.output_padding"), 0, 7,
                                             help=t("pool.output_padding_help"),
                                             **persist("up_output_padding", 1)))
with kernel_column:
    if tkernel is not None:
        show_kernel(tkernel, t("pool.tkernel"), key="up_kernel")

crop = centre_crop(grey, 48)
n = crop.shape[0]
out_size = None
if tkernel is not None:
    kh = tkernel.shape[0]
    out_size = guard(filters.transposed_output_size, n, kh, tstride, tpadding, toutput_padding)
    if out_size is not None:
        st.latex(rf"n' = (n-1)\,s - 2p + d\,(k-1) + \mathrm{{output\_padding}} + 1 = "
                 rf"({n}-1)\cdot{tstride} - 2\cdot{tpadding} + 1\cdot({kh}-1)"
                 rf" + {toutput_padding} + 1 = {out_size}")
st.caption(t("pool.crop", n=n))
shown = {}
for method in ("nearest", "bilinear", "bicubic"):
    upsampled = guard(filters.upsample, crop, factor, mode=method, clip=True)
    if upsampled is not None:
        shown[t(f"pool.method.{method}")] = upsampled
transposed = None
if tkernel is not None and out_size is not None:
    transposed = guard(filters.conv_transpose2d, crop, tkernel, stride=tstride,
                       padding=tpadding, output_padding=toutput_padding)
    if transposed is not None:
        shown[t("pool.transposed")] = transposed
for column, (label, picture) in zip(st.columns(len(shown)), shown.items(), strict=True):
    with column:
        show_image(zoom_to(picture, 384), f"{label} · {picture.shape[0]}×{picture.shape[1]}",
                   "minmax" if label == t("pool.transposed") and tkind == "custom" else "clip")

st.subheader(t("pool.zero_inserted"))
st.caption(t("pool.zero_inserted_caption", s=tstride))
tiny = crop[:16, :16]
inserted = filters.zero_insert(tiny, tstride)
corner = np.round(filters.zero_insert(tiny[:3, :3] * 255, tstride))
z1, z2, z3, z4 = st.columns([4, 4, 3, 4])
with z1:
    show_image(zoom_to(tiny, 288), t("pool.zi_input", n=tiny.shape[0]))
with z2:
    show_image(zoom_to(inserted, 288), t("pool.zi_inserted", h=inserted.shape[0],
                                         w=inserted.shape[1]))
with z3:
    st.plotly_chart(number_grid(corner, colorscale="gray", cell=34), key="zero_inserted",
                    config={"displayModeBar": False})
with z4:
    if tkernel is not None and out_size is not None:
        out_tiny = guard(filters.conv_transpose2d, tiny, tkernel, stride=tstride,
                         padding=tpadding, output_padding=toutput_padding)
        if out_tiny is not None:
            show_image(zoom_to(out_tiny, 288), t("pool.zi_output", h=out_tiny.shape[0],
                                                 w=out_tiny.shape[1]),
                       "minmax" if tkind == "custom" else "clip")

with st.expander(t("common.code")):
    if tkernel is not None:
        code_tabs(transposed_snippets(tkernel, stride=tstride, padding=tpadding,
                                      output_padding=toutput_padding),
                  key_prefix="up_", file_prefix="transposed_")

# --- the notes' round trip -----------------------------------------------------------------
st.subheader(t("pool.round_trip"))
x32 = centre_crop(grey, 32)
if x32.shape == (32, 32):
    down, short, up = down_and_up(x32)
    st.latex(rf"\left\lfloor \frac{{32 + 2\cdot1 - 3}}{{2}} \right\rfloor + 1 = {down.shape[0]}"
             rf"\qquad ({down.shape[0]}-1)\cdot2 - 2\cdot1 + (3-1) + 0 + 1 = {short.shape[0]}"
             rf"\qquad \ldots + 1 = {up.shape[0]}")
    st.caption(t("pool.round_trip_text", down=down.shape[0], five=short.shape[0],
                 up=up.shape[0]))
    for column, (picture, label) in zip(st.columns(4), (
            (x32, t("pool.rt_input")), (down, t("pool.rt_down")),
            (short, t("pool.rt_short")), (up, t("pool.rt_up"))), strict=True):
        with column:
            show_image(zoom_to(picture, 256), f"{label} · {picture.shape[0]}×{picture.shape[1]}")
else:
    st.info(t("pool.round_trip_small"))

# --- the checkerboard artefact -------------------------------------------------------------
st.subheader(t("pool.checkerboard"))
st.caption(t("pool.checkerboard_text"))
board = filters.conv_transpose2d(np.ones((8, 8)), np.ones((3, 3)), stride=2)
c1, c2, c3 = st.columns([3, 2, 2])
c1.plotly_chart(number_grid(board[:9, :9], colorscale="gray", cell=30,
                            title=t("pool.cb_flat")), key="checker_grid",
                config={"displayModeBar": False})
small = centre_crop(grey, 24)
three = filters.conv_transpose2d(small, np.full((3, 3), 1 / 4), stride=2)
four = filters.conv_transpose2d(small, bilinear_kernel(2), stride=2, padding=1)
with c2:
    show_image(zoom_to(three, 288), t("pool.cb_three", h=three.shape[0], w=three.shape[1]))
with c3:
    show_image(zoom_to(four, 288), t("pool.cb_four", h=four.shape[0], w=four.shape[1]))
