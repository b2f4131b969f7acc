"""Receptive fields: a layer stack's output pixel drawn as the input square it sees."""

import pandas as pd
import streamlit as st

from filters.image_io import to_unit
from filters.receptive import PRESETS, layer_stats, parse_layers, receptive_window
from filters.regions import crop_around
from ui.common import guard, page_setup
from ui.explain_figures import receptive_overlay
from ui.i18n import option_format, t
from ui.image_source import working_set

page_setup("rf.title")
st.title(t("rf.title"))
st.caption(t("rf.caption"))

# The presets keep their library names as values (state and tests use them); only the label
# shown is translated. A preset added to the library later shows its own name until it has a key.
PRESET_LABELS = {
    "two 3×3": "rf.preset.two_3x3",
    "one 5×5": "rf.preset.one_5x5",
    "three 3×3": "rf.preset.three_3x3",
    "one 7×7": "rf.preset.one_7x7",
    "LeNet": "rf.preset.lenet",
    "VGG block": "rf.preset.vgg",
    "ResNet bottleneck": "rf.preset.resnet",
    "MobileNet depthwise separable": "rf.preset.mobilenet",
    "custom": "rf.custom",
}


work = working_set()  # the geometry is the full image's; the pictures are the working copy's
image = work.full
h, w = image.shape[:2]
controls, picture = st.columns([2, 3], gap="large")
with controls:
    choice = st.selectbox(t("rf.preset"), [*PRESETS, "custom"], key="rf_preset",
                          format_func=option_format("", keys=PRESET_LABELS, unknown_as_is=True))
    if choice == "custom":
        text = st.text_input(t("rf.layers"), "conv3p1c16,conv3p1c16,pool2,conv3p1c32",
                             key="rf_text")
        layers = guard(parse_layers, text)
    else:
        layers = PRESETS[choice]
        st.code(", ".join(layer.name for layer in layers), language=None)
    channels = st.number_input(t("rf.channels"), 1, 2048, 3 if image.ndim == 3 else 1,
                               key="rf_channels")

stats = guard(layer_stats, layers, min(h, w), int(channels)) if layers else None
if stats:
    out_rows = guard(layer_stats, layers, h, int(channels))
    out_cols = guard(layer_stats, layers, w, int(channels))
    if out_rows and out_cols:
        rows_out, cols_out = out_rows[-1].size, out_cols[-1].size
        with controls:
            i = st.slider(t("rf.row"), 0, rows_out - 1, rows_out // 2, key="rf_row") \
                if rows_out > 1 else 0
            j = st.slider(t("rf.col"), 0, cols_out - 1, cols_out // 2, key="rf_col") \
                if cols_out > 1 else 0
        top, left, bottom, right = receptive_window(layers, int(i), int(j), max(h, w))
        outside = top < 0 or left < 0 or bottom >= h or right >= w
        with controls:
            st.markdown(t("rf.window", i=i, j=j, top=top, bottom=bottom, left=left, right=right,
                          size=bottom - top + 1, padding=t("rf.in_padding") if outside else ""))
        small, scale = work.view, work.view.shape[0] / h
        box = tuple(round(v * scale) for v in (top, left, bottom, right))
        zoom, (z_top, z_left) = crop_around(image, (top, left, bottom, right),
                                            max(8, bottom - top + 1))
        zoom = to_unit(zoom)
        with picture:
            overview, detail = st.columns(2)
            overview.plotly_chart(receptive_overlay(small, box), key="rf_overlay")
            if zoom.size:
                detail.plotly_chart(
                    receptive_overlay(zoom, (top - z_top, left - z_left, bottom - z_top,
                                             right - z_left)), key="rf_zoom")

    st.subheader(t("rf.table"))
    table = pd.DataFrame([
        {t("rf.col.layer"): s.name, t("rf.col.size"): s.size, t("rf.col.channels"): s.channels,
         t("rf.col.rf"): s.receptive_field, t("rf.col.jump"): s.jump,
         t("rf.col.params"): s.params, t("rf.col.macs"): s.mult_adds}
        for s in stats
    ])
    st.dataframe(table, hide_index=True, key="rf_table")
    st.markdown(t("rf.totals", params=sum(s.params for s in stats),
                  macs=sum(s.mult_adds for s in stats)))
    st.caption("`python -m filters size " + str(min(h, w)) + ' --layers "'
               + ",".join(layer.name for layer in layers) + '"`')
