"""Helpers every app's HTML views share."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape

from infoconnect.core.errors import DomainError


def render_domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A full page (or, for htmx, a fragment) saying what went wrong, with the error's status."""
    if request.headers.get("HX-Request"):
        return HttpResponse(
            f'<p class="flash-error" role="alert" data-error-code="{error.code}">{escape(error.message)}</p>',
            status=error.status,
        )
    return render(
        request,
        "core/error.html",
        {"title": error.status, "message": error.message, "code": error.code},
        status=error.status,
    )
