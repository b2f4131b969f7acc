"""Convolution Lab: the landing page (what the lab is, the image source, the language switch)."""

import streamlit as st

from ui.common import page_setup
from ui.i18n import t
from ui.image_source import show_image, working_image
from ui.nav import PAGES, ROOT

page_setup("app.title")

st.title(t("app.title"))
st.markdown(f"**{t('home.tagline')}**")
st.markdown(t("home.intro"))

left, right = st.columns([3, 2])
with left:
    st.subheader(t("home.pages"))
    for path, key, icon in PAGES[1:]:
        if (ROOT / path).exists():
            st.page_link(path, label=t(key), icon=icon)
            st.caption(t(key.replace("nav.", "home.")))
with right:
    st.subheader(t("home.preview"))
    image, _ = working_image()
    show_image(image, caption="")
