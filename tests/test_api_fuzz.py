"""Every operation of the published API schema, fed hostile input: the server never answers 5xx.

Inputs are drawn from the schema itself (each body property, query parameter and path id), mixed
with what attackers send: lone surrogates, NUL, very long strings, integers past 64 bits, values of
the wrong type and JSON nested far deeper than any client needs. The caller is a Fame Flex customer
with an API token, owning a campaign, a search with results and a shared list, so that ids in paths
reach real rows as well as missing ones.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.services import api_token_create
from campaigns.lists.models import CreatorList
from campaigns.services import campaign_create
from tests.campaigns.lists.support import make_creator, make_list, make_search, share

pytestmark = pytest.mark.django_db

HOSTILE_STRINGS = [
    "\ud800", "a\udfffb", "\x00", "x\x00y", "", " ", "x" * 5_000, "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "=HYPERLINK(\"http://evil\")", "../../etc/passwd", "١٢٣", "NaN", "1e999", "-0", "%00", "\u202egnp.exe", "🙂" * 30,
    "null", "true", "[]", "{}",
]
HUGE_INTEGERS = [2**63, 2**63 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30), 0, -1]
DEEP = 50_000


def _deep_json(kind: str) -> str:
    if kind == "list":
        return "[" * DEEP + "]" * DEEP
    return '{"a":' * DEEP + "1" + "}" * DEEP


class RawBody(str):
    """A body sent as it is, shown shortened when a failing example is reported."""

    def __repr__(self) -> str:
        return f"RawBody({str.__repr__(self[:60])}, {len(self)} characters)"


RAW_BODIES = [RawBody(body) for body in [
    _deep_json("list"), _deep_json("dict"), '{"name": ' + _deep_json("list") + "}", '"\\ud800"', "[1, 2]",
    "12345678901234567890123456789012345678901234567890", "{", "NaN", '{"\\ud800": 1}', "",
    "9" * 5_000,
]]


SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [(method, path, operation) for path, methods in SCHEMA["paths"].items()
              for method, operation in methods.items() if method in {"get", "post", "put", "patch", "delete"}]


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SCHEMA["components"]["schemas"][name]
    return schema


hostile_scalars = st.one_of(
    st.sampled_from(HOSTILE_STRINGS), st.sampled_from(HUGE_INTEGERS), st.none(), st.booleans(),
    st.floats(allow_nan=False), st.text(max_size=20),
)
wrong_shapes = st.one_of(st.lists(hostile_scalars, max_size=3), st.dictionaries(st.text(max_size=5), hostile_scalars,
                                                                                max_size=3))


def _values(schema: dict, depth: int = 0) -> st.SearchStrategy:
    """Values of the kind the schema describes, or hostile ones in its place."""
    schema = _resolve(schema)
    variants = schema.get("oneOf") or schema.get("anyOf") or schema.get("allOf")
    if variants:
        return st.one_of([_values(variant, depth) for variant in variants])
    kind = schema.get("type")
    if "enum" in schema:
        typed = st.sampled_from([value for value in schema["enum"] if value is not None] or [""])
    elif kind == "integer":
        typed = st.one_of(st.integers(min_value=-5, max_value=50), st.sampled_from(HUGE_INTEGERS), st.integers())
    elif kind == "number":
        typed = st.floats(allow_nan=False)
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "array" and depth < 3:
        typed = st.lists(_values(schema.get("items", {}), depth + 1), max_size=6)
    elif kind == "object" and depth < 3:
        typed = _objects(schema, depth + 1)
    elif kind == "string":
        typed = st.one_of(st.text(max_size=30), st.sampled_from(["skincare", "#cleanbeauty", "someone@example.com",
                                                                 "2026-01-01T00:00:00Z"]))
    else:
        typed = hostile_scalars
    return st.one_of(typed, typed, hostile_scalars, wrong_shapes)


def _objects(schema: dict, depth: int = 0) -> st.SearchStrategy:
    schema = _resolve(schema)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: _values(sub, depth) for name, sub in properties.items() if name in required},
        optional={name: _values(sub, depth) for name, sub in properties.items() if name not in required},
    )


def _body(operation: dict) -> st.SearchStrategy:
    """A request body as raw text: JSON of the schema's shape, or something no parser expects."""
    content = operation.get("requestBody", {}).get("content", {})
    shaped = _objects(content["application/json"]["schema"]) if "application/json" in content else st.just({})
    encoded = shaped.map(lambda body: json.dumps(body, ensure_ascii=True))
    return st.one_of(encoded, encoded, encoded, st.sampled_from(RAW_BODIES))


def _query(operation: dict) -> st.SearchStrategy:
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    return st.fixed_dictionaries({}, optional={
        p["name"]: _values(p.get("schema", {})).map(_as_query_value) for p in parameters
    })


def _as_query_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.fixture
def customer_client(make_customer) -> tuple[Client, dict[str, list[int]]]:
    """A Fame Flex customer's token client, and ids of what they own and of another customer's list."""
    user, other = make_customer("fame_flex"), make_customer("fame_flex")
    campaign = campaign_create(user=user, name="Spring launch")
    creators = [make_creator() for _ in range(3)]
    job = make_search(user, creators, campaign=campaign)
    creator_list = make_list(user, creators)
    share(creator_list, other, "viewer")
    strangers_list = make_list(other, [make_creator()])
    ids = {
        "campaign_id": [campaign.pk],
        "job_id": [job.pk],
        "list_id": [creator_list.pk, strangers_list.pk],
        "item_id": list(CreatorList.objects.get(pk=creator_list.pk).items.values_list("pk", flat=True)),
        "collaborator_id": list(creator_list.collaborators.values_list("pk", flat=True)),
    }
    _, secret = api_token_create(user=user, name="fuzz")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client, ids


def _path(template: str, ids: dict[str, list[int]], data) -> str:
    path = template
    for name, known in ids.items():
        if "{" + name + "}" in path:
            value = data.draw(st.one_of(st.sampled_from(known), st.sampled_from([0, 2**63, 10**30])), label=name)
            path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"no ids for {template}"
    return path


@pytest.mark.parametrize(("method", "template", "operation"), OPERATIONS,
                         ids=[f"{method.upper()} {path}" for method, path, _ in OPERATIONS])
@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_api_operation_answers_hostile_input_without_a_server_error(customer_client, method, template, operation,
                                                                     data):
    client, ids = customer_client
    path = _path(template, ids, data)
    query = data.draw(_query(operation), label="query")
    body = data.draw(_body(operation), label="body") if method in {"post", "put", "patch"} else ""
    url = path + ("?" + urlencode(query, errors="surrogatepass") if query else "")
    response = client.generic(method.upper(), url, data=body.encode("utf-8", "surrogatepass"),
                              content_type="application/json")
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
        assert set(response.json()) == {"code", "message", "extra"}


def test_api_fuzz_covers_every_operation_of_the_schema():
    operation_ids = {operation["operationId"] for _method, _path, operation in OPERATIONS}
    assert {"me", "campaigns_create", "lists_items_add", "lists_items_bulk", "searches_results"} <= operation_ids
    assert len(OPERATIONS) >= 35
