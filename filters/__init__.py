"""Convolution Lab's library: 2-D convolution, padding, pooling and upsampling on numpy images.

Images are numpy arrays ``H×W`` (grey) or ``H×W×C``; any real dtype goes in, float32 comes out
(float64 stays float64). Names and meanings follow ``torch.nn.functional``.

Example:
    >>> import numpy as np, filters
    >>> image = np.arange(25, dtype=np.float32).reshape(5, 5)
    >>> filters.conv2d(image, filters.get_kernel("sobel_x"), padding=1).shape
    (5, 5)

Public names are loaded on first use, so ``import filters`` stays fast and never imports torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> submodule that defines it.
_EXPORTS: dict[str, str] = {
    "conv2d": "conv",
    "BACKENDS": "conv",
    "available_backends": "conv",
    "pad": "padding",
    "PADDING_MODES": "padding",
    "output_size": "sizes",
    "transposed_output_size": "sizes",
    "effective_kernel_size": "sizes",
    "KERNELS": "kernels",
    "Kernel": "kernels",
    "get_kernel": "kernels",
    "gaussian_kernel": "kernels",
    "parse_kernel": "kernels",
    "format_kernel": "kernels",
    "is_separable": "kernels",
    "pool2d": "pooling",
    "global_avg_pool": "pooling",
    "conv_transpose2d": "upsampling",
    "zero_insert": "upsampling",
    "upsample": "upsampling",
    "bilinear_kernel": "upsampling",
    "receptive_field": "receptive",
    "layer_stats": "receptive",
    "parse_layers": "receptive",
    "learn_kernel": "learn",
    "LearnResult": "learn",
    "load_image": "image_io",
    "to_display": "image_io",
    "load_image_with_info": "image_io",
    "encode_png": "image_io",
    "save_image": "image_io",
    "fit_for_screen": "image_io",
    "to_grey": "image_io",
    "to_unit": "image_io",
    "load_sample": "samples",
    "SAMPLES": "samples",
    "conv_walkthrough": "explain",
    "conv_steps": "explain",
}

_SUBMODULES = {
    "backends",
    "conv",
    "datasets",
    "explain",
    "export",
    "image_io",
    "kernels",
    "learn",
    "lenet",
    "limits",
    "padding",
    "pooling",
    "receptive",
    "samples",
    "sizes",
    "upsampling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'filters' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | _SUBMODULES)


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .conv import (
        BACKENDS as BACKENDS,
    )
    from .conv import (
        available_backends as available_backends,
    )
    from .conv import (
        conv2d as conv2d,
    )
    from .kernels import (
        KERNELS as KERNELS,
    )
    from .kernels import (
        Kernel as Kernel,
    )
    from .kernels import (
        format_kernel as format_kernel,
    )
    from .kernels import (
        gaussian_kernel as gaussian_kernel,
    )
    from .kernels import (
        get_kernel as get_kernel,
    )
    from .kernels import (
        is_separable as is_separable,
    )
    from .kernels import (
        parse_kernel as parse_kernel,
    )
    from .padding import (
        PADDING_MODES as PADDING_MODES,
    )
    from .padding import (
        pad as pad,
    )
    from .sizes import (
        effective_kernel_size as effective_kernel_size,
    )
    from .sizes import (
        output_size as output_size,
    )
    from .sizes import (
        transposed_output_size as transposed_output_size,
    )
