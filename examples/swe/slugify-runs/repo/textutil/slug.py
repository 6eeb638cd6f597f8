import re


def slugify(text):
    """Lower-case ASCII slug: letters and digits, words joined by '-'."""
    text = text.lower()
    text = re.sub(r"[^a-z0-9]", "-", text)
    return text.strip("-")
