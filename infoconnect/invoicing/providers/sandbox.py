"""A sandbox invoice provider that behaves like a real one: it answers each request with a
20-digit number, the same number for the same reference asked again, and refuses what a tax
system refuses — a 专票 for a buyer who is not a general taxpayer with every field, and, for
tests, any buyer whose name contains 拒开 or REFUSE."""

from infoconnect.invoicing.providers.base import InvoiceProvider, IssueAnswer, IssueRequest

REFUSING_MARKS = ("拒开", "REFUSE")


class SandboxInvoiceProvider(InvoiceProvider):
    name = "sandbox"

    def issue(self, request: IssueRequest) -> IssueAnswer:
        name = str(request.buyer.get("name", ""))
        if any(mark in name.upper() for mark in REFUSING_MARKS):
            return IssueAnswer(refusal_reason=f"税务系统拒绝开具：购买方“{name}”被标记为拒开")
        if request.kind == "special" and not request.special_allowed:
            return IssueAnswer(
                refusal_reason="增值税专用发票须开给信息齐全的一般纳税人（地址电话、开户行及账号）"
            )
        if request.original_number and not request.original_number.isdigit():
            return IssueAnswer(refusal_reason="红字发票须对应已开具的蓝字发票")
        # Date + our reference as a 12-digit sequence: unique, and stable for a retry.
        sequence = int(request.reference.rsplit("-", 1)[-1])
        return IssueAnswer(number=f"{request.requested_on:%Y%m%d}{sequence:012d}")
