"""Background work: each task fetches by id and calls an action that is safe to run twice."""

from django_tasks import task

from infoconnect.shop import actions


@task()
def expire_order(order_id: int) -> bool:
    return actions.expire_order(order_id=order_id)


@task()
def auto_complete_order(order_id: int) -> bool:
    return actions.auto_complete_order(order_id=order_id)


@task()
def sweep_orders() -> dict:
    """Catch anything a scheduled task missed (a worker down at the time)."""
    return {
        "expired": actions.expire_unpaid_orders(),
        "completed": actions.auto_complete_shipped_orders(),
    }
