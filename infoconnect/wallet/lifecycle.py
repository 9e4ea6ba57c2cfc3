"""The wallet's lifecycles: a top-up (Payment) and a payout, each declared once.

A top-up waits for its provider: the provider's success credits it (even after we stopped
waiting: the payer's money was taken), the payer may cancel it, and one left waiting too long
is expired by the sweep, which then calls it off at the provider once the expiry commits.

A payout is ``requested`` when the merchant's balance has covered it (the money sits in
payout_pending). Its send job runs after that commits and asks the provider outside any
transaction: the provider's reference makes it ``sent``, a provider that refuses makes it
``failed`` at once. The provider's notification then makes a sent payout ``paid`` or
``failed``. A failed payout's money is back on the balance. A payout whose send job was lost
(the worker died between the commit and the call) is sent by the sweep.

A company's bank transfer (对公转账) awaits the company's money under its remittance code:
the provider's notification of that code and amount credits it, a finance member may cancel
it, and one still awaiting when it expires is expired by the sweep. Money that arrived and
matched nothing is a held transfer, which the operator matches to an awaiting transfer of the
company (crediting that one) or returns to the payer.

Money moves with these edges in ``actions/``; the ledger posting of each move is there.
"""

from __future__ import annotations

from datetime import timedelta

from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import BankTransfer, HeldTransfer, Payment, Payout

# A top-up still pending this long after it was opened is expired by the sweep.
TOPUP_EXPIRES_AFTER = timedelta(minutes=30)
# A payout still requested this long after it was requested (or after its last attempt) is
# sent by the sweep: its send job was lost, or died before it could record the answer.
PAYOUT_RETRY_AFTER = timedelta(minutes=2)

# A bank transfer still awaiting the company's money this long after it was opened expires.
BANK_TRANSFER_EXPIRES_AFTER = timedelta(days=14)

SEND_PAYOUT_TASK = "infoconnect.wallet.tasks.send_payout"
CANCEL_EXPIRED_TOPUP_TASK = "infoconnect.wallet.tasks.cancel_expired_topup"

Pay = Payment.Status
Out = Payout.Status
Bank = BankTransfer.Status
Held = HeldTransfer.Status


class PaymentLifecycle(Lifecycle):
    model = Payment
    field = "status"
    invalid_state = WalletError.PAYMENT_INVALID_STATE
    edges = (
        Edge("open", sources=(), target=Pay.PENDING),
        # The provider's success is the last word: expiry only means we stopped waiting, and
        # a cancellation the provider reversed still ended with the payer's money taken.
        Edge("succeed", sources=(Pay.PENDING, Pay.EXPIRED, Pay.CANCELED), target=Pay.SUCCEEDED),
        Edge("cancel", sources=(Pay.PENDING,), target=Pay.CANCELED),
        Edge(
            "expire",
            sources=(Pay.PENDING,),
            target=Pay.EXPIRED,
            due="created_at",
            delay=TOPUP_EXPIRES_AFTER,
            sweep="infoconnect.wallet.actions.topups.expire_topup",
        ),
    )

    def moved(self, obj: Payment, move: Move) -> None:
        if move.edge.verb == "expire":
            # Called off at the provider once the expiry has committed, so the payer can no
            # longer pay it; a rolled-back expiry tells the provider nothing.
            enqueue_on_commit(CANCEL_EXPIRED_TOPUP_TASK, payment_id=obj.pk)


class PayoutLifecycle(Lifecycle):
    model = Payout
    field = "status"
    invalid_state = WalletError.PAYOUT_INVALID_STATE
    edges = (
        Edge("request", sources=(), target=Out.REQUESTED),
        Edge(
            "send",
            sources=(Out.REQUESTED,),
            target=Out.SENT,
            due="created_at",
            delay=PAYOUT_RETRY_AFTER,
            sweep="infoconnect.wallet.actions.payouts.send_payout",
        ),
        # The provider raised when asked to send it: it never left.
        Edge("refuse", sources=(Out.REQUESTED,), target=Out.FAILED),
        # The provider's notification: payout.paid or payout.failed.
        Edge("complete", sources=(Out.SENT,), target=Out.PAID),
        Edge("fail", sources=(Out.SENT,), target=Out.FAILED),
    )

    def created(self, payout: Payout) -> None:
        """The request edge made the row: its send job asks the provider once this commits."""
        enqueue_on_commit(SEND_PAYOUT_TASK, payout_id=payout.pk)


class BankTransferLifecycle(Lifecycle):
    model = BankTransfer
    field = "status"
    invalid_state = WalletError.BANK_TRANSFER_INVALID_STATE
    edges = (
        Edge("open", sources=(), target=Bank.AWAITING),
        # The money arrived under its code, for its amount (or an operator matched it).
        Edge("credit", sources=(Bank.AWAITING,), target=Bank.CREDITED),
        Edge("cancel", sources=(Bank.AWAITING,), target=Bank.CANCELLED),
        Edge(
            "expire",
            sources=(Bank.AWAITING,),
            target=Bank.EXPIRED,
            due="expires_at",
            sweep="infoconnect.wallet.actions.company_wallet.expire_bank_transfer",
        ),
    )


class HeldTransferLifecycle(Lifecycle):
    model = HeldTransfer
    field = "status"
    invalid_state = WalletError.HELD_TRANSFER_INVALID_STATE
    edges = (
        Edge("hold", sources=(), target=Held.HELD),
        Edge("match", sources=(Held.HELD,), target=Held.MATCHED),
        Edge("return", sources=(Held.HELD,), target=Held.RETURNED),
    )


payments = register(PaymentLifecycle())
payouts = register(PayoutLifecycle())
bank_transfers = register(BankTransferLifecycle())
held_transfers = register(HeldTransferLifecycle())
