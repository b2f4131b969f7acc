"""Every public function of ``filters`` refuses a value of the wrong type with ``TypeError``.

The table below is written by hand: for each name in ``filters.__all__`` that is a function, a
few calls that each pass one argument of the wrong kind (a string where an array or a number
goes, a list where a string goes, a float where an int goes, a bool where a number goes). Each
must raise ``TypeError`` whose message names the argument and says what was given or wanted.
A test fails when a public function has no row, so a new function needs its wrong-type calls.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import filters
from filters import metrics, regions

IMAGE = np.zeros((8, 8), dtype=np.float32)
KERNEL = np.ones((3, 3))
TARGET = np.zeros((6, 6))  # IMAGE correlated with a 3×3 kernel, no padding

#: public name -> [(args, kwargs, words the message must hold)]
WRONG_TYPES: dict[str, list[tuple[tuple, dict, tuple[str, ...]]]] = {
    "conv2d": [
        (("photo.png", KERNEL), {}, ("image", "numpy array", "str")),
        ((IMAGE, "sobel_x"), {}, ("kernel", "numpy array", "str")),
        ((IMAGE, KERNEL), {"stride": 1.5}, ("stride", "int", "1.5")),
        ((IMAGE, KERNEL), {"stride": True}, ("stride", "int", "True")),
        ((IMAGE, KERNEL), {"padding": 1.0}, ("padding", "int")),
        ((IMAGE, KERNEL), {"padding_mode": ["zeros"]}, ("padding_mode", "string")),
        ((IMAGE, KERNEL), {"dilation": "2"}, ("dilation", "int")),
        ((IMAGE, KERNEL), {"groups": 1.0}, ("groups", "int")),
        ((IMAGE, KERNEL), {"bias": "0.5"}, ("bias", "number")),
        ((IMAGE, KERNEL), {"flip": 1}, ("flip", "True or False")),
        ((IMAGE, KERNEL), {"backend": ["numpy"]}, ("backend", "string")),
    ],
    "available_backends": [],  # takes no arguments
    "pad": [
        (("x", 1), {}, ("image", "numpy array")),
        ((IMAGE, "1"), {}, ("padding", "int")),
        ((IMAGE, (1, 2.0)), {}, ("padding", "int", "2.0")),
        ((IMAGE, 1, ["reflect"]), {}, ("padding_mode", "string")),
        ((IMAGE, 1), {"value": "0"}, ("value", "number")),
    ],
    "output_size": [
        (("32", 3), {}, ("n", "int", "'32'")),
        ((32, 3.0), {}, ("kernel_size", "int", "3.0")),
        ((32, 3), {"stride": 2.0}, ("stride", "int")),
        ((32, 3), {"padding": True}, ("padding", "int", "True")),
        ((32, 3), {"dilation": "1"}, ("dilation", "int")),
    ],
    "transposed_output_size": [
        ((16.0, 3), {}, ("n", "int")),
        ((16, 3), {"stride": "2"}, ("stride", "int")),
        ((16, 3), {"output_padding": 1.0}, ("output_padding", "int")),
    ],
    "effective_kernel_size": [
        (("3",), {}, ("kernel_size", "int")),
        ((3, 2.0), {}, ("dilation", "int")),
    ],
    "get_kernel": [
        ((["sobel_x"],), {}, ("kernel name", "string")),
        (("gaussian_blur",), {"sigma": "2"}, ("sigma", "number")),
        (("gaussian_blur",), {"size": True}, ("size", "number")),
    ],
    "gaussian_kernel": [
        (("5",), {}, ("size", "int")),
        ((5.0,), {}, ("size", "int", "5.0")),
        ((5, "1"), {}, ("sigma", "number")),
    ],
    "parse_kernel": [
        ((["1 0 -1"],), {}, ("kernel text", "string", "list")),
        (("1 0 -1",), {"max_size": 3.0}, ("max_size", "int")),
    ],
    "format_kernel": [
        (("1 0 -1",), {}, ("kernel", "numpy array", "str")),
        ((KERNEL,), {"precision": 2.5}, ("precision", "int")),
    ],
    "is_separable": [
        (("1 2 1",), {}, ("kernel", "numpy array", "str")),
        ((KERNEL,), {"rtol": "small"}, ("rtol", "number")),
    ],
    "pool2d": [
        (("x", 2), {}, ("image", "numpy array")),
        ((IMAGE, 2.0), {}, ("kernel_size", "int")),
        ((IMAGE, 2), {"stride": "2"}, ("stride", "int")),
        ((IMAGE, 2), {"mode": ["max"]}, ("mode", "string")),
        ((IMAGE, 2), {"mode": "lp", "p": "2"}, ("p", "number")),
        ((IMAGE, 2), {"ceil_mode": 1}, ("ceil_mode", "True or False")),
        ((IMAGE, 2), {"return_indices": "yes"}, ("return_indices", "True or False")),
    ],
    "global_avg_pool": [
        (("x",), {}, ("image", "numpy array")),
    ],
    "conv_transpose2d": [
        (("x", KERNEL), {}, ("image", "numpy array")),
        ((IMAGE, "k"), {}, ("kernel", "numpy array")),
        ((IMAGE, KERNEL), {"stride": 2.0}, ("stride", "int")),
        ((IMAGE, KERNEL), {"groups": "1"}, ("groups", "int")),
        ((IMAGE, KERNEL), {"bias": "1"}, ("bias", "number")),
        ((IMAGE, KERNEL), {"method": ["direct"]}, ("method", "string")),
    ],
    "zero_insert": [
        (("x", 2), {}, ("image", "numpy array")),
        ((IMAGE, 2.0), {}, ("stride", "int")),
    ],
    "upsample": [
        (("x", 2), {}, ("image", "numpy array")),
        ((IMAGE, "2"), {}, ("scale_factor", "number")),
        ((IMAGE,), {"size": 16.0}, ("size", "int")),
        ((IMAGE, 2), {"mode": ["nearest"]}, ("mode", "string")),
        ((IMAGE, 2), {"mode": "bilinear", "align_corners": 1}, ("align_corners", "True or False")),
        ((IMAGE, 2), {"clip": "no"}, ("clip", "True or False")),
    ],
    "bilinear_kernel": [
        (("2",), {}, ("factor", "int")),
        ((2.0,), {}, ("factor", "int", "2.0")),
    ],
    "receptive_field": [
        ((3,), {}, ("layers", "int")),
        ((["conv3"],), {}, ("Layer 1", "LayerSpec", "str")),
    ],
    "layer_stats": [
        (("conv3", "32"), {}, ("input_size", "int")),
        (("conv3", 32), {"in_channels": 3.0}, ("in_channels", "int")),
    ],
    "parse_layers": [
        ((["conv3"],), {}, ("layers", "text", "list")),
    ],
    "learn_kernel": [
        (("x", TARGET, 3), {}, ("inputs", "numpy array")),
        ((IMAGE, TARGET, "3"), {}, ("kernel_size", "int")),
        ((IMAGE, TARGET, 3), {"steps": 10.0}, ("steps", "int", "10.0")),
        ((IMAGE, TARGET, 3), {"lr": "0.1"}, ("lr", "number")),
        ((IMAGE, TARGET, 3), {"tol": "0"}, ("tol", "number")),
        ((IMAGE, TARGET, 3), {"optimizer": ["sgd"]}, ("optimizer", "string")),
        ((IMAGE, TARGET, 3), {"shared": 1}, ("shared", "True or False")),
        ((IMAGE, TARGET, 3), {"bias": "yes"}, ("bias", "True or False")),
        ((IMAGE, TARGET, 3), {"init": 5}, ("init", "string")),
        ((IMAGE, TARGET, 3), {"seed": 1.5}, ("seed", "int")),
    ],
    "load_image": [
        ((123,), {}, ("source", "int")),
    ],
    "load_image_with_info": [
        ((3.5,), {}, ("source", "float")),
    ],
    "to_display": [
        (("x",), {}, ("image", "numpy array")),
    ],
    "encode_png": [
        (("x",), {}, ("image", "numpy array")),
    ],
    "save_image": [
        (("out.png", "x"), {}, ("image", "numpy array")),
    ],
    "fit_for_screen": [
        (("x",), {}, ("image", "numpy array")),
        ((IMAGE,), {"max_side": "x"}, ("max_side", "int")),
    ],
    "to_grey": [
        (("x",), {}, ("image", "numpy array")),
    ],
    "to_unit": [
        (("x",), {}, ("to_unit", "numpy array", "str")),
        ((np.zeros((2, 2), np.int32),), {}, ("uint8, uint16 or float", "int32")),
    ],
    "load_sample": [
        ((3,), {}, ("sample", "string")),
    ],
    "conv_walkthrough": [
        (("x", KERNEL), {}, ("image", "numpy array")),
        ((IMAGE, "k"), {}, ("kernel", "numpy array")),
        ((IMAGE, KERNEL), {"stride": "1"}, ("stride", "int")),
        ((IMAGE, KERNEL), {"bias": "0"}, ("bias", "number")),
        ((IMAGE, KERNEL), {"flip": "no"}, ("flip", "True or False")),
        ((IMAGE, KERNEL), {"max_outputs": 10.0}, ("max_outputs", "int")),
    ],
    "conv_steps": [
        (("x", KERNEL), {}, ("image", "numpy array")),
        ((IMAGE, KERNEL), {"padding_mode": 0}, ("padding_mode", "string")),
    ],
}

#: Public classes: records the library returns or catalogue entries, not functions to call.
CLASSES = {"Kernel", "LearnResult"}


def _public_callables() -> list[str]:
    return [name for name in filters.__all__
            if callable(getattr(filters, name)) and name not in CLASSES]


def test_every_name_in_all_resolves():
    for name in filters.__all__:
        assert getattr(filters, name) is not None, name


def test_every_public_function_has_wrong_type_calls():
    functions = set(_public_callables())
    assert functions == set(WRONG_TYPES), (
        f"missing rows: {sorted(functions - set(WRONG_TYPES))}; "
        f"rows for no public function: {sorted(set(WRONG_TYPES) - functions)}"
    )
    for name in functions:
        takes_arguments = bool(inspect.signature(getattr(filters, name)).parameters)
        assert bool(WRONG_TYPES[name]) == takes_arguments, name
    assert all(inspect.isclass(getattr(filters, name)) for name in CLASSES)


CASES = [(name, args, kwargs, words)
         for name, rows in WRONG_TYPES.items() for args, kwargs, words in rows]


@pytest.mark.parametrize(("name", "args", "kwargs", "words"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_wrong_type_is_a_type_error_that_says_so(name, args, kwargs, words, tmp_path,
                                                   monkeypatch):
    monkeypatch.chdir(tmp_path)  # save_image must not write into the checkout
    with pytest.raises(TypeError) as info:
        getattr(filters, name)(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{name}: {word!r} not in {message!r}"


# --- public modules outside ``filters.__all__``: regions and metrics (used by the pages) ---------

LABELS = np.array([0, 1, 1])
PROBABILITIES = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])

#: "module.function" -> [(args, kwargs, words the message must hold)]
MODULE_WRONG_TYPES: dict[str, list[tuple[tuple, dict, tuple[str, ...]]]] = {
    "regions.centre_crop": [
        (("x", 4), {}, ("array", "numpy array", "str")),
        ((IMAGE, 4.0), {}, ("size", "int", "4.0")),
    ],
    "regions.corner_slices": [
        (((8, 8), ["tl"], 4), {}, ("corner", "string")),
        (((8, 8), "tl", 4.0), {}, ("size", "int", "4.0")),
    ],
    "regions.busiest_corner": [
        (("x", 4), {}, ("array", "numpy array")),
        ((IMAGE, "4"), {}, ("size", "int", "'4'")),
    ],
    "regions.border_profile": [
        (("x", "tl"), {}, ("array", "numpy array")),
        ((IMAGE, 1), {}, ("corner", "string")),
        ((IMAGE, "tl", 4.0), {}, ("length", "int", "4.0")),
    ],
    "regions.crop_around": [
        (("x", (0, 0, 2, 2), 1), {}, ("array", "numpy array")),
        ((IMAGE, (0, 0, 2, 2), 1.5), {}, ("margin", "int", "1.5")),
    ],
    "regions.valid_crop": [
        (("x", 3), {}, ("array", "numpy array")),
        ((IMAGE, 3.0), {}, ("kernel_size", "int")),
    ],
    "metrics.ema": [
        (("x",), {}, ("values", "real numbers")),
        (([1.0, 2.0], "0.9"), {}, ("weight", "real number")),
    ],
    "metrics.confusion_matrix": [
        (("x", [1], 2), {}, ("true", "integer")),
        ((LABELS, LABELS, 2.0), {}, ("num_classes", "int", "2.0")),
    ],
    "metrics.confident_mistakes": [
        ((LABELS, LABELS, PROBABILITIES, 1.0), {}, ("n", "int", "1.0")),
        ((LABELS, LABELS, "p", 1), {}, ("probabilities", "real numbers")),
    ],
}
MODULES = {"regions": regions, "metrics": metrics}


def _module_function(name: str):
    module, function = name.split(".")
    return getattr(MODULES[module], function)


def test_every_function_of_the_page_modules_has_wrong_type_calls():
    functions = {f"{m}.{n}" for m, module in MODULES.items() for n in module.__all__
                 if inspect.isfunction(getattr(module, n))}
    assert functions == set(MODULE_WRONG_TYPES)


MODULE_CASES = [(name, args, kwargs, words)
                for name, rows in MODULE_WRONG_TYPES.items() for args, kwargs, words in rows]


@pytest.mark.parametrize(("name", "args", "kwargs", "words"), MODULE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(MODULE_CASES)])
def test_a_wrong_type_in_a_page_module_is_a_type_error_that_says_so(name, args, kwargs, words):
    with pytest.raises(TypeError) as info:
        _module_function(name)(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{name}: {word!r} not in {message!r}"
