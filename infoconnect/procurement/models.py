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
    uscc_check_waived = models.BooleanField(default=False)
    licence = models.ImageField(_("business licence"), upload_to="companies/licences/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.legal_name


class CompanyReview(models.Model):
    """The audit trail of a company's review: every status change, who made it and why."""

    class Action(models.TextChoices):
        VERIFY = "verify", _("Verified")
        SUSPEND = "suspend", _("Suspended")
        REINSTATE = "reinstate", _("Reinstated")
        WAIVE_CHECK = "waive_check", _("Accepted a code that fails the check")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reviews")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.company_id} {self.action}"


class Membership(models.Model):
    """A person's membership of a company; leaving or removal ends it and keeps the row."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Who ended it: the member (left) or an admin (removed).
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
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

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="departments")
    # None: directly under the company.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    code = models.CharField(_("code"), max_length=30, blank=True)
    # "/<root id>/…/<own id>/": a subtree is one prefix query.
    path = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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
        Department, on_delete=models.CASCADE, related_name="ship_to_addresses"
    )
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        ordering = ["id"]


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    FINANCE = "finance", _("Finance")
    VIEWER = "viewer", _("Viewer")


class RoleAssignment(models.Model):
    """A role a member holds over the whole company (department None) or a subtree."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=10, choices=Role.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
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

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="approval_rules")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField()
    active = models.BooleanField(_("active"), default=True)
    # Conditions; None: not a condition of this rule.
    min_total = models.BigIntegerField(_("total at least (fen)"), null=True, blank=True)
    category = models.ForeignKey(
        "shop.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The requester's department or any department under it.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An approval waiting longer escalates (when requisitions exist).
    deadline_hours = models.PositiveIntegerField(_("escalation deadline (hours)"), default=48)
    # Four eyes unless the admin says otherwise.
    allow_self_approval = models.BooleanField(_("requester may approve"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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

    rule = models.ForeignKey(ApprovalRule, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveIntegerField()
    mode = models.CharField(_("who approves"), max_length=3, choices=Mode.choices, default=Mode.ANY)
    is_over_budget = models.BooleanField(_("only when over budget"), default=False)

    class Meta:
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

    level = models.ForeignKey(ApprovalLevel, on_delete=models.CASCADE, related_name="approvers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
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
