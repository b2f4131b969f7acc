"""What every page shares: it runs, the translated navigation, the language switch and its
strings, the image picker (uploads, errors, grey, fast preview, notes), the kernel library."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from pathlib import Path

import numpy as np
import pytest

import filters
from filters.image_io import to_unit
from filters.limits import MAX_UPLOAD_MB
from tests.conftest import ROOT, gif_bytes, jpeg_bytes, open_page, png_bytes, upload
from tests.rendered import output_shape
from ui.i18n import STRINGS

PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "ui").glob("*.py"))]


# --- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_runs_without_an_exception_in_both_languages(page, lang):
    at = open_page(page, lang=lang)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", at.title[0].value), at.title[0].value


def test_landing_page_links_every_existing_page_in_order():
    from ui.nav import available_pages

    at = open_page()
    assert at.title[0].value == "Convolution Lab"
    links = [e.label.strip("*") for e in at.main if type(e).__name__ == "PageLink"]
    assert links == [STRINGS[key][0] for _, key, _ in available_pages()[1:]]
    assert len(links) == len(PAGES)


def test_sidebar_navigation_is_translated_on_every_page():
    at = open_page("pages/2_Padding.py")
    labels = [e.label for e in at.sidebar if type(e).__name__ == "PageLink"]
    assert labels[:4] == ["Home", "Filter", "Padding", "Pooling & upsampling"]
    assert len(labels) == 1 + len(PAGES)
    at.radio(key="lang").set_value("zh").run()
    labels = [e.label for e in at.sidebar if type(e).__name__ == "PageLink"]
    assert labels[:4] == ["首页", "滤波", "填充", "池化与上采样"]
    assert at.title[0].value == "填充"


def test_language_can_be_chosen_in_the_address():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    assert at.title[0].value == "卷积实验室"
    assert at.radio(key="lang").value == "zh"


def test_config_hides_the_default_navigation_and_matches_the_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showSidebarNavigation"] is False
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    no_navigation = [p for p in SOURCES if "st.navigation(" in p.read_text()]
    # st.navigation beside pages/ falls back to the folder's own list on a fresh server's first
    # direct request (see ui/nav.py).
    assert not no_navigation, "pages are discovered from pages/, never st.navigation"


# Every page keys every widget and shows no untranslated English in Chinese: tests/test_i18n.py


def test_page_settings_are_kept_after_visiting_every_other_page():
    at = open_page("pages/1_Filter.py")
    at.selectbox(key="sample_name").select("checkerboard").run()
    at.number_input(key="filter_dilation").set_value(2).run()
    at.radio(key="filter_normalize").set_value("minmax").run()
    at.switch_page("pages/3_Pooling_and_Upsampling.py").run()
    at.radio(key="pool_mode").set_value("avg").run()
    # In English: AppTest re-formats some pages' options outside the run, in English (the
    # browser test goes through every page in Chinese).
    for page in [*[p for p in PAGES if "Filter" not in p], "app.py", "pages/1_Filter.py"]:
        at.switch_page(page).run()
        assert not at.exception, page
    assert at.selectbox(key="sample_name").value == "checkerboard"
    assert at.number_input(key="filter_dilation").value == 2
    assert at.radio(key="filter_normalize").value == "minmax"
    assert output_shape(at)[:2] == (256, 256)
    at.switch_page("pages/3_Pooling_and_Upsampling.py").run()
    assert at.radio(key="pool_mode").value == "avg"


def test_no_page_writes_widget_values_back_by_hand():
    """Values survive pages through ui.state.persist at the widget, not copied on every page."""
    pattern = re.compile(r"st\.session_state\[(\w+)\]\s*=\s*st\.session_state\[\1\]")
    assert not [p for p in SOURCES if pattern.search(p.read_text())]


# --- strings -------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_both_languages_with_the_same_fields():
    for key, pair in STRINGS.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        en, zh = pair
        assert en.strip() and zh.strip(), key
        assert _fields(en) == _fields(zh), key


def _calls(path: Path, name: str) -> list[ast.expr]:
    """First arguments of every call of ``name(...)`` in ``path``."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == name and node.args):
            calls.append(node.args[0])
    return calls


def test_every_key_used_in_the_sources_exists():
    missing, prefixes = [], []
    for path in SOURCES:
        for arg in _calls(path, "t"):
            if isinstance(arg, ast.Constant):
                if arg.value not in STRINGS:
                    missing.append(f"{path.name}: {arg.value}")
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                prefixes.append((path.name, arg.values[0].value))
        for arg in _calls(path, "option_format"):  # option_format("mode.") formats "mode.<v>"
            assert isinstance(arg, ast.Constant), path
            prefixes.append((path.name, arg.value))
    assert not missing
    for name, prefix in prefixes:  # t(f"mode.{m}"): some key must start with the prefix
        assert any(key.startswith(prefix) for key in STRINGS), f"{name}: {prefix}…"


@pytest.mark.parametrize("prefix, values", [
    ("mode.", filters.PADDING_MODES),
    ("category.", filters.kernels.CATEGORIES),
    ("pool.mode.", ("max", "avg", "lp")),
    ("pool.method.", ("nearest", "bilinear", "bicubic")),
    ("filter.normalize.", ("clip", "abs", "minmax")),
    ("padding.what.", filters.PADDING_MODES),
    ("source.", ("custom", "catalogue", "learned", "lenet", "uploaded")),
])
def test_dynamic_keys_cover_every_value(prefix, values):
    for value in values:
        assert f"{prefix}{value}" in STRINGS


def test_every_decoder_note_has_a_translation():
    doc = filters.image_io.Note.__doc__ or ""
    codes = re.findall(r"``([a-z0-9_]+)``", doc.split("Codes:")[1])
    assert len(codes) >= 10
    for code in codes:
        assert f"note.{code}" in STRINGS, code


def test_technical_terms_follow_the_notes():
    zh = {key: pair[1] for key, pair in STRINGS.items()}
    assert zh["common.kernel"] == "卷积核"
    assert zh["common.stride"] == "步幅"
    assert zh["common.padding"] == "填充"
    assert zh["common.dilation"] == "膨胀"
    assert zh["nav.receptive"] == "感受野"
    assert "池化" in zh["pool.pooling"]
    assert "转置卷积" in zh["pool.transposed"]
    assert "互相关" in zh["filter.flip_help"]


# --- the image picker ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_uploads_become_the_current_image_on_every_page(kind, gradient_rgb):
    at = open_page()
    data = png_bytes(gradient_rgb) if kind == "png" else jpeg_bytes(gradient_rgb)
    upload(at, f"gradient.{kind}", data, f"image/{kind}")
    assert not at.exception and not at.error
    image = at.session_state["image"]
    assert image.name == f"gradient.{kind}" and image.array.shape == (40, 56, 3)
    assert image.array.dtype == np.uint8  # an 8-bit file is kept as its samples
    np.testing.assert_array_equal(to_unit(image.array), filters.load_image(data))
    at.switch_page("pages/2_Padding.py").run()  # the image follows the user
    assert at.session_state["image"].name == f"gradient.{kind}"
    assert any("gradient" in c.value and "56×40" in c.value for c in at.sidebar.caption)


def test_corrupt_upload_shows_an_error_and_keeps_the_previous_image(gradient_rgb):
    at = open_page()
    upload(at, "good.png", png_bytes(gradient_rgb), "image/png")
    upload(at, "broken.png", b"\x89PNG\r\n\x1a\n this is not really a png", "image/png")
    assert not at.exception
    assert any("Could not use broken.png" in e.value for e in at.error)
    assert at.session_state["image"].name == "good.png"
    at.radio(key="lang").set_value("zh").run()
    assert any("无法使用 broken.png" in e.value for e in at.error)


def test_a_text_file_named_png_is_refused(gradient_rgb):
    at = open_page()
    upload(at, "notes.png", b"just some text, not pixels", "image/png")
    assert not at.exception
    assert any("notes.png" in e.value for e in at.error)
    assert at.session_state["image"].name == "china"  # the sample stays


def test_transparent_upload_is_composited_on_the_picked_background():
    from PIL import Image

    pixels = np.zeros((6, 8, 4), np.uint8)  # fully transparent, but for one half-opaque pixel
    pixels[2, 3] = (0, 0, 255, 128)
    at = open_page()
    at.radio(key="image_source").set_value("upload").run()
    at.color_picker(key="alpha_background").pick("#ff0000").run()
    upload(at, "clear.png", png_bytes(pixels), "image/png")
    assert not at.exception and not at.error
    red = Image.new("RGBA", (8, 6), (255, 0, 0, 255))  # Pillow composites the same way
    expected = np.asarray(Image.alpha_composite(red, Image.fromarray(pixels, "RGBA")))[..., :3]
    np.testing.assert_allclose(to_unit(at.session_state["image"].array) * 255, expected, atol=1)


def test_grey_switch_and_fast_preview_change_the_working_image():

    big = (np.random.default_rng(1).random((900, 1200, 3)) * 255).astype(np.uint8)
    at = open_page("pages/1_Filter.py")
    upload(at, "big.png", png_bytes(big), "image/png")
    assert output_shape(at) == (900, 1200, 3)
    at.radio(key="colour_mode").set_value("grey").run()
    assert output_shape(at) == (900, 1200)
    at.checkbox(key="fast_preview").check().run()
    assert output_shape(at) == (600, 800)
    assert any("600" in c.value and "800" in c.value for c in at.sidebar.caption)
    at.checkbox(key="fast_preview").uncheck().run()
    assert output_shape(at) == (900, 1200)


def test_big_images_are_shown_smaller_with_a_note():
    big = (np.random.default_rng(2).random((700, 1500, 3)) * 255).astype(np.uint8)
    at = open_page("pages/1_Filter.py")
    upload(at, "wide.png", png_bytes(big), "image/png")
    notes = [c.value for c in at.caption if "to fit the screen" in c.value]
    assert notes and "1500×700" in notes[0]


def test_decoder_notes_are_shown_translated():
    frames = [np.full((16, 16, 3), v, np.uint8) for v in (0, 128, 255)]
    at = open_page()
    upload(at, "anim.gif", gif_bytes(frames), "image/gif")
    assert at.session_state["image"].notes[0][0] == "first_frame"
    english = [m.value for m in at.sidebar.markdown if "only the first" in m.value]
    assert english and "3 frames" in english[0]
    at.radio(key="lang").set_value("zh").run()
    chinese = [m.value for m in at.sidebar.markdown if "第一帧" in m.value]
    assert chinese and "3 帧" in chinese[0]


def test_samples_are_listed_with_their_translated_titles():
    at = open_page()
    box = at.selectbox(key="sample_name")
    assert box.options == [STRINGS[f"sample.{n}.name"][0] for n in filters.SAMPLES]
    box.select("notes_5x5").run()
    assert at.session_state["image"].array.shape == (5, 5)
    at.radio(key="lang").set_value("zh").run()
    assert at.selectbox(key="sample_name").options == [STRINGS[f"sample.{n}.name"][1]
                                                       for n in filters.SAMPLES]


# --- the kernel library (ui.state) ---------------------------------------------------------


def test_kernel_json_round_trip_keeps_values_source_and_metadata():
    from ui.state import LibraryKernel, kernels_from_json, kernels_to_json

    kernels = {
        "edge": LibraryKernel(np.array([[1.0, -1.0]]), "learned", {"loss": np.float32(0.5)}),
        "box": LibraryKernel(np.ones((3, 3)) / 9, "custom", {}),
    }
    back = kernels_from_json(kernels_to_json(kernels))
    assert [(n, s) for n, _, s, _ in back] == [("edge", "learned"), ("box", "custom")]
    np.testing.assert_array_equal(back[0][1], [[1.0, -1.0]])
    np.testing.assert_allclose(back[1][1], np.ones((3, 3)) / 9, rtol=0, atol=1e-15)
    assert back[0][3] == {"loss": 0.5}


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[]", "empty list"),
    ('[{"name": "x"}]', "no 'values'"),
    ('[{"values": [[1, 2], [3]]}]', "Entry 1"),
    ('[{"values": [[1, "a"]]}]', "every value must be a number"),
    ('{"values": [[1e400]]}', "Entry 1"),
])
def test_bad_kernel_json_is_a_clear_value_error(text, message):
    from ui.state import kernels_from_json

    with pytest.raises(ValueError, match=re.escape(message)):
        kernels_from_json(text)


def test_switching_language_keeps_every_choice(gradient_rgb):
    at = open_page("pages/1_Filter.py")
    upload(at, "mine.png", png_bytes(gradient_rgb), "image/png")
    at.radio(key="filter_source").set_value("custom").run()
    at.radio(key="filter_normalize").set_value("minmax").run()
    before = [m.value for m in at.metric]  # min, max, mean, shape as shown
    at.radio(key="lang").set_value("zh").run()
    assert at.title[0].value == "滤波"
    assert at.radio(key="image_source").value == "upload"
    assert at.radio(key="filter_source").value == "custom"
    assert at.radio(key="filter_normalize").value == "minmax"
    assert at.session_state["image"].name == "mine.png"
    assert [m.value for m in at.metric] == before
    at.switch_page("pages/2_Padding.py").run()
    at.radio(key="pad_corner").set_value("br").run()
    at.radio(key="lang").set_value("en").run()
    assert at.radio(key="pad_corner").value == "br"
    assert at.title[0].value == "Padding"
