"""What the shop tells other apps, sent synchronously inside the transaction that moved the
order (a receiver's writes commit or roll back with it).

``company_order_closed``: an order bought for a company (``order.company_id`` set) gave money
back, cancelled after it was paid or refunded; ``amount`` is what it gave back, in fen.
Procurement releases the requisition's budget on it.
"""

import django.dispatch

company_order_closed = django.dispatch.Signal()
