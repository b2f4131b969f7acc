"""Convolution Lab: the landing page (what the lab is, the image source, the language switch)."""

import streamlit as st

from ui.common import page_setup
from ui.i18n import t
from ui.image_source import full_image, show_image, working_image
from ui.nav import available_pages

page_setup("app.title")

st.title(t("app.title"))
st.markdown(f"#### {t('home.tagline')}")
st.markdown(t("home.intro"))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(t("home.pages"))
    pages = available_pages()[1:]
    for start in range(0, len(pages), 2):
        for column, (path, key, icon) in zip(st.columns(2), pages[start:start + 2],
                                             strict=False):
            with column.container(border=True, height="stretch"):
                st.page_link(path, label=f"**{t(key)}**", icon=icon)
                st.caption(t(key.replace("nav.", "home.")))
with right:
    st.subheader(t("home.preview"))
    image, _ = working_image()  # at most WORK_SIDE a side: the screen's size
    height, width = full_image()[0].shape[:2]
    show_image(image, t("home.preview_caption", h=height, w=width))
    st.info(t("home.picker_hint"), icon=":material/arrow_back:")

st.subheader(t("home.python"))
st.code(
    "import filters\n\n"
    "image = filters.load_image(\"photo.jpg\")                 # float32 H×W×3 in [0, 1]\n"
    "edges = filters.conv2d(image, filters.get_kernel(\"sobel_x\"), padding=\"same\",\n"
    "                       padding_mode=\"reflect\")\n"
    "small = filters.pool2d(image, 2)                          # max pooling, 2×2\n"
    "filters.output_size(32, 3, stride=2, padding=1)            # 16",
    language="python",
)
st.caption(t("home.cli"))
