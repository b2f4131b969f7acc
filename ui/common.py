"""Page scaffolding (config, state, sidebar) and ``guard``: library errors become messages."""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import streamlit as st

from .i18n import language_switch, t
from .image_source import image_picker
from .memory import give_back_freed_memory
from .nav import render_nav
from .state import init_state

T = TypeVar("T")


#: Libraries a page imports on its first visit, slowest last (torch takes seconds on 2 cores).
WARM_MODULES = ("pandas", "plotly.graph_objects", "plotly.express", "cv2", "scipy.ndimage",
                "scipy.signal", "torch")


@cache
def warm_up() -> threading.Thread:
    """Import :data:`WARM_MODULES` once per server process, in a background thread, so that
    nobody's first visit of a page waits for them (a page importing one meanwhile just waits
    for that import to finish: Python imports each module once)."""

    def load() -> None:
        for name in WARM_MODULES:
            if not is_installed(name.split(".")[0]):
                continue
            try:
                importlib.import_module(name)
            except Exception:  # only a head start: the page's own import reports the error
                return

    thread = threading.Thread(target=load, name="convlab-warm-up", daemon=True)
    thread.start()
    return thread


def page_setup(title_key: str, *, picker: bool = True) -> None:
    """Start a page: page config (wide layout, translated browser-tab title), the session's
    state, and the shared sidebar: the English / 中文 switch, the translated navigation and,
    unless ``picker=False``, the image picker. Call it first on every page."""
    st.set_page_config(page_title=f"{t(title_key)} · Convolution Lab", layout="wide",
                       page_icon="🔲")
    warm_up()
    give_back_freed_memory()
    init_state()
    with st.sidebar:
        language_switch()
        render_nav()
        st.divider()
    if picker:
        image_picker()


def guard(function: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call a library function; on ``ValueError``/``TypeError`` render ``st.error`` (translated
    prefix + the library's message) and return ``None``, so a page never shows a traceback and
    keeps the user's inputs as they are.

    Example:
        >>> kernel = guard(filters.parse_kernel, text)  # None (and a message) if text is bad
    """
    try:
        return function(*args, **kwargs)
    except (ValueError, TypeError) as error:
        st.error(t("error.prefix", message=str(error)))
        return None


def is_installed(module: str) -> bool:
    """True if ``module`` can be imported here (without importing it).

    Example:
        >>> is_installed("numpy"), is_installed("no_such_module_here")
        (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False
