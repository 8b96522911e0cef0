"""Terminal output that never carries a control character (issue 14).

Names, file names and messages printed by the command line come from files and
users. An ESC/CSI/OSC sequence, a BEL, a NUL or a bidi control printed raw can
retitle or rewrite the operator's terminal, so every line the command line
writes goes through ``safe_text``: each control (Unicode Cc) or format (Cf)
character except the line break is replaced by a visible escape — ``\\x1b``,
``\\u202e`` — in text output, and by the JSON escape ``\\u001b`` in JSON output,
so a JSON line stays valid JSON that decodes to the same value.

``SafeWriter`` wraps ``sys.stdout`` / ``sys.stderr`` for the length of a command.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TextIO

_ASCII_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def _escape(ch: str, json: bool) -> str:
    code = ord(ch)
    if json:
        if code > 0xFFFF:  # JSON escapes are UTF-16 code units: a surrogate pair
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe_text(text: str, *, json: bool = False) -> str:
    """``text`` with every Cc/Cf character but ``\\n`` replaced by a visible escape."""
    if text.isascii():
        if not _ASCII_CONTROL.search(text):
            return text  # the usual case
        return _ASCII_CONTROL.sub(lambda m: _escape(m.group(), json), text)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(
        _escape(ch, json) if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text
    )


class SafeWriter:
    """A text stream that writes through ``safe_text`` to ``stream`` (``json``: JSON escapes)."""

    def __init__(self, stream: TextIO, *, json: bool = False) -> None:
        self.stream = stream
        self.json = json

    def write(self, text: str) -> int:
        self.stream.write(safe_text(text, json=self.json))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:  # encoding, isatty, fileno … of the real stream
        return getattr(self.stream, name)


__all__ = ["SafeWriter", "safe_text"]
