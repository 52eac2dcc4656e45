"""Discord's documented limits, which are stricter than (or absent from) the OpenAPI description."""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import form_error, merge_errors

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
SELECT_OPTIONS = 25
CHOICES = 25
CHOICE_LENGTH = 100
CUSTOM_ID = 100
BUTTON_LABEL = 80

Path = list[str | int]


def _too_long(errors: dict[str, Any], path: Path, limit: int) -> None:
    merge_errors(errors, form_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def _str_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def embed_length(embed: dict[str, Any]) -> int:
    """Characters that count towards the 6000 total: title, description, fields, footer, author."""
    total = _str_len(embed.get("title")) + _str_len(embed.get("description"))
    for f in embed.get("fields") or []:
        if isinstance(f, dict):
            total += _str_len(f.get("name")) + _str_len(f.get("value"))
    total += _str_len((embed.get("footer") or {}).get("text"))
    total += _str_len((embed.get("author") or {}).get("name"))
    return total


def check_message(body: Any, prefix: Path | None = None) -> dict[str, Any]:
    """Errors for a message body (create, edit, webhook, interaction callback ``data``)."""
    errors: dict[str, Any] = {}
    if not isinstance(body, dict):
        return errors
    p: Path = list(prefix or [])
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        _too_long(errors, [*p, "content"], CONTENT)
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        if len(embeds) > EMBEDS:
            _too_long(errors, [*p, "embeds"], EMBEDS)
        total = 0
        for i, embed in enumerate(embeds):
            if not isinstance(embed, dict):
                continue
            ep: Path = [*p, "embeds", i]
            total += embed_length(embed)
            if _str_len(embed.get("title")) > EMBED_TITLE:
                _too_long(errors, [*ep, "title"], EMBED_TITLE)
            if _str_len(embed.get("description")) > EMBED_DESCRIPTION:
                _too_long(errors, [*ep, "description"], EMBED_DESCRIPTION)
            if _str_len((embed.get("footer") or {}).get("text")) > FOOTER:
                _too_long(errors, [*ep, "footer", "text"], FOOTER)
            if _str_len((embed.get("author") or {}).get("name")) > AUTHOR_NAME:
                _too_long(errors, [*ep, "author", "name"], AUTHOR_NAME)
            fields = embed.get("fields") or []
            if len(fields) > EMBED_FIELDS:
                _too_long(errors, [*ep, "fields"], EMBED_FIELDS)
            for j, f in enumerate(fields):
                if not isinstance(f, dict):
                    continue
                if _str_len(f.get("name")) > FIELD_NAME:
                    _too_long(errors, [*ep, "fields", j, "name"], FIELD_NAME)
                if _str_len(f.get("value")) > FIELD_VALUE:
                    _too_long(errors, [*ep, "fields", j, "value"], FIELD_VALUE)
                if not f.get("name") or not f.get("value"):
                    merge_errors(
                        errors,
                        form_error(
                            [*ep, "fields", j], "BASE_TYPE_REQUIRED", "Embed field name and value must not be empty."
                        ),
                    )
        if total > EMBED_TOTAL:
            merge_errors(
                errors,
                form_error(
                    [*p, "embeds"], "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL}"
                ),
            )
    components = body.get("components")
    if isinstance(components, list) and not (int(body.get("flags") or 0) & (1 << 15)):
        if len(components) > ACTION_ROWS:
            _too_long(errors, [*p, "components"], ACTION_ROWS)
        for i, row in enumerate(components):
            if not isinstance(row, dict) or row.get("type") != 1:
                continue
            children = row.get("components") or []
            buttons = [c for c in children if isinstance(c, dict) and c.get("type") == 2]
            if len(buttons) > BUTTONS_PER_ROW:
                _too_long(errors, [*p, "components", i, "components"], BUTTONS_PER_ROW)
            for j, child in enumerate(children):
                if not isinstance(child, dict):
                    continue
                cp: Path = [*p, "components", i, "components", j]
                if child.get("type") == 3 and len(child.get("options") or []) > SELECT_OPTIONS:
                    _too_long(errors, [*cp, "options"], SELECT_OPTIONS)
                if (
                    child.get("type") == 2
                    and child.get("style") != 5
                    and not child.get("custom_id")
                    and child.get("style") != 6
                ):
                    merge_errors(errors, form_error([*cp, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required"))
            if any(isinstance(c, dict) and c.get("type") in SELECTS for c in children) and len(children) > 1:
                merge_errors(
                    errors,
                    form_error(
                        [*p, "components", i, "components"],
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "A select menu must be alone in its action row.",
                    ),
                )
        seen: set[str] = set()
        for comp in _walk_components(components):
            cid = comp.get("custom_id")
            if isinstance(cid, str):
                if cid in seen:
                    merge_errors(
                        errors,
                        form_error(
                            [*p, "components"],
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            f"Component custom id cannot be duplicated: {cid!r}",
                        ),
                    )
                seen.add(cid)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, dict):
        parse = allowed.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and allowed.get(kind):
                merge_errors(
                    errors,
                    form_error(
                        [*p, "allowed_mentions", kind],
                        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                        f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                    ),
                )
    return errors


SELECTS = (3, 5, 6, 7, 8)


def _walk_components(components: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        out.append(comp)
        out.extend(_walk_components(comp.get("components") or []))
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                out.extend(_walk_components([comp[key]]))
    return out


def check_choices(choices: Any, path: Path) -> dict[str, Any]:
    """Autocomplete results and command option choices: at most 25, names and values ≤ 100."""
    errors: dict[str, Any] = {}
    if not isinstance(choices, list):
        return errors
    if len(choices) > CHOICES:
        _too_long(errors, path, CHOICES)
    for i, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        if _str_len(choice.get("name")) > CHOICE_LENGTH:
            _too_long(errors, [*path, i, "name"], CHOICE_LENGTH)
        if _str_len(choice.get("value")) > CHOICE_LENGTH:
            _too_long(errors, [*path, i, "value"], CHOICE_LENGTH)
    return errors


DISCORD_LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)
"""Discord's documented locales: the only keys `name_localizations` and `description_localizations` take."""
NAME_LENGTH = 32


def valid_command_name(name: str) -> bool:
    """Discord's rule for slash command, group, option names (and their localisations):
    `^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`, lowercase where a letter has a lowercase form."""
    if not 1 <= len(name) <= NAME_LENGTH:
        return False
    for char in name:
        if char.lower() != char:
            return False
        if char in "-_" or char.isalpha() or char.isnumeric():
            continue
        # Devanagari and Thai vowel signs and marks are allowed though they are neither letters nor digits.
        if unicodedata.name(char, "").startswith(("DEVANAGARI", "THAI")):
            continue
        return False
    return True


def _check_localizations(errors: dict[str, Any], item: dict[str, Any], path: Path, *, names: bool) -> None:
    for field in ("name_localizations", "description_localizations"):
        table = item.get(field)
        if not isinstance(table, dict):
            continue
        for locale, text in table.items():
            if locale not in DISCORD_LOCALES:
                merge_errors(
                    errors,
                    form_error(
                        [*path, field, locale], "BASE_TYPE_CHOICES", f"Value must be one of {sorted(DISCORD_LOCALES)}."
                    ),
                )
            elif field == "name_localizations" and names and isinstance(text, str) and not valid_command_name(text):
                merge_errors(
                    errors,
                    form_error([*path, field, locale], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"),
                )


def check_commands(commands: Any) -> dict[str, Any]:
    """Command sync bodies: choices per option; names (and their localisations) by Discord's rule for
    slash commands; localisations only for Discord's locales."""
    errors: dict[str, Any] = {}
    if not isinstance(commands, list):
        return errors

    def walk(options: Any, path: Path) -> None:
        for i, opt in enumerate(options or []):
            if not isinstance(opt, dict):
                continue
            _check_name(opt, [*path, i])
            _check_localizations(errors, opt, [*path, i], names=True)
            if "choices" in opt:
                merge_errors(errors, check_choices(opt["choices"], [*path, i, "choices"]))
                for k, choice in enumerate(opt["choices"] or []):
                    if isinstance(choice, dict):
                        _check_localizations(errors, choice, [*path, i, "choices", k], names=False)
            walk(opt.get("options"), [*path, i, "options"])

    def _check_name(item: dict[str, Any], path: Path) -> None:
        if isinstance(item.get("name"), str) and not valid_command_name(item["name"]):
            merge_errors(
                errors, form_error([*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            )

    for n, cmd in enumerate(commands):
        if isinstance(cmd, dict):
            # User and message commands (types 2, 3) may have capitals and spaces.
            slash = int(cmd.get("type") or 1) == 1
            if slash:
                _check_name(cmd, [n])
            _check_localizations(errors, cmd, [n], names=slash)
            walk(cmd.get("options"), [n, "options"])
    return errors


def check_callback(body: Any) -> dict[str, Any]:
    """An interaction callback: message limits for 4/7, choices for 8."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return {}
    if body.get("type") in (4, 7):
        return check_message(body["data"], ["data"])
    if body.get("type") == 8:
        return check_choices(body["data"].get("choices"), ["data", "choices"])
    return {}
