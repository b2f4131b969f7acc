"""The sidebar navigation, drawn with translated labels.

Streamlit's own page list is hidden (``client.showSidebarNavigation = false`` in
``.streamlit/config.toml``) because its labels come from file names and cannot follow the
language switch. :func:`render_nav` draws the same list with ``st.page_link`` on every page.
Pages stay discovered from ``pages/`` (no ``st.navigation``); a page whose file does not exist
yet is simply left out.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .i18n import t

__all__ = ["PAGES", "ROOT", "available_pages", "render_nav"]

ROOT = Path(__file__).resolve().parent.parent

#: (file relative to the app root, label key, icon), in the order of the numeric prefixes.
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


def available_pages() -> list[tuple[str, str, str]]:
    """The entries of :data:`PAGES` whose file exists."""
    return [entry for entry in PAGES if (ROOT / entry[0]).exists()]


def render_nav() -> None:
    """Render one ``st.page_link`` per existing page, labelled in the current language."""
    for path, key, icon in available_pages():
        st.page_link(path, label=t(key), icon=icon)
