from django.urls import path

from infoconnect.invoicing.views import company, merchant

app_name = "invoicing"

urlpatterns = [
    path("companies/<int:company_id>/invoice-titles/", company.titles_page, name="titles"),
    path(
        "companies/<int:company_id>/invoice-titles/<int:title_id>/",
        company.title_edit,
        name="title_edit",
    ),
    path(
        "companies/<int:company_id>/invoice-titles/<int:title_id>/archive/",
        company.title_archive,
        name="title_archive",
    ),
    path(
        "companies/<int:company_id>/invoice-titles/<int:title_id>/confirm/",
        company.title_confirm,
        name="title_confirm",
    ),
    path("companies/<int:company_id>/invoices/", company.invoices_page, name="invoices"),
    path(
        "companies/<int:company_id>/invoices/<int:invoice_id>/",
        company.invoice_page,
        name="invoice",
    ),
    path(
        "companies/<int:company_id>/invoices/<int:invoice_id>/pdf/",
        company.invoice_pdf,
        name="invoice_pdf",
    ),
    path("shop/manage/invoices/", merchant.invoices_page, name="merchant_invoices"),
    path("shop/manage/invoices/merged/", merchant.issue_merged, name="merchant_issue"),
    path("shop/manage/invoices/mode/", merchant.set_mode, name="merchant_mode"),
    path("shop/manage/invoices/<int:invoice_id>/", merchant.invoice_page, name="merchant_invoice"),
    path(
        "shop/manage/invoices/<int:invoice_id>/pdf/",
        merchant.invoice_pdf,
        name="merchant_invoice_pdf",
    ),
]
