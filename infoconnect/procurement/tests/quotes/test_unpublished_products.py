"""A merchant's unpublished products are neither offered on the quote request form nor taken
as a quote's lines: a buyer learns nothing of a draft."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import quotes as actions
from infoconnect.procurement.tests.quotes.helpers import rows
from infoconnect.procurement.tests.webui.conftest import act_for
from infoconnect.shop import actions as shop_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_sku(world):
    product = shop_actions.create_product(
        merchant=world.merchant_a, title="Unannounced plotter", description="Soon."
    )
    return shop_actions.add_sku(
        merchant=world.merchant_a, product_id=product.pk, attributes={"size": "A0"},
        price=990_000, stock=3,
    )  # fmt: skip


def test_the_request_form_does_not_list_or_preselect_a_draft(client, world, draft_sku):
    act_for(client, world.buyer, world.company)
    form = client.get(f"/companies/{world.company.pk}/quotes/new/?sku={draft_sku.pk}")
    html = form.content.decode()
    assert "Unannounced plotter" not in html
    listed = client.get(f"/companies/{world.company.pk}/quotes/new/?merchant=shop_a")
    assert "Unannounced plotter" not in listed.content.decode()
    assert "Laser printer" in listed.content.decode()


def test_a_quote_for_a_draft_sku_is_refused_and_writes_nothing(world, draft_sku):
    before = rows()
    with pytest.raises(DomainError) as caught:
        actions.request_quote(
            user=world.buyer, company_id=world.company.pk, merchant_id=world.merchant_a.pk,
            lines=[actions.LineSpec(sku_id=draft_sku.pk, quantity=1)],
        )  # fmt: skip
    assert caught.value.code == "quote_line_invalid"
    assert rows() == before
