import pytest

from infoconnect.invoicing.demo import seed_invoice
from infoconnect.invoicing.models import Invoice, InvoiceTitle

pytestmark = pytest.mark.django_db


def test_the_demo_issues_one_invoice_for_huaxia_and_seeding_again_adds_nothing(
    world, django_capture_on_commit_callbacks
):
    people = {"company": world.company, "finance": world.finance, "merchant": world.merchant}
    # As seed_demo commits each step: the invoice's send job runs once the order completes.
    with django_capture_on_commit_callbacks(execute=True):
        invoice = seed_invoice(buyer=world.firm.people["designer"], **people)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED and len(invoice.number) == 20
    assert invoice.kind == "special" and invoice.lines.get().name == "*计算机*Longjing"
    again = seed_invoice(buyer=world.firm.people["designer"], **people)
    assert again.pk == invoice.pk
    assert Invoice.objects.count() == 1
    assert InvoiceTitle.objects.filter(name="华夏设计有限公司").count() == 1
