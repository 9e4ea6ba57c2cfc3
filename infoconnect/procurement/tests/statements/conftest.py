import pytest

from infoconnect.procurement.tests.statements.world import make_terms_world
from infoconnect.shop.tests.conftest import make_product


@pytest.fixture
def w(make_user):
    return make_terms_world(make_user)


@pytest.fixture
def toner(w):
    """Merchant A's second product: 硒鼓, ¥45.50."""
    _product, sku = make_product(w.merchant_a, title="硒鼓 Toner", price=4_550, stock=100)
    return sku
