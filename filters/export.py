"""Code export: the current settings as ready-to-run snippets for filters, PyTorch, SciPy, OpenCV.

Each snippet reads the working image from ``input.npy`` (``H×W`` or ``H×W×C`` float32 in
[0, 1], as the app offers it for download), computes ``out`` exactly as the app did, and translates
the padding mode into each library's own name (torch ``reflect`` = SciPy ``mirror`` = OpenCV
``BORDER_REFLECT_101``). ``tests/test_export.py`` runs every snippet and compares ``out``.

Example:
    >>> code = conv_snippets(np.ones((3, 3)), channels=1, padding=1)["pytorch"]
    >>> "F.conv2d" in code
    True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_choice, to_pair
from .conv import plan_conv
from .padding import MODE_NAMES, PADDING_MODES, padding_sides

__all__ = ["LIBRARIES", "conv_snippets", "npy_bytes", "pad_snippets", "pool_snippets",
           "transposed_snippets"]

LIBRARIES: tuple[str, ...] = ("filters", "pytorch", "scipy", "opencv")

_LOAD = (
    "import numpy as np\n\n"
    'image = np.load("input.npy")  # H×W or H×W×C float32 in [0, 1] (the app\'s download)\n'
)


def _array_literal(array: np.ndarray) -> str:
    rows = ",\n    ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in array)
    return f"np.array([\n    {rows},\n], dtype=np.float32)"


def _torch_prologue(channels: int) -> str:
    layout = (
        "x = torch.from_numpy(image)[None, None]  # 1×1×H×W\n"
        if channels == 1
        else "x = torch.from_numpy(image).permute(2, 0, 1)[None]  # 1×C×H×W\n"
    )
    return "import torch\nimport torch.nn.functional as F\n\n" + layout


def _torch_epilogue(channels: int) -> str:
    if channels == 1:
        return "out = y[0, 0].numpy()  # H'×W'\n"
    return "out = y[0].permute(1, 2, 0).numpy()  # H'×W'×C\n"


def conv_snippets(
    kernel: Any,
    *,
    channels: int,
    stride: Any = 1,
    padding: Any = 0,
    padding_mode: str = "zeros",
    dilation: Any = 1,
    bias: float | None = None,
    flip: bool = False,
    image_shape: tuple[int, ...] = (),
) -> dict[str, str]:
    """Snippets that reproduce ``filters.conv2d(image, kernel, ...)`` for a ``kh×kw`` kernel.

    Args:
        kernel: ``kh×kw`` kernel (applied to every channel).
        channels: 1 for an ``H×W`` image, C for ``H×W×C``.
        stride: as in :func:`filters.conv2d`.
        padding: as in :func:`filters.conv2d` (int, pair, ``"same"``, ``"valid"``).
        padding_mode: as in :func:`filters.conv2d`.
        dilation: as in :func:`filters.conv2d`.
        bias: one number added to every output pixel, or ``None``.
        flip: true convolution (kernel rotated 180°).
        image_shape: the user's image shape (``H×W[×C]``); the settings are then checked on
            exactly that size (same errors as the real call). Without it they are checked on a
            blank image just large enough for the kernel's span ``d·(k−1)+1`` and the padding.

    Returns:
        ``{"filters": code, "pytorch": code, "scipy": code, "opencv": code}``; each leaves the
        result in ``out``.

    Raises:
        ValueError/TypeError: settings that :func:`filters.conv2d` refuses.
    """
    k = np.asarray(kernel, dtype=np.float64)
    probe = np.zeros(
        _probe_size(k.shape, dilation, padding, image_shape)
        + (() if channels == 1 else (channels,)),
        np.float32,
    )
    plan = plan_conv(
        probe,
        k,
        stride=stride,
        padding=padding,
        padding_mode=padding_mode,
        dilation=dilation,
        bias=bias,
        flip=flip,
        backend="numpy",
    )
    g = plan.geometry
    names = MODE_NAMES[g.mode]
    (sh, sw), (dh, dw) = g.stride, g.dilation
    kernel_code = f"kernel = {_array_literal(k)}\n"
    slid_code = kernel_code + (
        "kernel = kernel[::-1, ::-1].copy()  # true convolution: rotate 180°\n" if flip else ""
    )
    bias_value = 0.0 if bias is None else float(bias)
    padding_repr = repr(padding)
    snippets: dict[str, str] = {}

    snippets["filters"] = (
        _LOAD + "import filters\n\n" + kernel_code + "out = filters.conv2d(\n"
        f"    image, kernel, stride={stride!r}, padding={padding_repr}, "
        f"padding_mode={padding_mode!r},\n"
        f"    dilation={dilation!r}, bias={bias!r}, flip={flip!r},\n)\n"
    )

    sides = (g.left, g.right, g.top, g.bottom)
    torch = _LOAD + _torch_prologue(channels) + slid_code
    torch += "weight = torch.from_numpy(kernel)[None, None]" + (
        ".repeat(x.shape[1], 1, 1, 1)  # one copy per channel (groups=C)\n"
        if channels > 1
        else "\n"
    )
    if g.mode == "zeros" and g.top == g.bottom and g.left == g.right:
        pad_arg = f"padding=({g.top}, {g.left})"
    else:
        torch += (
            f"x = F.pad(x, {sides}, mode={names.torch!r})  # (left, right, top, bottom)\n"
        )
        pad_arg = "padding=0"
    bias_arg = f", bias=torch.full((x.shape[1],), {bias_value!r})" if bias is not None else ""
    torch += (
        f"y = F.conv2d(x, weight{bias_arg}, stride=({sh}, {sw}), {pad_arg}, "
        f"dilation=({dh}, {dw}), groups=x.shape[1])\n" + _torch_epilogue(channels)
    )
    snippets["pytorch"] = torch

    spread = (
        f"spread = np.zeros(((kernel.shape[0] - 1) * {dh} + 1, (kernel.shape[1] - 1) * {dw} + 1),"
        " np.float32)\n"
        f"spread[::{dh}, ::{dw}] = kernel  # dilation: holes between taps\n"
    )
    channel_axis = "" if channels == 1 else ", (0, 0)"
    numpy_pad = (
        f"padded = np.pad(image, (({g.top}, {g.bottom}), ({g.left}, {g.right}){channel_axis}), "
        f"mode={names.numpy!r})  # torch {g.mode!r} = numpy {names.numpy!r}\n"
    )
    crop = (
        "rows = padded.shape[0] - spread.shape[0] + 1\n"
        "cols = padded.shape[1] - spread.shape[1] + 1\n"
    )
    scipy = _LOAD + "from scipy import ndimage\n\n" + slid_code + spread + numpy_pad + crop
    scipy += (
        "# ndimage.correlate centres the kernel; origin shifts it so output (0, 0) sits at the\n"
        "# padded image's corner. The border mode no longer matters inside the valid region.\n"
        "origin = (-(spread.shape[0] // 2), -(spread.shape[1] // 2))\n"
    )
    if channels == 1:
        scipy += "full = ndimage.correlate(padded, spread, mode='constant', origin=origin)\n"
    else:
        scipy += (
            "full = ndimage.correlate(padded, spread[:, :, None], mode='constant',"
            " origin=origin + (0,))\n"
        )
    scipy += f"out = full[:rows:{sh}, :cols:{sw}] + {bias_value!r}\n"
    scipy += (
        "# Same-size shortcut for stride 1: ndimage.correlate(image, ..., "
        f"mode={names.scipy!r})\n"
    )
    snippets["scipy"] = scipy

    opencv = _LOAD + "import cv2\n\n" + slid_code + spread
    opencv += (
        f"padded = cv2.copyMakeBorder(image, {g.top}, {g.bottom}, {g.left}, {g.right}, "
        f"cv2.{names.opencv})  # torch {g.mode!r}\n"
    )
    opencv += crop + (
        "# filter2D correlates (no flip); anchor (0, 0) puts the kernel's corner on each pixel.\n"
        "full = cv2.filter2D(padded, cv2.CV_32F, spread, anchor=(0, 0), "
        "borderType=cv2.BORDER_CONSTANT)\n"
        f"out = full[:rows:{sh}, :cols:{sw}] + {bias_value!r}\n"
    )
    snippets["opencv"] = opencv
    return snippets


def _probe_size(
    kernel_shape: tuple[int, ...], dilation: Any, padding: Any, image_shape: tuple[int, ...]
) -> tuple[int, int]:
    """Height and width of the blank image :func:`conv_snippets` plans on.

    The geometry (padding sides, stride, dilation) does not depend on the image size, only the
    checks do; so without the user's shape take one on which every valid setting passes: the
    dilated span ``d·(k−1)+1``, twice the largest padding side (``reflect`` needs pad < side)
    and some room, so an output always exists.

    Example:
        >>> _probe_size((3, 3), 24, "same", ())
        (73, 73)
        >>> _probe_size((3, 3), 1, 0, (427, 640, 3))
        (427, 640)
    """
    if len(image_shape) >= 2:
        return int(image_shape[0]), int(image_shape[1])
    try:
        dh, dw = to_pair(dilation, "dilation", minimum=1)
        kh, kw = (int(n) for n in kernel_shape[-2:])
        pad = 0 if isinstance(padding, str) else max(padding_sides(padding))
    except (TypeError, ValueError):  # bad settings: plan_conv reports them in its own words
        return 8, 8
    return dh * (kh - 1) + 1 + 2 * pad + 8 * kh, dw * (kw - 1) + 1 + 2 * pad + 8 * kw


def pad_snippets(padding: Any, mode: str) -> dict[str, str]:
    """Snippets that reproduce ``filters.pad(image, padding, mode)`` (int, pair or 4 sides).

    Example:
        >>> "BORDER_REFLECT_101" in pad_snippets(2, "reflect")["opencv"]
        True
    """
    mode = check_choice(mode, PADDING_MODES, "padding_mode")
    names = MODE_NAMES[mode]
    top, bottom, left, right = padding_sides(padding)
    sides = (left, right, top, bottom)
    return {
        "filters": _LOAD + f"import filters\n\nout = filters.pad(image, {padding!r}, {mode!r})\n",
        "pytorch": _LOAD
        + (
            "import torch\nimport torch.nn.functional as F\n\n"
            "x = torch.from_numpy(image)\n"
            "x = x[None, None] if x.ndim == 2 else x.permute(2, 0, 1)[None]\n"
            f"y = F.pad(x, {sides}, mode={names.torch!r})  # (left, right, top, bottom)\n"
            "out = y[0, 0].numpy() if image.ndim == 2 else y[0].permute(1, 2, 0).numpy()\n"
        ),
        "scipy": _LOAD
        + (
            f"# numpy's name for torch's {mode!r} is {names.numpy!r}"
            f" (scipy.ndimage calls it {names.scipy!r})\n"
            f"widths = (({top}, {bottom}), ({left}, {right})) + ((0, 0),) * (image.ndim - 2)\n"
            f"out = np.pad(image, widths, mode={names.numpy!r})\n"
        ),
        "opencv": _LOAD
        + (
            "import cv2\n\n"
            f"out = cv2.copyMakeBorder(image, {top}, {bottom}, {left}, {right}, "
            f"cv2.{names.opencv})\n"
        ),
    }


def pool_snippets(
    kernel_size: Any,
    *,
    stride: Any = None,
    padding: Any = 0,
    mode: str = "max",
    ceil_mode: bool = False,
    p: float = 2.0,
    count_include_pad: bool = True,
    image_shape: tuple[int, ...] = (),
) -> dict[str, str]:
    """Snippets for ``filters.pool2d``, PyTorch, SciPy and OpenCV (same arguments).

    SciPy and OpenCV have no pooling with torch's rules, so their snippets spell the rules out:
    pad (−∞ for max, zeros otherwise; extra rows/columns for ``ceil_mode``), filter every
    window (``maximum_filter``/``dilate`` or window sums), divide by the number of counted
    pixels, and keep every ``stride``-th window. They need ``image_shape`` (``H×W[×C]``) to
    bake in the output size.

    Example:
        >>> sorted(pool_snippets(2, image_shape=(8, 8)))
        ['filters', 'opencv', 'pytorch', 'scipy']
    """
    from .pooling import pool_output_size

    mode = check_choice(mode, ("max", "avg", "lp"), "mode")
    kh, kw = to_pair(kernel_size, "kernel_size", minimum=1)
    stride_pair = (kh, kw) if stride is None else to_pair(stride, "stride", minimum=1)
    ph, pw = to_pair(padding, "padding", minimum=0)
    call = {
        "max": f"F.max_pool2d(x, ({kh}, {kw}), stride={stride_pair}, padding=({ph}, {pw}), "
        f"ceil_mode={ceil_mode})",
        "avg": f"F.avg_pool2d(x, ({kh}, {kw}), stride={stride_pair}, padding=({ph}, {pw}), "
        f"ceil_mode={ceil_mode}, count_include_pad={count_include_pad})",
        "lp": f"F.lp_pool2d(x, {p!r}, ({kh}, {kw}), stride={stride_pair}, ceil_mode={ceil_mode})",
    }[mode]
    extra = f", p={p!r}" if mode == "lp" else ""
    if mode == "avg":
        extra += f", count_include_pad={count_include_pad}"
    snippets = {
        "filters": _LOAD
        + (
            "import filters\n\n"
            f"out = filters.pool2d(image, ({kh}, {kw}), stride={stride_pair}, padding=({ph}, {pw}),"
            f" mode={mode!r}, ceil_mode={ceil_mode}{extra})\n"
        ),
        "pytorch": _LOAD + _torch_prologue_any() + f"y = {call}\n" + _torch_epilogue_any(),
    }
    if len(image_shape) < 2:
        return snippets
    h, w = image_shape[:2]
    sh, sw = stride_pair
    oh = pool_output_size(h, kh, sh, ph, 1, ceil_mode)
    ow = pool_output_size(w, kw, sw, pw, 1, ceil_mode)
    eh = max(0, (oh - 1) * sh + kh - (h + 2 * ph))  # ceil_mode's overhang, never counted
    ew = max(0, (ow - 1) * sw + kw - (w + 2 * pw))
    prologue = (
        f"# torch's rules written out: output {oh}×{ow}, window {kh}×{kw}, stride {stride_pair}\n"
        f"extra = ((0, 0),) * (image.ndim - 2)\n"
        f"widths = (({ph}, {ph + eh}), ({pw}, {pw + ew})) + extra\n"
    )
    keep = f"[:{(oh - 1) * sh + 1}:{sh}, :{(ow - 1) * sw + 1}:{sw}]"
    if mode == "max":
        scipy = prologue + (
            "padded = np.pad(image, widths, constant_values=-np.inf)\n"
            f"size = ({kh}, {kw}) + (1,) * (image.ndim - 2)\n"
            f"origin = ({-(kh // 2)}, {-(kw // 2)}) + (0,) * (image.ndim - 2)  # window at (i, j)\n"
            "full = ndimage.maximum_filter(padded, size=size, origin=origin, mode='nearest')\n"
            f"out = full{keep}\n"
        )
        opencv = prologue + (
            "padded = np.pad(image, widths, constant_values=-np.inf)\n"
            f"full = cv2.dilate(padded, np.ones(({kh}, {kw}), np.uint8), anchor=(0, 0))  "
            "# dilate = max filter\n"
            f"out = full{keep}\n"
        )
    else:
        counted = ("np.pad(np.ones((h, w)), (({ph}, {ph}), ({pw}, {pw})), constant_values=1.0)"
                   if count_include_pad and mode == "avg" else "np.pad(np.ones((h, w)), "
                   "(({ph}, {ph}), ({pw}, {pw})))").format(ph=ph, pw=pw)
        source = "image" if mode == "avg" else f"image ** {p!r}"
        common = prologue + (
            f"h, w = image.shape[:2]\n"
            f"padded = np.pad({source}, widths)\n"
            f"counted = np.pad({counted}, ((0, {eh}), (0, {ew})))  "
            "# pixels the average divides by\n"
        )
        finish = (
            "counts = counts if image.ndim == 2 else counts[..., None]\n"
            "average = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)\n"
        )
        if mode == "avg":
            finish += f"out = average{keep}\n"
        else:  # torch's lp_pool2d: (average · kh·kw)^(1/p)
            finish += (
                       f"out = (np.sign(average) * np.abs(average) * {kh * kw}) ** (1 / {p!r})\n"
                       f"out = out{keep}\n")
        scipy = common + (
            f"origin = ({-(kh // 2)}, {-(kw // 2)})\n"
            "sums = ndimage.correlate(padded, np.ones((" f"{kh}, {kw}" ") + (1,) * "
            "(image.ndim - 2)), origin=origin + (0,) * (image.ndim - 2), mode='constant')\n"
            f"counts = ndimage.correlate(counted, np.ones(({kh}, {kw})), origin=origin, "
            "mode='constant')\n" + finish
        )
        opencv = common + (
            f"sums = cv2.boxFilter(padded, -1, ({kw}, {kh}), anchor=(0, 0), normalize=False,"
            " borderType=cv2.BORDER_CONSTANT)\n"
            f"counts = cv2.boxFilter(counted, -1, ({kw}, {kh}), anchor=(0, 0), normalize=False,"
            " borderType=cv2.BORDER_CONSTANT)\n" + finish
        )
    snippets["scipy"] = _LOAD + "from scipy import ndimage\n\n" + scipy
    snippets["opencv"] = _LOAD + "import cv2\n\n" + opencv
    return snippets


def transposed_snippets(
    kernel: Any, *, stride: Any = 1, padding: Any = 0, output_padding: Any = 0, dilation: Any = 1
) -> dict[str, str]:
    """Snippets for ``filters.conv_transpose2d``, PyTorch, SciPy and OpenCV (``kh×kw`` kernel).

    The kernel is applied to every channel of an ``H×W`` or ``H×W×C`` image.

    SciPy and OpenCV have no transposed convolution, so their snippets spell out the zero-insertion
    picture: put ``s − 1`` zeros between the pixels, pad ``d·(k−1)`` zeros on every side (plus
    ``output_padding`` on the bottom/right), correlate with the kernel rotated by 180° (holes
    for the dilation), then cut ``padding`` rows/columns from each side.

    Example:
        >>> "F.conv_transpose2d" in transposed_snippets(np.ones((3, 3)), stride=2)["pytorch"]
        True
        >>> sorted(transposed_snippets(np.ones((3, 3))))
        ['filters', 'opencv', 'pytorch', 'scipy']
    """
    k = np.asarray(kernel, dtype=np.float64)
    s, p = to_pair(stride, "stride", minimum=1), to_pair(padding, "padding", minimum=0)
    op, d = (
        to_pair(output_padding, "output_padding", minimum=0),
        to_pair(dilation, "dilation", minimum=1),
    )
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = s, p, op, d
    kernel_code = f"kernel = {_array_literal(k)}\n"
    # Shared by SciPy and OpenCV: zero insertion, rotated + dilated kernel, full padding.
    picture = kernel_code + (
        f"# 1. zero insertion: {sh - 1} zero row(s) / {sw - 1} zero column(s) between pixels\n"
        "h, w = image.shape[:2]\n"
        f"inserted = np.zeros(((h - 1) * {sh} + 1, (w - 1) * {sw} + 1) + image.shape[2:],"
        " np.float32)\n"
        f"inserted[::{sh}, ::{sw}] = image\n"
        "# 2. the kernel rotated by 180°, with dilation's holes between the taps\n"
        f"spread = np.zeros(((kernel.shape[0] - 1) * {dh} + 1, (kernel.shape[1] - 1) * {dw} + 1),"
        " np.float32)\n"
        f"spread[::{dh}, ::{dw}] = kernel[::-1, ::-1]\n"
        "# 3. zeros around it: d·(k−1) on each side, output_padding more on the bottom/right\n"
        "ah, aw = spread.shape[0] - 1, spread.shape[1] - 1\n"
        f"widths = ((ah, ah + {oph}), (aw, aw + {opw})) + ((0, 0),) * (image.ndim - 2)\n"
        "padded = np.pad(inserted, widths)\n"
        "rows = padded.shape[0] - spread.shape[0] + 1\n"
        "cols = padded.shape[1] - spread.shape[1] + 1\n"
    )
    crop = (
        f"# 4. padding cuts {ph} row(s) / {pw} column(s) from each side of the full output\n"
        f"out = full[{ph}:rows - {ph}, {pw}:cols - {pw}]\n"
    )
    scipy = _LOAD + "from scipy import ndimage\n\n" + picture + (
        "# correlate (no flip: the kernel is already rotated); origin puts its corner on (i, j)\n"
        "weights = spread if image.ndim == 2 else spread[:, :, None]\n"
        "origin = (-(spread.shape[0] // 2), -(spread.shape[1] // 2)) + (0,) * (image.ndim - 2)\n"
        "full = ndimage.correlate(padded, weights, mode='constant', origin=origin)\n"
    ) + crop
    opencv = _LOAD + "import cv2\n\n" + picture + (
        "# filter2D correlates (no flip); anchor (0, 0) puts the kernel's corner on each pixel\n"
        "full = cv2.filter2D(padded, cv2.CV_32F, spread, anchor=(0, 0), "
        "borderType=cv2.BORDER_CONSTANT)\n"
    ) + crop
    return {
        "filters": _LOAD
        + "import filters\n\n"
        + kernel_code
        + (
            f"out = filters.conv_transpose2d(image, kernel, stride={s}, padding={p}, "
            f"output_padding={op}, dilation={d})\n"
        ),
        "pytorch": _LOAD
        + _torch_prologue_any()
        + kernel_code
        + (
            "weight = torch.from_numpy(kernel)[None, None].repeat(x.shape[1], 1, 1, 1)\n"
            f"y = F.conv_transpose2d(x, weight, stride={s}, padding={p}, output_padding={op}, "
            f"dilation={d}, groups=x.shape[1])\n"
        )
        + _torch_epilogue_any(),
        "scipy": scipy,
        "opencv": opencv,
    }


def _torch_prologue_any() -> str:
    return (
        "import torch\nimport torch.nn.functional as F\n\n"
        "x = torch.from_numpy(image)\n"
        "x = x[None, None] if x.ndim == 2 else x.permute(2, 0, 1)[None]  # 1×C×H×W\n"
    )


def _torch_epilogue_any() -> str:
    return "out = y[0, 0].numpy() if image.ndim == 2 else y[0].permute(1, 2, 0).numpy()\n"


def npy_bytes(array: Any, dtype: Any = None) -> bytes:
    """``array`` as the bytes of a ``.npy`` file (``np.save`` into memory).

    E.g. the ``input.npy`` that the snippets read.

    Args:
        array: any real array.
        dtype: convert first (e.g. ``np.float32``); ``None`` keeps the array's own dtype.

    Returns:
        The file's bytes; ``np.load(io.BytesIO(...))`` gives the array back.

    Example:
        >>> import io
        >>> np.load(io.BytesIO(npy_bytes(np.eye(2), np.float32))).dtype
        dtype('float32')
    """
    import io

    values = np.asarray(array)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"array must hold real numbers; got dtype {values.dtype}.")
    buffer = io.BytesIO()
    np.save(buffer, values if dtype is None else values.astype(dtype), allow_pickle=False)
    return buffer.getvalue()
