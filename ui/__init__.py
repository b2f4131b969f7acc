"""Streamlit helpers shared by the pages: strings, state, navigation, image picker, figures."""
