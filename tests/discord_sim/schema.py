"""Validate request bodies against Discord's OpenAPI description, as Discord's 50035 does.

The spec is read at runtime (never copied into the repository) from, in order:
``$MARQUEE_DISCORD_SPEC``; ``<repo>/../shared/discord-api-spec/openapi.json``; the first
``shared/discord-api-spec/openapi.json`` found walking up from the repository. When none exists the
check is skipped with one warning and everything else keeps working.

Two deliberate adjustments to the spec, both documented Discord behaviour:
- every object schema that lists ``properties`` (and says nothing about extra ones) rejects fields it
  does not list (``unevaluatedProperties: false``), so a misspelt or invented field is caught;
- ``SnowflakeType`` also accepts a non-negative integer, because Discord accepts ids as JSON numbers
  (discord.py sends several that way).
Formats (``uri``, ``date-time``) are not checked.

The spec is a preview and omits a few fields Discord documents and accepts; those are listed in
:data:`DOCUMENTED_EXTRAS` (schema name -> field names) so they are not reported as unknown.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests import openapi

from .errors import form_error, merge_errors

_SNOWFLAKE = re.compile(r'"\d{15,20}"')

SPEC_RELATIVE = Path("shared") / "discord-api-spec" / "openapi.json"
_warned = False

# Fields documented at discord.com/developers/docs (and sent by discord.py) that the spec's request
# schemas leave out; each is accepted with any value.
DOCUMENTED_EXTRAS: dict[str, tuple[str, ...]] = {
    "ApplicationCommandUpdateRequest": ("nsfw",),
    "ApplicationCommandCreateRequest": ("nsfw",),
    "ApplicationCommandPatchRequestPartial": ("nsfw",),
    "IncomingWebhookUpdateForInteractionCallbackRequestPartial": ("tts",),  # discord.py sends tts: false
    "IncomingWebhookUpdateRequestPartial": ("tts",),  # likewise when it edits @original or a follow-up
    "MessageEditRequestPartial": ("tts",),  # and when it edits a channel message
    "RichEmbed": ("flags",),  # discord.py's Embed.to_dict() sends it; Discord ignores it
}


def find_spec(env: dict[str, str] | None = None) -> Path | None:
    """Where Discord's OpenAPI description is, or None."""
    return openapi.find_spec(SPEC_RELATIVE, "MARQUEE_DISCORD_SPEC", env)


class SpecValidator:
    """Validate bodies for (method, path template) against one OpenAPI document."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = openapi.strict(copy.deepcopy(spec))
        schemas = self.spec["components"]["schemas"]
        for name, fields in DOCUMENTED_EXTRAS.items():
            if name in schemas:
                for f in fields:
                    schemas[name].setdefault("properties", {}).setdefault(f, {})
        schemas["SnowflakeType"] = {
            "anyOf": [
                {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
                {"type": "integer", "minimum": 0},
            ]
        }
        self._resource_uri = "urn:discord-openapi"
        resource = Resource.from_contents(self.spec, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(self._resource_uri, resource)
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}
        # Every test's bot syncs the same command tree: checking that big body once per process,
        # not once per test, keeps the end-to-end suite fast. Results are keyed by the exact body.
        self._results: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    def has_operation(self, method: str, template: str) -> bool:
        return method.lower() in self.spec["paths"].get(template, {})

    def _validator(self, method: str, template: str) -> Draft202012Validator | None:
        key = (method.upper(), template)
        if key not in self._validators:
            op = self.spec["paths"].get(template, {}).get(method.lower())
            schema = None
            if op is not None:
                content = (op.get("requestBody") or {}).get("content") or {}
                media = content.get("application/json")
                if media is not None:
                    schema = media.get("schema")
            if schema is None:
                self._validators[key] = None
            else:
                wrapped = _rebase(schema, self._resource_uri)
                self._validators[key] = Draft202012Validator(wrapped, registry=self._registry)
        return self._validators[key]

    def validate_response(self, method: str, template: str, status: int, body: Any) -> dict[str, Any] | None:
        """Problems with a response the simulator sends (to keep the simulator itself honest)."""
        key = (f"{method.upper()} {status}", template)
        if key not in self._validators:
            op = self.spec["paths"].get(template, {}).get(method.lower()) or {}
            resp = (op.get("responses") or {}).get(str(status)) or {}
            schema = ((resp.get("content") or {}).get("application/json") or {}).get("schema")
            self._validators[key] = (
                None
                if schema is None
                else Draft202012Validator(_rebase(schema, self._resource_uri), registry=self._registry)
            )
        return self._check(key, self._validators[key], body)

    def validate(self, method: str, template: str, body: Any) -> dict[str, Any] | None:
        """Return Discord's ``errors`` object for ``body``, or None when it is valid."""
        return self._check((method.upper(), template), self._validator(method, template), body)

    def _check(self, key: tuple[str, str], validator: Draft202012Validator | None, body: Any) -> dict[str, Any] | None:
        if validator is None:
            return None
        # Snowflakes differ from run to run but never change whether a body is valid.
        memo = (*key, _SNOWFLAKE.sub('"1"', json.dumps(body, sort_keys=True, default=str)))
        if memo in self._results:
            return copy.deepcopy(self._results[memo])
        errors: dict[str, Any] = {}
        for error in validator.iter_errors(body):
            for leaf in _leaves(error):
                merge_errors(errors, _to_form_error(leaf))
        if len(self._results) > 4096:
            self._results.clear()
        self._results[memo] = errors or None
        return copy.deepcopy(errors) or None


def _rebase(schema: Any, base: str) -> Any:
    """Make local ``#/components/...`` refs point into the registered document."""
    if isinstance(schema, dict):
        return {
            k: (base + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v, base))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v, base) for v in schema]
    return schema


def _discriminator_failed(errors: list[ValidationError]) -> bool:
    for e in errors:
        if list(e.relative_path) == ["type"] and e.validator in {"enum", "const"}:
            return True
        if e.validator == "type" and not e.relative_path:
            return True
    return False


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that explain ``error``: for oneOf/anyOf, those of the branch that fits best."""
    if error.validator not in {"oneOf", "anyOf"} or not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.schema_path[0]), []).append(sub)
    # A branch whose nullness is the only problem (e.g. {"type": "null"}) explains nothing.
    candidates = [
        errs
        for errs in branches.values()
        if not (len(errs) == 1 and errs[0].validator == "type" and errs[0].validator_value == "null")
    ]
    plausible = [errs for errs in candidates if not _discriminator_failed(errs)]
    chosen = plausible or candidates
    if not chosen:
        return [error]
    best = min(chosen, key=len)
    out: list[ValidationError] = []
    for sub in best:
        out.extend(_leaves(sub))
    return out


_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected|\('([^']+)'")


def _to_form_error(error: ValidationError) -> dict[str, Any]:
    path: list[str | int] = list(error.absolute_path)
    v, value = error.validator, error.validator_value
    if v in {"unevaluatedProperties", "additionalProperties"}:
        names = re.findall(r"'([^']+)'", error.message.split("(")[-1]) or ["?"]
        out: dict[str, Any] = {}
        for name in names:
            merge_errors(out, form_error([*path, name], "UNKNOWN_FIELD", f"Unknown field {name!r}."))
        return out
    if v == "maxLength" or v == "maxItems":
        return form_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {value} or fewer in length.")
    if v == "minLength" or v == "minItems":
        return form_error(path, "BASE_TYPE_MIN_LENGTH", f"Must be {value} or more in length.")
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message) or ["?"]
        return form_error([*path, missing[0]], "BASE_TYPE_REQUIRED", "This field is required")
    if v in {"enum", "const"}:
        return form_error(path, "BASE_TYPE_CHOICES", f"Value must be one of {value}.")
    if v == "type":
        return form_error(path, "BASE_TYPE_BAD_TYPE", f"Must be of type {value}: {error.message}")
    if v in {"maximum", "minimum"}:
        return form_error(path, "NUMBER_TYPE_OUT_OF_RANGE", error.message)
    return form_error(path, "INVALID", error.message)


@cache
def _load(path: str) -> SpecValidator:
    with open(path, encoding="utf-8") as fh:
        return SpecValidator(json.load(fh))


def load_validator(env: dict[str, str] | None = None) -> SpecValidator | None:
    """The validator for the spec found by :func:`find_spec` (cached per process), or None with one warning."""
    global _warned
    path = find_spec(env)
    if path is None:
        if not _warned:
            _warned = True
            warnings.warn(
                "Discord's OpenAPI description was not found (set MARQUEE_DISCORD_SPEC); "
                "the simulator skips request schema checks",
                stacklevel=2,
            )
        return None
    return _load(str(path))
