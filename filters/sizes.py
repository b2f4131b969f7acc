"""Output-size formulas of convolution, pooling and transposed convolution (PyTorch's rules).

Notes §1.19 / §1.20 write them as ``o = ⌊(n + 2p − d(k−1) − 1) / s⌋ + 1`` and
``o = (n − 1)s − 2p + d(k−1) + output_padding + 1``.
"""

from __future__ import annotations

from ._validation import check_int

__all__ = ["effective_kernel_size", "output_size", "transposed_output_size"]


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: ``1 + d(k − 1)`` (notes §1.9).

    Example:
        >>> effective_kernel_size(3, dilation=2)
        5
    """
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1)
    dilation = check_int(dilation, "dilation", minimum=1)
    return 1 + dilation * (kernel_size - 1)


def output_size(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Output length of a convolution or pooling along one axis: ``⌊(n+2p−d(k−1)−1)/s⌋+1``.

    Args:
        n: input length (pixels).
        kernel_size: kernel length ``k``.
        stride: step ``s`` between windows.
        padding: pixels ``p`` added on each side.
        dilation: spacing ``d`` between kernel taps.

    Returns:
        The output length; raises ``ValueError`` when the dilated kernel does not fit.

    Example:
        >>> output_size(32, 3, stride=2, padding=1)
        16
    """
    n = check_int(n, "n", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    span = effective_kernel_size(kernel_size, dilation)
    padded = n + 2 * padding
    if span > padded:
        raise ValueError(
            f"The kernel spans {span} pixels (1 + dilation·(k−1) = "
            f"1 + {dilation}·{kernel_size - 1})"
            f" but the padded input is only {padded} ({n} + 2·{padding}); there is no output. "
            "Use a smaller kernel or dilation, or more padding."
        )
    return (padded - span) // stride + 1


def transposed_output_size(
    n: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Output length of a transposed convolution: ``(n−1)s − 2p + d(k−1) + output_padding + 1``.

    ``output_padding`` must be smaller than ``stride`` or ``dilation`` (PyTorch's rule): it only
    picks one of the input sizes that a strided convolution maps to the same output size.

    Example:
        >>> transposed_output_size(16, 3, stride=2, padding=1, output_padding=1)
        32
    """
    n = check_int(n, "n", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    output_padding = check_int(output_padding, "output_padding", minimum=0)
    span = effective_kernel_size(kernel_size, dilation)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding ({output_padding}) must be smaller than stride ({stride}) or dilation "
            f"({dilation}): it chooses among the {max(stride, dilation)} input sizes that a "
            "strided convolution maps to the same output, so it can never reach the stride."
        )
    size = (n - 1) * stride - 2 * padding + span - 1 + output_padding + 1
    if size < 1:
        raise ValueError(
            f"padding {padding} removes the whole output ((n−1)s + d(k−1) + output_padding + 1 "
            f"= {size + 2 * padding} before cropping 2·{padding}); use less padding."
        )
    return size
