"""What the shop tells other apps, sent synchronously inside the transaction that moved the
order (a receiver's writes commit or roll back with it).

``company_order_closed``: an order bought for a company (``order.company_id`` set) gave money
back, cancelled after it was paid or refunded; ``amount`` is what it gave back, in fen.
Procurement releases the requisition's budget on it.

``company_order_moved``: an order bought for a company took an edge of its lifecycle after it
was born (``verb``, ``from_state``); payment terms make it due on completion and credit it on a
cancel or refund, invoicing issues and reverses its invoices.

``order_moved``: any order took an edge of its lifecycle, its birth included (``verb``,
``from_state``, ``actor_id``: who moved it, None for the platform). ``refund_moved``: a refund
request was born (``verb`` "request") or took an edge (``refund``, ``verb``, ``from_state``,
``actor_id``). Notifications tell buyers and merchants on them; a receiver stays cheap, as
births run on the checkout's hot path.
"""

import django.dispatch

company_order_closed = django.dispatch.Signal()
company_order_moved = django.dispatch.Signal()
order_moved = django.dispatch.Signal()
refund_moved = django.dispatch.Signal()
