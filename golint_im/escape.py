"""Escaping for every output: file names and Go strings come from the analysed tree.

A file name or string literal can hold a newline (a forged `::error` workflow
command or DOT statement on the next line), an ANSI or OSC sequence (a
rewritten terminal), a bidirectional override (text that reads otherwise
than it is), or a byte that is not UTF-8 (a file name kept by Python as a
lone surrogate, which no UTF-8 writer accepts). Each output escapes what its
own syntax needs; printable() is the common part for one-line text.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional marks,
# embeddings, overrides and isolates, and lone surrogates (undecodable bytes).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match) -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(s: str) -> str:
    """s on one line, safe for a terminal or a log: controls, separators, bidi marks and bad bytes escaped."""
    return _UNSAFE.sub(_escape, s) if _UNSAFE.search(s) else s


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_safe(text: str) -> str:
    r"""JSON text from json.dumps(ensure_ascii=False) with what it leaves raw escaped as \uXXXX.

    json escapes C0 controls itself; C1 controls, bidi marks and lone
    surrogates it writes raw, and those can only sit inside strings, so
    escaping them keeps the document valid and its values unchanged (and
    writable as UTF-8).
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_UNSAFE.search(text) else text


def utf8(s: str) -> bytes:
    """s as UTF-8 even when it holds surrogates: a file name's undecodable bytes come back as they were."""
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate from a Go escape such as "\ud800", not from a file name
        return s.encode("utf-8", "surrogatepass")
