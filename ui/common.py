"""Page scaffolding (config, state, sidebar) and ``guard``: library errors become messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from .i18n import language_switch, t
from .image_source import image_picker
from .nav import render_nav
from .state import init_state

T = TypeVar("T")


def page_setup(title_key: str, *, picker: bool = True) -> None:
    """Config, state and the shared sidebar (language, navigation, image picker)."""
    st.set_page_config(page_title=f"{t(title_key)} · Convolution Lab", layout="wide",
                       page_icon="🔲")
    init_state()
    with st.sidebar:
        language_switch()
        render_nav()
        st.divider()
    if picker:
        image_picker()


def guard(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call a library function; show ``st.error`` and return ``None`` on ValueError/TypeError."""
    try:
        return function(*args, **kwargs)
    except (ValueError, TypeError) as error:
        st.error(t("error.prefix", message=str(error)))
        return None
