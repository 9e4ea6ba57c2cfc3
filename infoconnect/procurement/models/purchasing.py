"""Company purchasing: companies, their members, departments and roles.

A company is an end user of what it buys. It registers with its legal name and its unified
social credit code (统一社会信用代码), an operator verifies it, and only a verified company
buys. Its members are existing InfoConnect accounts; each membership keeps its history (who
invited, who removed, when), and a person may belong to several companies while keeping
their own wallet and orders apart. Departments form a tree under the company (departments
and cost centres), each with its ship-to addresses. A role is held by a membership over the
whole company or over one department's subtree.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infoconnect.shop.models import PostalAddress


class Company(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    # An operator accepted a code that fails the check digit (early pilot codes), with a
    # written reason in the review trail.
    uscc_check_waived = models.BooleanField(_("check character waived"), default=False)
    licence = models.ImageField(_("business licence"), upload_to="companies/licences/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Purchasing settings, the company admin's: how long a requisition awaiting approval holds
    # its stock, and whether a PO number is required and unique among its requisitions.
    hold_days = models.PositiveSmallIntegerField(_("stock hold (days)"), default=7)
    po_required = models.BooleanField(_("PO number required"), default=False)
    po_unique = models.BooleanField(_("PO numbers unique"), default=False)
    # The account its approval requests and notices come from in members' inboxes.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="company_account_of",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hold_days__gte=1, hold_days__lte=30),
                name="procurement_company_hold_days",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name


class CompanyReview(models.Model):
    """The audit trail of a company's review: every status change, who made it and why."""

    class Action(models.TextChoices):
        VERIFY = "verify", _("Verified")
        SUSPEND = "suspend", _("Suspended")
        REINSTATE = "reinstate", _("Reinstated")
        WAIVE_CHECK = "waive_check", _("Accepted a code that fails the check")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("company")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("company review")
        verbose_name_plural = _("company reviews")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.company_id} {self.action}"


class Membership(models.Model):
    """A person's membership of a company; leaving or removal ends it and keeps the row."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="company_memberships",
        verbose_name=_("user"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Who ended it: the member (left) or an admin (removed).
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"],
                condition=Q(ended_at__isnull=True),
                name="procurement_one_current_membership",
            )
        ]
        indexes = [models.Index(fields=["user", "company"], name="procurement_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.company_id}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class Department(models.Model):
    """A node of the company's tree: a department, or a cost centre under one."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        COST_CENTRE = "cost_centre", _("Cost centre")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="departments", verbose_name=_("company")
    )
    # None: directly under the company.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    code = models.CharField(_("code"), max_length=30, blank=True)
    # "/<root id>/…/<own id>/": a subtree is one prefix query.
    path = models.CharField(_("tree path"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "parent", "name"], name="procurement_department_name"
            ),
            models.UniqueConstraint(
                fields=["company", "name"],
                condition=Q(parent__isnull=True),
                name="procurement_top_department_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class ShipToAddress(PostalAddress):
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="ship_to_addresses",
        verbose_name=_("department"),
    )
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("ship-to address")
        verbose_name_plural = _("ship-to addresses")
        ordering = ["id"]


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    FINANCE = "finance", _("Finance")
    VIEWER = "viewer", _("Viewer")


class RoleAssignment(models.Model):
    """A role a member holds over the whole company (department None) or a subtree."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="roles", verbose_name=_("membership")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "role", "department"], name="procurement_role_once"
            ),
            models.UniqueConstraint(
                fields=["membership", "role"],
                condition=Q(department__isnull=True),
                name="procurement_company_role_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.role} {self.department_id or 'company'}"


# --- approval rules -------------------------------------------------------------------------


class ApprovalRule(models.Model):
    """A company's rule: when every condition it sets holds (no condition: always), a
    requisition needs the approval of its levels, in order. Rules are kept in the admin's
    order (``position``, from 1); every rule that fires applies."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="approval_rules", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    active = models.BooleanField(_("active"), default=True)
    # Conditions; None: not a condition of this rule.
    min_total = models.BigIntegerField(_("total at least (fen)"), null=True, blank=True)
    category = models.ForeignKey(
        "shop.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    # The requester's department or any department under it.
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    # An approval waiting longer escalates (when requisitions exist).
    deadline_hours = models.PositiveIntegerField(_("escalation deadline (hours)"), default=48)
    # Four eyes unless the admin says otherwise.
    allow_self_approval = models.BooleanField(_("requester may approve"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["company", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "position"], name="procurement_rule_position"
            ),
            models.CheckConstraint(
                condition=Q(min_total__isnull=True) | Q(min_total__gt=0),
                name="procurement_rule_min_total_positive",
            ),
            models.CheckConstraint(
                condition=Q(deadline_hours__gte=1, deadline_hours__lte=720),
                name="procurement_rule_deadline_range",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="procurement_rule_position_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalLevel(models.Model):
    """One step of a rule: its approvers, and whether any one or all of them approve. The
    over-budget level applies only to a requisition that would exceed its budget."""

    class Mode(models.TextChoices):
        ANY = "any", _("Any one of them")
        ALL = "all", _("All of them")

    rule = models.ForeignKey(
        ApprovalRule, on_delete=models.CASCADE, related_name="levels", verbose_name=_("rule")
    )
    position = models.PositiveIntegerField(_("position"))
    mode = models.CharField(_("who approves"), max_length=3, choices=Mode.choices, default=Mode.ANY)
    is_over_budget = models.BooleanField(_("only when over budget"), default=False)

    class Meta:
        verbose_name = _("approval level")
        verbose_name_plural = _("approval levels")
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "position"], name="procurement_level_position"),
            models.UniqueConstraint(
                fields=["rule"],
                condition=Q(is_over_budget=True),
                name="procurement_one_over_budget_level",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=["any", "all"]), name="procurement_level_mode"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1), name="procurement_level_position_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} #{self.position}"


class LevelApprover(models.Model):
    """Who approves at a level: a member (``user``), or whoever holds ``role`` over
    ``department`` (None: over the whole company)."""

    level = models.ForeignKey(
        ApprovalLevel, on_delete=models.CASCADE, related_name="approvers", verbose_name=_("level")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("level approver")
        verbose_name_plural = _("level approvers")
        ordering = ["level", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, role="", department__isnull=True)
                    | Q(user__isnull=True, role__in=[value for value, _label in Role.choices])
                ),
                name="procurement_approver_user_or_role",
            ),
            models.UniqueConstraint(
                fields=["level", "user"],
                condition=Q(user__isnull=False),
                name="procurement_approver_user_once",
            ),
            models.UniqueConstraint(
                fields=["level", "role", "department"],
                condition=Q(user__isnull=True),
                name="procurement_approver_role_once",
            ),
            models.UniqueConstraint(
                fields=["level", "role"],
                condition=Q(user__isnull=True, department__isnull=True),
                name="procurement_approver_company_role_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level_id} {self.user_id or self.role}"


# --- requisitions ---------------------------------------------------------------------------

PO_NUMBER_MAX_LENGTH = 30
NOTE_MAX_LENGTH = 1000


class Requisition(models.Model):
    """What a buyer asks the company to buy, from any number of merchants: built as a draft
    (the "for company X" cart), submitted to the company's approval rules, and, once the last
    level approves, placed as one order per merchant paid from the company wallet."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        # Approved, orders not placed yet (the company wallet could not pay): placing again
        # is the buyer's or finance's.
        APPROVED = "approved", _("Approved")
        ORDERED = "ordered", _("Ordered")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Payment(models.TextChoices):
        COMPANY_WALLET = "company_wallet", _("Company wallet")
        # On the merchants' payment terms (账期): every merchant in it must grant terms.
        ON_TERMS = "on_terms", _("On payment terms")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("company")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requester"),
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("membership")
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    ship_to = models.ForeignKey(
        ShipToAddress,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ship to"),
    )
    po_number = models.CharField(_("PO number"), max_length=PO_NUMBER_MAX_LENGTH, blank=True)
    # Copied from the company's setting when submitted: the unique index below reads it.
    po_unique = models.BooleanField(_("PO numbers unique"), default=False)
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=Payment.choices, default=Payment.COMPANY_WALLET
    )
    # The VAT invoice its orders ask for, and the company's invoice title (invoicing's).
    invoice_kind = models.CharField(
        _("invoice kind"), max_length=10, blank=True, default="", db_default=""
    )
    invoice_title_id = models.BigIntegerField(
        _("invoice title ID"), null=True, blank=True, db_default=None
    )
    # The accepted quote it was made from: its prices are locked.
    quote = models.OneToOneField(
        "procurement.Quote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requisition",
        verbose_name=_("quote"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # The sum of the lines at the last submission (or price update), in fen.
    total = models.BigIntegerField(_("total"), default=0)
    # Each submission, and each return to approval, starts a new round of approval steps.
    round = models.PositiveIntegerField(_("approval round"), default=0)
    # What the round is asked to approve (digest.py's snapshot when it started): lines,
    # prices, the address and the payment method.
    basis = models.JSONField(_("what is approved"), default=dict, blank=True)
    # The budget it would exceed when submitted: the over-budget level applies.
    over_budget = models.BooleanField(_("over budget"), default=False)
    # Why placing its orders last failed ("" when it did not): insufficient company funds.
    placing_error = models.CharField(_("placing error"), max_length=40, blank=True)
    # Why it was rejected or returned, in the approver's words.
    decision_reason = models.CharField(_("decision reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-id"]
        indexes = [
            # The rolling 30-day totals: one requester's recent submissions in a company.
            models.Index(
                fields=["company", "requester", "submitted_at"], name="procurement_req_rolling"
            ),
            models.Index(fields=["company", "state", "-id"], name="procurement_req_company"),
            models.Index(
                fields=["hold_expires_at"],
                condition=Q(state__in=["pending", "approved"]),
                name="procurement_req_holds",
            ),
        ]
        constraints = [
            # The draft is the member's "for company X" cart: one at a time.
            models.UniqueConstraint(
                fields=["company", "requester"],
                condition=Q(state="draft"),
                name="procurement_one_draft",
            ),
            models.UniqueConstraint(
                fields=["company", "po_number"],
                condition=Q(po_unique=True)
                & ~Q(po_number="")
                & Q(state__in=["pending", "approved", "ordered"]),
                name="procurement_po_unique",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="procurement_req_total"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"


class RequisitionLine(models.Model):
    """One SKU of a requisition, with what it costs now (kept current by the actions) and how
    many units it holds from stock while approval runs."""

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="lines", verbose_name=_("requisition")
    )
    sku = models.ForeignKey(
        "shop.Sku",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("SKU"),
    )
    product = models.ForeignKey(
        "shop.Product",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("product"),
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        verbose_name=_("merchant"),
    )
    category_id = models.BigIntegerField(_("category ID"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=120)
    attributes = models.JSONField(_("attributes"), default=dict)
    unit_price = models.PositiveBigIntegerField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # The retail price beside the company's, and why unit_price is what it is ("Price list
    # 2026 framework, tier ≥ 50"; "" at the retail price).
    list_price = models.PositiveBigIntegerField(
        _("list price"), null=True, blank=True, db_default=None
    )
    price_reason = models.CharField(
        _("price reason"), max_length=200, blank=True, default="", db_default=""
    )
    # A quote's accepted price: kept whatever the catalogue or the price lists say later.
    locked = models.BooleanField(_("price locked"), default=False, db_default=False)
    # Units taken from the SKU's stock for this line (0 when nothing is held).
    held = models.PositiveIntegerField(_("units held"), default=0)
    # An approver sent it back: the requester changes or removes it before submitting again.
    returned_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "sku"], name="procurement_line_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="procurement_line_qty"),
            models.CheckConstraint(
                condition=Q(held=0) | Q(held=models.F("quantity")), name="procurement_line_held"
            ),
        ]

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


class ApprovalStep(models.Model):
    """One level of a rule that fired, in one round of a requisition's approval. Steps run
    one after another (rules in the admin's order, then levels in order); the waiting step's
    assignees may approve or reject it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        WAITING = "waiting", _("Waiting")
        ESCALATED = "escalated", _("Escalated")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="steps", verbose_name=_("requisition")
    )
    round = models.PositiveIntegerField(_("approval round"))
    position = models.PositiveIntegerField(_("position"))
    rule = models.ForeignKey(
        ApprovalRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rule"),
    )
    level = models.ForeignKey(
        ApprovalLevel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("level"),
    )
    # Snapshots: the rule may change while the step waits.
    rule_name = models.CharField(_("rule name"), max_length=100)
    explanation = models.CharField(_("explanation"), max_length=500)
    # The explanation in each of the site's languages, as the rules wrote it when the step was
    # made: every member reads it in their own.
    explanations = models.JSONField(_("explanations by language"), default=dict, blank=True)
    mode = models.CharField(_("who approves"), max_length=3, choices=ApprovalLevel.Mode.choices)
    is_over_budget = models.BooleanField(_("over-budget level"), default=False)
    allow_self_approval = models.BooleanField(_("self-approval allowed"), default=False)
    deadline_hours = models.PositiveIntegerField(_("deadline (hours)"), default=48)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["requisition", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "round", "position"], name="procurement_step_position"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(state="waiting"), name="procurement_step_due"
            ),
        ]

    def explained(self) -> str:
        """The explanation in the active language (as written, when it was not kept in it)."""
        return self.explanations.get(get_language() or "", self.explanation)


class StepAssignee(models.Model):
    """Who may decide a step: named on the level, holding its role, a delegate standing in
    for one of them, or a parent department's approver after escalation."""

    class Via(models.TextChoices):
        NAMED = "named", _("Named on the rule")
        ROLE = "role", _("Holds the role")
        DELEGATE = "delegate", _("Delegate")
        ESCALATION = "escalation", _("Escalation")

    step = models.ForeignKey(
        ApprovalStep, on_delete=models.CASCADE, related_name="assignees", verbose_name=_("step")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    via = models.CharField(_("assigned through"), max_length=10, choices=Via.choices)
    # A delegate stands in for this approver (their approval counts as the approver's).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("step assignee")
        verbose_name_plural = _("step assignees")
        ordering = ["step", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["step", "user"], name="procurement_assignee_once"),
        ]
        indexes = [models.Index(fields=["user", "step"], name="procurement_assignee_user")]


class ApprovalDecision(models.Model):
    """An approver's approve or reject, bound to what they saw: the digest of the lines, their
    prices, the address and the payment method, and that snapshot itself."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        RETURN = "return", _("Returned for changes")

    step = models.ForeignKey(
        ApprovalStep, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("step")
    )
    requisition = models.ForeignKey(
        Requisition,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("requisition"),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approver"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    decision = models.CharField(_("decision"), max_length=7, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    digest = models.CharField(_("digest"), max_length=64)
    snapshot = models.JSONField(_("snapshot"), default=dict)
    # The requester approved their own requisition because the rule allows it.
    self_approved = models.BooleanField(_("self-approved"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "approver"], name="procurement_decide_once"),
        ]


class RequisitionEvent(models.Model):
    """The requisition's trail: every move, who made it and why."""

    requisition = models.ForeignKey(
        Requisition, on_delete=models.CASCADE, related_name="events", verbose_name=_("requisition")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )  # None: the platform (expiry, escalation)
    kind = models.CharField(_("kind"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=10, blank=True)
    to_state = models.CharField(_("to state"), max_length=10, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("requisition event")
        verbose_name_plural = _("requisition events")
        ordering = ["id"]


class RequisitionOrder(models.Model):
    """An order a requisition placed: one per merchant."""

    requisition = models.ForeignKey(
        Requisition, on_delete=models.PROTECT, related_name="orders", verbose_name=_("requisition")
    )
    order = models.OneToOneField(
        "shop.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        verbose_name=_("merchant"),
    )
    total = models.BigIntegerField(_("total"))
    # What of the total the budgets took back (refunds, a cancel).
    released = models.BigIntegerField(_("released"), default=0)

    class Meta:
        verbose_name = _("requisition order")
        verbose_name_plural = _("requisition orders")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition", "merchant"], name="procurement_order_per_merchant"
            ),
            models.CheckConstraint(
                condition=Q(released__gte=0, released__lte=models.F("total")),
                name="procurement_order_released",
            ),
        ]


class Delegation(models.Model):
    """An approver's stand-in for a dated period: the delegate may approve what the delegator
    would."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="delegations", verbose_name=_("company")
    )
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("delegator"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("delegate"),
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="procurement_delegation_dates"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="procurement_delegation_other"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "delegator", "ends_at"], name="procurement_deleg")
        ]


# --- budgets --------------------------------------------------------------------------------


class Budget(models.Model):
    """A department's budget for a month, quarter or year. Approval commits a requisition's
    amount, placing its orders makes it spent, a cancel, expiry or refund releases it.
    ``over_approved`` is what over-budget approvals allowed beyond ``amount``."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("company")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("department")
    )
    period = models.CharField(_("period"), max_length=7, choices=Period.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))  # the day after the period's last
    amount = models.BigIntegerField(_("amount (fen)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    committed = models.BigIntegerField(_("committed"), default=0)
    spent = models.BigIntegerField(_("spent"), default=0)
    over_approved = models.BigIntegerField(_("approved over budget"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["department__path", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period", "starts_on"], name="procurement_budget_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="procurement_budget_amount"),
            models.CheckConstraint(
                condition=Q(committed__gte=0, spent__gte=0, over_approved__gte=0),
                name="procurement_budget_nonnegative",
            ),
            # The invariant, kept by the database: nothing beyond the budget unless an
            # over-budget approval allowed it.
            models.CheckConstraint(
                condition=Q(
                    committed__lte=models.F("amount")
                    + models.F("over_approved")
                    - models.F("spent")
                ),
                name="procurement_budget_within",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="procurement_budget_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.period} {self.starts_on}"

    @property
    def used(self) -> int:
        return self.committed + self.spent

    @property
    def remaining(self) -> int:
        return self.amount + self.over_approved - self.committed - self.spent


class BudgetCharge(models.Model):
    """What one requisition holds of one budget: committed until its orders are placed, then
    spent, less what was released. A budget's committed and spent are the sums of these."""

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="charges", verbose_name=_("budget")
    )
    requisition = models.ForeignKey(
        Requisition,
        on_delete=models.PROTECT,
        related_name="budget_charges",
        verbose_name=_("requisition"),
    )
    committed = models.BigIntegerField(_("committed"), default=0)
    spent = models.BigIntegerField(_("spent"), default=0)
    # What an over-budget approval allowed beyond the budget for this requisition.
    over = models.BigIntegerField(_("over budget"), default=0)

    class Meta:
        verbose_name = _("budget charge")
        verbose_name_plural = _("budget charges")
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "requisition"], name="procurement_charge_once"
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0, spent__gte=0, over__gte=0),
                name="procurement_charge_nonnegative",
            ),
        ]
