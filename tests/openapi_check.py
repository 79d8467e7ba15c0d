"""Check request and response bodies against the official Webex OpenAPI specs.

Why: the emulator and the API client must speak the *real* API, not our idea of it. Tests pass every body
they send and receive through `check_request` / `check_response`, which validate it against the schema the
official spec gives for that path, method and status. The specs are third-party files that live beside the
clone (`<repo>/../shared/reference/openapi/<stem>.json`, or `$RTM_SHARED/reference/openapi`); they are read
at runtime and never copied into the repository. When they are absent, the checks skip with a clear reason.

We validate against *schemas*, not examples (some official examples embed literal quotes).
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SKIP_REASON = "../shared/reference/openapi not found: the official specs live beside the clone"
_METHODS = frozenset({"get", "put", "post", "delete", "patch"})


def shared_dir() -> Path:
    """The shared folder: `$RTM_SHARED` when set (read on every call so tests can point it elsewhere)."""
    override = os.environ.get("RTM_SHARED")
    return Path(override) if override else SHARED


def spec_dir() -> Path:
    return shared_dir() / "reference" / "openapi"


def require_specs() -> Path:
    """Skip the calling test when the spec folder is absent; return the folder otherwise."""
    folder = spec_dir()
    if not folder.is_dir():
        pytest.skip(SKIP_REASON)
    return folder


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_spec(stem: str) -> dict[str, Any]:
    """The parsed spec `<stem>.json` (cached per file); skips when the folder is absent."""
    path = require_specs() / f"{stem}.json"
    if not path.is_file():
        raise AssertionError(f"no OpenAPI spec {path.name} in {path.parent}")
    return _load(path)


@functools.cache
def _templates(path: Path) -> tuple[tuple[str, re.Pattern[str], int], ...]:
    """(template, regex, number of parameters) per spec path, fewest parameters first (literal wins)."""
    rows = []
    for template in _load(path)["paths"]:
        pattern = "".join(
            "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
        )
        rows.append((template, re.compile(pattern + "/?"), template.count("{")))
    return tuple(sorted(rows, key=lambda row: row[2]))


def _server_prefixes(spec: dict[str, Any]) -> list[str]:
    """Path prefixes the spec's `servers` put before its paths; `/v1` always tried (Webex specs often omit it)."""
    prefixes = {"/v1"}
    for server in spec.get("servers") or []:
        prefix = urlsplit(server.get("url", "")).path.rstrip("/")
        if prefix:
            prefixes.add(prefix)
    return sorted(prefixes, key=len, reverse=True)


def match_path(stem: str, path: str) -> str:
    """The spec's path template for a concrete path, a full URL or a template; AssertionError when none fits."""
    spec = load_spec(stem)
    bare = urlsplit(path).path.rstrip("/") or "/"
    candidates = [bare] + [bare[len(p) :] for p in _server_prefixes(spec) if bare.startswith(p + "/")]
    for candidate in candidates:
        if candidate in spec["paths"]:
            return candidate
    file = spec_dir() / f"{stem}.json"
    for candidate in candidates:
        for template, regex, _ in _templates(file):
            if regex.fullmatch(candidate):
                return template
    raise AssertionError(f"{stem}: no path in the spec matches {path!r}")


def _operation(stem: str, method: str, path: str) -> tuple[str, dict[str, Any]]:
    spec = load_spec(stem)
    template = match_path(stem, path)
    operation = spec["paths"][template].get(method.lower())
    if method.lower() not in _METHODS or operation is None:
        raise AssertionError(f"{stem}: {method.upper()} {template} is not in the spec")
    return template, operation


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _json_schema(spec: dict[str, Any], holder: dict[str, Any] | None) -> dict[str, Any] | None:
    """The JSON schema of a requestBody/response object, or None when it defines none."""
    while holder is not None and "$ref" in holder:
        holder = _resolve(spec, holder["$ref"])
    if not holder:
        return None
    content = holder.get("content") or {}
    media = content.get("application/json") or next((v for k, v in content.items() if "json" in k), None)
    return None if media is None else media.get("schema")


@functools.cache
def _registry(path: Path) -> tuple[str, Registry]:
    uri = path.resolve().as_uri()
    resource = Resource.from_contents(_load(path), default_specification=DRAFT4)
    return uri, Registry().with_resource(uri, resource)


def _pointer(*parts: str) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _validate(stem: str, pointer: str, body: Any, what: str) -> None:
    uri, registry = _registry(spec_dir() / f"{stem}.json")
    validator = OAS30Validator({"$ref": f"{uri}#{pointer}"}, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise AssertionError(f"{what}: {len(errors)} schema violation(s):\n" + "\n".join(map(_describe, errors)))


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "<body>"
    return f"  - {where}: {error.message}"


def _follow(spec: dict[str, Any], pointer: str) -> tuple[str, dict[str, Any]]:
    """Follow local `$ref`s from the object at `pointer`; return the final pointer and object."""
    holder = _resolve(spec, "#" + pointer)
    while "$ref" in holder:
        pointer = holder["$ref"].removeprefix("#")
        holder = _resolve(spec, holder["$ref"])
    return pointer, holder


def check_request(stem: str, method: str, path: str, body: Any) -> None:
    """Assert `body` fits the spec's application/json request schema for `method path` (no schema → no-op)."""
    spec = load_spec(stem)
    template, operation = _operation(stem, method, path)
    if _json_schema(spec, operation.get("requestBody")) is None:
        return
    holder_ptr, holder = _follow(spec, _pointer("paths", template, method.lower(), "requestBody"))
    pointer = holder_ptr + _pointer("content", _media_key(holder), "schema")
    _validate(stem, pointer, body, f"{stem} {method.upper()} {template} request body")


def check_response(stem: str, method: str, path: str, status: int | str, body: Any) -> None:
    """Assert `body` fits the spec's schema for that response status (or `default`); no schema → no-op."""
    spec = load_spec(stem)
    template, operation = _operation(stem, method, path)
    responses = operation.get("responses") or {}
    code = str(status)
    key = next((k for k in (code, f"{code[0]}XX", "default") if k in responses), None)
    if key is None or _json_schema(spec, responses[key]) is None:
        return
    holder_ptr, holder = _follow(spec, _pointer("paths", template, method.lower(), "responses", key))
    pointer = holder_ptr + _pointer("content", _media_key(holder), "schema")
    _validate(stem, pointer, body, f"{stem} {method.upper()} {template} response {status}")


def _media_key(holder: dict[str, Any]) -> str:
    content = holder["content"]
    return "application/json" if "application/json" in content else next(k for k in content if "json" in k)


def checked(client: Any, stem: str, method: str, path: str, *, json: Any = None, **kwargs: Any) -> Any:
    """Send a request through an httpx client, checking the request body and the response body against `stem`.

    Why: a test that talks to the emulator (or the client under test) proves both sides speak the spec.
    Without the spec folder the request is still sent and only the spec checks are left out, so behaviour
    tests keep running beside a clone that lacks ../shared. A body that is not JSON is checked as None.
    """
    specs = spec_dir().is_dir()
    if specs and json is not None:
        check_request(stem, method, path, json)
    response = client.request(method, path, json=json, **kwargs)
    if specs:
        body = response.json() if response.content and "json" in response.headers.get("content-type", "") else None
        check_response(stem, method, path, response.status_code, body)
    return response
