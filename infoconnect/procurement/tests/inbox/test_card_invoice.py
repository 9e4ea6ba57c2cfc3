"""What approvers read of how a requisition pays and which VAT invoice it asks for: the kind
and the title the requester chose, on the inbox card and on the requisition's page."""

import pytest
from django.test import Client

from infoconnect.invoicing.actions import titles
from infoconnect.procurement.actions import requisitions, submission
from infoconnect.procurement.tests.factories import VALID_2
from infoconnect.procurement.tests.inbox.test_card import conversation
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.procurement.tests.terms.world import grant

pytestmark = pytest.mark.django_db


def _title(world):
    return titles.add_title(
        user=world.finance,
        company_id=world.company.pk,
        fields=titles.TitleFields(
            name="华夏设计有限公司",
            taxpayer_id=VALID_2,
            address_phone="上海市徐汇区漕溪路1号 021-64000000",
            bank_account="招商银行上海徐汇支行 121900000010101",
            general_taxpayer=True,
        ),
    )


def _asking_special(world):
    grant(world, world.merchant_a)
    title = _title(world)
    requisition = draft(world, (world.sku_a, 2))
    requisitions.update_details(
        user=world.buyer,
        requisition_id=requisition.pk,
        department_id=world.design.pk,
        ship_to_id=world.ship_to.pk,
        po_number="PO-2026-001",
        payment_method="on_terms",
        invoice_kind="special",
        invoice_title_id=title.pk,
    )
    return submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)


ASKED_SPECIAL = (
    '<p data-testid="requisition-invoice">VAT invoice: Special VAT invoice · 华夏设计有限公司 '
    f"({VALID_2})</p>"
)


def test_the_approver_reads_the_invoice_kind_title_and_payment_on_the_card(world):
    _asking_special(world)
    page = conversation(world.approver, world)
    assert 'data-testid="requisition-approve"' in page
    assert '<p data-testid="requisition-payment">Payment: On payment terms</p>' in page
    assert ASKED_SPECIAL in page


def test_the_requisition_page_shows_them_too(world):
    requisition = _asking_special(world)
    client = Client()
    client.force_login(world.approver)
    page = client.get(f"/companies/{world.company.pk}/requisitions/{requisition.pk}/")
    assert page.status_code == 200
    assert ASKED_SPECIAL in page.content.decode()


def test_without_an_invoice_the_card_says_none_was_asked(world):
    submitted(world, (world.sku_a, 2))
    page = conversation(world.approver, world)
    assert '<p data-testid="requisition-payment">Payment: Company wallet</p>' in page
    assert '<p data-testid="requisition-invoice">VAT invoice: none asked</p>' in page
