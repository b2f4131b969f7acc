"""Padding: the four modes side by side, the notes' 4×4 grids, and their effect on borders."""

import numpy as np
import streamlit as st

import filters
from filters.export import pad_snippets
from ui.common import guard, page_setup
from ui.explain_figures import number_grid
from ui.figures import line_chart
from ui.i18n import t
from ui.image_source import show_image, working_image

page_setup("padding.title")
st.title(t("padding.title"))
st.caption(t("padding.caption"))

image, token = working_image()
h, w = image.shape[:2]
side = min(h, w)
upper = max(2, min(side - 1, max(8, side // 2)))  # reflect needs padding < side
st.session_state.setdefault("pad_amount", max(1, side // 8))
st.session_state["pad_amount"] = int(np.clip(st.session_state["pad_amount"], 1, upper))
amount = st.slider(t("padding.amount"), 1, upper, key="pad_amount")
if upper == side - 1:
    st.caption(t("padding.too_wide", n=side))


@st.cache_data(max_entries=16, ttl=1800, show_spinner=False)
def padded_view(token: str, amount: int, mode: str, _image: np.ndarray) -> np.ndarray:
    return filters.pad(_image, amount, mode)


st.subheader(t("padding.modes"))
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    with column:
        padded = guard(padded_view, token, int(amount), mode, image)
        if padded is not None:
            show_image(padded, t(f"mode.{mode}"))

st.subheader(t("padding.notes"))
st.caption(t("padding.notes_caption"))
matrix = np.arange(1, 17, dtype=np.float32).reshape(4, 4)
st.session_state["padding_grids"] = {}
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    grid = filters.pad(matrix, 1, mode).astype(int)
    st.session_state["padding_grids"][mode] = grid.tolist()
    with column:
        st.plotly_chart(number_grid(grid, title=t(f"mode.{mode}"), padding=(1, 1, 1, 1),
                                    colorscale="Blues", cell=40), key=f"grid_{mode}")

st.subheader(t("padding.border"))
choice = st.radio(t("padding.border_kernel"), ["blur", "edge"], key="pad_border_kernel",
                  horizontal=True, format_func=lambda v: t(f"padding.border.{v}"))
kernel = (filters.get_kernel("box_blur", size=15) if choice == "blur"
          else filters.get_kernel("sobel_x"))
grey = image if image.ndim == 2 else filters.to_grey(image)
# The corner with the most detail shows the border effect best (rows, cols as slices).
size = min(h, w, 96)
corners = [(slice(0, size), slice(0, size)), (slice(0, size), slice(w - size, w)),
           (slice(h - size, h), slice(0, size)), (slice(h - size, h), slice(w - size, w))]
rows, cols = max(corners, key=lambda rc: float(grey[rc].std()))
crop = grey[rows, cols]
edge_row = 0 if rows.start == 0 else -1
zoom_rows = slice(0, 32) if rows.start == 0 else slice(-32, None)
zoom_cols = slice(0, 32) if cols.start == 0 else slice(-32, None)
profiles = {}
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    out = guard(filters.conv2d, crop, kernel, padding="same", padding_mode=mode)
    if out is None:
        continue
    profiles[t(f"mode.{mode}")] = out[edge_row, :48] if cols.start == 0 else out[edge_row, -48:]
    with column:
        show_image(np.kron(out[zoom_rows, zoom_cols], np.ones((4, 4))), t(f"mode.{mode}"),
                   "clip" if choice == "blur" else "abs")
if profiles:
    st.plotly_chart(line_chart(profiles, t("padding.profile", n=48)), key="border_profile")

with st.expander(t("common.code")):
    st.caption(t("common.code_help"))
    mode = st.selectbox(t("common.padding_mode"), list(filters.PADDING_MODES),
                        key="pad_code_mode", format_func=lambda m: t(f"mode.{m}"))
    snippets = pad_snippets(int(amount), mode)
    for tab, code in zip(st.tabs(list(snippets)), snippets.values(), strict=True):
        with tab:
            st.code(code, language="python")
