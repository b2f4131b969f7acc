"""The sidebar navigation, drawn with translated labels (Streamlit's own list is hidden)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .i18n import t

ROOT = Path(__file__).resolve().parent.parent

#: (file relative to the app root, label key, icon); pages that do not exist are left out.
PAGES = [
    ("app.py", "nav.home", ":material/home:"),
    ("pages/1_Filter.py", "nav.filter", ":material/blur_on:"),
    ("pages/2_Padding.py", "nav.padding", ":material/border_outer:"),
    ("pages/3_Pooling_and_Upsampling.py", "nav.pooling", ":material/photo_size_select_large:"),
    ("pages/4_How_convolution_works.py", "nav.explain", ":material/school:"),
    ("pages/5_Learn_a_kernel.py", "nav.learn", ":material/model_training:"),
    ("pages/6_Train_LeNet.py", "nav.lenet", ":material/neurology:"),
    ("pages/7_Receptive_fields.py", "nav.receptive", ":material/center_focus_strong:"),
    ("pages/8_Benchmarks.py", "nav.bench", ":material/speed:"),
]


def render_nav() -> None:
    """Links to every page that exists, in the current language."""
    for path, key, icon in PAGES:
        if (ROOT / path).exists():
            st.page_link(path, label=t(key), icon=icon)
