from django.urls import path

from infoconnect.wallet import company_views, views

app_name = "wallet"

urlpatterns = [
    path("", views.home, name="home"),
    path("topup/", views.topup, name="topup"),
    path("statement.csv", views.statement_csv, name="statement_csv"),
    path("merchant/", views.merchant, name="merchant"),
    path("merchant/payouts/", views.payout, name="payout"),
    path(
        "merchant/payout-accounts/<str:provider>/",
        views.payout_account,
        name="payout_account",
    ),
    path("merchant/topup/", views.merchant_topup, name="merchant_topup"),
    path("merchant/deposit/", views.deposit, name="deposit"),
    path("merchant/debt/", views.settle_debt, name="settle_debt"),
    path("merchant/statement.csv", views.merchant_statement_csv, name="merchant_statement_csv"),
    path("sandbox/pay/<str:reference>/", views.sandbox_pay, name="sandbox_pay"),
    path("scan/<str:reference>/", views.scan, name="scan"),
    path("sandbox/transfer/<str:code>/", company_views.sandbox_transfer, name="sandbox_transfer"),
]
