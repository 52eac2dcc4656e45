"""Text as names are compared: normalisation, search keys, the numbers a name carries.

Plain functions over strings (and `TextKeys`, which remembers them while one index is built): the
matcher, trivia's answer checking and question generation share them.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFD does not split into a base letter plus accent.
_FOLD_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ŀ": "l"}
)
# Apostrophes join ("Ocean's" -> "oceans"); every other non-alphanumeric separates.
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_ASCII_APOSTROPHES = re.compile(r"['`]")
_NOT_ALNUM = re.compile(r"[\W_]+")
# "mi3" -> "mi 3", "x2" -> "x 2": digits glued to letters are separate tokens.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
DIGIT = re.compile(r"\d")
ARTICLES = frozenset({"the", "a", "an"})
_NUMBER_WORD_LIST = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_NUMBER_WORD_LIST)}
# Roman numerals 1-39 written with I, V and X only: wider ranges would turn words
# such as "mix", "dim" or "civil" (and "mi", the franchise initials) into numbers.
_ROMAN = re.compile(r"x{0,3}(ix|iv|v?i{0,3})")
ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}
YEAR_RANGE = range(1870, 2101)


def normalise(text: str) -> str:
    """Text as compared by people: NFKC, casefolded, accents and punctuation dropped.

    "&" reads as "and", apostrophes join their word ("Ocean's" -> "oceans") and any
    other run of punctuation, symbols or spaces becomes a single space.

    >>> normalise("Mission: Impossible – Dead Reckoning Part One")
    'mission impossible dead reckoning part one'
    >>> normalise("  Ingeborga Dapkūnaitė & co. ")
    'ingeborga dapkunaite and co'
    """
    if text.isascii():
        # The same steps, less those that cannot change ASCII text (most names):
        # NFKC and NFD leave it alone and casefold() is lower().
        if text.replace(" ", "").isalpha():
            return " ".join(text.lower().split())
        text = _ASCII_APOSTROPHES.sub("", text.lower().replace("&", " and "))
        return " ".join(_NOT_ALNUM.sub(" ", text).split())
    text = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.translate(_FOLD_LETTERS))
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def _roman(token: str) -> int | None:
    """The value of a Roman numeral from 1 to 39, or None for any other token."""
    if not token or not _ROMAN.fullmatch(token):
        return None
    total = 0
    for index, char in enumerate(token):
        value = ROMAN_VALUES[char]
        following = ROMAN_VALUES[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < following else value
    return total


# Every numeral _ROMAN accepts (x{0,3} then one of ten endings), as digits: a dict
# look-up per word instead of a regular expression.
ROMAN_DIGITS = {
    numeral: str(_roman(numeral))
    for tens in ("", "x", "xx", "xxx")
    for units in ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")
    if (numeral := tens + units)
}


_TRAILING_ARTICLE = re.compile(r"^(.+?),\s*(the|a|an)\s*$", re.IGNORECASE)
# "10,000 B.C.": a comma between digit groups of three is a thousands separator.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "2½", "9 1/2": the half is kept as a word, the same however it is written.
_HALF = re.compile(r"\s*(?:½|(?<=\w)[ -]1/2\b)")


def _prepared(text: str) -> str:
    """``text`` with what punctuation says about numbers and articles read before it is dropped."""
    if "," in text or "½" in text or "/" in text:
        text = _HALF.sub(" half", _THOUSANDS.sub("", text))
        found = _TRAILING_ARTICLE.match(text)
        if found:
            text = f"{found[2]} {found[1]}"  # IMDb's "Net, The" is "The Net"
    return text


def tokens_of(text: str) -> list[str]:
    """Search-key tokens of ``text``; see :func:`search_key`."""
    return tokens_of_normal(normalise(_prepared(text)))


def tokens_of_normal(normal: str) -> list[str]:
    """Search-key tokens of text already passed through :func:`normalise`."""
    if DIGIT.search(normal) is None:
        words = normal.split()
        if words and min(map(len, words)) > 1:
            # No digit and no single letter (most names): only numerals and number words change.
            return [_NUMBER_WORDS.get(word) or ROMAN_DIGITS.get(word) or word for word in words]
    else:
        words = _LETTER_DIGIT.sub(" ", normal).split()
    # Without a lone letter there are no initials to join and no numeral letter to read.
    joined = _letters_joined(words) if any(len(word) == 1 and word.isalpha() for word in words) else words
    tokens: list[str] = []
    for word in joined:
        if word.endswith("_"):
            tokens.append(word[:-1])
        elif word.isdecimal():
            if len(word) == 3 and tokens and tokens[-1].isdecimal() and len(tokens[-1]) <= 3 and tokens[-1] != "0":
                tokens[-1] += word  # "10 000" is "10,000" without its comma
                continue
            tokens.append(str(int(word)))  # "07" and "7" are the same number
        else:
            tokens.append(_NUMBER_WORDS.get(word) or ROMAN_DIGITS.get(word) or word)
    return tokens


def _letters_joined(words: list[str]) -> list[str]:
    """``words`` with their lone letters read: initials joined, numeral letters made numbers (a letter kept
    as a letter marked with a closing "_")."""
    # Initials typed with dots, colons or spaces become one word ("M:I" -> "mi",
    # "J. J." -> "jj") so they meet the same initials typed without punctuation.
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            if not run and word in ROMAN_VALUES and joined and len(joined[-1]) > 1 and joined[-1] not in ARTICLES:
                # A numeral after a title word ("Part V", "Rocky V"); a lone letter elsewhere is a
                # letter ("The X-Files", "X-Men").
                joined.append(str(ROMAN_VALUES[word]))
                continue
            run.append(word)
            continue
        if run:
            # "M:I:V" is "MI 5": a numeral letter after two or more initials is a number.
            if len(run) >= 3 and run[-1] in ROMAN_VALUES:
                joined.extend(["".join(run[:-1]), str(ROMAN_VALUES[run[-1]])])
            elif len(run) == 1 and run[0] in ROMAN_VALUES:
                joined.append(f"{run[0]}_")  # kept a letter: not turned into a number below
            else:
                joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    return joined


def search_key(text: str) -> str:
    """The form names are matched in: :func:`normalise`, then numbers unified.

    Roman numerals (I-XXXIX) and number words (zero-twenty) become digits, digits
    glued to letters are split off ("MI3" -> "mi 3") and initials are joined
    ("M:I" -> "mi"), so "M:I:III", "MI3" and "mi three" all read ``mi 3``.
    Leading articles are kept: this is the key of a name, not of an answer.
    """
    return " ".join(tokens_of(text))


def normalise_answer(text: str) -> str:
    """The search key of a trivia answer without a leading "the", "a" or "an".

    Two answers are the same when their ``normalise_answer`` forms are equal:
    "The Entity" = "entity", "Mission: Impossible III" = "mission impossible 3".
    """
    return " ".join(match_tokens(text))


def match_tokens(text: str) -> list[str]:
    """Tokens names are compared by: the search key without a leading article."""
    tokens = tokens_of(text)
    return tokens[1:] if len(tokens) > 1 and tokens[0] in ARTICLES else tokens


def words_of(key: str) -> str:
    """The words of a key without its numbers: what the spelling check compares."""
    return " ".join(token for token in key.split() if not token.isdecimal())


def numbers_in(text: str) -> frozenset[int]:
    """The numbers a name carries once numerals and number words are read as digits."""
    return frozenset(int(token) for token in tokens_of(text) if token.isdecimal())


def size_of(key: str) -> int:
    """Letters and digits in a key: the length used to judge fragments."""
    return len(key) - key.count(" ")


class TextKeys:
    """Search keys of the texts met while building one index, each worked out once.

    Names repeat a great deal (first names, surnames, a character in every film of
    a franchise), and normalising is the costly part of a build.
    """

    __slots__ = ("_keys", "_name_words", "_normal", "_part_sizes", "_parts", "known_match_keys")

    def __init__(self) -> None:
        self._normal: dict[str, str] = {}
        # Search keys rather than lists of tokens: one string per text, shared with its match key when
        # the two are the same (most texts), instead of a list and a string per token.
        self._keys: dict[str, str] = {}
        self.known_match_keys: dict[str, str] = {}
        """Text to :meth:`match_key`, for look-ups in the hottest loop."""
        self._parts: dict[str, list[str]] = {}
        self._name_words: dict[str, bool] = {}
        self._part_sizes: dict[str, bool] = {}

    def normalise(self, text: str) -> str:
        found = self._normal.get(text)
        if found is None:
            found = self._normal[text] = normalise(text)
        return found

    def tokens(self, text: str) -> list[str]:
        """:func:`tokens_of` of ``text``."""
        return self.search_key(text).split()

    def search_key(self, text: str) -> str:
        found = self._keys.get(text)
        if found is None:
            prepared = _prepared(text)
            # The normal form is looked up but not kept: most texts are normalised only for their key.
            normal = self._normal.get(prepared)
            if normal is None:
                normal = normalise(prepared)
            found = self._keys[text] = " ".join(tokens_of_normal(normal))
        return found

    def match_key(self, text: str) -> str:
        """The key names are indexed by: :func:`match_tokens` joined."""
        found = self.known_match_keys.get(text)
        if found is None:
            found = self.search_key(text)
            first, space, rest = found.partition(" ")
            if space and first in ARTICLES:
                found = rest
            self.known_match_keys[text] = found
        return found

    def is_name_word(self, word: str) -> bool:
        """Whether a word of a name can be a first name or surname: not empty once normalised, nor a title."""
        found = self._name_words.get(word)
        if found is None:
            normal = self.normalise(word)
            found = self._name_words[word] = bool(normal) and normal not in NAME_STOPWORDS
        return found

    def is_part(self, part: str) -> bool:
        """Whether a first name or surname is long enough to be indexed (three letters or digits)."""
        found = self._part_sizes.get(part)
        if found is None:
            found = self._part_sizes[part] = size_of(self.search_key(part)) >= 3
        return found

    def name_parts(self, name: str) -> list[str]:
        """:func:`name_parts_of` of ``name`` (shared: do not change the list)."""
        found = self._parts.get(name)
        if found is None:
            found = self._parts[name] = name_parts_of(name, self)
        return found


NAME_STOPWORDS = ARTICLES | {
    "of", "and", "dr", "mr", "mrs", "ms", "sir", "captain", "general", "admiral", "agent", "director",
    "jr", "sr", "ii", "iii",
}  # fmt: skip


def name_parts_of(name: str, keys: TextKeys | None = None) -> list[str]:
    """First name, surname and surname with particles of a name ("Brian De Palma" -> brian, palma, de palma)."""
    keys = keys or TextKeys()
    words = [word for word in name.replace("/", " ").split() if keys.is_name_word(word)]
    if len(words) < 2:
        return []
    parts = [words[0], words[-1]]
    if len(words) > 2:
        parts.append(" ".join(words[1:]))
    return [part for part in parts if keys.is_part(part)]
