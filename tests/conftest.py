"""Shared test configuration and fixtures.

- Hypothesis explores the same examples on every CI run (no flakiness).
- ``open_app`` opens the app (or one page) headlessly with Streamlit's ``AppTest``.
- ``png_bytes`` / ``jpeg_bytes`` / ``gif_bytes`` encode arrays in memory; ``upload`` pushes bytes
  through the sidebar's file uploader; ``open_with_picture`` opens a page on an uploaded picture.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings
from PIL import Image

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
APP_TIMEOUT = 120  # seconds per AppTest run (generous: CI machines are slow)


def open_page(page: str | None = None, *, lang: str | None = None):
    """An ``AppTest`` of the app, switched to ``page`` (e.g. ``"pages/1_Filter.py"``) and run.

    With ``lang="zh"`` the language switch is set before the page runs.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    if lang:
        at.radio(key="lang").set_value(lang).run()
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def png_bytes(array: np.ndarray) -> bytes:
    """``array`` (uint8 H×W or H×W×3/4) as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(array: np.ndarray, quality: int = 95) -> bytes:
    """``array`` (uint8 H×W or H×W×3) as JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def gif_bytes(frames: list[np.ndarray]) -> bytes:
    """An animated GIF of uint8 RGB ``frames``."""
    buffer = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100)
    return buffer.getvalue()


def upload(at, name: str, data: bytes, mime: str):
    """Choose "Upload" in the sidebar and upload ``data`` as the file ``name``; rerun."""
    if at.radio(key="image_source").value != "upload":
        at.radio(key="image_source").set_value("upload").run()
    at.file_uploader(key="upload").set_value((name, data, mime))
    at.run()
    return at


def open_with_picture(page: str, pixels: np.ndarray, *, lang: str | None = None):
    """The app with ``pixels`` (uint8) uploaded as the current image, switched to ``page``."""
    at = open_page(lang=lang)
    upload(at, "picture.png", png_bytes(pixels), "image/png")
    assert not at.exception, at.exception
    at.switch_page(page).run()
    return at


@pytest.fixture
def open_app() -> Callable:
    """``open_app(page=None, lang=None)`` → a run ``AppTest`` (see :func:`open_page`)."""
    return open_page


@pytest.fixture(scope="session")
def gradient_rgb() -> np.ndarray:
    """A 40×56 uint8 RGB test picture: vertical ramp, its mirror, a constant blue."""
    rows = np.linspace(0, 255, 40)[:, None] * np.ones((1, 56))
    pixels = np.stack([rows, rows[::-1], np.full_like(rows, 90)], axis=-1)
    return pixels.astype(np.uint8)


@pytest.fixture(scope="session")
def noise_rgb() -> np.ndarray:
    """A 48×64 uint8 RGB noise picture (every kernel changes it)."""
    return (np.random.default_rng(7).random((48, 64, 3)) * 255).astype(np.uint8)


def chart_traces(at, index: int = 0) -> list[dict]:
    """The traces of the ``index``-th plotly chart of a run page, with ``x``/``y``/``z`` as
    numpy arrays (plotly sends arrays base64-encoded as ``{"dtype", "bdata"}``)."""
    import base64
    import json

    spec = json.loads(at.get("plotly_chart")[index].proto.spec)

    def decode(value):
        if isinstance(value, dict) and "bdata" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return array.reshape(value["shape"]) if "shape" in value else array
        return np.asarray(value) if isinstance(value, list) else value

    return [{k: decode(v) if k in ("x", "y", "z") else v for k, v in trace.items()}
            for trace in spec["data"]]
