"""Limits stated in one place match Streamlit's config; transparency uses the chosen background."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from filters.limits import MAX_UPLOAD_MB

ROOT = Path(__file__).resolve().parent.parent


def test_upload_limit_matches_streamlit_config():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB


def test_transparent_upload_is_composited_on_the_picked_background():
    pixels = np.zeros((6, 8, 4), np.uint8)  # fully transparent
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, format="PNG")
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.radio(key="image_source").set_value("upload").run()
    at.color_picker(key="alpha_background").pick("#ff0000").run()
    at.file_uploader(key="upload").set_value(("clear.png", buffer.getvalue(), "image/png"))
    at.run()
    assert not at.exception
    np.testing.assert_allclose(at.session_state["image"].array[0, 0], [1.0, 0.0, 0.0])
