"""The site's URLs with a stand-in for the terms part's pay page, so the statement page's pay
form can be seen as it will be once that page exists."""

from django.http import HttpResponse
from django.urls import include, path

from config import urls as site
from infoconnect.procurement import urls as procurement


def pay(request, company_id):
    return HttpResponse("paid")


urlpatterns = [
    path(
        "companies/",
        include(
            (
                [
                    *procurement.urlpatterns,
                    path("<int:company_id>/payables/pay/", pay, name="terms_pay"),
                ],
                "procurement",
            )
        ),
    ),
    *(p for p in site.urlpatterns if str(p.pattern) != "companies/"),
]
