"""Requests and counts the requisitions API tests share."""

from infoconnect.procurement.models import (
    ApprovalDecision,
    ApprovalStep,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from infoconnect.shop.models import Order


def post(client, url, body=None, *, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


def new_body(world, *items, **details):
    body = {
        "company_id": world.company.pk,
        "department_id": world.design.pk,
        "ship_to_id": world.ship_to.pk,
        "po_number": "PO-API-1",
        "note": "Studio fit-out",
        "lines": [{"sku_id": sku.pk, "quantity": quantity} for sku, quantity in items],
    }
    body.update(details)
    return body


def rows() -> dict[str, int]:
    """How many rows each table of requisitions and their orders holds."""
    return {
        "requisitions": Requisition.objects.count(),
        "lines": RequisitionLine.objects.count(),
        "steps": ApprovalStep.objects.count(),
        "decisions": ApprovalDecision.objects.count(),
        "events": RequisitionEvent.objects.count(),
        "orders": Order.objects.count(),
    }
