"""The spend CSV: a header, a row per month, department, category and merchant with the amount
in yuan, a filename that says whose and when, and names a spreadsheet cannot run."""

import csv
import io

import pytest
from django.urls import reverse

from infoconnect.accounts.models import MerchantProfile
from infoconnect.core.spreadsheets import safe_cell
from infoconnect.procurement.dashboard_reads import today
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.shop.models import Category

pytestmark = pytest.mark.django_db


def download(client, user, world):
    client.force_login(user)
    response = client.get(reverse("procurement:dashboard_csv", args=[world.company.pk]))
    assert response.status_code == 200
    return response, list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_has_a_header_and_a_row_per_group(client, world):
    office = Category.objects.create(name="Office", slug="office")
    world.sku_a.product.category = office
    world.sku_a.product.save(update_fields=["category"])
    submitted(world, (world.sku_a, 1), (world.sku_b, 1))  # ¥4,650.00: ordered at once
    response, rows = download(client, world.finance, world)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    month = today().strftime("%Y-%m")
    assert response["Content-Disposition"] == (
        f'attachment; filename="company-{world.company.pk}-spend-{month}.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    assert rows == [
        ["Month", "Department", "Category", "Merchant", "Amount", "Currency"],
        [month, "Design", "Office", "shop_a shop", "3100.00", "CNY"],
        [month, "Design", "Uncategorised", "shop_b shop", "1550.00", "CNY"],
    ]


def test_a_name_a_spreadsheet_would_run_is_written_as_text(client, world):
    MerchantProfile.objects.filter(user=world.merchant_b).update(
        shop_name='=HYPERLINK("http://evil.example","x")'
    )
    submitted(world, (world.sku_b, 1))  # under the threshold: ordered at once
    _response, rows = download(client, world.admin, world)
    assert rows[1][3] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][4] == "1550.00"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_quoted(text):
    assert safe_cell(text) == "'" + text


def test_plain_names_stay_as_they_are():
    assert safe_cell("设计部 Design") == "设计部 Design"


def test_a_member_with_no_spend_gets_just_the_header(client, world):
    _response, rows = download(client, world.buyer, world)
    assert rows == [["Month", "Department", "Category", "Merchant", "Amount", "Currency"]]
