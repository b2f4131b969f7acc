"""The sidebar navigation, drawn with translated labels.

Streamlit's own page list is hidden (``client.showSidebarNavigation = false`` in
``.streamlit/config.toml``) because its labels come from file names and cannot follow the
language switch. :func:`render_nav` draws the same list with ``st.page_link`` on every page.
Pages stay discovered from ``pages/`` (no ``st.navigation``); a page whose file does not exist
yet is simply left out.

Why not ``st.navigation``: on Streamlit 1.67 a ``pages/`` folder beside it still wins until some
session has run the entrypoint (``PagesManager.uses_pages_directory``, see Streamlit PR #10276).
On a server that has just started, a first request straight to ``/Filter`` runs
``pages/1_Filter.py`` alone under Streamlit's own page list (file-name labels, no language
switch, no image picker), and so does every later direct request until someone opens ``/``.
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
