"""`python -m filters`: apply, kernels and size, run as a user would (a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import filters

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "filters", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    pixels = (rng.random((24, 32, 3)) * 255).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(pixels).save(path)
    return path


def test_help_of_every_subcommand():
    commands = ["apply", "kernels", "size", "bench"]
    if (ROOT / "filters" / "cli_train.py").exists():
        commands.append("train-lenet")
    for command in commands:
        result = run(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "usage:" in result.stdout


def test_apply_writes_the_npy_that_conv2d_computes(photo: Path, tmp_path: Path):
    out = tmp_path / "edges.npy"
    result = run(
        "apply",
        str(photo),
        "-o",
        str(out),
        "--kernel",
        "sobel_x",
        "--padding",
        "1",
        "--padding-mode",
        "replicate",
        "--stride",
        "2",
    )
    assert result.returncode == 0, result.stderr
    image = np.asarray(Image.open(photo), dtype=np.float32) / 255
    expected = filters.conv2d(
        image, filters.get_kernel("sobel_x"), padding=1, padding_mode="replicate", stride=2
    )
    np.testing.assert_allclose(np.load(out), expected, atol=1e-5)


@pytest.mark.parametrize("normalize", ["clip", "abs", "minmax"])
def test_apply_writes_png_with_the_stated_normalisation(photo: Path, tmp_path: Path, normalize):
    out = tmp_path / f"edges_{normalize}.png"
    result = run(
        "apply",
        str(photo),
        "-o",
        str(out),
        "--kernel-text",
        "1 0 -1; 2 0 -2; 1 0 -1",
        "--grey",
        "--normalize",
        normalize,
    )
    assert result.returncode == 0, result.stderr
    written = np.asarray(Image.open(out))
    assert written.shape == (24, 32) and written.dtype == np.uint8
    if normalize == "minmax":
        assert written.min() == 0 and written.max() == 255


def test_apply_with_parameters_and_flip(photo: Path, tmp_path: Path):
    out = tmp_path / "blur.npy"
    result = run(
        "apply",
        str(photo),
        "-o",
        str(out),
        "--kernel",
        "motion_blur",
        "--param",
        "length=5",
        "--param",
        "angle=30",
        "--flip",
        "--padding",
        "valid",
    )
    assert result.returncode == 0, result.stderr
    assert np.load(out).shape == (20, 28, 3)


def test_apply_reports_bad_input_in_one_line(photo: Path, tmp_path: Path):
    result = run("apply", str(photo), "-o", str(tmp_path / "x.png"), "--kernel", "sobelx")
    assert result.returncode == 2
    assert "Did you mean 'sobel_x'?" in result.stderr and "Traceback" not in result.stderr
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"<html>not an image</html>")
    result = run("apply", str(broken), "-o", str(tmp_path / "y.png"), "--kernel", "sobel_x")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_kernels_lists_the_catalogue_as_json():
    result = run("kernels", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["sobel_x"]["values"] == filters.get_kernel("sobel_x").tolist()
    assert rows["gaussian_blur"]["category"] == "blur"


def test_size_substitutes_the_numbers():
    result = run("size", "32", "--kernel", "3", "--stride", "2", "--padding", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("= 16  (not exact: 31/2 is floored)")
    result = run(
        "size",
        "16",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "1",
        "--transposed",
        "--output-padding",
        "1",
    )
    assert result.stdout.strip().endswith("= 32")


def test_size_refuses_output_padding_at_stride():
    result = run(
        "size", "16", "--kernel", "3", "--stride", "2", "--transposed", "--output-padding", "2"
    )
    assert result.returncode == 2 and "must be smaller than stride" in result.stderr
