"""Pooling & upsampling: pool2d, interpolation next to transposed convolution, and its artefacts."""

import io

import numpy as np
import streamlit as st

import filters
from filters.export import pool_snippets
from filters.pooling import unravel_pool_indices
from filters.upsampling import bilinear_kernel, bilinear_padding
from ui.common import guard, page_setup
from ui.explain_figures import number_grid
from ui.figures import kernel_heatmap
from ui.i18n import t
from ui.image_source import show_image, working_image

page_setup("pool.title")
st.title(t("pool.title"))
st.caption(t("pool.caption"))

image, token = working_image()
grey = image if image.ndim == 2 else filters.to_grey(image)


@st.cache_data(max_entries=16, ttl=1800, show_spinner=False)
def pooled(token: str, settings: tuple, _image: np.ndarray) -> np.ndarray:
    kernel, stride, padding, mode, p, ceil, include = settings
    return filters.pool2d(_image, kernel, stride=stride, padding=padding, mode=mode, p=p,
                          ceil_mode=ceil, count_include_pad=include)


def npy_bytes(array: np.ndarray) -> bytes:
    """``np.save`` into memory; called only when the download button is clicked."""
    buffer = io.BytesIO()
    np.save(buffer, array.astype(np.float32))
    return buffer.getvalue()


# --- pooling -------------------------------------------------------------------------------
st.header(t("pool.pooling"))
left, right = st.columns([2, 3], gap="large")
with left:
    mode = st.radio(t("pool.mode"), ["max", "avg", "lp"], key="pool_mode", horizontal=True,
                    format_func=lambda m: t(f"pool.mode.{m}"))
    a, b, c = st.columns(3)
    kernel = a.number_input(t("pool.kernel"), 1, 16, 2, key="pool_kernel")
    stride = b.number_input(t("common.stride"), 1, 16, 2, key="pool_stride")
    padding = c.number_input(t("common.padding"), 0, 8, 0, key="pool_padding",
                             disabled=mode == "lp")
    p = st.slider(t("pool.p"), 1.0, 6.0, 2.0, 0.5, key="pool_p", disabled=mode != "lp")
    ceil = st.toggle(t("pool.ceil"), key="pool_ceil")
    include = st.toggle(t("pool.include_pad"), value=True, key="pool_include",
                        disabled=mode != "avg")
settings = (int(kernel), int(stride), 0 if mode == "lp" else int(padding), mode, float(p),
            bool(ceil), bool(include))
source = np.clip(image, 0, None) if mode == "lp" else image
result = guard(pooled, f"{token}|{mode}", settings, source)
with right:
    if result is not None:
        h, w = image.shape[:2]
        st.markdown(t("pool.chain", h=h, w=w, oh=result.shape[0], ow=result.shape[1]))
        st.session_state["pool_output_shape"] = result.shape
        cols = st.columns(2)
        with cols[0]:
            show_image(image, t("common.input"))
        with cols[1]:
            show_image(result, t("common.output"), "minmax" if mode == "lp" else "clip")

st.subheader(t("pool.winners"))
ph, pw = grey.shape[0] // 2, grey.shape[1] // 2
patch = np.round(grey[max(0, ph - 4): ph + 4, max(0, pw - 4): pw + 4] * 255)
if patch.shape[0] >= 2 and patch.shape[1] >= 2:
    values, indices = filters.pool2d(patch, 2, return_indices=True)
    rows, cols = unravel_pool_indices(indices, patch.shape[1])
    st.session_state["pool_winners"] = list(zip(rows.ravel().tolist(), cols.ravel().tolist(),
                                                strict=True))
    g1, g2 = st.columns(2)
    g1.plotly_chart(number_grid(patch, title=t("pool.patch_in"), colorscale="gray",
                                marks=st.session_state["pool_winners"], cell=42),
                    key="winners_in")
    g2.plotly_chart(number_grid(values, title=t("pool.patch_out"), colorscale="gray", cell=42),
                    key="winners_out")

with st.expander(t("common.code")):
    st.caption(t("common.code_help"))
    st.download_button(t("common.download_input"), lambda: npy_bytes(source), "input.npy",
                       key="pool_dl_input")
    snippets = pool_snippets(int(kernel), stride=int(stride), padding=settings[2], mode=mode,
                             ceil_mode=bool(ceil), p=float(p), count_include_pad=bool(include),
                             image_shape=source.shape)
    for tab, code in zip(st.tabs(list(snippets)), snippets.values(), strict=True):
        with tab:
            st.code(code, language="python")

# --- upsampling ----------------------------------------------------------------------------
st.divider()
st.header(t("pool.upsampling"))
settings_column, kernel_column = st.columns([2, 3], gap="large")
with settings_column:
    factor = st.slider(t("pool.factor"), 2, 4, 2, key="up_factor")
    tkind = st.radio(t("pool.tkernel"), ["bilinear", "custom"], key="up_tkernel",
                     horizontal=True, format_func=lambda v: t(f"pool.tkernel.{v}"))
    if tkind == "bilinear":
        tkernel = bilinear_kernel(int(factor))
        tpadding = bilinear_padding(int(factor))
        toutput_padding = 0
    else:
        text = st.text_area(t("pool.tkernel_text"), "1 1 1\n1 1 1\n1 1 1", key="up_text")
        tkernel = guard(filters.parse_kernel, text)
        a, b = st.columns(2)
        tpadding = a.number_input(t("common.padding"), 0, 8, 1, key="up_padding")
        toutput_padding = b.number_input(t("pool.output_padding"), 0, 3, 1,
                                         key="up_output_padding")
with kernel_column:
    if tkernel is not None:
        st.plotly_chart(kernel_heatmap(tkernel, t("pool.tkernel")), key="up_kernel")

size = min(48, grey.shape[0], grey.shape[1])
cy, cx = grey.shape[0] // 2, grey.shape[1] // 2
crop = grey[cy - size // 2: cy - size // 2 + size, cx - size // 2: cx - size // 2 + size]
st.caption(t("pool.crop"))
shown = {}
for method in ("nearest", "bilinear", "bicubic"):
    shown[t(f"pool.method.{method}")] = filters.upsample(crop, int(factor), mode=method,
                                                         clip=True)
if tkernel is not None:
    transposed = guard(filters.conv_transpose2d, crop, tkernel, stride=int(factor),
                       padding=int(tpadding), output_padding=int(toutput_padding))
    if transposed is not None:
        shown[t("pool.transposed")] = transposed
        st.session_state["up_transposed_shape"] = transposed.shape
for column, (label, picture) in zip(st.columns(len(shown)), shown.items(), strict=True):
    with column:
        show_image(picture, f"{label} · {picture.shape[0]}×{picture.shape[1]}")

st.subheader(t("pool.zero_inserted"))
small = crop[:12, :12]
st.plotly_chart(number_grid(np.round(filters.zero_insert(small[:6, :6] * 255, int(factor))),
                            colorscale="gray", cell=30), key="zero_inserted")

st.subheader(t("pool.round_trip"))
x32 = np.ones((32, 32))
down = filters.conv2d(x32, np.ones((3, 3)), stride=2, padding=1)
five = filters.conv_transpose2d(down, np.ones((3, 3)), stride=2, padding=1)
up = filters.conv_transpose2d(down, np.ones((3, 3)), stride=2, padding=1, output_padding=1)
st.session_state["round_trip"] = (down.shape[0], five.shape[0], up.shape[0])
st.markdown(t("pool.round_trip_text", down=down.shape[0], five=five.shape[0], up=up.shape[0]))

st.subheader(t("pool.checkerboard"))
st.caption(t("pool.checkerboard_text"))
board = filters.conv_transpose2d(np.ones((8, 8)), np.ones((3, 3)), stride=2)
st.session_state["checkerboard"] = sorted(set(board[2:-2, 2:-2].ravel().tolist()))
c1, c2 = st.columns([1, 2])
c1.plotly_chart(number_grid(board[:9, :9], colorscale="gray", cell=34), key="checker_grid")
with c2:
    show_image(np.kron(board, np.ones((8, 8))), "", "minmax")
