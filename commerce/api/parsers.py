"""The one JSON parser of the API (``DEFAULT_PARSER_CLASSES``): DRF's, with a bound on nesting.

Python's ``json`` recurses once per nesting level: a 2 KB body of 1,000 ``[`` raised
``RecursionError`` (a 500) on every endpoint, before authentication. No request of ours nests
deeper than a few levels, so a body deeper than ``MAX_JSON_DEPTH`` is malformed (400
``malformed_request``), checked without recursion before any serializer walks it. The body's size
is bounded by Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413 ``request_too_large``).

JSON can spell a lone UTF-16 surrogate (``"\\ud800"``), which no UTF-8 text can hold: Python keeps
it in the ``str``, and a field that echoed it in its error (every choice field) failed to encode
the answer, a 500; a field that took it failed later, in the database driver or a page. A body
with one, in a key or a value, is malformed (400 ``malformed_request``), like bytes that are not
UTF-8.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: deeper than any request body the API takes (a checkout is 3 levels)
MAX_JSON_DEPTH = 32


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_text_unencodable(data) -> bool:
    """True when a key or a string value holds a lone surrogate (iterative, as the depth check)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if _has_lone_surrogate(node):
                return True
        elif isinstance(node, dict):
            if any(isinstance(key, str) and _has_lone_surrogate(key) for key in node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def json_depth_exceeds(data, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when lists/objects nest deeper than ``limit`` levels (iterative: no recursion to exhaust)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if json_depth_exceeds(data):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        if json_text_unencodable(data):
            raise ParseError("JSON parse error - a string holds a lone surrogate, which is not Unicode text.")
        return data
