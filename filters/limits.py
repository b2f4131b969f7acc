"""Every size limit of the lab in one place; the app states them and the tests check them.

``MAX_UPLOAD_MB`` must equal ``server.maxUploadSize`` in ``.streamlit/config.toml`` (a test checks).
"""

from __future__ import annotations

__all__ = [
    "MAX_IMAGE_PIXELS",
    "MAX_KERNEL_FILE_BYTES",
    "MAX_KERNEL_SIZE",
    "MAX_MULTIPLY_ADDS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "MAX_WEIGHT_VALUES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_UNCOMPRESSED_BYTES",
    "MEMORY_BUDGET_BYTES",
]

#: Largest upload the app accepts, in megabytes (Streamlit's ``server.maxUploadSize``).
MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

#: Largest decoded image, in pixels (width × height): 40 MP covers any phone photo.
MAX_IMAGE_PIXELS = 40_000_000

#: Largest kernel side accepted by :func:`filters.parse_kernel` and the kernel editor.
MAX_KERNEL_SIZE = 31

#: Largest working array one library call may allocate (bytes); bigger requests are refused.
MEMORY_BUDGET_BYTES = 2 * 1024**3

#: Most multiply-adds one ``conv2d`` call may do on a backend whose work grows with the kernel
#: (numpy, scipy, torch): about 10–30 s there. OpenCV and FFT are not limited (separable
#: passes, phases and transforms keep their work near the image size); ``auto`` uses them.
MAX_MULTIPLY_ADDS = 10_000_000_000

#: Most files one uploaded zip may hold (a data set of own images): ten times the 1 797 images
#: of scikit-learn's digits, and checked in the zip's end record before any entry is parsed, so
#: a zip listing millions of empty entries cannot fill the memory with their names.
MAX_ZIP_MEMBERS = 20_000

#: Most bytes all the files of one uploaded zip may unpack to: ten uploads' worth. Members are
#: read and decoded one at a time, so this bounds the work, not the memory held at once.
MAX_ZIP_UNCOMPRESSED_BYTES = 10 * MAX_UPLOAD_BYTES

#: Largest compression ratio of one zip member. Photos and PNGs barely shrink (1–2×), text and
#: safetensors weights about 1–10×; a member packed over 100× is a decompression bomb.
MAX_ZIP_RATIO = 100

#: Largest kernel file (.json or .txt) accepted: the fullest library the app saves (200 kernels
#: of 31×31, every value written with full precision) is about 5 MB and parses in about a second.
MAX_KERNEL_FILE_BYTES = 8 * 1024 * 1024

#: Most numbers in a full ``C_out×C_in×kh×kw`` weight read from a ``.npy`` file: 64 channels
#: in and out with the largest kernel side (31), about 31 MB as float64.
MAX_WEIGHT_VALUES = 64 * 64 * MAX_KERNEL_SIZE * MAX_KERNEL_SIZE
