"""The PyTorch references the library is checked against (nobody here wrote them)."""

from __future__ import annotations

import numpy as np


def torch_conv2d(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride=1,
    padding=0,
    padding_mode="zeros",
    dilation=1,
    groups=None,
    bias=None,
    flip=False,
    dtype=np.float64,
) -> np.ndarray:
    """The reference: ``F.pad`` + ``F.conv2d`` in float64 (or ``dtype``), laid out like
    ``filters.conv2d``."""
    import torch
    import torch.nn.functional as F

    grey = image.ndim == 2
    x = np.asarray(image, dtype=dtype)
    x = x[None, None] if grey else x.transpose(2, 0, 1)[None]
    channels = x.shape[1]
    w = np.asarray(kernel, dtype=dtype)
    if flip:
        w = w[..., ::-1, ::-1]
    if w.ndim == 2:
        w = np.broadcast_to(w, (channels, 1, *w.shape))
        groups = channels
    groups = groups or 1
    xt = torch.from_numpy(np.ascontiguousarray(x))
    wt = torch.from_numpy(np.array(w))
    bt = None
    if bias is not None:
        bt = torch.from_numpy(np.broadcast_to(np.asarray(bias, dtype), (w.shape[0],)).copy())
    if padding_mode != "zeros" and padding not in ("valid", 0, (0, 0)):
        if padding == "same":
            kh, kw = w.shape[-2:]
            dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
            th, tw = dh * (kh - 1), dw * (kw - 1)
            sides = (tw // 2, tw - tw // 2, th // 2, th - th // 2)
        else:
            ph, pw = (padding, padding) if isinstance(padding, int) else padding
            sides = (pw, pw, ph, ph)
        xt = F.pad(xt, sides, mode=padding_mode)
        padding = 0
    y = F.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = y[0].numpy().transpose(1, 2, 0)
    if grey and np.asarray(kernel).ndim == 2:
        return out[:, :, 0]
    return out
