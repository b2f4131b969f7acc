"""Hostile files for the tests of every uploader: one corpus, built in memory.

The image makers (``encode``, ``raw_png``, ``png_header_claiming``...) serve
``tests/test_image_io.py`` (the sidebar image) and ``tests/test_hostile_uploads.py`` (every
other uploader). :func:`corpus` gives, for one kind of upload, the files a visitor may send by
mistake or on purpose: truncated, empty, renamed (another kind of file under the allowed
extension), wrong type, oversized and bombs. Every file is made here from standard formats
(Pillow, ``zipfile``, ``np.save``, JSON); the zip patches follow the zip specification
(APPNOTE 4.3.12 central directory, 4.3.16 end record).
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib

import numpy as np
from PIL import Image

# --- images -----------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def raw_png(array: np.ndarray, bit_depth: int, colour_type: int) -> bytes:
    """A PNG written byte by byte (filter 0 on every row), for cases Pillow cannot save."""
    height, width = array.shape[:2]
    sample = ">u2" if bit_depth == 16 else "u1"
    rows = b"".join(b"\x00" + array[y].astype(sample).tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def png_header_claiming(width: int, height: int, *, with_data: bool = True) -> bytes:
    """A valid 1×1 grey PNG whose IHDR is patched to claim ``width × height`` (CRC fixed)."""
    small = encode(Image.new("L", (1, 1), 7), "PNG")
    assert small[12:16] == b"IHDR"
    ihdr = png_chunk(b"IHDR", struct.pack(">II", width, height) + small[24:29])
    rest = small[8 + 25 :]
    if not with_data:
        rest = png_chunk(b"IEND", b"")
    return small[:8] + ihdr + rest


def rgb_pattern(height: int = 12, width: int = 16) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 15 % 256, y * 20 % 256, (x + y) * 7 % 256], axis=-1).astype(np.uint8)


def png(height: int = 12, width: int = 16) -> bytes:
    """A small valid RGB PNG (:func:`rgb_pattern`)."""
    return encode(Image.fromarray(rgb_pattern(height, width)), "PNG")


def noisy_png(side: int = 64, seed: int = 5) -> bytes:
    """An incompressible PNG: cutting it anywhere leaves a truncated file, not a shorter one."""
    pixels = np.random.default_rng(seed).integers(0, 256, (side, side, 3), dtype=np.uint8)
    return encode(Image.fromarray(pixels), "PNG")


#: Text that is not an image, under an image's name (each with what the decoder says it is).
NOT_IMAGES = [
    (b"Hello, this is just a note.\nNot a picture.\n", "text"),
    (b"<!DOCTYPE html>\n<html><body><img src=x onerror=alert(1)></body></html>", "HTML"),
    (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
        b'height="10"><rect width="10" height="10"/></svg>',
        "SVG",
    ),
    (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "PDF"),
]


# --- zip archives -----------------------------------------------------------------------------


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding ``entries`` (name → bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, blob in entries.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def image_zip(per_class: int = 3) -> bytes:
    """A valid data set zip: ``cats/`` and ``dogs/``, ``per_class`` 12×10 PNGs each."""
    def grey(value: int) -> bytes:
        return encode(Image.fromarray(np.full((12, 10), value, np.uint8)), "PNG")

    entries = {f"cats/{i}.png": grey(10 * i) for i in range(per_class)}
    entries |= {f"dogs/{i}.png": grey(200 + i) for i in range(per_class)}
    return zip_of(entries, zipfile.ZIP_STORED)


def with_corrupt_member(data: bytes, name: str) -> bytes:
    """``data`` (a zip) with one byte of member ``name``'s contents flipped: a bad CRC-32."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    local = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
    start = local + 30 + name_length + extra_length
    out = bytearray(data)
    out[start + info.compress_size // 2] ^= 0xFF
    return bytes(out)


def claiming_size(data: bytes, size: int) -> bytes:
    """``data`` (a zip) whose central directory says its first member unpacks to ``size``."""
    at = data.index(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def claiming_members(data: bytes, count: int) -> bytes:
    """``data`` (a zip) whose end record claims ``count`` (< 65 535) members."""
    at = data.rindex(b"PK\x05\x06")
    return data[: at + 8] + struct.pack("<HH", count, count) + data[at + 12 :]


def ratio_bomb(name: str = "a/bomb.png") -> bytes:
    """A zip whose member ``name`` is 5 MB of zeros deflated about 1000×."""
    return zip_of({name: b"\x00" * 5_000_000, "b/0.png": png()})


# --- the corpus ---------------------------------------------------------------------------------


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def kernel_json() -> bytes:
    """A valid kernel library file (two kernels), as the Filter page downloads it."""
    return json.dumps([{"name": "edge", "values": [[1, -1]], "source": "custom", "meta": {}},
                       {"name": "blur", "values": [[1, 1], [1, 1]]}]).encode()


def npy_header_claiming(shape: tuple[int, ...]) -> bytes:
    """A ``.npy`` magic and header (format 1.0, float64) claiming ``shape``, no data after it."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def corpus(kind: str, good: bytes = b"") -> dict[str, tuple[str, bytes]]:
    """Hostile uploads for ``kind``: case → ``(file name, bytes)``.

    Kinds: ``"kernel"`` (.json/.txt), ``"npy"``, ``"image"``, ``"dataset"`` (a zip of class
    folders) and ``"model"`` (``good`` is a valid model zip to damage). Every name has an
    extension the uploader allows, as the browser sends it (it refuses other extensions itself).
    """
    if kind == "kernel":
        good = kernel_json()
        return {
            "truncated": ("kernels.json", good[: len(good) // 2]),
            "empty": ("kernels.json", b""),
            "renamed": ("kernels.json", npy(np.ones((1, 1, 3, 3)))),
            "wrong type": ("edge.txt", png()),
            "oversized": ("big.txt", b"0 " * 4_200_000),
            "bomb": ("deep.json", b"[" * 200_000 + b"]" * 200_000),
            "not utf-8": ("latin.txt", "1 0 \xe9".encode("latin-1")),
        }
    if kind == "npy":
        good = npy(np.ones((2, 3, 3, 3)))
        return {
            "truncated": ("w.npy", good[: len(good) - 40]),
            "empty": ("w.npy", b""),
            "renamed": ("w.npy", kernel_json()),
            "wrong type": ("w.npy", png()),
            "oversized": ("w.npy", npy(np.ones((1, 3, 33, 33)))),
            "bomb": ("w.npy", npy_header_claiming((100_000, 100_000, 31, 31)) + good[-64:]),
            "pickle": ("w.npy", _pickled_npy()),
        }
    if kind == "image":
        return {
            "truncated": ("after.png", noisy_png()[:2000]),
            "empty": ("after.png", b""),
            "renamed": ("after.png", NOT_IMAGES[1][0]),
            "wrong type": ("after.png", zip_of({"a.txt": b"hello"})),
            "oversized": ("after.png", png_header_claiming(10_000, 10_000)),
            "bomb": ("after.png", png_header_claiming(30_000, 30_000, with_data=False)),
        }
    if kind == "dataset":
        good_zip = image_zip()
        return {
            "truncated": ("data.zip", good_zip[: len(good_zip) // 2]),
            "empty": ("data.zip", b""),
            "renamed": ("data.zip", png()),
            "wrong type": ("data.zip", zip_of({"notes.txt": b"no images here"})),
            "oversized": ("data.zip", claiming_size(good_zip, 600 * 2**20)),
            "bomb": ("data.zip", ratio_bomb()),
            "corrupt member": ("data.zip", with_corrupt_member(good_zip, "cats/1.png")),
            "too many members": ("data.zip", claiming_members(good_zip, 60_000)),
        }
    if kind == "model":
        members = zipfile.ZipFile(io.BytesIO(good))
        weights = members.read("lenet.safetensors")
        config = json.loads(members.read("lenet.safetensors.json"))
        return {
            "truncated": ("lenet.zip", good[: len(good) // 2]),
            "empty": ("lenet.zip", b""),
            "renamed": ("lenet.zip", png()),
            "wrong type": ("lenet.zip", image_zip()),
            "oversized": ("lenet.zip", claiming_size(good, 60 * 2**20)),
            "bomb": ("lenet.zip", ratio_bomb("lenet.safetensors")),
            "corrupt member": ("lenet.zip", with_corrupt_member(good, "lenet.safetensors")),
            "missing member": ("lenet.zip", zip_of({"lenet.safetensors": weights})),
            "wrong shapes": ("lenet.zip", zip_of({
                "lenet.safetensors": weights,
                "lenet.safetensors.json": json.dumps(
                    config | {"model": config["model"] | {"num_classes": 3}}).encode()})),
            "weights not safetensors": ("lenet.zip", zip_of({
                "lenet.safetensors": b"\x80\x04pickle", "lenet.safetensors.json":
                json.dumps(config).encode()})),
        }
    raise ValueError(f"no corpus for {kind!r}")


def _pickled_npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([None, 1], dtype=object).reshape(1, 1, 1, 2), allow_pickle=True)
    return buffer.getvalue()
