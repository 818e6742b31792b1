"""Request validation against the discovery documents shipped with
google-api-python-client (googleapiclient/discovery_cache/documents).

- `check_query`: every query parameter must be a parameter of the method (or a
  standard one); enum / boolean / integer values are checked. Drive tolerates a
  parameter of *another* Drive method (real Drive ignores e.g. gspread's
  `includeItemsFromAllDrives` on files.get), a name unknown to all of Drive is 400.
- `check_body`: the JSON body is checked recursively against the request schema
  (unknown field, wrong type, bad enum) with Google's INVALID_ARGUMENT messages.
  snake_case names are accepted and normalised to camelCase like Google's JSON
  mapping does.
- `parse_fields` / `apply_fields`: the `fields` partial-response mask.
"""

from __future__ import annotations

import functools
import json
import os
import re

import googleapiclient

from .errors import bad_request, drive_error

STANDARD_PARAMS = {"alt", "fields", "key", "prettyPrint", "quotaUser", "uploadType", "upload_protocol", "$.xgafv", "access_token", "callback", "oauth_token"}
_DOCS_DIR = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents")
_FILES = {"drive": "drive.v3.json", "sheets": "sheets.v4.json", "docs": "docs.v1.json"}


@functools.cache
def document(api: str) -> dict:
    with open(os.path.join(_DOCS_DIR, _FILES[api]), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def _methods(api: str) -> dict:
    out = {}

    def walk(resources):
        for res in resources.values():
            for m in res.get("methods", {}).values():
                out[m["id"]] = m
            walk(res.get("resources", {}))

    walk(document(api).get("resources", {}))
    return out


def method(api: str, method_id: str) -> dict:
    return _methods(api)[method_id]


@functools.cache
def _all_drive_params() -> frozenset:
    names = set()
    for m in _methods("drive").values():
        names.update(k for k, v in m.get("parameters", {}).items() if v.get("location") == "query")
    return frozenset(names)


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)


def _api_of(api: str) -> str:
    return "drive" if api == "upload" else api


def _invalid_value(api: str, path: str, kind: str, value) -> Exception:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
    return bad_request(api, f"Invalid value at '{path}' ({kind}), {shown}", field=path)


def check_query(api: str, method_id: str, query: dict) -> None:
    """query: name -> list of values (as received)."""
    doc_api = _api_of(api)
    params = method(doc_api, method_id).get("parameters", {})
    root = document(doc_api).get("parameters", {})
    for name, values in query.items():
        spec = params.get(name) or root.get(name)
        if spec is None or spec.get("location") == "path":
            if name in STANDARD_PARAMS:
                continue
            if doc_api == "drive" and name in _all_drive_params():
                continue
            if doc_api == "drive":
                raise drive_error(400, f"Invalid parameter: {name}", "invalidParameter", location=name)
            raise bad_request(
                api,
                f"Invalid JSON payload received. Unknown name \"{name}\": Cannot bind query parameter. Field '{name}' could not be found in request message.",
            )
        if len(values) > 1 and not spec.get("repeated"):
            raise bad_request(api, f"Invalid JSON payload received. Repeated values for non-repeated field '{_snake(name)}'.")
        for value in values:
            _check_param_value(api, name, spec, value)


def _check_param_value(api: str, name: str, spec: dict, value: str) -> None:
    path = _snake(name)
    if "enum" in spec and value not in spec["enum"]:
        raise _invalid_value(api, path, "TYPE_ENUM", value)
    if spec.get("type") == "boolean" and value not in ("true", "false", "True", "False"):
        raise _invalid_value(api, path, "TYPE_BOOL", value)
    if spec.get("type") == "integer":
        try:
            int(value)
        except ValueError:
            raise _invalid_value(api, path, "TYPE_INT32", value) from None
        lo, hi = spec.get("minimum"), spec.get("maximum")
        if (lo is not None and int(value) < int(lo)) or (hi is not None and int(value) > int(hi)):
            if _api_of(api) == "drive":
                raise drive_error(400, f"Invalid value '{value}'. Values must be within the range: [{lo}, {hi}]", "invalid", location=name)
            raise _invalid_value(api, path, "TYPE_INT32", value)


def check_body(api: str, method_id: str, body) -> object:
    """Validate `body` against the method's request schema; returns the body
    with snake_case keys normalised to camelCase."""
    ref = method(_api_of(api), method_id).get("request", {}).get("$ref")
    if ref is None:
        return body
    if not isinstance(body, dict):
        raise bad_request(api, "Invalid JSON payload received. Expected an object.")
    return _check(api, {"$ref": ref}, body, "")


def _schema(api: str, spec: dict) -> dict:
    while "$ref" in spec:
        spec = document(_api_of(api))["schemas"][spec["$ref"]]
    return spec


def _check(api: str, spec: dict, value, path: str):
    spec = _schema(api, spec)
    if value is None:
        return None
    typ = spec.get("type")
    if typ == "object" or "properties" in spec:
        if not isinstance(value, dict):
            raise _invalid_value(api, path, "type.googleapis.com/" + spec.get("id", "Object"), value)
        props = spec.get("properties")
        extra = spec.get("additionalProperties")
        out = {}
        for key, item in value.items():
            if props is not None and (key in props or _camel(key) in props):
                name = key if key in props else _camel(key)
                sub = f"{path}.{_snake(name)}" if path else _snake(name)
                out[name] = _check(api, props[name], item, sub)
            elif extra is not None:
                out[key] = _check(api, extra, item, f"{path}[{key}]" if path else key)
            elif props is None and extra is None:
                out[key] = item
            else:
                where = f" at '{path}'" if path else ""
                raise bad_request(api, f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.', field=path or None)
        return out
    if typ == "array":
        if not isinstance(value, list):
            raise _invalid_value(api, path, "type.googleapis.com/google.protobuf.ListValue", value)
        return [_check(api, spec.get("items", {}), v, f"{path}[{i}]") for i, v in enumerate(value)]
    if typ == "any":
        return value
    if "enum" in spec:
        if value not in spec["enum"]:
            raise _invalid_value(api, path, "TYPE_ENUM", value)
        return value
    if typ == "string":
        if spec.get("format") in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise _invalid_value(api, path, "TYPE_STRING", value)
        return value
    if typ == "integer":
        if isinstance(value, bool):
            raise _invalid_value(api, path, "TYPE_INT32", value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            return int(value)
        if not isinstance(value, int):
            raise _invalid_value(api, path, "TYPE_INT32", value)
        return value
    if typ == "number":
        if isinstance(value, bool):
            raise _invalid_value(api, path, "TYPE_DOUBLE", value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise _invalid_value(api, path, "TYPE_DOUBLE", value) from None
        if not isinstance(value, (int, float)):
            raise _invalid_value(api, path, "TYPE_DOUBLE", value)
        return value
    if typ == "boolean":
        if not isinstance(value, bool):
            raise _invalid_value(api, path, "TYPE_BOOL", value)
        return value
    return value


# ---- fields (partial response) ---------------------------------------------


def parse_fields(text: str) -> dict | None:
    """`a,b/c,d(e,f)` -> {'a': {}, 'b': {'c': {}}, 'd': {'e': {}, 'f': {}}}.
    `*` or empty -> None (everything). An empty dict means the whole value."""
    text = (text or "").replace(" ", "")
    if not text or text == "*":
        return None
    pos = 0

    def parse_list(end: str | None) -> dict:
        nonlocal pos
        out: dict = {}
        while pos < len(text):
            m = re.match(r"[A-Za-z0-9_*$.@/-]+", text[pos:])
            if not m:
                raise ValueError(text)
            pos += m.end()
            node = out
            parts = re.split(r"[/.]", m.group(0))
            for part in parts:
                node = node.setdefault(part, {})
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(")")
                if sub.get("*") == {}:
                    sub = {}
                _merge(node, sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == ")":
                if end != ")":
                    raise ValueError(text)
                pos += 1
                return out
        if end is not None:
            raise ValueError(text)
        return out

    return parse_list(None)


def _merge(node: dict, sub: dict) -> None:
    for k, v in sub.items():
        _merge(node.setdefault(k, {}), v)


def apply_fields(value, mask: dict | None):
    if mask is None or mask == {}:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return value
    out = {}
    for key, sub in mask.items():
        if key in value:
            out[key] = apply_fields(value[key], sub)
    return out


def unknown_fields(api: str, schema_name: str, mask: dict | None) -> str | None:
    """First field in mask that the schema does not know (Drive validates masks)."""
    if not mask:
        return None

    def walk(spec, node, prefix):
        spec = _schema(api, spec)
        if spec.get("type") == "array":
            return walk(spec.get("items", {}), node, prefix)
        props = spec.get("properties")
        if props is None:
            return None
        for key, sub in node.items():
            if key == "*":
                continue
            if key not in props:
                return prefix + key
            bad = walk(props[key], sub, prefix + key + "/") if sub else None
            if bad:
                return bad
        return None

    return walk({"$ref": schema_name}, mask, "")
