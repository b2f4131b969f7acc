"""Streamlit helpers shared by the pages (the library itself, ``filters``, never imports these).

- ``common``: ``page_setup`` (config, state, sidebar) and ``guard`` (library errors → messages)
- ``i18n``: every string in English and 中文, ``t(key)``, the language switch
- ``state``: session-state keys, the current image, the per-session kernel library
- ``nav``: the translated sidebar navigation (pages discovered from ``pages/``)
- ``image_source``: the image picker and how images are shown
- ``kernel_editor``: catalogue gallery, typed/grid kernels, saved kernels, full weights
- ``controls``: convolution settings, the size formula, normalisation, value read-outs
- ``figures``, ``explain_figures``: plotly figures and number tables
"""
