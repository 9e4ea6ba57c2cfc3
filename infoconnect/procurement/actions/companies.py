"""Companies: registration with the unified social credit code, the business licence, and the
operator's review (verify, suspend, reinstate) through the company lifecycle.

The code is checked by python-stdnum (GB 32100-2015: 18 characters, no I, O, Z, S or V, a
mod-31 check character) and is unique among companies through its unique index, so two people
registering one code at once get one company and one ``uscc_taken``.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.cn import uscc as uscc_check
from stdnum.exceptions import InvalidChecksum, ValidationError

from infoconnect.accounts.errors import AccountsError
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.images import ImageRefused, clean_image
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.lifecycle import companies
from infoconnect.procurement.models import Company, Membership, Role, RoleAssignment
from infoconnect.procurement.selectors import require_role

logger = logging.getLogger(__name__)

LEGAL_NAME_MIN, LEGAL_NAME_MAX = 2, 200
REASON_MAX = 1000
LICENCE_REFUSALS = {
    ImageRefused.TOO_LARGE: ProcurementError.LICENCE_TOO_LARGE,
    ImageRefused.TOO_MANY_PIXELS: ProcurementError.LICENCE_TOO_MANY_PIXELS,
    ImageRefused.NOT_IMAGE: ProcurementError.LICENCE_NOT_IMAGE,
}


def normalise_uscc(raw: object) -> str:
    """The code as stored: no spaces anywhere, upper case."""
    return "".join(str(raw or "").split()).upper()


def clean_uscc(raw: object, *, waive_check: bool = False) -> str:
    """The normalised code if it is valid (with ``waive_check``: if only its check character
    is wrong); otherwise ``invalid_uscc``."""
    code = normalise_uscc(raw)
    try:
        # The library's own form of it (it drops hyphens too).
        return uscc_check.validate(code)
    except InvalidChecksum:
        if not waive_check:
            raise _invalid_uscc() from None
        return uscc_check.compact(code)
    except ValidationError:
        raise _invalid_uscc() from None


def passes_check(code: str) -> bool:
    return uscc_check.is_valid(code)


def _invalid_uscc() -> DomainError:
    error = ProcurementError.INVALID_USCC
    return DomainError(error, fields={"uscc": [str(error.message)]})


def clean_legal_name(raw: object) -> str:
    name = " ".join(str(raw or "").split())
    if not LEGAL_NAME_MIN <= len(name) <= LEGAL_NAME_MAX:
        error = ProcurementError.LEGAL_NAME_INVALID
        raise DomainError(error, fields={"legal_name": [str(error.message)]})
    return name


def clean_reason(raw: object, *, required: bool) -> str:
    reason = str(raw or "").strip()
    if (required and not reason) or len(reason) > REASON_MAX:
        error = ProcurementError.REASON_REQUIRED
        raise DomainError(error, fields={"reason": [str(error.message)]})
    return reason


def lock_company(company_id: int) -> Company:
    """The company's row, locked: every change to its members and roles takes turns here, so a
    rule over all of them (at least one administrator) holds under concurrent requests."""
    company = Company.objects.select_for_update().filter(pk=company_id).first()
    if company is None:
        raise DomainError(ProcurementError.COMPANY_NOT_FOUND)
    return company


def _create(*, verb: str, registered_by: User, legal_name: str, code: str, **extra) -> Company:
    if Company.objects.filter(uscc=code).exists():
        raise DomainError(ProcurementError.USCC_TAKEN)
    context = extra.pop("context", None)
    now = timezone.now()
    try:
        # A savepoint: the code taken by a concurrent registration is a clean refusal.
        with transaction.atomic():
            company = companies.create(
                verb,
                now=now,
                context=context,
                legal_name=legal_name,
                uscc=code,
                registered_by=registered_by,
                **extra,
            )
    except IntegrityError:
        raise DomainError(ProcurementError.USCC_TAKEN) from None
    membership = Membership.objects.create(
        company=company, user=registered_by, invited_by=registered_by, joined_at=now
    )
    RoleAssignment.objects.create(
        membership=membership, role=Role.ADMIN, granted_by=registered_by, granted_at=now
    )
    return company


@transaction.atomic
def register_company(*, user: User, legal_name: str, uscc: str) -> Company:
    """Register a company pending review; the person becomes its first administrator."""
    name = clean_legal_name(legal_name)
    code = clean_uscc(uscc)
    return _create(verb="register", registered_by=user, legal_name=name, code=code)


def check_operator(operator: User) -> None:
    if not (operator.is_authenticated and operator.is_active and operator.is_staff):
        raise DomainError(ProcurementError.NOT_OPERATOR)


@transaction.atomic
def register_company_waiving_check(
    *, operator: User, legal_name: str, uscc: str, reason: str, registered_by: User
) -> Company:
    """An operator registers a company whose code fails only its check character (early pilot
    codes exist), for ``registered_by``, its first administrator; the written reason is the
    ``waive_check`` review. A code that passes the check needs no waiver and is refused."""
    check_operator(operator)
    name = clean_legal_name(legal_name)
    code = clean_uscc(uscc, waive_check=True)
    if passes_check(code):
        raise DomainError(ProcurementError.USCC_CHECK_PASSES)
    why = clean_reason(reason, required=True)
    if not registered_by.is_active:
        raise DomainError(AccountsError.ACCOUNT_NOT_FOUND)
    return _create(
        verb="register_waiving_check",
        registered_by=registered_by,
        legal_name=name,
        code=code,
        uscc_check_waived=True,
        context={"actor_id": operator.pk, "reason": why},
    )


@transaction.atomic
def set_licence(*, user: User, company_id: int, upload) -> Company:
    """Store the business licence image (re-encoded without metadata); the administrators
    only. The one it replaces leaves storage once this has committed."""
    require_role(user=user, company_id=company_id, role=Role.ADMIN)
    if upload is None:
        error = LICENCE_REFUSALS[ImageRefused.NOT_IMAGE]
        raise DomainError(error, fields={"licence": [str(error.message)]})
    clean = clean_image(upload, "licence", errors=LICENCE_REFUSALS, field="licence")
    company = lock_company(company_id)
    old = company.licence.name
    storage = company.licence.storage
    company.licence.save(clean.name, clean.file(), save=False)
    new = company.licence.name
    try:
        company.save(update_fields=["licence"])
    except Exception:
        storage.delete(new)
        raise
    if old:
        transaction.on_commit(lambda: _delete_file(storage, old), robust=True)
    return company


def _delete_file(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not delete %s from storage", name)


def _review(*, operator: User, company_id: int, verb: str, reason: str, **fields) -> Company:
    check_operator(operator)
    company = lock_company(company_id)
    companies.move(company, verb, context={"actor_id": operator.pk, "reason": reason}, **fields)
    return company


@transaction.atomic
def verify_company(*, operator: User, company_id: int, reason: str = "") -> Company:
    """The operator has checked the legal name, the code and the licence."""
    why = clean_reason(reason, required=False)
    return _review(
        operator=operator,
        company_id=company_id,
        verb="verify",
        reason=why,
        verified_at=timezone.now(),
    )


@transaction.atomic
def suspend_company(*, operator: User, company_id: int, reason: str) -> Company:
    """Suspend a pending or verified company; its members are shown the reason."""
    why = clean_reason(reason, required=True)
    return _review(operator=operator, company_id=company_id, verb="suspend", reason=why)


@transaction.atomic
def reinstate_company(*, operator: User, company_id: int, reason: str = "") -> Company:
    why = clean_reason(reason, required=False)
    return _review(operator=operator, company_id=company_id, verb="reinstate", reason=why)
