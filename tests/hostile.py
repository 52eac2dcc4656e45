"""What hostile members type, for property tests of every place member text is shown: markdown,
mentions, invisible and bidi characters, newlines, long runs, and words that look like real titles."""

from __future__ import annotations

from hypothesis import strategies as st

HOSTILE_PARTS = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "`",
        "~~",
        "||",
        "\\",
        "> ",
        "# ",
        "- ",
        "[x](https://e.x)",
        "@everyone",
        "@here",
        "<@123>",
        "<@!123456789012345678>",
        "<@&42>",
        "<#7>",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u2066",
        "\ufeff",
        "\u3164",
        "\n",
        "\r\n",
        "\t",
        "e\u0301",
        "é",
        "ﷺ",
        "👨‍👩‍👧",
        "a",
        " ",
        "fallout",
        "Tom Cruise",
    ]
)
