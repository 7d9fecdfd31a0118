"""Text helpers of the drawings: XML-safe strings and label fitting without a font engine.

Widths come from the Helvetica metrics (Adobe AFM, units per 1000 em), which Arial and
Liberation Sans share: good enough to fit a label in its slot, with a safety margin.
"""

from __future__ import annotations

import re

__all__ = ["fit_lines", "text_width", "xml_safe"]

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Helvetica widths of the printable ASCII characters, from " " (32) to "~" (126).
_WIDTHS = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 584"
)
_WIDTH = {chr(32 + i): int(w) for i, w in enumerate(_WIDTHS.split())}
_OTHER = 600
_BOLD = 1.08
_SAFETY = 1.04
ELLIPSIS = "\u2026"


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters, lone surrogates).

    >>> xml_safe("a\\x00b\\x1fc\\td")
    'abc\\td'
    """
    return _INVALID_XML.sub("", text)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width of ``text`` at ``size`` px in Helvetica/Arial.

    >>> round(text_width("Katrin Vogel", 12), 1)
    68.0
    """
    units = sum(_WIDTH.get(ch, _OTHER) for ch in text)
    return units / 1000 * size * (_BOLD if bold else 1.0) * _SAFETY


def _truncate(text: str, width: float, size: float, bold: bool) -> str:
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_lines(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 1
) -> list[str]:
    """Wrap ``text`` at spaces into at most ``max_lines`` lines of at most ``width`` px; the
    last line is cut with an ellipsis when the text does not fit.

    >>> fit_lines("Director of Strategic Sourcing", 120, 10.5, max_lines=2)
    ['Director of Strategic', 'Sourcing']
    >>> fit_lines("Director of Strategic Sourcing", 60, 10.5, max_lines=2)
    ['Director of', 'Strategic S…']
    >>> fit_lines("", 60, 10)
    []
    """
    words = " ".join(text.split()).split(" ") if text.strip() else []
    lines: list[str] = []
    while words and len(lines) < max_lines - 1:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold=bold) <= width:
            line = f"{line} {words.pop(0)}"
        if text_width(line, size, bold=bold) > width:
            words.insert(0, line)
            break
        lines.append(line)
    if words:
        lines.append(_truncate(" ".join(words), width, size, bold))
    return lines
