"""Numbers about a training run: the smoothed loss curve, the confusion matrix, the worst mistakes.

Plain NumPy (no torch): the Train LeNet page calls these on the trainer's history and on the
predictions of :func:`filters.lenet.predict`.

Example:
    >>> import numpy as np
    >>> ema([4.0, 2.0, 2.0], weight=0.5).tolist()
    [4.0, 3.0, 2.5]
    >>> confusion_matrix([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._validation import check_int

__all__ = ["confident_mistakes", "confusion_matrix", "ema"]


def ema(values: Any, weight: float = 0.9) -> np.ndarray:
    """Exponential moving average: ``s[0] = x[0]``, ``s[i] = weight·s[i-1] + (1-weight)·x[i]``.

    The same as pandas' ``Series.ewm(alpha=1 - weight, adjust=False).mean()`` (TensorBoard's
    smoothing without its debiasing).

    Args:
        values: a 1-D sequence of real numbers (e.g. one loss per minibatch); may be empty.
        weight: how much of the previous level is kept, ``0 <= weight < 1`` (0: no smoothing).

    Returns:
        float64 array of the same length.

    Raises:
        TypeError: ``weight`` is not a real number or ``values`` not real numbers.
        ValueError: ``weight`` outside ``[0, 1)`` or ``values`` not 1-D.

    Example:
        >>> ema([1.0, 0.0, 0.0, 0.0], weight=0.9).round(4).tolist()
        [1.0, 0.9, 0.81, 0.729]
    """
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
        raise TypeError(f"weight must be a real number in [0, 1); got {weight!r}.")
    if not 0.0 <= float(weight) < 1.0:
        raise ValueError(f"weight must be in [0, 1) (0: no smoothing); got {weight!r}.")
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"values must be real numbers; got dtype {array.dtype}.")
    if array.ndim != 1:
        raise ValueError(f"values must be 1-D; got shape {array.shape}.")
    out = np.empty(array.shape, dtype=np.float64)
    level = float(array[0]) if array.size else 0.0
    for index, value in enumerate(array.astype(np.float64)):
        level = weight * level + (1.0 - weight) * value
        out[index] = level
    return out


def _labels(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "biu":
        raise TypeError(f"{name} must be integer class indices; got dtype {array.dtype}.")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per image); got shape {array.shape}.")
    return array.astype(np.int64)


def confusion_matrix(true: Any, predicted: Any, num_classes: int) -> np.ndarray:
    """``C[i, j]`` = how many images of class ``i`` were predicted as class ``j``.

    Rows are the true classes and columns the predictions, as in
    ``sklearn.metrics.confusion_matrix(true, predicted, labels=range(num_classes))``.

    Args:
        true: ``N`` integer labels in ``0 … num_classes-1``.
        predicted: ``N`` integer labels in the same range.
        num_classes: the number of classes, at least 1.

    Returns:
        ``num_classes×num_classes`` int64; its sum is ``N`` and its trace the correct answers.

    Raises:
        TypeError: labels that are not integers, ``num_classes`` not an int.
        ValueError: lengths that differ, labels outside the range.

    Example:
        >>> confusion_matrix([2, 0, 2], [2, 0, 1], 3).tolist()
        [[1, 0, 0], [0, 0, 0], [0, 1, 1]]
    """
    classes = check_int(num_classes, "num_classes", minimum=1)
    true, predicted = _labels(true, "true"), _labels(predicted, "predicted")
    if true.shape != predicted.shape:
        raise ValueError(f"true and predicted must have one label per image each; got "
                         f"{true.size} and {predicted.size} labels.")
    for name, labels in (("true", true), ("predicted", predicted)):
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(f"{name} labels must be in 0…{classes - 1}; got values from "
                             f"{labels.min()} to {labels.max()}.")
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (true, predicted), 1)
    return matrix


def confident_mistakes(true: Any, predicted: Any, probabilities: Any, n: int) -> np.ndarray:
    """Indices of the at most ``n`` wrong predictions made with the highest probability.

    Args:
        true: ``N`` integer labels.
        predicted: ``N`` integer labels.
        probabilities: ``N×C`` class probabilities (e.g. softmax outputs).
        n: how many, at least 0.

    Returns:
        int64 indices into the ``N`` images, most confident first (ties: lower index first).

    Example:
        >>> p = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]])
        >>> confident_mistakes([0, 0, 0, 1], [0, 1, 1, 1], p, 5).tolist()
        [2, 1]
    """
    count = check_int(n, "n", minimum=0)
    true, predicted = _labels(true, "true"), _labels(predicted, "predicted")
    probabilities = np.asarray(probabilities)
    if probabilities.dtype.kind not in "biuf":
        raise TypeError(f"probabilities must be real numbers; got dtype {probabilities.dtype}.")
    if true.shape != predicted.shape or probabilities.ndim != 2 \
            or probabilities.shape[0] != true.size:
        raise ValueError(f"true ({true.size}), predicted ({predicted.size}) and the rows of "
                         f"probabilities {probabilities.shape} must count the same images.")
    wrong = np.flatnonzero(true != predicted)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:count]
