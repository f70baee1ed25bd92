"""Text from a submission, made safe to show: on a terminal, in a feedback file, in a report.

A submission controls exception messages, printed output, file names and written answers. Shown
raw, that text can clear the instructor's screen or forge lines of the report (ANSI escapes,
carriage returns, newlines), reorder what is displayed (Unicode bidirectional controls), or
carry data out of the sandbox in the student's own feedback. Two views:

- :func:`printable`: the whole text, with every control and format character written as an
  escape (``\\x1b``, ``\\n``, ``\\u202e``), for the instructor's report;
- :func:`short_line`: the first line only, escaped and cut to a few dozen characters, for what
  a student reads.
"""

import unicodedata

__all__ = ["printable", "short_line"]

SHORT = 80  # characters of an exception message a student's feedback may show


def _escape(char):
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(char):
    # Cc: C0/C1 controls and DEL; Cf: bidirectional overrides, zero-width characters; Zl/Zp:
    # line and paragraph separators (a terminal or editor may break the line there).
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def printable(text, limit=None):
    """``text`` with every control or format character escaped; cut to ``limit`` characters."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return "".join(_escape(c) if _unsafe(c) else c for c in text)


def short_line(text, limit=SHORT):
    """The first line of ``text``, escaped, at most ``limit`` characters (plus an ellipsis)."""
    text = str(text).strip()
    first = text.split("\n", 1)[0]
    cut = len(first) > limit or "\n" in text
    return printable(first[:limit]) + ("…" if cut else "")
