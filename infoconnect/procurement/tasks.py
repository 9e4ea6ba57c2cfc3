"""Procurement's queued work: each made by its action, which re-checks before it moves, with
the sweep behind every one of them."""

from infoconnect.core.jobs import task
from infoconnect.procurement.actions import approvals, quote_replies, submission, terms_reminders


@task()
def expire_requisition(requisition_id: int) -> bool:
    return submission.expire_requisition(requisition_id=requisition_id)


@task()
def escalate_step(step_id: int) -> bool:
    return approvals.escalate_step(approvalstep_id=step_id)


@task()
def expire_quote(quote_id: int) -> bool:
    return quote_replies.expire_quote(quote_id=quote_id)


@task()
def send_terms_reminder(reminder_id: int) -> bool:
    return terms_reminders.send_reminder(termsreminder_id=reminder_id)
