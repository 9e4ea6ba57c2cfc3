"""Every write to the ledger, one module per use case; the public names are re-exported here.

- ``ledger``: the steps of a money movement (accounts, the idempotent transaction, posting)
- ``escrow``: order payments (a person's or a company's) into escrow, refunds from it, and its release to the merchant
- ``refunds``: an order's money paid back, whole or in part, always in full (escrow, then the merchant's balance, deposit, debt)
- ``deposits``: a merchant's security deposit paid in and returned, and its debt settled
- ``campaign_holds``: a campaign's cost held before it sends, and its settlement
- ``topups``: money coming in through a payment provider
- ``order_payments``: pay in one step, a top-up of what the wallet lacks to pay an order
- ``payouts``: money going out through a payment provider, asked after commit
- ``payout_accounts``: where a merchant's payouts through Alipay or WeChat Pay go
- ``notifications``: the providers' signed notifications
- ``company_wallet``: a company's top-ups by bank transfer, and money held for the operator
"""

from infoconnect.wallet.actions.campaign_holds import hold_campaign_cost, settle_campaign
from infoconnect.wallet.actions.company_wallet import (
    BANK_TRANSFER_SCOPE,
    MAX_BANK_TRANSFER,
    bank_transfer_params,
    cancel_bank_transfer,
    expire_bank_transfer,
    expire_stale_bank_transfers,
    match_held_transfer,
    open_bank_transfer,
    return_held_transfer,
)
from infoconnect.wallet.actions.deposits import (
    DEBT_SCOPE,
    DEPOSIT_SCOPE,
    merchant_move_params,
    pay_deposit,
    release_deposit,
    settle_debt,
    still_selling,
)
from infoconnect.wallet.actions.escrow import (
    charge_company_order,
    charge_order,
    pay_order,
    refund_escrow,
    release_escrow,
)
from infoconnect.wallet.actions.ledger import MAX_AMOUNT, account_id, accounts
from infoconnect.wallet.actions.notifications import (
    deliver_sandbox_notification,
    handle_provider_notification,
    simulate_bank_transfer,
)
from infoconnect.wallet.actions.order_payments import (
    ORDER_CHANNELS,
    check_channel,
    start_order_topup,
)
from infoconnect.wallet.actions.payout_accounts import set_payout_account
from infoconnect.wallet.actions.payouts import (
    PAYOUT_SCOPE,
    complete_payout,
    fail_payout,
    payout_request_params,
    record_sent,
    refuse_payout,
    request_payout,
    send_payout,
)
from infoconnect.wallet.actions.refunds import (
    refund_completed_order,
    refund_order_money,
    refunded_amount,
)
from infoconnect.wallet.actions.topups import (
    MAX_TOPUP,
    TOPUP_SCOPE,
    cancel_topup,
    cancel_topup_at_provider,
    complete_topup,
    expire_stale_topups,
    expire_topup,
    start_topup,
    topup_request_params,
)
from infoconnect.wallet.lifecycle import PAYOUT_RETRY_AFTER, TOPUP_EXPIRES_AFTER

__all__ = [
    "BANK_TRANSFER_SCOPE",
    "DEBT_SCOPE",
    "DEPOSIT_SCOPE",
    "merchant_move_params",
    "MAX_BANK_TRANSFER",
    "bank_transfer_params",
    "cancel_bank_transfer",
    "expire_bank_transfer",
    "expire_stale_bank_transfers",
    "match_held_transfer",
    "open_bank_transfer",
    "return_held_transfer",
    "simulate_bank_transfer",
    "MAX_AMOUNT",
    "MAX_TOPUP",
    "ORDER_CHANNELS",
    "check_channel",
    "start_order_topup",
    "PAYOUT_RETRY_AFTER",
    "PAYOUT_SCOPE",
    "TOPUP_EXPIRES_AFTER",
    "TOPUP_SCOPE",
    "account_id",
    "accounts",
    "cancel_topup",
    "cancel_topup_at_provider",
    "charge_company_order",
    "charge_order",
    "complete_payout",
    "complete_topup",
    "deliver_sandbox_notification",
    "expire_stale_topups",
    "expire_topup",
    "fail_payout",
    "handle_provider_notification",
    "hold_campaign_cost",
    "pay_deposit",
    "pay_order",
    "payout_request_params",
    "record_sent",
    "refund_completed_order",
    "refund_escrow",
    "refund_order_money",
    "refunded_amount",
    "refuse_payout",
    "release_deposit",
    "release_escrow",
    "request_payout",
    "send_payout",
    "set_payout_account",
    "settle_campaign",
    "settle_debt",
    "still_selling",
    "start_topup",
    "topup_request_params",
]
