"""The worked examples of the study notes (../shared/seeds/), reproduced to the exact number.

Seed 000: the 5×5 matrix and the 3×3 vertical edge kernel; output size formula.
Seed 001: dilation's effective kernel size, transposed convolution sizes, output_padding.
Seed 002: the 4×4 matrix 1…16 padded by 1 in each of torch's four padding modes.
Seed 003: d2l's corr2d example, learning a 1×2 kernel, LeNet's size chain.
Seed 004: receptive fields of stacked 3×3 convolutions, 1×1 convolutions, bottlenecks.
"""

from __future__ import annotations

import numpy as np
import pytest

import filters
