"""filters.image_io: hostile uploads, every decoding case, and the way back to display bytes.

Every file is made inside the test (Pillow's encoders, or PNG/GIF/WebP bytes written or patched
by hand). References: Pillow's own decoders and conversions, OpenCV (resize, cvtColor,
convertScaleAbs, normalize) and numpy's rot90/flip for EXIF orientations.
"""

from __future__ import annotations

import inspect
import io
import struct
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from filters import limits
from filters.image_io import (
    ALLOWED_EXTENSIONS,
    ALLOWED_FORMATS,
    encode_png,
    fit_for_screen,
    load_image,
    load_image_with_info,
    save_image,
    to_display,
    to_grey,
    to_unit,
    unit_scale,
)

from .hostile import NOT_IMAGES, encode, png_header_claiming, raw_png, rgb_pattern

ALLOWED_TEXT = "PNG, JPEG, WebP, BMP, TIFF, GIF"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)


# ------------------------------------------------------------------------------------------
# File makers


def pillow_reference(data: bytes, mode: str) -> np.ndarray:
    """What Pillow itself decodes, scaled to [0, 1]."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert(mode), dtype=np.float64) / 255


# ------------------------------------------------------------------------------------------
# Sources and limits


class TestSources:
    def png(self) -> bytes:
        return encode(Image.fromarray(rgb_pattern()), "PNG")

    def test_bytes_bytearray_memoryview_path_file_and_pil_give_the_same_array(self, tmp_path):
        data = self.png()
        path = tmp_path / "pattern.png"
        path.write_bytes(data)
        stream = io.BytesIO(data)
        stream.read()  # already read to the end, like a reused upload: must rewind
        expected = rgb_pattern().astype(np.float32) / 255
        for source in (
            data,
            bytearray(data),
            memoryview(data),
            str(path),
            path,
            stream,
            Image.open(io.BytesIO(data)),
        ):
            array = load_image(source)
            assert array.dtype == np.float32
            np.testing.assert_array_equal(array, expected)

    def test_streamlit_uploaded_file(self):
        manager = pytest.importorskip("streamlit.runtime.uploaded_file_manager")
        data = self.png()
        record = manager.UploadedFileRec(file_id="1", name="a.png", type="image/png", data=data)
        upload = manager.UploadedFile(record, None)
        first = load_image(upload)
        second = load_image(upload)  # the widget hands the same object to every rerun
        np.testing.assert_array_equal(first, rgb_pattern() / np.float32(255))
        np.testing.assert_array_equal(first, second)

    def test_concurrent_loads_from_threads(self):
        from concurrent.futures import ThreadPoolExecutor

        files = [encode(Image.new("L", (9, 7), value), "PNG") for value in range(0, 256, 8)]
        filters_before = list(warnings.filters)
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(load_image, files))
        for value, array in zip(range(0, 256, 8), results, strict=True):
            np.testing.assert_array_equal(array, np.full((7, 9), value / np.float32(255)))
        assert warnings.filters == filters_before

    def test_file_opened_in_text_mode_is_a_type_error(self, tmp_path):
        path = tmp_path / "a.png"
        path.write_bytes(self.png())
        with (
            path.open("r", encoding="latin-1") as handle,
            pytest.raises(TypeError, match="binary mode"),
        ):
            load_image(handle)

    @pytest.mark.parametrize("source", [123, 4.5, None, ["a"], {"a": 1}])
    def test_other_source_types_are_type_errors(self, source):
        with pytest.raises(TypeError, match="bytes, a path"):
            load_image(source)

    def test_numpy_array_is_a_type_error_that_says_what_to_do(self):
        with pytest.raises(TypeError, match="already a numpy array"):
            load_image(np.zeros((2, 2)))

    def test_missing_file_and_folder_are_value_errors(self, tmp_path):
        with pytest.raises(ValueError, match="missing"):
            load_image(tmp_path / "nope.png")
        with pytest.raises(ValueError, match="folder"):
            load_image(tmp_path)

    def test_defaults_come_from_filters_limits(self):
        for function in (load_image, load_image_with_info):
            parameters = inspect.signature(function).parameters
            assert parameters["max_pixels"].default == limits.MAX_IMAGE_PIXELS == 40_000_000
            assert parameters["max_bytes"].default == limits.MAX_UPLOAD_BYTES == 50 * 1024**2

    @pytest.mark.parametrize("kind", ["bytes", "path", "file"])
    def test_file_larger_than_max_bytes_is_refused(self, tmp_path, kind):
        data = self.png()
        path = tmp_path / "big.png"
        path.write_bytes(data)
        source = {"bytes": data, "path": path, "file": io.BytesIO(data)}[kind]
        with pytest.raises(ValueError, match="larger than the limit"):
            load_image(source, max_bytes=len(data) - 1)
        assert load_image(source, max_bytes=len(data)).shape == (12, 16, 3)

    @pytest.mark.parametrize(
        ("option", "value", "error"),
        [
            ("max_pixels", 0, ValueError),
            ("max_pixels", 1.5, TypeError),
            ("max_bytes", True, TypeError),
            ("max_side", -3, ValueError),
            ("mode", "colour", ValueError),
            ("mode", 3, TypeError),
            ("background", (300, 0, 0), ValueError),
            ("background", "#12345", ValueError),
            ("background", "red", ValueError),
            ("background", (1, 2), TypeError),
            ("background", (1.0, 2, 3), TypeError),
        ],
    )
    def test_bad_options_are_refused(self, option, value, error):
        with pytest.raises(error, match=option.split("_")[0]):
            load_image(self.png(), **{option: value})

    def test_mode_typo_suggests_the_right_name(self):
        with pytest.raises(ValueError, match="Did you mean 'grey'"):
            load_image(self.png(), mode="gray")


# ------------------------------------------------------------------------------------------
# Hostile and broken files


class TestHostileFiles:
    def test_zero_bytes(self, tmp_path):
        (tmp_path / "empty.png").write_bytes(b"")
        for source in (b"", tmp_path / "empty.png", io.BytesIO()):
            with pytest.raises(ValueError, match=r"empty \(0 bytes\).*PNG, JPEG"):
                load_image(source)

    @pytest.mark.parametrize(("fmt", "cut"), [("PNG", 0.6), ("JPEG", 0.6), ("PNG", 0.95)])
    def test_truncated_png_and_jpeg_are_refused(self, fmt, cut):
        rng = np.random.default_rng(5)
        noisy = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)  # incompressible
        data = encode(Image.fromarray(noisy), fmt)
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        with pytest.raises(ValueError, match=f"The {fmt} file is truncated or corrupt"):
            load_image(data[: int(len(data) * cut)])
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
        assert load_image(data).shape == (64, 64, 3)  # the whole file is fine

    @pytest.mark.parametrize(("content", "looks_like"), NOT_IMAGES)
    def test_text_html_svg_pdf_renamed_png(self, tmp_path, content, looks_like):
        path = tmp_path / "photo.png"
        path.write_bytes(content)
        with pytest.raises(ValueError) as caught:
            load_image(path)
        message = str(caught.value)
        assert "not an image Pillow can decode" in message
        assert f"allowed: {ALLOWED_TEXT}".lower() in message.lower()
        assert looks_like in message

    def test_formats_pillow_knows_but_we_do_not_allow_are_refused(self):
        # Pillow can decode ICO and PCX, but only the six allowed decoders are ever tried.
        ico = encode(Image.new("RGB", (16, 16), (255, 0, 0)), "ICO")
        pcx = encode(Image.new("RGB", (16, 16), (255, 0, 0)), "PCX")
        with pytest.raises(ValueError, match="an ICO icon"):
            load_image(ico)
        with pytest.raises(ValueError, match="not an image Pillow can decode"):
            load_image(pcx)

    def test_exotic_decoders_are_never_invoked(self, monkeypatch):
        Image.init()
        called: list[str] = []

        def make_trap(name):
            def trap(fp, filename=None):
                called.append(name)
                raise AssertionError(f"decoder {name} was invoked")

            return trap

        for name in list(Image.OPEN):
            if name not in ALLOWED_FORMATS:
                monkeypatch.setitem(Image.OPEN, name, (make_trap(name), None))
        eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
        for data in (eps, encode(Image.new("RGB", (8, 8)), "ICO"), b"\x00" * 64, b"BMx"):
            with pytest.raises(ValueError, match="not an image Pillow can decode"):
                load_image(data)
        assert called == []
        assert load_image(encode(Image.new("L", (3, 2), 255), "PNG")).min() == 1.0

    @pytest.mark.parametrize("size", [(1, 100_000), (100_000, 1)])
    def test_extreme_aspect_ratio_is_accepted_within_the_pixel_limit(self, size):
        width, height = size
        values = (np.arange(width * height) % 256).astype(np.uint8).reshape(height, width)
        array, info = load_image_with_info(encode(Image.fromarray(values), "PNG"))
        assert array.shape == (height, width)
        np.testing.assert_array_equal(array, values / np.float32(255))
        assert "extreme_aspect" in info.codes
        assert info.notes[-1].values == {"width": width, "height": height}

    @pytest.mark.parametrize(
        ("width", "height", "pillow_says"),
        [
            (30_000, 30_000, "error"),  # 900 MP: Pillow's own DecompressionBombError
            (10_000, 10_000, "warning"),  # 100 MP: Pillow would only warn
            (8_000, 8_000, "nothing"),  # 64 MP: only our 40 MP limit catches it
        ],
    )
    def test_header_bomb_is_refused_before_decoding_and_without_a_warning(
        self, monkeypatch, width, height, pillow_says
    ):
        def no_decoding(self, *args, **kwargs):
            raise AssertionError("pixel data was decoded")

        monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
        before = Image.MAX_IMAGE_PIXELS
        for data in (
            png_header_claiming(width, height),
            png_header_claiming(width, height, with_data=False),
        ):
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                with pytest.raises(ValueError) as caught:
                    load_image(data)
            assert not [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]
            message = str(caught.value)
            assert f"{width * height / 1e6:.1f} megapixels" in message
            assert "the limit is 40 megapixels" in message
            assert "refused before decoding" in message
            assert "truncated" not in message and "178956970" not in message
        assert before == Image.MAX_IMAGE_PIXELS

    def test_the_bomb_check_uses_max_pixels(self):
        data = encode(Image.new("L", (100, 50)), "PNG")
        assert load_image(data, max_pixels=5000).shape == (50, 100)
        with pytest.raises(ValueError, match=r"100×50 = 0.0 megapixels; the limit is 0.004999"):
            load_image(data, max_pixels=4999)
        with pytest.raises(ValueError, match="megapixels"):
            load_image(Image.new("L", (100, 50)), max_pixels=4999)

    def test_max_pixels_above_pillows_own_limit_is_capped_by_it(self):
        data = png_header_claiming(10_000, 10_000)  # 100 MP: above Pillow's ≈ 89.5 MP
        limit = f"the limit is {Image.MAX_IMAGE_PIXELS / 1e6:g} megapixels"
        with pytest.raises(ValueError, match=limit):
            load_image(data, max_pixels=200_000_000)

    def test_gif_frame_larger_than_its_screen_is_a_bomb(self):
        small = encode(Image.new("P", (1, 1)), "GIF")
        at = small.index(b",")  # image descriptor: x, y, width, height (little endian)
        bomb = small[: at + 5] + struct.pack("<HH", 9000, 9000) + small[at + 9 :]
        with pytest.raises(ValueError, match=r"9000×9000 = 81.0 megapixels"):
            load_image(bomb)

    @pytest.mark.parametrize(("width", "height"), [(9000, 9000), (16383, 16383)])
    def test_webp_header_bomb_is_refused_before_libwebp_sees_it(self, monkeypatch, width, height):
        from PIL import WebPImagePlugin

        def no_decoder(*args, **kwargs):
            raise AssertionError("libwebp decoder created")

        data = encode(Image.new("RGB", (16, 16), (10, 20, 30)), "WEBP", quality=80)
        assert data[12:16] == b"VP8 " and data[23:26] == b"\x9d\x01\x2a"
        bomb = data[:26] + struct.pack("<HH", width, height) + data[30:]
        monkeypatch.setattr(WebPImagePlugin._webp, "WebPAnimDecoder", no_decoder)
        with pytest.raises(ValueError, match=f"{width}×{height}"):
            load_image(bomb)

    def test_loading_leaves_pillow_and_warning_state_alone(self):
        filters_before = list(warnings.filters)
        pixels_before = Image.MAX_IMAGE_PIXELS
        load_image(encode(Image.new("RGB", (4, 4)), "PNG"))
        with pytest.raises(ValueError):
            load_image(png_header_claiming(30_000, 30_000))
        assert warnings.filters == filters_before
        assert pixels_before == Image.MAX_IMAGE_PIXELS
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# ------------------------------------------------------------------------------------------
# Every kind of pixel data


class TestDecoding:
    @pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
    def test_16_bit_grey_is_scaled_by_65535_not_clipped(self, fmt):
        values = np.array([[0, 1000, 32768, 65535]], dtype=np.uint16)
        array, info = load_image_with_info(encode(Image.fromarray(values), fmt))
        assert info.mode.startswith("I;16") and info.bit_depth == 16
        assert array.dtype == np.float32 and array.shape == (1, 4)
        assert array[0, 3] == 1.0
        assert array[0, 2] == pytest.approx(0.5, abs=1e-4)
        assert array[0, 1] == pytest.approx(1000 / 65535, rel=1e-6)  # clipping would give 1.0
        assert info.value_scale == "65535" and "sixteen_bit" in info.codes

    def test_16_bit_grey_png_written_by_hand(self):
        values = np.array([[65535, 32768], [256, 0]], dtype=np.uint16)
        array = load_image(raw_png(values, 16, 0))
        np.testing.assert_allclose(array, values / 65535, rtol=1e-6)

    def test_16_bit_colour_png_is_reduced_to_8_bits_with_a_note(self):
        values = np.array([[[65535, 32768, 0], [0, 255, 65280]]], dtype=np.uint16)
        array, info = load_image_with_info(raw_png(values, 16, 2))
        assert info.bit_depth == 16 and "reduced_to_8_bit" in info.codes
        np.testing.assert_array_equal(array, (values >> 8) / np.float32(255))

    def test_palette_png_without_transparency(self):
        indices = np.array([[0, 1], [2, 1]], dtype=np.uint8)
        image = Image.fromarray(indices, "P")
        palette = [255, 0, 0, 0, 128, 0, 10, 20, 250]
        image.putpalette(palette + [0] * (768 - len(palette)))
        data = encode(image, "PNG")
        array, info = load_image_with_info(data)
        assert info.mode == "P" and not info.has_alpha and array.shape == (2, 2, 3)
        colours = np.array(palette, dtype=np.float32).reshape(3, 3) / 255
        np.testing.assert_array_equal(array, colours[indices])
        np.testing.assert_allclose(array, pillow_reference(data, "RGB"), atol=1e-7)

    def test_palette_png_with_transparency_is_composited(self):
        indices = np.array([[0, 1, 2]], dtype=np.uint8)
        image = Image.fromarray(indices, "P")
        image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 759)
        data = encode(image, "PNG", transparency=bytes([255, 0, 128]))
        background = (20, 40, 60)
        array, info = load_image_with_info(data, background=background)
        assert info.has_alpha and info.alpha_composited and info.background == background
        rgba = pillow_reference(data, "RGBA")
        alpha = rgba[..., 3:]
        expected = alpha * rgba[..., :3] + (1 - alpha) * np.array(background) / 255
        np.testing.assert_allclose(array, expected, atol=1e-6)
        np.testing.assert_allclose(array[0, 1], np.array(background) / 255, atol=1e-6)

    def test_gif_transparent_index_shows_the_background(self):
        indices = np.array([[0, 1], [1, 0]], dtype=np.uint8)
        image = Image.fromarray(indices, "P")
        image.putpalette([255, 255, 0, 9, 9, 9] + [0] * 762)
        data = encode(image, "GIF", transparency=1)
        array, info = load_image_with_info(data, background="#0000ff")
        assert info.format == "GIF" and info.alpha_composited
        np.testing.assert_allclose(array[0, 0], [1, 1, 0])
        np.testing.assert_allclose(array[0, 1], [0, 0, 1])

    @pytest.mark.parametrize(
        ("background", "rgb"),
        [
            ((255, 255, 255), (255, 255, 255)),
            ((0, 0, 0), (0, 0, 0)),
            ((30, 200, 90), (30, 200, 90)),
            ("#1ec85a", (30, 200, 90)),
            ("#0f0", (0, 255, 0)),
            (128, (128, 128, 128)),
            (np.uint8(7), (7, 7, 7)),
        ],
    )
    def test_rgba_is_composited_on_the_background(self, background, rgb):
        rng = np.random.default_rng(1)
        rgba = rng.integers(0, 256, (6, 7, 4), dtype=np.uint8)
        array, info = load_image_with_info(
            encode(Image.fromarray(rgba, "RGBA"), "PNG"), background=background
        )
        bg = np.array(rgb, dtype=np.float64) / 255
        alpha = rgba[..., 3:] / 255
        expected = alpha * rgba[..., :3] / 255 + (1 - alpha) * bg
        assert array.shape == (6, 7, 3) and info.alpha_composited
        np.testing.assert_allclose(array, expected, atol=1e-6)
        assert info.notes[0].values["background"] == info.background == rgb

    def test_grey_alpha_stays_grey_on_a_grey_background_and_turns_colour_on_a_colour_one(self):
        grey = np.array([[0, 100, 255]], dtype=np.uint8)
        alpha = np.array([[0, 128, 255]], dtype=np.uint8)
        data = encode(Image.fromarray(np.dstack([grey, alpha]), "LA"), "PNG")
        a = alpha / 255
        on_grey = load_image(data, background=(50, 50, 50))
        assert on_grey.shape == (1, 3)
        np.testing.assert_allclose(on_grey, a * grey / 255 + (1 - a) * 50 / 255, atol=1e-6)
        on_red = load_image(data, background=(255, 0, 0))
        assert on_red.shape == (1, 3, 3)
        expected = a[..., None] * (grey / 255)[..., None] + (1 - a[..., None]) * [1, 0, 0]
        np.testing.assert_allclose(on_red, expected, atol=1e-6)
        assert load_image(data, background=(255, 0, 0), mode="grey").shape == (1, 3)

    def test_opaque_alpha_is_not_reported_as_composited(self):
        rgba = np.full((2, 2, 4), 255, dtype=np.uint8)
        rgba[..., 0] = 10
        array, info = load_image_with_info(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
        assert info.has_alpha and not info.alpha_composited and info.notes == ()
        np.testing.assert_allclose(array[0, 0], [10 / 255, 1, 1])

    def test_colour_key_transparency_in_rgb_png(self):
        pixels = np.array([[[1, 2, 3], [200, 100, 50]]], dtype=np.uint8)
        data = encode(Image.fromarray(pixels), "PNG", transparency=(1, 2, 3))
        array, info = load_image_with_info(data, background=(0, 0, 255))
        assert info.alpha_composited
        np.testing.assert_allclose(array, [[[0, 0, 1], [200 / 255, 100 / 255, 50 / 255]]])

    @pytest.mark.parametrize(
        "cmyk", [(0, 255, 255, 0), (255, 0, 255, 0), (51, 102, 0, 64), (0, 0, 0, 255)]
    )
    def test_cmyk_jpeg_is_converted_to_rgb(self, cmyk):
        data = encode(Image.new("CMYK", (16, 16), cmyk), "JPEG", quality=100)
        array, info = load_image_with_info(data)
        assert info.mode == "CMYK" and info.format == "JPEG" and array.shape == (16, 16, 3)
        c, m, y, k = np.array(cmyk) / 255
        expected = np.array([(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)])
        np.testing.assert_allclose(array[8, 8], expected, atol=3 / 255)
        np.testing.assert_allclose(array, pillow_reference(data, "RGB"), atol=1e-7)
        assert info.notes[0].code == "cmyk_converted"
        assert info.notes[0].values == {"method": "formula"}

    def test_cmyk_with_a_broken_profile_falls_back_to_the_formula(self):
        data = encode(
            Image.new("CMYK", (8, 8), (0, 255, 255, 0)),
            "JPEG",
            quality=100,
            icc_profile=b"not a profile",
        )
        array, info = load_image_with_info(data)
        np.testing.assert_allclose(array[4, 4], [1, 0, 0], atol=3 / 255)
        assert info.notes[0].values == {"method": "formula"}

    def test_lab_tiff_is_converted_with_littlecms(self):
        from PIL import ImageCms

        # LittleCMS turns sRGB colours into L*a*b* (D50, the ICC connection space); the file
        # stores those, and loading must give the sRGB colours back (8-bit L*a*b* steps cost
        # up to 14/255 on saturated colours).
        srgb = Image.fromarray(
            np.array([[[255, 0, 0], [0, 128, 255], [200, 200, 200]]], dtype=np.uint8)
        )
        to_lab = ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB"), "RGB", "LAB"
        )
        lab = ImageCms.applyTransform(srgb, to_lab)
        assert lab is not None and lab.mode == "LAB"
        array, info = load_image_with_info(encode(lab, "TIFF"))
        assert info.mode == "LAB" and "lab_converted" in info.codes
        np.testing.assert_allclose(array, np.asarray(srgb) / 255, atol=15 / 255)
        assert np.abs(array[0, 2] - 200 / 255).max() <= 1.5 / 255  # grey stays grey

    @pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
    def test_exif_orientation_6_is_shown_upright(self, fmt):
        stored = np.zeros((20, 40, 3), dtype=np.uint8)  # wide as stored: 40 × 20
        stored[:10, :10] = (255, 0, 0)  # red block in the stored top-left corner
        stored[10:, 30:] = (0, 0, 255)
        exif = Image.Exif()
        exif[0x0112] = 6
        options = {"quality": 95} if fmt == "JPEG" else {}
        data = encode(Image.fromarray(stored), fmt, exif=exif, **options)
        array, info = load_image_with_info(data)
        assert info.exif_orientation == 6 and info.exif_rotated
        assert (info.width, info.height) == (40, 20)
        assert array.shape == (40, 20, 3)  # tall once upright
        as_stored = pillow_reference(data, "RGB")  # Pillow does not rotate on its own
        np.testing.assert_allclose(array, np.rot90(as_stored, k=-1), atol=1e-6)  # 90° clockwise
        np.testing.assert_allclose(array[2, 17], [1, 0, 0], atol=0.05)  # now the top-right
        np.testing.assert_allclose(array[37, 2], [0, 0, 1], atol=0.05)  # now the bottom-left
        assert info.notes[0].values == {"orientation": 6}

    @pytest.mark.parametrize(
        ("orientation", "reference"),
        [
            (1, lambda a: a),
            (2, np.fliplr),
            (3, lambda a: np.rot90(a, 2)),
            (4, np.flipud),
            (5, lambda a: np.transpose(a, (1, 0, 2))),
            (6, lambda a: np.rot90(a, -1)),
            (7, lambda a: np.transpose(np.rot90(a, 2), (1, 0, 2))),
            (8, lambda a: np.rot90(a, 1)),
        ],
    )
    def test_every_exif_orientation(self, orientation, reference):
        stored = rgb_pattern(5, 7)
        exif = Image.Exif()
        exif[0x0112] = orientation
        array, info = load_image_with_info(encode(Image.fromarray(stored), "PNG", exif=exif))
        np.testing.assert_array_equal(array, reference(stored) / np.float32(255))
        assert info.exif_rotated == (orientation != 1)

    @pytest.mark.parametrize(
        ("fmt", "options"),
        [
            ("GIF", {"duration": 100, "loop": 0}),
            ("WEBP", {"lossless": True, "duration": 100}),
            ("PNG", {"duration": 100}),  # APNG
            ("TIFF", {}),  # multi-page
        ],
    )
    def test_animation_gives_the_first_frame_and_says_so(self, fmt, options):
        colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
        frames = [Image.new("RGB", (6, 4), colour) for colour in colours]
        data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], **options)
        array, info = load_image_with_info(data)
        assert info.frames == 3 and info.animated
        note = info.notes[0]
        assert note.code == "first_frame" and note.values["frames"] == 3
        assert "3" in note.message and ("first" in note.message)
        assert array.shape == (4, 6, 3)
        np.testing.assert_allclose(array, np.broadcast_to([1, 0, 0], (4, 6, 3)), atol=1e-6)

    def test_multi_picture_jpeg_gives_the_first_picture(self):
        pictures = [Image.new("RGB", (8, 6), colour) for colour in [(255, 0, 0), (0, 0, 255)]]
        data = encode(pictures[0], "MPO", save_all=True, append_images=pictures[1:])
        array, info = load_image_with_info(data)
        assert info.format == "MPO" and info.frames == 2
        assert info.messages == (
            "Multi-picture JPEG (MPO) with 2 pictures: only the first is used.",
        )
        np.testing.assert_allclose(array[3, 4], [1, 0, 0], atol=2 / 255)

    def test_first_frame_even_if_the_pil_image_was_moved_to_another_frame(self):
        frames = [Image.new("L", (3, 3), value) for value in (10, 200)]
        data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
        image = Image.open(io.BytesIO(data))
        image.seek(1)
        assert load_image(image).max() == pytest.approx(10 / 255)

    def test_float_tiff_in_range_is_kept(self):
        values = np.array([[0.0, 0.25, 1.0], [0.1, 0.5, 0.75]], dtype=np.float32)
        array, info = load_image_with_info(encode(Image.fromarray(values, "F"), "TIFF"))
        assert info.mode == "F" and info.bit_depth == 32 and info.value_scale == "kept"
        np.testing.assert_array_equal(array, values)
        assert info.notes == ()

    def test_float_tiff_out_of_range_is_stretched_min_max(self):
        values = np.array([[-1.0, 0.0, 3.0]], dtype=np.float32)
        array, info = load_image_with_info(encode(Image.fromarray(values, "F"), "TIFF"))
        np.testing.assert_allclose(array, [[0.0, 0.25, 1.0]])
        assert info.value_scale == "minmax" and info.value_range == (-1.0, 3.0)
        assert info.notes[0].code == "float_rescaled"
        assert info.notes[0].values == {"min": -1.0, "max": 3.0}

    def test_float_tiff_nan_and_inf_become_zero(self):
        values = np.array([[np.nan, 0.5, np.inf, -np.inf, 1.0]], dtype=np.float32)
        array, info = load_image_with_info(encode(Image.fromarray(values, "F"), "TIFF"))
        np.testing.assert_array_equal(array, [[0.0, 0.5, 0.0, 0.0, 1.0]])
        assert "non_finite" in info.codes and info.notes[0].values == {"count": 3}
        everything_bad = np.full((2, 2), np.nan, dtype=np.float32)
        array = load_image(encode(Image.fromarray(everything_bad, "F"), "TIFF"))
        np.testing.assert_array_equal(array, np.zeros((2, 2)))

    def test_32_bit_integer_tiff_is_stretched(self):
        values = np.array([[-100, 0, 300]], dtype=np.int32)
        array, info = load_image_with_info(encode(Image.fromarray(values, "I"), "TIFF"))
        np.testing.assert_allclose(array, [[0.0, 0.25, 1.0]])
        assert info.notes[0].code == "int_rescaled"

    @pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "GIF"])
    def test_one_bit_images_are_zero_or_one(self, fmt):
        bits = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], dtype=bool)
        array, info = load_image_with_info(encode(Image.fromarray(bits), fmt))
        assert array.shape == (2, 4)
        np.testing.assert_array_equal(array, bits.astype(np.float32))
        if fmt != "GIF":  # GIF stores 1-bit images as a palette
            assert info.mode == "1" and info.bit_depth == 1 and info.value_scale == "binary"

    @pytest.mark.parametrize(
        ("fmt", "options"),
        [
            ("PNG", {}),
            ("JPEG", {"quality": 90}),
            ("WEBP", {"lossless": True}),
            ("WEBP", {"quality": 80}),
            ("BMP", {}),
            ("TIFF", {}),
            ("TIFF", {"compression": "tiff_lzw"}),
            ("GIF", {}),
        ],
    )
    def test_every_allowed_format_decodes_like_pillow(self, fmt, options):
        data = encode(Image.fromarray(rgb_pattern()), fmt, **options)
        array, info = load_image_with_info(data)
        assert info.format == fmt and info.num_bytes == len(data)
        assert array.dtype == np.float32 and array.shape == (12, 16, 3)
        np.testing.assert_allclose(array, pillow_reference(data, "RGB"), atol=1e-7)

    def test_allowed_lists_match(self):
        assert set(ALLOWED_FORMATS) == {"PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"}
        Image.init()
        for extension in ALLOWED_EXTENSIONS:
            assert Image.EXTENSION[f".{extension}"] in ALLOWED_FORMATS

    def test_grey_and_rgb_modes(self):
        colour = rgb_pattern()
        data = encode(Image.fromarray(colour), "PNG")
        grey, info = load_image_with_info(data, mode="grey")
        assert grey.shape == (12, 16) and "converted_to_grey" in info.codes
        # Pillow's convert("L") uses the same BT.601 weights but rounds to 8 bits.
        np.testing.assert_allclose(grey, pillow_reference(data, "L"), atol=0.5 / 255 + 1e-6)
        grey_data = encode(Image.fromarray(colour[..., 0]), "PNG")
        assert load_image(grey_data).shape == (12, 16)
        as_rgb = load_image(grey_data, mode="rgb")
        assert as_rgb.shape == (12, 16, 3)
        for channel in range(3):
            np.testing.assert_array_equal(as_rgb[..., channel], colour[..., 0] / np.float32(255))
        assert load_image(data, mode="rgb").shape == (12, 16, 3)

    @pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
    def test_max_side_downscales_with_area_averaging(self, fmt):
        big = np.kron(rgb_pattern(12, 16), np.ones((8, 8, 1), dtype=np.uint8))  # 96 × 128
        data = encode(Image.fromarray(big), fmt, **({"quality": 95} if fmt == "JPEG" else {}))
        array, info = load_image_with_info(data, max_side=32)
        assert array.shape == (24, 32, 3) and info.downscaled and info.scale == 0.25
        assert info.notes[-1].code == "downscaled"
        assert info.notes[-1].values["to"] == (32, 24)
        full = load_image(data)
        reference = cv2.resize(full, (32, 24), interpolation=cv2.INTER_AREA)
        if fmt == "PNG":
            np.testing.assert_allclose(array, reference, atol=1e-6)
        else:  # libjpeg's DCT scaling: close to area averaging, not identical
            assert np.abs(array - reference).mean() < 0.02
        same, info = load_image_with_info(data, max_side=128)
        assert same.shape == (96, 128, 3) and not info.downscaled

    def test_max_side_after_exif_rotation(self):
        exif = Image.Exif()
        exif[0x0112] = 6
        data = encode(Image.new("RGB", (80, 40), (9, 9, 9)), "PNG", exif=exif)
        assert load_image(data, max_side=20).shape == (20, 10, 3)

    def test_info_summary_and_messages(self):
        frames = [Image.new("RGB", (5, 3), c) for c in [(1, 2, 3), (4, 5, 6)]]
        data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
        array, info = load_image_with_info(data)
        assert info.summary == "GIF 5×3 P 8-bit, 2 frames"
        assert info.shape == array.shape == (3, 5, 3)
        assert info.messages == ("Animated GIF with 2 frames: only the first is used.",)
        assert info.codes == ("first_frame",)


# ------------------------------------------------------------------------------------------
# Display, encoding, saving, resizing, grey


class TestToDisplay:
    def test_three_normalisations_on_signed_values(self):
        edges = np.array([[-0.5, 0.0, 0.5, 2.0]], dtype=np.float32)
        assert to_display(edges, "clip").tolist() == [[0, 0, 128, 255]]
        assert to_display(edges, "abs").tolist() == [[128, 0, 128, 255]]
        assert to_display(edges, "minmax").tolist() == [[0, 51, 102, 255]]

    def test_abs_matches_opencv_convert_scale_abs(self, rng):
        values = rng.normal(0, 0.6, (9, 11)).astype(np.float32)
        expected = cv2.convertScaleAbs(values, alpha=255)
        np.testing.assert_array_equal(to_display(values, "abs"), expected)

    def test_minmax_matches_opencv_normalize(self, rng):
        values = rng.normal(3, 10, (9, 11, 3)).astype(np.float32)
        expected = cv2.normalize(values, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)
        assert np.abs(to_display(values, "minmax").astype(int) - expected).max() <= 1

    def test_clip_matches_pillow_on_in_range_values(self, rng):
        values = rng.integers(0, 256, (5, 6), dtype=np.uint8)
        image = Image.fromarray(values).convert("F").point(lambda v: v / 255)
        np.testing.assert_array_equal(to_display(np.asarray(image), "clip"), values)

    def test_nan_inf_and_constant(self):
        values = np.array([[np.nan, np.inf, -np.inf, 0.5]])
        assert to_display(values, "clip").tolist() == [[0, 255, 0, 128]]
        assert to_display(values, "abs").tolist() == [[0, 255, 255, 128]]
        assert to_display(values, "minmax").tolist() == [[0, 255, 0, 0]]
        assert to_display(np.full((2, 2), 7.0), "minmax").tolist() == [[0, 0], [0, 0]]
        assert to_display(np.full((1, 2), np.nan), "minmax").tolist() == [[0, 0]]

    def test_dtypes_and_channels(self):
        as_uint8 = np.array([[0, 100, 255]], dtype=np.uint8)
        assert to_display(as_uint8).tolist() == [[0, 100, 255]]
        assert to_display(as_uint8, "minmax").tolist() == [[0, 100, 255]]
        as_uint16 = np.array([[0, 32896, 65535]], dtype=np.uint16)
        assert to_display(as_uint16).tolist() == [[0, 128, 255]]
        assert to_display(np.array([[True, False]])).tolist() == [[255, 0]]
        assert to_display(np.zeros((2, 3, 1))).shape == (2, 3)
        assert to_display(np.zeros((2, 3, 4))).shape == (2, 3, 4)
        assert to_display(np.zeros((2, 3), dtype=np.float64)).dtype == np.uint8
        with pytest.raises(ValueError, match=r"1, 3 .* or 4"):
            to_display(np.zeros((2, 3, 5)))
        with pytest.raises(ValueError, match="Did you mean 'minmax'"):
            to_display(np.zeros((2, 2)), "min-max")
        with pytest.raises(TypeError):
            to_display("not an image")


class TestEncodeAndSave:
    def test_encode_png_round_trips_through_pillow(self, rng):
        values = rng.normal(0.5, 0.4, (7, 9, 3)).astype(np.float32)
        for normalize in ("clip", "abs", "minmax"):
            decoded = np.asarray(Image.open(io.BytesIO(encode_png(values, normalize))))
            np.testing.assert_array_equal(decoded, to_display(values, normalize))
        grey = Image.open(io.BytesIO(encode_png(values[..., 0])))
        assert grey.mode == "L" and grey.size == (9, 7)
        with pytest.raises(ValueError, match="compress_level must be between 0 and 9; got 10"):
            encode_png(values, compress_level=10)
        with pytest.raises(TypeError, match="compress_level must be an int"):
            encode_png(values, compress_level=6.0)
        assert encode_png(values, compress_level=np.int64(0))[1:4] == b"PNG"

    @pytest.mark.parametrize("suffix", [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".TIFF"])
    def test_save_image_by_suffix(self, tmp_path, suffix):
        y, x = np.mgrid[0:8, 0:10] / 10.0
        values = np.stack([x, y, 1 - x], axis=-1).astype(np.float32)  # smooth: fair to JPEG
        path = save_image(tmp_path / f"out{suffix}", values)
        assert path.exists()
        expected_format = {".png": "PNG", ".bmp": "BMP", ".webp": "WEBP"}.get(
            suffix, "TIFF" if "tif" in suffix.lower() else "JPEG"
        )
        with Image.open(path) as image:
            assert image.format == expected_format and image.size == (10, 8)
        decoded = load_image(path)
        if expected_format in ("PNG", "BMP", "TIFF"):  # lossless: exactly the display values
            np.testing.assert_allclose(decoded, to_display(values) / 255, atol=1e-6)
        else:  # lossy: what Pillow makes of the display values at quality 95
            reference = encode(Image.fromarray(to_display(values)), expected_format, quality=95)
            np.testing.assert_array_equal(decoded, load_image(reference))
            assert np.abs(decoded - to_display(values) / 255).mean() < 0.03

    def test_save_image_refusals(self, tmp_path):
        with pytest.raises(ValueError, match=r"Cannot save as '\.gif'"):
            save_image(tmp_path / "a.gif", np.zeros((2, 2)))
        with pytest.raises(ValueError, match="no alpha"):
            save_image(tmp_path / "a.jpg", np.zeros((2, 2, 4)))
        with pytest.raises(ValueError, match="quality"):
            save_image(tmp_path / "a.jpg", np.zeros((2, 2)), quality=0)
        for wrong_type in (95.0, "95", True):
            with pytest.raises(TypeError, match="quality must be an int"):
                save_image(tmp_path / "a.jpg", np.zeros((2, 2)), quality=wrong_type)
        assert Path(save_image(tmp_path / "a.png", np.zeros((2, 2, 4)))).exists()


class TestFitForScreen:
    @pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.uint16])
    def test_matches_opencv_area_resize_and_keeps_dtype(self, rng, dtype):
        values = (rng.random((300, 200, 3)) * 200).astype(dtype)
        small, scale = fit_for_screen(values, max_side=100)
        assert small.dtype == dtype and small.shape == (100, 67, 3)
        assert scale == pytest.approx(1 / 3)
        reference = cv2.resize(values, (67, 100), interpolation=cv2.INTER_AREA)
        np.testing.assert_array_equal(small, reference)

    def test_fits_already_is_returned_as_is(self):
        values = np.zeros((50, 80), dtype=np.float32)
        same, scale = fit_for_screen(values, max_side=80)
        assert same is values and scale == 1.0

    def test_single_channel_and_other_dtypes(self):
        small, _ = fit_for_screen(np.ones((40, 40, 1), dtype=np.int64), max_side=10)
        assert small.shape == (10, 10, 1) and small.dtype == np.float32
        small, _ = fit_for_screen(np.ones((40, 40), dtype=bool), max_side=10)
        np.testing.assert_array_equal(small, np.ones((10, 10)))
        with pytest.raises(ValueError, match="2-D"):
            fit_for_screen(np.zeros(5))
        with pytest.raises(TypeError, match="numpy array"):
            fit_for_screen("not an image")
        with pytest.raises(TypeError, match="real numbers"):
            fit_for_screen(np.zeros((2, 2), dtype=complex))
        with pytest.raises(TypeError, match="max_side must be an int"):
            fit_for_screen(np.zeros((2, 2)), max_side=2.5)
        # a nested list is an image, as everywhere in the library
        same, scale = fit_for_screen([[1, 2]])
        assert same.tolist() == [[1, 2]] and scale == 1.0

    def test_pillow_fallback_without_opencv(self, monkeypatch):
        import builtins

        real_import = builtins.__import__

        def no_cv2(name, *args, **kwargs):
            if name == "cv2":
                raise ImportError("no cv2 here")
            return real_import(name, *args, **kwargs)

        values = np.kron(np.arange(12, dtype=np.float32).reshape(3, 4), np.ones((4, 4)))
        monkeypatch.setattr(builtins, "__import__", no_cv2)
        small, scale = fit_for_screen(values.astype(np.float32), max_side=4)
        # each 4×4 block is constant, so any area average gives back the block values
        np.testing.assert_allclose(small, np.arange(12).reshape(3, 4), atol=1e-5)
        assert scale == 0.25


class TestToGrey:
    def test_matches_opencv_rgb2gray_in_float(self, rng):
        values = rng.random((6, 7, 3)).astype(np.float32)
        expected = cv2.cvtColor(values, cv2.COLOR_RGB2GRAY)
        np.testing.assert_allclose(to_grey(values), expected, atol=1e-6)

    def test_matches_pillow_l_within_rounding(self, rng):
        values = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
        expected = np.asarray(Image.fromarray(values).convert("L"), dtype=np.float64)
        assert np.abs(to_grey(values) - expected).max() <= 0.5 + 1e-4

    def test_shapes_and_dtypes(self):
        assert to_grey(np.ones((3, 4), dtype=np.uint8)).dtype == np.float32
        assert to_grey(np.ones((3, 4, 3))).dtype == np.float64
        np.testing.assert_allclose(to_grey(np.ones((3, 4, 4))), np.ones((3, 4)))
        assert to_grey(np.ones((3, 4, 1))).shape == (3, 4)
        with pytest.raises(ValueError, match="1, 3"):
            to_grey(np.ones((3, 4, 2)))


# ------------------------------------------------------------------------------------------
# Fuzzing: any bytes give an image in [0, 1] or a ValueError/TypeError, never anything else


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _valid_files() -> list[bytes]:
    pattern = Image.fromarray(rgb_pattern(8, 8))
    frames = [pattern, pattern.rotate(90)]
    return [
        encode(pattern, "PNG"),
        encode(pattern, "JPEG", quality=80),
        encode(pattern, "GIF", save_all=True, append_images=frames[1:]),
        encode(pattern, "BMP"),
        encode(pattern, "TIFF"),
        encode(pattern, "TIFF", compression="tiff_lzw"),
        encode(pattern, "WEBP", lossless=True),
        encode(pattern, "WEBP", quality=70),
        encode(Image.fromarray(np.array([[0, 65535]], dtype=np.uint16)), "PNG"),
        encode(pattern.convert("RGBA"), "PNG"),
        encode(pattern.convert("P"), "PNG", transparency=0),
    ]


VALID_FILES = _valid_files()
MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF"]


def _check_outcome(data: bytes) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            array = load_image(data, max_pixels=1_000_000)
        except (ValueError, TypeError) as exc:
            event(f"refused: {type(exc).__name__}")
            array = None
    assert [str(w.message) for w in seen] == []  # no warning escapes either
    if array is None:
        return
    event("decoded")
    assert array.dtype == np.float32
    assert array.ndim in (2, 3) and array.size > 0
    assert np.isfinite(array).all()
    assert array.min() >= 0.0 and array.max() <= 1.0


@fuzz_settings(300)
@given(
    st.one_of(
        st.binary(min_size=0, max_size=4096),
        st.tuples(st.sampled_from(MAGIC), st.binary(max_size=512)).map(b"".join),
    )
)
def test_fuzz_random_bytes(data):
    _check_outcome(data)


@fuzz_settings(1000)
@given(
    st.sampled_from(range(len(VALID_FILES))),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    st.one_of(st.just(1.0), st.floats(0.05, 1.0)),  # keep the whole file, or cut its end
)
def test_fuzz_mutated_valid_files(index, changes, keep):
    data = bytearray(VALID_FILES[index])
    for where, value in changes:
        data[int(where * len(data))] = value
    _check_outcome(bytes(data[: max(1, int(len(data) * keep))]))


@fuzz_settings(500)
@given(
    st.sampled_from(range(len(VALID_FILES))),
    st.binary(min_size=1, max_size=64),
    st.floats(0, 1),
)
def test_fuzz_inserted_bytes(index, inserted, where):
    data = VALID_FILES[index]
    at = int(where * len(data))
    _check_outcome(data[:at] + inserted + data[at:])


# --- dtype="native": 8-bit files as their samples ------------------------------------------


@pytest.mark.parametrize("mode, fmt", [("L", "PNG"), ("RGB", "PNG"), ("RGB", "JPEG"),
                                       ("P", "GIF"), ("CMYK", "JPEG"), ("RGB", "WEBP")])
def test_native_keeps_8_bit_files_as_uint8_and_to_unit_gives_the_float_image(mode, fmt):
    rng = np.random.default_rng(7)
    rgb = Image.fromarray((rng.random((12, 16, 3)) * 255).astype(np.uint8))
    image = rgb.convert(mode) if mode != "P" else rgb.quantize(32)
    data = encode(image, fmt)
    native = load_image(data, dtype="native")
    assert native.dtype == np.uint8
    np.testing.assert_array_equal(to_unit(native), load_image(data))
    assert unit_scale(native.dtype) == 1 / 255


@pytest.mark.parametrize("image", [Image.new("RGBA", (4, 3), (255, 0, 0, 100)),
                                   Image.new("I;16", (4, 3), 40000), Image.new("1", (4, 3), 1)])
def test_native_gives_float32_where_the_file_is_not_plain_8_bit(image):
    data = encode(image, "PNG")
    native = load_image(data, dtype="native")
    assert native.dtype == np.float32
    np.testing.assert_array_equal(native, load_image(data))


def test_native_grey_mode_is_the_float_luma():
    data = encode(Image.new("RGB", (3, 2), (200, 100, 50)), "PNG")
    np.testing.assert_array_equal(load_image(data, dtype="native", mode="grey"),
                                  load_image(data, mode="grey"))


def test_wrong_dtypes_are_refused_with_what_is_allowed():
    data = encode(Image.new("L", (2, 2), 9), "PNG")
    with pytest.raises(ValueError, match="'float32', 'native'"):
        load_image(data, dtype="uint8")
    with pytest.raises(TypeError, match="uint8, uint16 or float"):
        to_unit(np.zeros((2, 2), np.int32))
    with pytest.raises(TypeError, match="numpy array"):
        to_unit([[1, 2]])
    with pytest.raises(TypeError, match="uint8, uint16 or float"):
        unit_scale(np.int64)
    assert unit_scale(np.uint16) == 1 / 65535
    np.testing.assert_array_equal(to_unit(np.array([[65535]], np.uint16)), [[1.0]])
