"""What an invoice provider (a tax-control service such as 百望云 or 航信) offers InfoConnect:
issue an invoice we describe, answering with its number or its refusal."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class IssueLine:
    name: str
    tax_code: str
    spec: str
    unit: str
    quantity: int
    amount: int  # tax-inclusive fen; negative on a red-letter invoice
    net: int
    tax: int
    tax_rate: int


@dataclass(frozen=True)
class IssueRequest:
    """One invoice to issue. ``reference`` is our id for it and the request's idempotency
    key: asked again with it, the provider issues nothing more and answers the same."""

    reference: str
    kind: str  # normal | special
    buyer: dict
    seller: dict
    lines: tuple[IssueLine, ...]
    total: int
    net: int
    tax: int
    requested_on: date
    # A red-letter invoice names the number of the invoice it reverses.
    original_number: str = ""
    special_allowed: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IssueAnswer:
    """Issued under ``number`` (20 digits), or refused with ``refusal_reason``."""

    number: str = ""
    refusal_reason: str = ""

    @property
    def issued(self) -> bool:
        return bool(self.number)


class InvoiceProvider(ABC):
    name: str

    @abstractmethod
    def issue(self, request: IssueRequest) -> IssueAnswer:
        """Issue the invoice, or refuse it. Raises when the provider cannot be reached; the
        invoice then stays requested and is asked for again later."""
