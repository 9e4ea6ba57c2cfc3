"""Which of the company's rules would fire if the requester submitted their draft now, and why
(reads only): what the cart page and the API's preview show before the submit.

It is the submit's own evaluation (``evaluation.py``) of the lines as they would be ordered
now; it writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from infoconnect.procurement.actions.ordering import current_lines
from infoconnect.procurement.evaluation import Evaluation, evaluate
from infoconnect.procurement.models import Requisition


def preview(requisition: Requisition, now: datetime) -> Evaluation:
    """The rules that would fire for ``requisition`` submitted at ``now``, in order."""
    lines, _skus = current_lines(requisition)
    return evaluate(requisition, lines, now=now)
