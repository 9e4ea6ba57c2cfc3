"""The whole-request cap on uploads.

Django caps a form's non-file fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not the files of a
multipart body: a 40 MB "image" is streamed to a temporary file and handed to the view. This
middleware answers 413 ``image_too_large`` from the ``Content-Length`` header alone, before
any of the body is read, when a request is bigger than ``MAX_UPLOAD_BYTES``. A body without
a ``Content-Length`` reaches Django's parser as empty, so the header is the whole story.

Each kind of image then has its own, smaller limit (core.images).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from infoconnect.core.images import MB, ImageError

DEFAULT_MAX_UPLOAD_BYTES = 10 * MB


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


class UploadLimitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_upload_bytes()
        if length > limit:
            return self.refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, limit: int) -> HttpResponse:
        error = ImageError.IMAGE_TOO_LARGE
        message = gettext("An upload may be at most %(mb)d MB.") % {"mb": limit // MB}
        if request.path.startswith("/api/"):
            response = JsonResponse({"error": message, "code": error.code}, status=error.status)
        else:
            response = render(
                request,
                "core/error.html",
                {
                    "title": gettext("The upload is too large"),
                    "message": message,
                    "code": error.code,
                },
                status=error.status,
            )
        # The body is left unread: the connection closes rather than be read to its end.
        response["Connection"] = "close"
        return response
