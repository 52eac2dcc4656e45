"""The one way a name a member gives is cleaned and compared.

It lives in db because `name_key` is stored (a server's events are unique by it): changing it changes
what the database holds, and db imports nothing above it. The bot's text helpers use it too.

Two names that look the same must be the same name: "Café" typed composed or decomposed, with a
zero-width space at the end, a right-to-left mark inside or a doubled space, is one name; a name
that shows nothing at all is no name.
"""

from __future__ import annotations

import unicodedata

# The longest name a member may give (an event's); the option's own maximum.
NAME_LIMIT = 100
# Characters that show nothing though their category says otherwise (Hangul and Braille fillers,
# the Mongolian vowel separator, the combining grapheme joiner).
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")
_ZWJ = "\u200d"
_EMOJI_MODIFIERS = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")


def _invisible(text: str, index: int) -> bool:
    char = text[index]
    if char in _BLANKS:
        return True
    if char == _ZWJ:
        # Joins emoji (👨‍👩‍👧); anywhere else it only makes two names look alike.
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        joins_emoji = before in _EMOJI_MODIFIERS or unicodedata.category(before or " ") in ("So", "Sk")
        return not (joins_emoji and unicodedata.category(after or " ") == "So")
    # Cf: zero-width spaces, bidi marks and overrides, the BOM...; Cc: controls (whitespace is
    # handled apart); Cs/Co/Cn: lone surrogates, private use, unassigned.
    return unicodedata.category(char) in ("Cf", "Cc", "Cs", "Co", "Cn") and not char.isspace()


def one_line(text: str | None) -> str:
    """Member text as one visible line: NFC, invisible and format characters removed, every run of
    whitespace (newlines included) one space, no space at either end."""
    text = unicodedata.normalize("NFC", text or "")
    visible = "".join(char for index, char in enumerate(text) if not _invisible(text, index))
    return " ".join(visible.split())


def clean_name(text: str | None, limit: int = NAME_LIMIT) -> str:
    """The one stored form of a name a member gives: `one_line`, cut to `limit` characters.

    Empty when nothing visible is left, which the caller refuses. Compare names with `name_key`.
    """
    return one_line(text)[:limit].rstrip()


def name_key(text: str | None) -> str:
    """What two names share exactly when they are the same name: the cleaned name, case-folded, with
    compatibility forms folded too (a full-width "Ｗ" is a "W")."""
    return " ".join(unicodedata.normalize("NFKC", clean_name(text).casefold()).split())
