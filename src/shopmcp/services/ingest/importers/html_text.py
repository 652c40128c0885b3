"""The readable text of an HTML fragment (a Shopify product's Body), in time linear in its length.

The standard library's `html.parser` takes minutes on a few hundred
kilobytes of hostile markup (thousands of unclosed comments), and an import
must survive any file. This scanner only moves forward: each search starts
where the last one ended, and a missing terminator ends the scan.
"""

import html
import re

_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "ul", "ol", "table", "section", "article", "blockquote", "h1", "h2", "h3", "h4"}
)
_HIDDEN = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in ("script", "style", "template")}
_TAG = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)")
_WHITESPACE = re.compile(r"\s+")


def html_to_text(fragment: str) -> str:
    """Tags dropped, entities decoded, script and style left out, each paragraph or list item on its own line.

    Whitespace runs in the text, line breaks included, become one space, as a
    browser shows them; block elements (paragraphs, list items, headings)
    start new lines.
    """
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    parts: list[str] = []
    position, length = 0, len(fragment)
    end = -1  # the first ">" after the current "<" (kept: for "<<<<x>" it is the same for every "<")
    while position < length:
        start = fragment.find("<", position)
        if start < 0:
            parts.append(_WHITESPACE.sub(" ", fragment[position:]))
            break
        parts.append(_WHITESPACE.sub(" ", fragment[position:start]))
        if fragment.startswith("<!--", start):
            end = fragment.find("-->", start + 4)
            if end < 0:
                break
            position = end + 3
            continue
        if end <= start:
            end = fragment.find(">", start + 1)
            if end < 0:
                parts.append(_WHITESPACE.sub(" ", fragment[start:]))
                break
        tag = _TAG.match(fragment, start + 1, end)
        if tag is None:
            # Not a tag ("a < b"): the "<" is text.
            parts.append("<")
            position = start + 1
            continue
        name = tag.group(1).lower()
        position = end + 1
        if name in _HIDDEN and fragment[start + 1] != "/":
            closing = _HIDDEN[name].search(fragment, position)
            if closing is None:
                break
            position = closing.start()
        elif name in _BLOCKS:
            parts.append("\n")
    text = html.unescape("".join(parts)).replace("\u00a0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
