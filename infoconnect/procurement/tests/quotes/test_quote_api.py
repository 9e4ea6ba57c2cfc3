"""The quotes API: asking, quoting, countering, accepting (with an Idempotency-Key),
declining, cancelling and asking again; the revisions in the entity; errors in the common
format; and who may not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.sweeps import sweep_edge
from infoconnect.procurement.lifecycle import quote_expires_at, quotes
from infoconnect.procurement.models import Quote, Requisition
from infoconnect.procurement.tests.api.helpers import post
from infoconnect.procurement.tests.factories import add, make_company
from infoconnect.procurement.tests.organisation.conftest import OTHER_USCC
from infoconnect.procurement.tests.quotes.helpers import rows

pytestmark = pytest.mark.django_db


def ask(client, world, **overrides):
    body = {
        "company_id": world.company.pk,
        "merchant_id": world.merchant_a.pk,
        "title": "Printers for the studio",
        "wanted_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "lines": [
            {"sku_id": world.sku_a.pk, "quantity": 10},
            {"title": "Installation", "quantity": 1},
        ],
    }
    body.update(overrides)
    return post(client, "/api/v1/quotes", body)


def valid(days=7):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_a_quote_negotiated_and_accepted_through_the_api(api_client, world):
    buyer, merchant = api_client(world.buyer), api_client(world.merchant_a)
    made = ask(buyer, world)
    assert made.status_code == 201, made.content
    body = made.json()
    quote_id = body["id"]
    assert (body["state"], body["revision"], body["moves"]) == ("requested", 1, ["cancel"])
    assert [(line["sku_id"], line["title"], line["unit_price"]) for line in
            body["revisions"][0]["lines"]] == [
        (world.sku_a.pk, "Laser printer colour: red", None), (None, "Installation", None),
    ]  # fmt: skip
    seen = merchant.get(f"/api/v1/quotes/{quote_id}").json()
    assert seen["moves"] == ["quote", "ask_info", "decline"]
    offer = {"valid_until": valid(), "note": "Best price",
             "lines": [{"position": 1, "unit_price": 290_000}, {"position": 2, "unit_price": 20_000}]}  # fmt: skip
    quoted = post(merchant, f"/api/v1/quotes/{quote_id}/quote", offer)
    assert quoted.status_code == 200, quoted.content
    assert quoted.json()["revisions"][-1]["total"] == 2_920_000
    assert quoted.json()["revisions"][-1]["total_display"] == "¥29,200.00"
    counter = {"lines": [{"position": 1, "quantity": 12, "unit_price": 270_000},
                         {"position": 2, "quantity": 1, "unit_price": 0}]}  # fmt: skip
    refused = post(buyer, f"/api/v1/quotes/{quote_id}/counter", counter)
    assert refused.status_code == 422 and refused.json()["code"] == "quote_price_invalid"
    counter["lines"][1]["unit_price"] = 15_000
    countered = post(buyer, f"/api/v1/quotes/{quote_id}/counter", counter)
    assert [(r["number"], r["kind"]) for r in countered.json()["revisions"]] == [
        (1, "request"), (2, "quote"), (3, "counter"),
    ]  # fmt: skip
    offer["lines"][0]["unit_price"] = 275_000
    offer["lines"][1]["unit_price"] = 15_000
    assert post(merchant, f"/api/v1/quotes/{quote_id}/quote", offer).status_code == 200
    accept = {"department_id": world.design.pk, "ship_to_id": world.ship_to.pk,
              "po_number": "PO-API-Q"}  # fmt: skip
    missing = post(buyer, f"/api/v1/quotes/{quote_id}/accept", accept)
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    first = post(buyer, f"/api/v1/quotes/{quote_id}/accept", accept, key="accept-1")
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "accepted"
    requisition = Requisition.objects.get(quote_id=quote_id)
    assert first.json()["requisition_id"] == requisition.pk
    assert requisition.state == Requisition.State.PENDING
    again = post(buyer, f"/api/v1/quotes/{quote_id}/accept", accept, key="accept-1")
    assert again.json() == first.json()
    assert Requisition.objects.filter(quote_id=quote_id).count() == 1
    other = post(buyer, f"/api/v1/quotes/{quote_id}/accept", {**accept, "po_number": "X"},
                 key="accept-1")  # fmt: skip
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    # The merchant never learns which requisition the company made.
    assert merchant.get(f"/api/v1/quotes/{quote_id}").json()["requisition_id"] is None


def test_lists_for_each_side(api_client, world):
    buyer, merchant = api_client(world.buyer), api_client(world.merchant_a)
    quote_id = ask(buyer, world).json()["id"]
    listed = buyer.get(f"/api/v1/quotes?company_id={world.company.pk}")
    assert [q["id"] for q in listed.json()] == [quote_id]
    assert [q["id"] for q in merchant.get("/api/v1/quotes").json()] == [quote_id]
    assert api_client(world.merchant_b).get("/api/v1/quotes").json() == []
    assert merchant.get("/api/v1/quotes?state=quoted").json() == []
    refused = api_client(world.approver).get(f"/api/v1/quotes?company_id={world.company.pk}")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_bad_requests_write_nothing(api_client, world):
    buyer = api_client(world.buyer)
    before = rows()
    for overrides, code in (
        ({"lines": []}, "quote_lines_required"),
        ({"lines": [{"sku_id": world.sku_b.pk, "quantity": 1}]}, "quote_line_invalid"),
        ({"lines": [{"title": "Toner", "quantity": 0}]}, "quote_quantity_invalid"),
        ({"wanted_by": "2000-01-01"}, "quote_wanted_by_invalid"),
        ({"merchant_id": world.buyer.pk}, "quote_merchant_not_found"),
    ):
        response = ask(buyer, world, **overrides)
        assert response.status_code in (404, 422), response.content
        assert response.json()["code"] == code
    unknown = ask(buyer, world, colour="red")
    assert unknown.status_code == 422
    assert rows() == before


def test_who_may_not(api_client, world, make_user):
    quote_id = ask(api_client(world.buyer), world).json()["id"]
    outsider = make_user("li")
    other = make_company(outsider, name="Beijing Paper Works", code=OTHER_USCC)
    stranger = make_user("li_buyer")
    add(other, outsider, stranger, "buyer")
    assert ask(api_client(stranger), world).json()["code"] == "role_required"
    assert ask(api_client(world.finance), world).json()["code"] == "role_required"
    for user in (stranger, world.approver, world.merchant_b):
        response = api_client(user).get(f"/api/v1/quotes/{quote_id}")
        assert response.status_code == 404 and response.json()["code"] == "quote_not_found"
    offer = {"valid_until": valid(), "lines": [{"position": 1, "unit_price": 1},
                                               {"position": 2, "unit_price": 1}]}  # fmt: skip
    assert post(api_client(world.merchant_b), f"/api/v1/quotes/{quote_id}/quote",
                offer).status_code == 404  # fmt: skip
    # The buyer cannot quote their own request, nor the merchant cancel it.
    assert post(api_client(world.buyer), f"/api/v1/quotes/{quote_id}/quote",
                offer).status_code == 404  # fmt: skip
    assert (
        post(api_client(world.merchant_a), f"/api/v1/quotes/{quote_id}/cancel").status_code == 404
    )
    assert Quote.objects.get(pk=quote_id).state == Quote.State.REQUESTED


def test_decline_cancel_and_requote(api_client, world):
    buyer, merchant = api_client(world.buyer), api_client(world.merchant_a)
    declined = ask(buyer, world).json()["id"]
    response = post(merchant, f"/api/v1/quotes/{declined}/decline", {"note": "Out of stock"})
    assert response.json()["state"] == "declined"
    again = post(merchant, f"/api/v1/quotes/{declined}/decline")
    assert again.status_code == 409 and again.json()["code"] == "quote_invalid_state"
    cancelled = ask(buyer, world).json()["id"]
    assert post(buyer, f"/api/v1/quotes/{cancelled}/cancel").json()["state"] == "cancelled"
    expiring = ask(buyer, world).json()["id"]
    offer = {"valid_until": valid(1), "lines": [{"position": 1, "unit_price": 1},
                                                {"position": 2, "unit_price": 1}]}  # fmt: skip
    post(merchant, f"/api/v1/quotes/{expiring}/quote", offer)
    early = post(buyer, f"/api/v1/quotes/{expiring}/requote")
    assert early.status_code == 409 and early.json()["code"] == "quote_invalid_state"
    sweep_edge(quotes, "expire", now=quote_expires_at(timezone.localdate() + timedelta(days=1)))
    body = post(buyer, f"/api/v1/quotes/{expiring}/requote").json()
    assert (body["state"], body["revision"]) == ("requested", 3)
    assert [line["unit_price"] for line in body["revisions"][-1]["lines"]] == [None, None]


def test_unknown_malformed_and_anonymous(api_client, world):
    buyer = api_client(world.buyer)
    for path in ("/api/v1/quotes/999999", f"/api/v1/quotes/{2**64}"):
        response = buyer.get(path)
        assert response.status_code == 404 and response.json()["code"] == "quote_not_found"
    malformed = buyer.get("/api/v1/quotes/abc")
    assert malformed.status_code == 422 and malformed.json()["code"] == "validation_error"
    assert post(buyer, "/api/v1/quotes/999999/cancel").json()["code"] == "quote_not_found"
    anonymous = api_client()
    assert anonymous.get("/api/v1/quotes").status_code == 401
    assert post(anonymous, "/api/v1/quotes", {}).status_code == 401
