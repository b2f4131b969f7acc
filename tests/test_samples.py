"""filters.samples: the built-in images.

References: scikit-learn's own loaders (photos, digits), the study notes' text (seed 000's 5×5
matrix, seed 002's 4×4 matrix), OpenCV (resize, Sobel, filter2D) for what the synthetic images
are claimed to show.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from filters import samples
from filters.samples import SAMPLES, Sample, available_samples, load_sample

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _seed_text(prefix: str) -> str:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"study notes not found in {SEEDS}")
    return matches[0].read_text(encoding="utf-8")


class TestCatalogue:
    def test_order_and_entries(self):
        assert list(SAMPLES) == [
            "china",
            "flower",
            "checkerboard",
            "step_edge",
            "circle",
            "gradient",
            "impulse",
            "notes_5x5",
            "notes_matrix_4x4",
            "digit",
        ]
        for name, sample in SAMPLES.items():
            assert isinstance(sample, Sample) and sample.name == name
            assert sample.kind in ("photo", "synthetic")
            # English for scripts; the interface's titles and Chinese live in ui/i18n.py.
            assert sample.description.endswith(".")
            assert not re.search(r"[\u4e00-\u9fff]", sample.description)

    def test_raw_matrices_say_so(self):
        for name in ("notes_5x5", "notes_matrix_4x4"):
            sample = SAMPLES[name]
            assert sample.raw_values and not sample.resizable
            assert "NOT scaled" in sample.description
        assert [n for n, s in SAMPLES.items() if s.raw_values] == [
            "notes_5x5",
            "notes_matrix_4x4",
        ]

    def test_every_sample_loads_with_its_declared_shape(self):
        assert available_samples() == list(SAMPLES)  # scikit-learn is installed here
        for name, sample in SAMPLES.items():
            image = load_sample(name)
            assert image.dtype == np.float32, name
            assert image.shape == sample.shape, name
            assert np.isfinite(image).all()
            if not sample.raw_values:
                assert image.min() >= 0.0 and image.max() <= 1.0, name
                assert image.max() > image.min(), name


class TestPhotos:
    @pytest.mark.parametrize("name", ["china", "flower"])
    def test_photos_equal_scikit_learns_loader(self, name):
        from sklearn.datasets import load_sample_image

        expected = load_sample_image(f"{name}.jpg")
        assert expected.shape == (427, 640, 3)
        np.testing.assert_array_equal(load_sample(name), expected / np.float32(255))

    def test_digit_is_scikit_learns_digit_3(self):
        from sklearn.datasets import load_digits

        digits = load_digits()
        assert digits.target[3] == 3
        np.testing.assert_array_equal(load_sample("digit"), digits.images[3] / np.float32(16))

    def test_resizing_a_photo_is_opencv_area_averaging(self):
        full = load_sample("flower")
        small = load_sample("flower", size=160)
        assert small.shape == (107, 160, 3)
        expected = cv2.resize(full, (160, 107), interpolation=cv2.INTER_AREA)
        np.testing.assert_allclose(small, expected, atol=1e-6)
        exact = load_sample("china", size=(100, 50))
        assert exact.shape == (100, 50, 3)

    def test_grey_mode_uses_bt601(self):
        colour = load_sample("china")
        grey = load_sample("china", mode="grey")
        assert grey.shape == (427, 640)
        expected = cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
        np.testing.assert_allclose(grey, expected, atol=1e-6)

    def test_without_scikit_learn_photos_are_unavailable(self, monkeypatch):
        monkeypatch.setattr(samples, "_sklearn_dir", lambda: None)
        samples._cached.cache_clear()
        try:
            names = available_samples()
            assert "china" not in names and "digit" not in names
            assert "checkerboard" in names and "notes_5x5" in names
            with pytest.raises(ImportError, match="pip install scikit-learn"):
                load_sample("china")
        finally:
            samples._cached.cache_clear()


class TestNotesMatrices:
    def test_5x5_is_seed_000s_matrix(self):
        text = _seed_text("000")
        block = re.search(r"5x5 输入矩阵.*?\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", text, re.S)
        assert block, "the 5×5 matrix was not found in seed 000"
        rows = [
            [float(v) for v in row.split("&")]
            for row in block.group(1).split("\\\\")
            if row.strip()
        ]
        assert len(rows) == 5
        np.testing.assert_array_equal(load_sample("notes_5x5"), rows)
        assert load_sample("notes_5x5").max() == 3.0  # raw values, not scaled

    def test_4x4_is_seed_002s_matrix(self):
        text = _seed_text("002")
        block = re.search(r"tensor\(\[\[\[\[(.*?)\]\]\]\]", text, re.S)
        assert block, "the 4×4 matrix was not found in seed 002"
        rows = [
            [float(v) for v in row.strip(" []\n,").split(",")] for row in block.group(1).split("],")
        ]
        np.testing.assert_array_equal(load_sample("notes_matrix_4x4"), rows)
        np.testing.assert_array_equal(
            load_sample("notes_matrix_4x4"), np.arange(1, 17).reshape(4, 4)
        )

    @pytest.mark.parametrize("name", ["notes_5x5", "notes_matrix_4x4"])
    def test_fixed_size(self, name):
        with pytest.raises(ValueError, match="fixed size"):
            load_sample(name, size=10)
        assert load_sample(name, mode="rgb").shape[-1] == 3


class TestSynthetic:
    def test_checkerboard_has_8_cells_per_side_and_a_black_top_left(self):
        board = load_sample("checkerboard")
        assert board.shape == (256, 256) and board[0, 0] == 0.0 and board.mean() == 0.5
        cells = board[16::32, 16::32]  # centre of each 32-pixel cell
        assert cells.shape == (8, 8)
        np.testing.assert_array_equal(cells, np.indices((8, 8)).sum(axis=0) % 2)
        np.testing.assert_array_equal(board, np.kron(cells, np.ones((32, 32))))

    def test_step_edge_answers_sobel_x_only(self):
        edge = load_sample("step_edge", size=32)
        assert edge[:, :16].max() == 0.0 and edge[:, 16:].min() == 1.0
        gx = cv2.Sobel(edge, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(edge, cv2.CV_32F, 0, 1, ksize=3)
        assert np.abs(gy).max() == 0.0
        assert sorted(np.flatnonzero(np.abs(gx).max(axis=0))) == [15, 16]
        np.testing.assert_array_equal(gx[:, 15], 4.0)  # 1 + 2 + 1

    def test_circle_is_a_symmetric_disc_of_the_stated_radius(self):
        disc = load_sample("circle", size=201)
        radius = 0.35 * 201
        assert abs(disc.sum() - np.pi * radius**2) / (np.pi * radius**2) < 0.01
        np.testing.assert_array_equal(disc, disc[::-1])
        np.testing.assert_array_equal(disc, disc[:, ::-1])
        np.testing.assert_array_equal(disc, disc.T)
        assert disc[100, 100] == 1.0 and disc[0, 0] == 0.0
        wide = load_sample("circle", size=(40, 80))
        assert wide.shape == (40, 80) and wide[:, :10].max() == 0.0

    def test_gradient_is_a_linear_ramp(self):
        ramp = load_sample("gradient", size=(3, 5))
        np.testing.assert_allclose(ramp, np.tile([0, 0.25, 0.5, 0.75, 1.0], (3, 1)))
        big = load_sample("gradient")
        gx = cv2.Sobel(big, cv2.CV_64F, 1, 0, ksize=3)[1:-1, 1:-1]
        np.testing.assert_allclose(gx, 8 / 255, rtol=1e-5)  # constant edge response

    def test_impulse_draws_the_kernel(self):
        impulse = load_sample("impulse")
        assert impulse.shape == (15, 15) and impulse.sum() == 1.0 and impulse[7, 7] == 1.0
        kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
        # cv2.filter2D is a cross-correlation: the impulse response is the kernel rotated 180°
        response = cv2.filter2D(impulse, -1, kernel, borderType=cv2.BORDER_CONSTANT)
        np.testing.assert_array_equal(response[6:9, 6:9], kernel[::-1, ::-1])
        assert response.sum() == kernel.sum()

    def test_impulse_with_filters_conv2d(self):
        filters = pytest.importorskip("filters")
        if not hasattr(filters, "conv2d"):
            pytest.skip("filters.conv2d is not available yet")
        impulse = load_sample("impulse")
        kernel = np.arange(9, dtype=np.float64).reshape(3, 3)
        convolved = filters.conv2d(impulse, kernel, padding=1, flip=True)
        correlated = filters.conv2d(impulse, kernel, padding=1)
        np.testing.assert_allclose(convolved[6:9, 6:9], kernel, atol=1e-6)
        np.testing.assert_allclose(correlated[6:9, 6:9], kernel[::-1, ::-1], atol=1e-6)

    @pytest.mark.parametrize("name", ["checkerboard", "step_edge", "circle", "gradient"])
    def test_int_size_is_the_longer_side_and_pairs_are_exact(self, name):
        assert load_sample(name, size=64).shape == (64, 64)
        assert load_sample(name, size=(30, 50)).shape == (30, 50)
        assert load_sample(name, mode="rgb", size=8).shape == (8, 8, 3)


class TestArgumentsAndCache:
    def test_unknown_name_suggests(self):
        with pytest.raises(ValueError, match="Did you mean 'checkerboard'"):
            load_sample("checkerbord")

    @pytest.mark.parametrize(
        ("size", "error"),
        [
            (0, ValueError),
            (9000, ValueError),
            (2.5, TypeError),
            ((1, 2, 3), TypeError),
            (True, TypeError),
            ((10, "a"), TypeError),
        ],
    )
    def test_bad_sizes(self, size, error):
        with pytest.raises(error, match="size"):
            load_sample("checkerboard", size=size)

    def test_bad_mode(self):
        with pytest.raises(ValueError, match="Did you mean 'grey'"):
            load_sample("china", mode="gray")

    def test_callers_cannot_change_the_cache(self):
        samples._cached.cache_clear()
        first = load_sample("notes_5x5")
        first[0, 0] = 99.0
        second = load_sample("notes_5x5")
        assert second[0, 0] == 1.0 and second.flags.writeable
        assert samples._cached.cache_info().hits == 1
        cached = samples._cached("notes_5x5", None, "keep")
        assert not cached.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            cached[0, 0] = 5.0
