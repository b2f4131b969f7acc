"""The "Code" panels: one tab per library with its snippet, and the input the snippets read.

Every page that offers code calls :func:`code_tabs` (the snippets come from
:mod:`filters.export`) and, where the snippet reads ``input.npy``, :func:`input_download`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import streamlit as st

from filters.export import npy_bytes
from filters.image_io import to_unit

from .i18n import t

__all__ = ["code_tabs", "input_download"]


def code_tabs(snippets: Mapping[str, str], *, key_prefix: str | None = "",
              file_prefix: str = "") -> None:
    """One tab per library (the mapping's keys, in order) with its code and a download button.

    Args:
        snippets: library name → Python source, e.g. from :func:`filters.export.conv_snippets`.
            Empty: nothing is drawn.
        key_prefix: the download buttons' keys are ``f"{key_prefix}dl_code_{library}"``;
            ``None`` draws the code without download buttons.
        file_prefix: the downloaded file is ``f"{file_prefix}{library}_snippet.py"``.
    """
    if not snippets:
        return
    for tab, (library, code) in zip(st.tabs(list(snippets)), snippets.items(), strict=True):
        with tab:
            st.code(code, language="python")
            if key_prefix is not None:
                st.download_button(t("common.download_snippet", name=library), code,
                                   f"{file_prefix}{library}_snippet.py", "text/x-python",
                                   key=f"{key_prefix}dl_code_{library}")


def input_download(array: np.ndarray, key: str) -> None:
    """A button downloading ``array`` as the float32 ``input.npy`` in [0, 1] that the snippets
    read (uint8 samples are scaled; encoded only when clicked)."""
    st.download_button(t("common.download_input"), lambda: npy_bytes(to_unit(array), np.float32),
                       "input.npy", "application/octet-stream", key=key)
