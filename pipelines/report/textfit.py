"""How tall text will be in a box of a given width: slides choose a font size or split before anything overflows.

An estimate, not a layout engine: each character's advance comes from Arial's metrics (Liberation
Sans, which LibreOffice substitutes, has the same widths), lines wrap greedily at spaces as a text
box wraps them, and each line is LINE_SPACING × the font size tall. Widths are padded by SAFETY so
that text the estimate fits also fits in PowerPoint and LibreOffice.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_SPACING = 1.2  # single-spaced lines are about 1.2 × the font size
SAFETY = 1.06  # pad every width estimate by 6%: hinting, rounding and renderer differences
BOLD_FACTOR = 1.07  # Arial Bold runs about 7% wider than regular
POINTS_PER_INCH = 72.0
INSET_X = 0.05  # inches of inner margin left and right in every text box and table cell the deck draws
INSET_Y = 0.03  # inches of inner margin top and bottom
DEFAULT_EM = 0.6  # a character not in the table below (accents, symbols): a wide guess

# Advance widths of Arial Regular in em, for printable ASCII and the few symbols the report writes.
_WIDTHS = {
    " ": 0.278, "!": 0.278, '"': 0.355, "#": 0.556, "$": 0.556, "%": 0.889, "&": 0.667, "'": 0.191, "(": 0.333,
    ")": 0.333, "*": 0.389, "+": 0.584, ",": 0.278, "-": 0.333, ".": 0.278, "/": 0.278, ":": 0.278, ";": 0.278,
    "<": 0.584, "=": 0.584, ">": 0.584, "?": 0.556, "@": 1.015, "[": 0.278, "\\": 0.278, "]": 0.278, "^": 0.469,
    "_": 0.556, "`": 0.333, "{": 0.334, "|": 0.26, "}": 0.334, "~": 0.584,
    "A": 0.667, "B": 0.667, "C": 0.722, "D": 0.722, "E": 0.667, "F": 0.611, "G": 0.778, "H": 0.722, "I": 0.278,
    "J": 0.5, "K": 0.667, "L": 0.556, "M": 0.833, "N": 0.722, "O": 0.778, "P": 0.667, "Q": 0.778, "R": 0.722,
    "S": 0.667, "T": 0.611, "U": 0.722, "V": 0.667, "W": 0.944, "X": 0.667, "Y": 0.667, "Z": 0.611,
    "a": 0.556, "b": 0.556, "c": 0.5, "d": 0.556, "e": 0.556, "f": 0.278, "g": 0.556, "h": 0.556, "i": 0.222,
    "j": 0.222, "k": 0.5, "l": 0.222, "m": 0.833, "n": 0.556, "o": 0.556, "p": 0.556, "q": 0.556, "r": 0.333,
    "s": 0.5, "t": 0.278, "u": 0.556, "v": 0.5, "w": 0.722, "x": 0.5, "y": 0.5, "z": 0.5,
    "–": 0.556, "—": 1.0, "−": 0.584, "·": 0.278, "…": 1.0, "×": 0.584, "→": 1.0, "²": 0.333, "’": 0.222,
    "€": 0.556, "£": 0.556, "é": 0.556, "ü": 0.556, "ö": 0.556, "ä": 0.556,
}
_WIDTHS.update({d: 0.556 for d in "0123456789"})


@dataclass(frozen=True)
class Para:
    """One paragraph as it will be set: text, size in points, bold, space after in points."""

    text: str
    size: float
    bold: bool = False
    space_after: float = 0.0


def em_width(text: str, bold: bool = False) -> float:
    """Width of text in em (multiply by the font size in points for points), padded by SAFETY."""
    width = sum(_WIDTHS.get(ch, DEFAULT_EM) for ch in text)
    return width * SAFETY * (BOLD_FACTOR if bold else 1.0)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches a box needs to hold text on one line, insets included."""
    return em_width(text, bold) * size / POINTS_PER_INCH + 2 * INSET_X


def wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap at spaces, as a text box does it; a word longer than a line breaks anywhere."""
    room = max(width_in - 2 * INSET_X, 0.05) * POINTS_PER_INCH / size  # line length in em
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split():
            candidate = f"{line} {word}" if line else word
            if em_width(candidate, bold) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:  # a word wider than the line: break it where it overflows
                if line and em_width(line + ch, bold) > room:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def line_count(text: str, width_in: float, size: float, bold: bool = False) -> int:
    return len(wrap(text, width_in, size, bold))


def height_of(paras: list[Para], width_in: float) -> float:
    """Estimated height in inches of these paragraphs in a box this wide, insets included."""
    points = 0.0
    for i, p in enumerate(paras):
        points += line_count(p.text, width_in, p.size, p.bold) * p.size * LINE_SPACING
        if i < len(paras) - 1:
            points += p.space_after
    return points / POINTS_PER_INCH + 2 * INSET_Y


def fits(paras: list[Para], width_in: float, height_in: float) -> bool:
    return height_of(paras, width_in) <= height_in


def largest_fitting(make, width_in: float, height_in: float, sizes: tuple[float, ...]) -> float | None:
    """The largest size (tried in the order given, largest first) at which make(size) -> paras fits; None if none."""
    for size in sizes:
        if fits(make(size), width_in, height_in):
            return size
    return None
