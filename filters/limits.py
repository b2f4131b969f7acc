"""Every size limit of the lab in one place; the app states them and the tests check them.

``MAX_UPLOAD_MB`` must equal ``server.maxUploadSize`` and ``PROCESS_CACHE_BYTES`` must equal
``server.maxCacheDataSize`` in ``.streamlit/config.toml`` (a test checks both).

The app's memory budget
-----------------------
Measured on the 2-core machine of ``benchmarks/``: the server process with Streamlit, NumPy,
SciPy, OpenCV and PyTorch loaded holds about 400 MB before anyone uploads anything
(:data:`PROCESS_BASE_BYTES`, stated, not enforced). On top of that:

* **Held by a session** for as long as it lives: its image at full resolution in the file's own
  8-bit form (``uint8``: 4000×3000×3 = 36 MB for a 12 MP phone photo, 120 MB at the 40 MP
  limit; files of more than 8 bits stay float32 [0, 1]), one float32 working copy of at most
  :data:`WORK_SIDE` pixels a side (1200×900×3×4 = 13 MB) that every page *showing* a comparison
  computes on, and its small caches (screen pixels, statistics), each bounded in bytes by
  ``st.cache_data(max_size=…, scope="session")`` and all together by
  :data:`SESSION_CACHE_BYTES`. Full-resolution results (the Filter output, downloads) are never
  kept: they are computed when needed and dropped after use. A session goes when its browser
  has been gone for Streamlit's ``server.disconnectedSessionTTL`` (120 s), and its caches with it.
* **Working memory of one request**: at most :data:`REQUEST_WORK_BYTES` (a 12 MP colour
  convolution, as :attr:`filters.conv.ConvPlan.working_bytes` estimates it: the padded image and
  the float32 output, 275 MB, on OpenCV, which reads the uint8 samples as they are; 412 MB on a
  backend that makes a float32 copy first). A request that needs
  more (a 40 MP photo on the Filter page) runs on the working copy instead, and the page says so.
* **Working memory of all requests at once**: at most :data:`PROCESS_WORK_BYTES`; a request
  waits up to :data:`WORK_WAIT_S` for room (2 cores do no more than two heavy jobs at a time
  anyway), then runs on the working copy, and the page says the server is busy.

So in the worst estimate (every cache full, the ledger full of requests at their estimated
largest) one 12 MP visitor peaks at 400 + 36 + 13 + 64 + 275 ≈ 790 MB, and five at
400 + 5 × (36 + 13) + 256 (all caches, :data:`PROCESS_CACHE_BYTES`) + 640 ≈ 1.54 GB, however they
click: the number of uploads, visits and sessions does not make it grow. ``benchmarks/load.py``
measures what they really take (the README has the figures).
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
    "PROCESS_BASE_BYTES",
    "PROCESS_CACHE_BYTES",
    "PROCESS_WORK_BYTES",
    "REQUEST_WORK_BYTES",
    "SESSION_CACHE_BYTES",
    "WORK_SIDE",
    "WORK_WAIT_S",
]

MIB = 1024**2

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

# --- the app's memory budget (see the module docstring for the arithmetic) -------------------

#: The server with its libraries loaded, before any session (measured; stated, not enforced).
PROCESS_BASE_BYTES = 400 * MIB

#: Longest side of the float32 working copy that pages showing a comparison compute on (and of
#: every image sent to the browser).
WORK_SIDE = 1200

#: Everything one session's caches may hold together (screen pixels, statistics, padded and
#: pooled views of the working copy); each cached function has its share of it.
SESSION_CACHE_BYTES = 64 * MIB

#: Everything all sessions' ``st.cache_data`` entries may hold together
#: (``server.maxCacheDataSize``): five sessions' full shares, and a margin.
PROCESS_CACHE_BYTES = 256 * MIB

#: The most working memory one request may use (a 12 MP colour convolution is estimated at
#: 275 MB on OpenCV, 412 MB on torch: :attr:`filters.conv.ConvPlan.working_bytes`).
REQUEST_WORK_BYTES = 512 * MIB

#: The most working memory all requests running at once may use: two 12 MP convolutions on
#: OpenCV (2 cores run no more than two at full speed anyway).
PROCESS_WORK_BYTES = 640 * MIB

#: How long a request waits for working memory before it runs on the working copy.
WORK_WAIT_S = 8.0

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
