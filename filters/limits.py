"""Every size limit of the lab in one place; the app states them and the tests check them.

``MAX_UPLOAD_MB`` must equal ``server.maxUploadSize`` in ``.streamlit/config.toml`` (a test checks).
"""

from __future__ import annotations

__all__ = [
    "MAX_IMAGE_PIXELS",
    "MAX_KERNEL_SIZE",
    "MAX_MULTIPLY_ADDS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
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
