"""Idempotency keys with Stripe's rules.

The first response to a key is stored with the request's fingerprint, in the same
transaction as the work, and replayed for every later request with that key; the same key
with other parameters is a 409. A concurrent duplicate waits on the unique index until the
first commits, then replays its result. Records are kept at least 24 hours.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def fingerprint(scope: str, params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()


def clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise DomainError(CommonError.IDEMPOTENCY_KEY_MISSING)
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            CommonError.VALIDATION, _("The Idempotency-Key may be at most 255 characters.")
        )
    return key


def run_idempotent(
    *,
    user_id: int,
    key: str | None,
    scope: str,
    params: dict,
    action: Callable[[], tuple[int, dict]],
) -> tuple[int, dict]:
    """Run ``action`` once per (user, key); return its (status, body) now and on every replay.

    ``action`` returns the response's status and JSON body; a DomainError it raises is
    stored as that error's response (nothing it wrote survives, as with any failure).
    """
    key = clean_key(key)
    digest = fingerprint(scope, params)
    with transaction.atomic():
        existing = _existing(user_id, key)
        if existing is None:
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user_id=user_id,
                        key=key,
                        scope=scope,
                        fingerprint=digest,
                        status_code=0,
                        response={},
                    )
            except IntegrityError:
                # Another request with this key committed first: replay it.
                existing = _existing(user_id, key)
        if existing is not None:
            if existing.fingerprint != digest:
                raise DomainError(CommonError.IDEMPOTENCY_KEY_REUSED)
            return existing.status_code, existing.response
        try:
            with transaction.atomic():
                status, body = action()
        except DomainError as error:
            status, body = error.status, error.as_dict()
        record.status_code = status
        record.response = json.loads(json.dumps(body, default=str))
        record.save(update_fields=["status_code", "response"])
        return status, body


def api_response(
    request: HttpRequest,
    *,
    key: str | None,
    scope: str,
    params: dict,
    work: Callable[[], dict],
    status: int = 200,
    key_required: bool = True,
) -> JsonResponse:
    """The API's one idempotent response: ``work()`` once per (user, Idempotency-Key).

    ``work`` does the action and returns the response body; it is stored as JSON, so a replay
    is byte-for-byte the first answer, and a DomainError is stored as its error response.
    With ``key_required=False`` a request without a key just runs (errors answer as usual).
    """

    def action() -> tuple[int, dict]:
        return status, json.loads(json.dumps(work(), cls=DjangoJSONEncoder))

    if key is None and not key_required:
        code, body = action()
    else:
        code, body = run_idempotent(
            user_id=request.auth.pk, key=key, scope=scope, params=params, action=action
        )
    return JsonResponse(body, status=code)


def form_once(
    request: HttpRequest,
    *,
    scope: str,
    params: dict,
    work: Callable[[], dict | None],
    key_field: str = "key",
) -> dict | None:
    """The web forms' one idempotent step: ``work()`` once per the form's hidden key.

    Returns the stored body (``work``'s dict, or {}), the same on a repeat; or None after
    putting the error in front of the person (a failure replays as the same error).
    """

    def action() -> tuple[int, dict]:
        result = work()
        return 200, json.loads(json.dumps(result or {}, cls=DjangoJSONEncoder))

    try:
        status, body = run_idempotent(
            user_id=request.user.pk,
            key=request.POST.get(key_field),
            scope=scope,
            params=params,
            action=action,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return None
    if status >= 400:
        messages.error(request, body.get("error") or _("Something went wrong."))
        return None
    return body


def _existing(user_id: int, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()


def prune_expired() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
