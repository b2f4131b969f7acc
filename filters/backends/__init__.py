"""Convolution backends: one small interface, five implementations, one registry.

A backend computes a cross-correlation on an ``H×W×C`` float array for a
:class:`~filters.backends.base.Geometry` that :func:`filters.conv2d` has already checked
(padding per side, mode, stride, dilation, output size). Each backend owns one explicit table from
our four padding-mode names to its library's names; ``tests/test_backends.py`` checks every entry.

Backends are imported lazily: ``import filters`` never imports torch or OpenCV.
"""

from __future__ import annotations

import importlib
from functools import cache

from .base import Backend, Geometry

__all__ = ["BACKEND_MODULES", "Backend", "Geometry", "get_backend", "is_available"]

#: backend name -> module implementing it (each defines ``BACKEND``).
BACKEND_MODULES: dict[str, str] = {
    "numpy": "filters.backends.numpy_backend",
    "scipy": "filters.backends.scipy_backend",
    "fft": "filters.backends.fft_backend",
    "torch": "filters.backends.torch_backend",
    "opencv": "filters.backends.opencv_backend",
}


@cache
def get_backend(name: str) -> Backend:
    """Import and return the backend called ``name`` (``ImportError`` if its library is missing).

    Example:
        >>> get_backend("numpy").name
        'numpy'
    """
    module = importlib.import_module(BACKEND_MODULES[name])
    backend: Backend = module.BACKEND
    return backend


@cache
def is_available(name: str) -> bool:
    """True if the backend's library imports on this machine.

    Example:
        >>> is_available("numpy")
        True
    """
    try:
        get_backend(name)
    except ImportError:
        return False
    return True
