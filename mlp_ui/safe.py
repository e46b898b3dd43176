"""Showing text that came from a user (a link, a file name, a file's contents).

Streamlit renders messages as Markdown. It never renders raw HTML without
``unsafe_allow_html`` (which this app never uses), but Markdown alone can turn
a crafted link parameter or CSV cell into a clickable link or an image. Every
user-derived string shown in a message goes through ``plain`` first.
"""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~$:])")


def plain(text: str) -> str:
    """``text`` with every Markdown control character backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))
