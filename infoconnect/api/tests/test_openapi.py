"""The OpenAPI document is what clients and the fuzzer trust: one schema per name, Mastodon
ids as strings, and every error an operation can answer listed with the error schema."""

import importlib
import inspect
import pkgutil

import pytest
from pydantic import BaseModel

import infoconnect.api

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_no_two_schemas_share_a_name():
    # The document keeps one component per class name: a second class of the same name
    # would silently take the first one's place.
    modules: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(infoconnect.api.__path__):
        module = importlib.import_module(f"infoconnect.api.{info.name}")
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseModel)
                and obj.__module__ == module.__name__
            ):
                modules.setdefault(obj.__name__, set()).add(module.__name__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}


def test_the_mastodon_account_id_is_a_string(document):
    schemas = document["components"]["schemas"]
    assert schemas["AccountOut"]["properties"]["id"]["type"] == "string"
    assert schemas["AccountOut"]["properties"]["verified_merchant"]["type"] == "boolean"
    statuses = document["paths"]["/api/v1/accounts/{account_id}/statuses"]["get"]
    assert "200" in statuses["responses"]


def test_every_operation_lists_its_errors(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            expected = {"403", "404", "409", "422", "429"}
            if operation.get("security"):
                expected.add("401")
            if "requestBody" in operation:
                expected |= {"400", "413"}
            assert expected <= set(responses), (method, path, sorted(responses))
            assert "Retry-After" in responses["429"]["headers"]
            for status in expected:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"} or "$ref" in schema


def test_money_moving_posts_document_the_idempotency_key(document):
    topup = document["paths"]["/api/v1/wallet/topups"]["post"]
    (header,) = [p for p in topup["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header"
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
