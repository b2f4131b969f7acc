"""Per-user state stays per user; shared caches are bounded; nothing renders user text as HTML."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.rendered import output_shape

ROOT = Path(__file__).resolve().parent.parent
APP_SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
               *sorted((ROOT / "ui").glob("*.py"))]


def png(seed: int, size=(24, 32)) -> bytes:
    pixels = (np.random.default_rng(seed).random((*size, 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_two_sessions_never_see_each_others_image_or_kernels():
    first = AppTest.from_file("../app.py", default_timeout=90).run()
    second = AppTest.from_file("../app.py", default_timeout=90).run()
    first.switch_page("pages/1_Filter.py").run()
    second.switch_page("pages/1_Filter.py").run()
    first.radio(key="image_source").set_value("upload").run()
    first.file_uploader(key="upload").set_value(("mine.png", png(1), "image/png")).run()
    first.text_input(key="save_name_sobel_x").input("private kernel").run()
    first.button(key="save_kernel").click().run()
    second.run()
    assert first.session_state["image"].name == "mine.png"
    assert second.session_state["image"].name == "china"
    assert "private kernel" in first.session_state["kernel_library"]
    assert "private kernel" not in second.session_state["kernel_library"]
    assert output_shape(second) == (427, 640, 3)
    assert output_shape(first) == (24, 32, 3)


def test_no_per_user_state_in_cache_resource_and_every_cache_is_bounded():
    for path in APP_SOURCES:
        text = path.read_text()
        assert not re.search(r"(?<!`)st\.cache_resource", text), path  # docs may name it
        for match in re.finditer(r"st\.cache_data\(([^)]*)\)", text):
            assert "max_entries" in match.group(1) and "ttl" in match.group(1), (path, match[0])


def test_no_user_text_is_rendered_as_html():
    for path in APP_SOURCES:
        assert "unsafe_allow_html" not in path.read_text(), path


def test_a_stream_of_200_uploads_keeps_the_decode_cache_bounded():
    pytest.importorskip("psutil")
    import psutil

    from ui.image_source import decode_upload

    decode_upload.clear()
    process = psutil.Process()
    for seed in range(20):  # warm up allocators
        decode_upload(png(seed, (256, 256)))
    before = process.memory_info().rss
    for seed in range(20, 220):
        array, _ = decode_upload(png(seed, (256, 256)))
        assert array.shape == (256, 256, 3)
    grown = (process.memory_info().rss - before) / 2**20
    # 200 decoded images of 0.75 MiB would be 150 MiB; the cache keeps at most 16 of them.
    assert grown < 60, f"memory grew by {grown:.0f} MiB"
