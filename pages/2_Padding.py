"""Padding: the four modes side by side, the notes' 4×4 grids, and their effect on borders."""

import numpy as np
import pandas as pd
import streamlit as st

import filters
from filters.export import pad_snippets
from filters.regions import CORNERS, border_profile, busiest_corner, corner_slices
from ui.common import guard, page_setup
from ui.controls import padding_names_table
from ui.figures import line_chart, number_table
from ui.i18n import option_format, t
from ui.image_source import (
    Picture,
    picture,
    show_image,
    show_picture,
    working_copy_note,
    working_image,
    zoomed,
)
from ui.memory import session_cache
from ui.snippets import code_tabs
from ui.state import persist

page_setup("padding.title")
st.title(t("padding.title"))
st.caption(t("padding.caption"))
working_copy_note()

image, token = working_image()
h, w = image.shape[:2]
side = min(h, w)


@session_cache("padding")
def padded_view(token: str, amount: int, mode: str, _image: np.ndarray
                ) -> tuple[Picture, tuple[int, ...]]:
    """filters.pad as the screen sees it: the picture and the padded shape, cached on the image
    token, the amount and the mode (the padded float array is not kept)."""
    padded = filters.pad(_image, amount, mode)
    return picture(padded), padded.shape


# --- the four modes on the user's image ------------------------------------------------------
st.subheader(t("padding.modes"))
upper = max(1, min(side - 1, max(4, side // 4)))   # torch's reflect needs padding < side
if upper > 1:
    keep = persist("pad_amount", max(1, min(upper, side // 8)))
    st.session_state["pad_amount"] = int(np.clip(st.session_state["pad_amount"], 1, upper))
    amount = int(st.slider(t("padding.amount"), 1, upper, help=t("padding.amount_help", n=upper),
                           **keep))
else:
    amount = 1
    st.caption(t("padding.tiny", h=h, w=w))
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    with column:
        padded = guard(padded_view, token, amount, mode, image)
        if padded is not None:
            shown, shape = padded
            show_picture(shown, f"{t(f'mode.{mode}')} · {shape[0]}×{shape[1]}", shape)
            st.caption(t(f"padding.what.{mode}"))

# --- the notes' 4×4 matrix -------------------------------------------------------------------
st.subheader(t("padding.notes"))
st.caption(t("padding.notes_caption"))
matrix = filters.load_sample("notes_matrix_4x4")
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    with column:
        st.markdown(f"**{t(f'mode.{mode}')}**")
        st.table(number_table(filters.pad(matrix, 1, mode), padding=(1, 1, 1, 1)),
                 hide_index=True, hide_header=True)

with st.expander(t("padding.table"), expanded=False):
    st.caption(t("padding.table_caption"))
    st.dataframe(pd.DataFrame(padding_names_table()), hide_index=True, width="stretch")

# --- what each mode does to the border of a filtered image -----------------------------------
st.subheader(t("padding.border"))
st.caption(t("padding.border_caption"))
a, b = st.columns([2, 3])
choice = a.radio(t("padding.border_kernel"), ["blur", "edge"], horizontal=True,
                 format_func=option_format("padding.border."),
                 **persist("pad_border_kernel", "blur"))
kernel = (filters.get_kernel("box_blur", size=15) if choice == "blur"
          else filters.get_kernel("sobel_x"))
grey = filters.to_grey(image)
size = min(h, w, 96)  # the corner with the most detail shows the border effect best
corner = b.radio(t("padding.corner"), list(CORNERS), horizontal=True,
                 format_func=option_format("padding.corner."),
                 **persist("pad_corner", busiest_corner(grey, size)))
crop = grey[corner_slices(grey.shape, corner, size)]
zoom = corner_slices(crop.shape, corner, 32)
profiles = {}
for column, mode in zip(st.columns(4), filters.PADDING_MODES, strict=True):
    out = guard(filters.conv2d, crop, kernel, padding="same", padding_mode=mode)
    if out is None:
        continue
    profiles[t(f"mode.{mode}")] = border_profile(out, corner, 48)
    with column:
        show_image(zoomed(out[zoom], 8), t(f"mode.{mode}"),
                   "clip" if choice == "blur" else "abs")
if profiles:
    st.plotly_chart(line_chart(profiles, t("padding.profile", n=min(48, crop.shape[1])),
                               x_title=t("padding.profile_x"), y_title=t("padding.profile_y")),
                    key="border_profile")

with st.expander(t("common.code")):
    st.caption(t("padding.code_help"))
    mode = st.selectbox(t("common.padding_mode"), list(filters.PADDING_MODES),
                        format_func=option_format("mode."), **persist("pad_code_mode", "zeros"))
    code_tabs(pad_snippets(amount, mode), key_prefix="pad_", file_prefix="pad_")
