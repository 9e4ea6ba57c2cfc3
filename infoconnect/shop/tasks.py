"""Background work: each task fetches by id and calls an action that is safe to run twice."""

from infoconnect.core import sweeps
from infoconnect.core.jobs import task
from infoconnect.shop import actions, notifications


@task()
def expire_order(order_id: int) -> bool:
    return actions.expire_order(order_id=order_id)


@task()
def auto_complete_order(order_id: int) -> bool:
    return actions.auto_complete_order(order_id=order_id)


@task()
def remind_auto_confirm(order_id: int) -> bool:
    return notifications.remind_auto_confirm(order_id=order_id)


@task()
def sweep_orders() -> dict:
    """Catch anything a scheduled task missed (a worker down at the time): the one sweep,
    over the shop's due edges."""
    counts = sweeps.run(app_label="shop")
    return {"expired": counts["order.expire"], "completed": counts["order.auto_complete"]}
