"""What the wallet tells the apps it serves, sent synchronously inside the transaction that
credits a top-up (a receiver's writes commit or roll back with it).

A top-up may pay an order (``Payment.order_id``, pay in one step); the wallet knows nothing of
orders, so the order's app listens:

``order_topup_arriving``: such a top-up is about to be credited (``payment``). The order's app
locks the order now, so the credit's ledger locks come after the order's, in the order paying
from the wallet takes them.

``order_topup_credited``: it was credited, the first time only (``payment``); the order's app
pays the order from the wallet if it still can, else the money stays in the wallet.
"""

import django.dispatch

order_topup_arriving = django.dispatch.Signal()
order_topup_credited = django.dispatch.Signal()
