"""Convolution backends: one small interface, five implementations, one registry.

A backend computes a cross-correlation on an ``H×W×C`` float array for a
:class:`~filters.backends.base.Geometry` that :func:`filters.conv2d` has already checked
(padding per side, mode, stride, dilation, output size). Every backend translates the padding
mode through the one table :data:`filters.padding.MODE_NAMES`.

:data:`BACKEND_MODULES` is the registry: every list of backend names (``conv2d``'s ``backend``
choices, the command line's ``--backend``, the app's backend menu, the tests' and benchmarks'
parametrisations) is read from it. Adding a backend is its module (which defines ``BACKEND``,
an instance of a :class:`~filters.backends.base.BackendBase` subclass) and one line here;
``tests/test_registry.py`` fails if a name list anywhere disagrees.

Backends are imported lazily: ``import filters`` never imports torch or OpenCV, and asking
which backends are available (the app's backend menu) only looks for their libraries
(:data:`BACKEND_LIBRARIES`), so torch is imported the first time a convolution uses it.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache

from .base import Backend, BackendBase, Geometry

__all__ = [
    "AUTO",
    "BACKEND_CHOICES",
    "BACKEND_LIBRARIES",
    "BACKEND_MODULES",
    "BACKEND_NAMES",
    "Backend",
    "BackendBase",
    "Geometry",
    "get_backend",
    "is_available",
]

#: The registry: backend name -> module implementing it (each defines ``BACKEND``).
BACKEND_MODULES: dict[str, str] = {
    "numpy": "filters.backends.numpy_backend",
    "scipy": "filters.backends.scipy_backend",
    "fft": "filters.backends.fft_backend",
    "torch": "filters.backends.torch_backend",
    "opencv": "filters.backends.opencv_backend",
}

#: The library each backend needs (what :func:`is_available` looks for, without importing it).
BACKEND_LIBRARIES: dict[str, str] = {
    "numpy": "numpy",
    "scipy": "scipy",
    "fft": "scipy",
    "torch": "torch",
    "opencv": "cv2",
}

#: The choice that lets :func:`filters.choose_backend` pick.
AUTO = "auto"
#: Every backend, in the registry's order.
BACKEND_NAMES: tuple[str, ...] = tuple(BACKEND_MODULES)
#: What ``conv2d(backend=...)`` and ``--backend`` accept: every backend, then ``"auto"``.
BACKEND_CHOICES: tuple[str, ...] = (*BACKEND_NAMES, AUTO)


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
    """True if the backend's library is installed here (found without importing it).

    Example:
        >>> is_available("numpy")
        True
    """
    try:
        return importlib.util.find_spec(BACKEND_LIBRARIES[name]) is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False
