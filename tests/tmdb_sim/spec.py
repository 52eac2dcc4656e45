"""Check requests and answers against TMDB's own OpenAPI 3.1 description of API v3.

The spec is read at runtime (never copied into the repository) from, in order: ``$MARQUEE_TMDB_SPEC``;
``<repo>/../shared/tmdb-api-spec/openapi.json``; the first ``shared/tmdb-api-spec/openapi.json`` found
walking up from the repository. When none exists the checks are skipped with one warning and the
simulator serves answers built without the spec's examples.

Requests: the path must match one of the spec's paths for the method; every query parameter must be one
the operation declares, of its type (``integer`` (int32 in range), ``number``, ``boolean`` as
``true``/``false``, ``string`` with ``format: date`` as YYYY-MM-DD), given once; required ones present.

Answers: validated against the operation's 200 schema, with these deliberate adjustments:
- null: TMDB's schemas are inferred from examples, so a field that is null in TMDB's answers (``poster_path``,
  ``imdb_id``, ``runtime``, even ``adult`` in ``/3/movie/changes``) is typed from a non-null example. Every
  scalar (``string``, ``integer``, ``number``, ``boolean``) is therefore also allowed to be null; arrays and
  objects are not (TMDB serves ``[]`` and ``{}``).
- unknown properties: an object schema that lists ``properties`` rejects others
  (``unevaluatedProperties: false``) only for an operation whose own examples pass that strict check; for
  the others the schema is used as it is, so TMDB's own example fields are never rejected.
- :data:`REAL_FIELDS` adds fields TMDB really sends that the spec's example does not show (collection parts
  carry ``title`` and ``original_title``; the example shows ``name``/``original_name``, which TMDB's movie
  parts do not have).
Formats are not checked in answers.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests import openapi

SPEC_RELATIVE = Path("shared") / "tmdb-api-spec" / "openapi.json"
SPEC_ENV = "MARQUEE_TMDB_SPEC"
_SCALARS = frozenset({"string", "integer", "number", "boolean"})
_INT32 = (-(2**31), 2**31 - 1)
_RESOURCE_URI = "urn:tmdb-openapi"

# path template -> (property path to an object schema) -> extra properties TMDB really sends there
REAL_FIELDS: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {
    "/3/collection/{collection_id}": {
        ("parts", "[]"): {"title": {"type": "string"}, "original_title": {"type": "string"}},
    },
}

_warned = False


def find_spec(env: dict[str, str] | None = None) -> Path | None:
    """Where TMDB's OpenAPI description is, or None."""
    return openapi.find_spec(SPEC_RELATIVE, SPEC_ENV, env)


def _nullable(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items()}
        kind = out.get("type")
        if isinstance(kind, str) and kind in _SCALARS:
            out["type"] = [kind, "null"]
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def _rebase(node: Any) -> Any:
    """Make local ``#/...`` refs point into the registered document."""
    if isinstance(node, dict):
        return {
            k: (_RESOURCE_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def _add_fields(schema: dict[str, Any], where: tuple[str, ...], extra: dict[str, Any]) -> None:
    node = schema
    for step in where:
        node = node["items"] if step == "[]" else node["properties"][step]
    node.setdefault("properties", {}).update(copy.deepcopy(extra))


def examples_of(operation: dict[str, Any], status: str = "200") -> list[Any]:
    """The example bodies of one response of an operation, decoded (TMDB stores most as JSON strings)."""
    content = ((operation.get("responses") or {}).get(status) or {}).get("content") or {}
    media = content.get("application/json") or {}
    found: list[Any] = []
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            found.append(example["value"])
    if "example" in media:
        found.append(media["example"])
    return [json.loads(v) if isinstance(v, str) else v for v in found]


def _template_pattern(template: str) -> re.Pattern[str]:
    segments = template.strip("/").split("/")
    regex = "/".join(
        "(?P<" + s[1:-1] + ">[^/]+)" if s.startswith("{") and s.endswith("}") else re.escape(s) for s in segments
    )
    return re.compile("/" + regex)


@dataclass
class Operation:
    """One GET operation of the spec, ready to check requests and answers."""

    template: str
    operation_id: str
    parameters: dict[str, dict[str, Any]]
    pattern: re.Pattern[str]
    literal_segments: int
    validator: Draft202012Validator | None = field(repr=False)
    strict: bool
    examples: list[Any] = field(default_factory=list, repr=False)


def _param_problem(name: str, raw: str, schema: dict[str, Any]) -> str | None:
    kind = schema.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            return f"{name}={raw!r} is not an integer"
        value = int(raw)
        low, high = _INT32 if schema.get("format") == "int32" else (None, None)
        low = schema.get("minimum", low)
        high = schema.get("maximum", high)
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{name}={raw!r} is out of range"
    elif kind == "number":
        try:
            float(raw)
        except ValueError:
            return f"{name}={raw!r} is not a number"
    elif kind == "boolean":
        if raw not in ("true", "false"):
            return f"{name}={raw!r} is not a boolean (true or false)"
    elif kind == "string" and schema.get("format") == "date":
        try:
            date.fromisoformat(raw)
        except ValueError:
            return f"{name}={raw!r} is not a date (YYYY-MM-DD)"
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return f"{name}={raw!r} is not a date (YYYY-MM-DD)"
    if "enum" in schema and raw not in [str(v) for v in schema["enum"]]:
        return f"{name}={raw!r} is not one of {schema['enum']}"
    return None


class TmdbSpec:
    """TMDB's GET operations: match a request to one, check its parameters, validate answers."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._registry: Registry = Registry().with_resource(
            _RESOURCE_URI, Resource.from_contents(_nullable(spec), default_specification=DRAFT202012)
        )
        self.operations: dict[str, Operation] = {}
        self.methods: dict[str, set[str]] = {}
        for template, item in spec.get("paths", {}).items():
            shared = item.get("parameters") or []
            for method, op in item.items():
                if method == "parameters" or not isinstance(op, dict):
                    continue
                self.methods.setdefault(template, set()).add(method.upper())
                if method == "get":
                    self.operations[template] = self._operation(template, op, shared)
        self._templates = [(t, _template_pattern(t)) for t in self.methods]

    def _operation(self, template: str, op: dict[str, Any], shared: list[dict[str, Any]]) -> Operation:
        params = {p["name"]: p for p in [*shared, *(op.get("parameters") or [])] if p.get("in") in ("path", "query")}
        segments = template.strip("/").split("/")
        examples = examples_of(op)
        schema = (
            (((op.get("responses") or {}).get("200") or {}).get("content") or {}).get("application/json") or {}
        ).get("schema")
        validator: Draft202012Validator | None = None
        strict = False
        if schema is not None:
            schema = _nullable(copy.deepcopy(schema))
            for where, extra in REAL_FIELDS.get(template, {}).items():
                _add_fields(schema, where, extra)
            strict_validator = Draft202012Validator(_rebase(openapi.strict(schema)), registry=self._registry)
            strict = all(strict_validator.is_valid(e) for e in examples)
            validator = strict_validator if strict else Draft202012Validator(_rebase(schema), registry=self._registry)
        return Operation(
            template=template,
            operation_id=str(op.get("operationId", template)),
            parameters=params,
            pattern=_template_pattern(template),
            literal_segments=sum(1 for s in segments if not s.startswith("{")),
            validator=validator,
            strict=strict,
            examples=examples,
        )

    def match(self, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The GET operation whose path fits (a literal segment beats a parameter), and its path values."""
        best: tuple[Operation, dict[str, str]] | None = None
        for op in self.operations.values():
            m = op.pattern.fullmatch(path)
            if m and (best is None or op.literal_segments > best[0].literal_segments):
                best = (op, m.groupdict())
        return best

    def example(self, template: str) -> Any:
        """A fresh copy of the first example answer of this operation, or None."""
        op = self.operations.get(template)
        return copy.deepcopy(op.examples[0]) if op is not None and op.examples else None

    def check_request(self, method: str, path: str, query: list[tuple[str, str]]) -> list[str]:
        """What is wrong with this request by the spec (empty when nothing is)."""
        where = f"{method} {path}"
        if method != "GET":
            known = any(p.fullmatch(path) and method in self.methods[t] for t, p in self._templates)
            return [f"{where}: {'the simulator serves GET only' if known else 'no such operation in the spec'}"]
        match = self.match(path)
        if match is None:
            return [f"{where}: no such path in TMDB's spec"]
        op, values = match
        problems: list[str] = []
        for name, raw in values.items():
            param = op.parameters.get(name)
            if param is not None:
                problem = _param_problem(name, raw, param.get("schema") or {})
                if problem:
                    problems.append(f"{where}: path parameter {problem}")
        seen: set[str] = set()
        for name, raw in query:
            param = op.parameters.get(name)
            if param is None or param.get("in") != "query":
                problems.append(f"{where}: unknown query parameter {name!r} (not in {op.operation_id})")
                continue
            if name in seen:
                problems.append(f"{where}: query parameter {name!r} given more than once")
            seen.add(name)
            problem = _param_problem(name, raw, param.get("schema") or {})
            if problem:
                problems.append(f"{where}: query parameter {problem}")
        for name, param in op.parameters.items():
            if param.get("in") == "query" and param.get("required") and name not in seen:
                problems.append(f"{where}: required query parameter {name!r} is missing")
        return problems

    def check_response(self, template: str, body: Any, label: str) -> list[str]:
        """Where this answer departs from the 200 schema of ``template`` (empty when it fits)."""
        op = self.operations.get(template)
        if op is None or op.validator is None:
            return [f"{label}: no 200 schema for {template} in the spec"] if op is None else []
        return [
            f"{label}: answer does not fit {template} at /{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in op.validator.iter_errors(body)
        ]


@cache
def _load(path: str) -> TmdbSpec:
    with open(path, encoding="utf-8") as fh:
        return TmdbSpec(json.load(fh))


def load_spec(env: dict[str, str] | None = None) -> TmdbSpec | None:
    """The spec found by :func:`find_spec` (parsed once per process), or None with one warning."""
    global _warned
    path = find_spec(env)
    if path is None:
        if not _warned:
            _warned = True
            warnings.warn(
                f"TMDB's OpenAPI description was not found (set {SPEC_ENV}); the TMDB simulator skips its checks",
                stacklevel=2,
            )
        return None
    return _load(str(path))
