"""Per-user state stays per user; shared caches are bounded; nothing renders user text as HTML."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
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
            args = match.group(1)
            bounded = ("max_entries" in args and "ttl" in args) or (
                "max_size" in args and 'scope="session"' in args)
            assert bounded, (path, match[0])


def test_the_process_cache_limit_is_the_budgets():
    import tomllib

    from filters.limits import PROCESS_CACHE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    size = config["server"]["maxCacheDataSize"]
    assert size.lower().endswith("mib") and int(size[:-3]) * 2**20 == PROCESS_CACHE_BYTES


def test_no_user_text_is_rendered_as_html():
    for path in APP_SOURCES:
        assert "unsafe_allow_html" not in path.read_text(), path


def jpeg(seed: int, size=(1200, 1600)) -> bytes:
    """A photo-sized JPEG: smooth colour fields plus noise, different for every seed."""
    rng = np.random.default_rng(seed)
    h, w = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    fields = [np.sin(x / (40 + 30 * rng.random()) + 6 * rng.random())
              + np.cos(y / (40 + 30 * rng.random())) for _ in range(3)]
    pixels = np.stack(fields, axis=-1) * 60 + 128 + rng.normal(0, 8, (h, w, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def test_200_uploads_in_one_session_keep_its_memory_within_the_budget():
    """200 different 2-megapixel photos, one after the other, in one session: the session keeps
    one image and its working copies, so the process does not grow with the uploads."""
    import psutil

    from filters.limits import SESSION_CACHE_BYTES

    photos = [jpeg(seed) for seed in range(8)]  # eight photos, made different again below
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.radio(key="image_source").set_value("upload").run()
    process = psutil.Process()
    rss = []
    for n in range(200):
        data = photos[n % 8] + n.to_bytes(4, "big")  # bytes after the JPEG's end: a new file
        at.file_uploader(key="upload").set_value((f"photo{n}.jpg", data, "image/jpeg")).run()
        assert not at.exception and not at.error, n
        assert at.session_state["image"].name == f"photo{n}.jpg"
        rss.append(process.memory_info().rss)
    grown = (max(rss[20:]) - rss[19]) / 2**20
    # Kept per upload if anything leaked: the 5.8 MB samples and the 4.3 MB working copy, so
    # 180 more uploads would add ~1.8 GB; the budget allows the session's caches to fill.
    assert grown < SESSION_CACHE_BYTES / 2**20 + 40, f"memory grew by {grown:.0f} MiB"
