"""What a page run with AppTest shows, read back for the tests: image captions, metrics, text.

The tests check these (what the user sees) against the library or against references, never
``session_state`` keys a page would write only for a test.
"""

from __future__ import annotations

import re


def image_captions(at) -> list[str]:
    """The captions of every ``st.image`` on the page, in order."""
    return [caption for image in at.get("image") for caption in image.captions]


def metrics(at) -> dict[str, str]:
    """``st.metric`` label → shown value."""
    return {m.label: m.value for m in at.metric}


def texts(at) -> list[str]:
    """Every markdown and caption text on the page, in order of kind (markdown first)."""
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def shape_in(caption: str) -> tuple[int, int]:
    """The last ``H×W`` written in ``caption``, as ints."""
    found = re.findall(r"(\d+)×(\d+)", caption)
    assert found, f"no H×W in {caption!r}"
    return int(found[-1][0]), int(found[-1][1])
