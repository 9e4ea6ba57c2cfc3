"""Invoice titles: added, edited, archived and confirmed, with their checks and who may."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.invoicing.actions import titles
from infoconnect.invoicing.models import InvoiceTitle
from infoconnect.invoicing.selectors import usable_titles
from infoconnect.invoicing.tests.world import make_world
from infoconnect.procurement.tests.factories import VALID_2, WRONG_CHECK, valid_uscc

pytestmark = pytest.mark.django_db


def fields(**changes):
    values = {
        "name": "华夏设计（北京）有限公司",
        "taxpayer_id": valid_uscc(3),
        "address_phone": "北京市海淀区中关村大街1号 010-62000000",
        "bank_account": "工商银行中关村支行 0200000000000000001",
        "general_taxpayer": True,
    }
    values.update(changes)
    return titles.TitleFields(**values)


def refused(world, user, code, **changes):
    before = InvoiceTitle.objects.count()
    with pytest.raises(DomainError) as error:
        titles.add_title(user=user, company_id=world.company.pk, fields=fields(**changes))
    assert error.value.code == code
    assert InvoiceTitle.objects.count() == before
    return error.value


def test_finance_adds_a_title_and_confirms_it_before_orders_may_use_it(world):
    title = titles.add_title(user=world.finance, company_id=world.company.pk, fields=fields())
    assert title.verified_at is None and title.allows_special
    assert list(usable_titles(world.company.pk)) == [world.title]
    titles.verify_title(user=world.finance, company_id=world.company.pk, title_id=title.pk)
    assert set(usable_titles(world.company.pk)) == {world.title, title}


def test_an_admin_adds_titles_but_only_finance_confirms(world):
    title = titles.add_title(user=world.firm.admin, company_id=world.company.pk, fields=fields())
    with pytest.raises(DomainError) as error:
        titles.verify_title(user=world.firm.admin, company_id=world.company.pk, title_id=title.pk)
    assert error.value.code == "role_required"
    title.refresh_from_db()
    assert title.verified_at is None


def test_a_buyer_a_viewer_and_another_company_may_not_add_titles(world, make_user):
    refused(world, world.firm.people["designer"], "role_required")
    refused(world, world.firm.people["viewer"], "role_required")
    other = make_world(make_user, prefix="o_", code=valid_uscc(900))
    refused(world, other.finance, "not_a_member")
    with pytest.raises(DomainError) as error:
        titles.archive_title(
            user=other.finance, company_id=other.company.pk, title_id=world.title.pk
        )
    assert error.value.code == "invoice_title_not_found"


def test_the_taxpayer_id_is_a_valid_credit_code(world):
    error = refused(world, world.finance, "invalid_taxpayer_id", taxpayer_id=WRONG_CHECK)
    assert error.fields == {"taxpayer_id": [str(error.message)]}
    refused(world, world.finance, "invalid_taxpayer_id", taxpayer_id="12345")


def test_address_and_bank_fit_100_gbk_bytes_and_the_error_names_the_field(world):
    ok = "上" * 50  # 100 bytes in GBK
    titles.add_title(
        user=world.finance, company_id=world.company.pk, fields=fields(address_phone=ok)
    )
    error = refused(world, world.finance, "field_too_long", address_phone="上" * 50 + "1")
    assert error.message == (
        "Registered address and phone takes at most 100 bytes in GBK (a Chinese character "
        "takes 2); this takes 101."
    )
    assert list(error.fields) == ["address_phone"]
    error = refused(world, world.finance, "field_too_long", bank_account="银" * 51)
    assert list(error.fields) == ["bank_account"]
    assert error.message.startswith("Bank and account number takes at most 100 bytes")
    error = refused(world, world.finance, "not_gbk", bank_account="Bank 🏦")
    assert list(error.fields) == ["bank_account"]


def test_a_general_taxpayer_title_needs_all_four_fields(world):
    error = refused(world, world.finance, "general_taxpayer_fields", bank_account="")
    assert list(error.fields) == ["bank_account"]
    small = titles.add_title(
        user=world.finance,
        company_id=world.company.pk,
        fields=fields(general_taxpayer=False, bank_account="", address_phone=""),
    )
    assert not small.allows_special


def test_editing_a_title_takes_its_confirmation_away(world):
    title = titles.edit_title(
        user=world.finance,
        company_id=world.company.pk,
        title_id=world.title.pk,
        fields=fields(name="华夏设计股份有限公司", taxpayer_id=VALID_2),
    )
    assert title.name == "华夏设计股份有限公司" and title.verified_at is None
    assert list(usable_titles(world.company.pk)) == []
    with pytest.raises(DomainError) as error:
        titles.edit_title(
            user=world.finance,
            company_id=world.company.pk,
            title_id=world.title.pk,
            fields=fields(address_phone="上" * 60),
        )
    assert error.value.code == "field_too_long"
    title.refresh_from_db()
    assert title.name == "华夏设计股份有限公司"


def test_an_archived_title_is_no_longer_used_nor_changed(world):
    titles.archive_title(user=world.finance, company_id=world.company.pk, title_id=world.title.pk)
    assert list(usable_titles(world.company.pk)) == []
    for action in (titles.archive_title, titles.verify_title):
        with pytest.raises(DomainError) as error:
            action(user=world.finance, company_id=world.company.pk, title_id=world.title.pk)
        assert error.value.code == "invoice_title_archived"


def test_a_confirmed_title_is_not_confirmed_twice(world):
    with pytest.raises(DomainError) as error:
        titles.verify_title(
            user=world.finance, company_id=world.company.pk, title_id=world.title.pk
        )
    assert error.value.code == "invoice_title_invalid_state"
