"""Every API route has its OAuth scope in api/scopes.py, and the table means what it says."""

import pytest

from infoconnect.accounts.oauth import grants
from infoconnect.api.api import api
from infoconnect.api.scopes import normalize, required_scopes


def registered_routes() -> list[tuple[str, str]]:
    routes = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.append((method, normalize(f"/api/{prefix}/{path}")))
    return routes


def test_the_walk_finds_the_routes():
    routes = registered_routes()
    assert len(routes) > 200
    assert ("POST", "/api/v1/statuses") in routes
    assert ("GET", "/api/v1/companies/{}/members/{}/roles") in routes


def test_every_registered_route_has_a_scope():
    missing = [route for route in registered_routes() if required_scopes(*route) is None]
    assert missing == []


@pytest.mark.parametrize(
    ("method", "route", "expected"),
    [
        ("GET", "api/v1/statuses/<status_id>", ("read:statuses",)),
        ("HEAD", "api/v1/statuses/<status_id>", ("read:statuses",)),
        ("POST", "api/v1/statuses", ("write:statuses",)),
        ("POST", "api/v1/statuses/<status_id>/favourite", ("write:favourites",)),
        ("POST", "api/v1/accounts/<int:account_id>/follow", ("write:follows",)),
        ("GET", "api/v1/accounts/verify_credentials", ("read:accounts", "profile")),
        ("GET", "api/v1/notifications", ("read:notifications",)),
        ("POST", "api/v2/media", ("write:media",)),
        ("POST", "api/v1/conversations/<account_id>/read", ("write:conversations",)),
        ("GET", "api/v1/wallet", ("read",)),
        ("POST", "api/v1/wallet/topups", ("write",)),
        ("PATCH", "api/v1/companies/<company_id>/budgets/<budget_id>", ("write",)),
        ("GET", "api/v1/instance", ()),
        ("GET", "api/v1/apps/verify_credentials", ()),
        ("GET", "api/v1/not_a_route", None),
    ],
)
def test_a_route_needs_its_scope(method, route, expected):
    assert required_scopes(method, route) == expected


@pytest.mark.parametrize(
    ("granted", "required", "expected"),
    [
        ({"read:statuses"}, "read:statuses", True),
        ({"read"}, "read:statuses", True),
        ({"write"}, "read:statuses", False),
        ({"follow"}, "write:follows", True),
        ({"follow"}, "read:blocks", True),
        ({"follow"}, "write:statuses", False),
        ({"read:statuses"}, "read", False),
        ({"read:statuses"}, "read:notifications", False),
    ],
)
def test_scopes_include_their_granular_scopes(granted, required, expected):
    assert grants(frozenset(granted), required) is expected
