"""The company's approval rules page: the rules in order with their conditions in words and
their levels, the company admin's controls for them, and "Which rule would fire?" (what a
buyer will be shown before submitting). Only a company-wide admin opens it; a refused change
shows the page again with the error, at the error's status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.money import format_money, parse_money
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import rules, selectors
from infoconnect.procurement.actions import rules as rule_actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import ApprovalLevel, ApprovalRule, Membership, Role
from infoconnect.shop.models import Category


def _page_url(company_id: int, rule_id: int | None = None) -> str:
    url = reverse("procurement:rules", args=[company_id])
    return f"{url}#rule-{rule_id}" if rule_id else url


def _fen(text: str | None) -> int | None:
    """A form's amount in yuan ("5000.00", "¥5,000") as fen; blank: no amount."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_money(text)
    except ValueError:
        raise DomainError(ProcurementError.RULE_AMOUNT_INVALID) from None


def _merchant_id(username: str | None) -> int | None:
    """The merchant a form names by username; blank: no merchant."""
    username = (username or "").strip().lstrip("@")
    if not username:
        return None
    merchant = User.objects.filter(username__iexact=username, is_verified_merchant=True).first()
    if merchant is None:
        raise DomainError(ProcurementError.MERCHANT_NOT_VERIFIED)
    return merchant.pk


def _rule_values(request: HttpRequest) -> dict:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "min_total": _fen(post.get("min_total")),
        "category_id": post.get("category") or None,
        "merchant_id": _merchant_id(post.get("merchant")),
        "department_id": post.get("department") or None,
        "deadline_hours": post.get("deadline_hours", ""),
        "allow_self_approval": post.get("allow_self_approval") == "on",
        "active": post.get("active") == "on",
    }


# The create form's values before anything is typed.
NEW_RULE = {"deadline_hours": "48", "active": True}


def _values_of(rule: ApprovalRule) -> dict:
    """The rule's fields as its edit form shows them."""
    return {
        "name": rule.name,
        "min_total": format_money(rule.min_total).removeprefix("¥") if rule.min_total else "",
        "category": str(rule.category_id or ""),
        "merchant": rule.merchant.username if rule.merchant_id else "",
        "department": str(rule.department_id or ""),
        "deadline_hours": str(rule.deadline_hours),
        "allow_self_approval": rule.allow_self_approval,
        "active": rule.active,
    }


def _typed(request: HttpRequest) -> dict:
    """What a refused form had typed, shown again."""
    post = request.POST
    fields = ("name", "min_total", "category", "merchant", "department", "deadline_hours")
    values = {key: post.get(key, "") for key in fields}
    values["allow_self_approval"] = post.get("allow_self_approval") == "on"
    values["active"] = post.get("active") == "on"
    return values


def _check(request: HttpRequest, membership: Membership) -> dict | None:
    """The "Which rule would fire?" answer for the facts in the query string, if asked."""
    if "check" not in request.GET:
        return None
    get = request.GET
    try:
        total = _fen(get.get("total"))
        if total is None:
            raise DomainError(ProcurementError.RULE_AMOUNT_INVALID)
        merchant_id = _merchant_id(get.get("merchant"))
        department = selectors.company_department(
            company_id=membership.company_id, department_id=get.get("department") or None
        )
    except DomainError as error:
        return {"error": error.message, "values": get}
    category_id = parse_id(get.get("category"))
    firing = rules.rules_that_fire(
        company=membership.company,
        total=total,
        category_ids=[category_id] if category_id else [],
        merchant_ids=[merchant_id] if merchant_id else [],
        department=department,
    )
    return {"firing": firing, "total": format_money(total), "values": get}


def _render(
    request: HttpRequest,
    membership: Membership,
    *,
    status: int = 200,
    editing: ApprovalRule | None = None,
    typed: dict | None = None,
) -> HttpResponse:
    """The page; ``typed``: a refused form's values, shown again in the edit form of
    ``editing`` or (no ``editing``) in the create form, open."""
    company = membership.company
    company_rules = rules.company_rules(company=company)
    for rule in company_rules:
        rule.conditions = rules.conditions_sentence(rule)
        for level in rule.levels.all():
            level.words = rules.level_words(level) if level.approvers.all() else ""
    return render(
        request,
        "procurement/rules.html",
        {
            "company": company,
            "rules": company_rules,
            "editing": editing,
            "edit_values": (typed or _values_of(editing)) if editing else None,
            "create_values": typed if typed and not editing else NEW_RULE,
            "create_failed": bool(typed) and not editing,
            "check": _check(request, membership),
            "categories": Category.objects.order_by("name", "pk"),
            "departments": selectors.department_tree(membership=membership),
            "members": selectors.current_members(company=company),
            "roles": Role.choices,
            "modes": ApprovalLevel.Mode.choices,
        },
        status=status,
    )


def _admin(request: HttpRequest, company_id: int) -> Membership:
    return selectors.require_role(user=request.user, company_id=company_id, role=Role.ADMIN)


def _write(
    request: HttpRequest, company_id: int, work, done: str, *, anchor=None, typed=False
) -> HttpResponse:
    """Run ``work()``; back to the page, or the page again with why it was refused."""
    try:
        _admin(request, company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    try:
        result = work()
    except DomainError as error:
        messages.error(request, error.message)
        membership = _admin(request, company_id)
        values = _typed(request) if typed else None
        return _render(request, membership, status=error.status, typed=values)
    messages.success(request, done)
    rule_id = anchor(result) if anchor else None
    return redirect(_page_url(company_id, rule_id))


@login_required
def rules_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = _admin(request, company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _render(request, membership)


@login_required
def rule_edit(request: HttpRequest, company_id: int, rule_id: int) -> HttpResponse:
    try:
        membership = _admin(request, company_id)
        rule = rules.company_rule(company=membership.company, rule_id=rule_id)
    except DomainError as error:
        return render_domain_error(request, error)
    if request.method != "POST":
        return _render(request, membership, editing=rule)
    try:
        rule_actions.update_rule(
            user=request.user, company_id=company_id, rule_id=rule_id, **_rule_values(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _render(
            request, membership, status=error.status, editing=rule, typed=_typed(request)
        )
    messages.success(request, _("Rule saved."))
    return redirect(_page_url(company_id, rule_id))


@login_required
@require_POST
def rule_create(request: HttpRequest, company_id: int) -> HttpResponse:
    def work():
        return rule_actions.create_rule(
            user=request.user, company_id=company_id, **_rule_values(request)
        )

    return _write(
        request, company_id, work, _("Rule added."), anchor=lambda rule: rule.pk, typed=True
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, company_id: int, rule_id: int) -> HttpResponse:
    def work():
        rule_actions.delete_rule(user=request.user, company_id=company_id, rule_id=rule_id)

    return _write(request, company_id, work, _("Rule deleted."))


@login_required
@require_POST
def rule_move(request: HttpRequest, company_id: int, rule_id: int) -> HttpResponse:
    def work():
        return rule_actions.move_rule(
            user=request.user,
            company_id=company_id,
            rule_id=rule_id,
            position=request.POST.get("position"),
        )

    return _write(request, company_id, work, _("Rule moved."), anchor=lambda rule: rule.pk)


@login_required
@require_POST
def level_add(request: HttpRequest, company_id: int, rule_id: int) -> HttpResponse:
    def work():
        return rule_actions.add_level(
            user=request.user,
            company_id=company_id,
            rule_id=rule_id,
            mode=request.POST.get("mode", ""),
            is_over_budget=request.POST.get("is_over_budget") == "on",
        )

    return _write(request, company_id, work, _("Level added."), anchor=lambda level: level.rule_id)


@login_required
@require_POST
def level_update(request: HttpRequest, company_id: int, level_id: int) -> HttpResponse:
    def work():
        return rule_actions.update_level(
            user=request.user,
            company_id=company_id,
            level_id=level_id,
            mode=request.POST.get("mode", ""),
            is_over_budget=request.POST.get("is_over_budget") == "on",
        )

    return _write(request, company_id, work, _("Level saved."), anchor=lambda level: level.rule_id)


@login_required
@require_POST
def level_move(request: HttpRequest, company_id: int, level_id: int) -> HttpResponse:
    def work():
        return rule_actions.move_level(
            user=request.user,
            company_id=company_id,
            level_id=level_id,
            position=request.POST.get("position"),
        )

    return _write(request, company_id, work, _("Level moved."), anchor=lambda level: level.rule_id)


@login_required
@require_POST
def level_remove(request: HttpRequest, company_id: int, level_id: int) -> HttpResponse:
    def work():
        rule_actions.remove_level(user=request.user, company_id=company_id, level_id=level_id)

    return _write(request, company_id, work, _("Level removed."))


@login_required
@require_POST
def approver_add(request: HttpRequest, company_id: int, level_id: int) -> HttpResponse:
    # One select names either a member ("user:<id>") or a role ("role:<role>").
    kind, _sep, value = (request.POST.get("approver") or "").partition(":")

    def work():
        return rule_actions.add_approver(
            user=request.user,
            company_id=company_id,
            level_id=level_id,
            user_id=parse_id(value) if kind == "user" else None,
            role=value if kind == "role" else "",
            department_id=(request.POST.get("department") or None) if kind == "role" else None,
        )

    return _write(
        request,
        company_id,
        work,
        _("Approver added."),
        anchor=lambda approver: approver.level.rule_id,
    )


@login_required
@require_POST
def approver_remove(request: HttpRequest, company_id: int, approver_id: int) -> HttpResponse:
    def work():
        rule_actions.remove_approver(
            user=request.user, company_id=company_id, approver_id=approver_id
        )

    return _write(request, company_id, work, _("Approver removed."))
