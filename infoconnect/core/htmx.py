"""What an htmx request meets when its session has ended.

Django's ``login_required`` answers with a redirect to the log-in page. For a page that is
loaded that is right; for an htmx request it is not: htmx follows the redirect and swaps the
whole log-in page into a badge or a button, and every background refresh renders a log-in
form, which hands the browser a new CSRF cookie behind the back of a log-in form open in the
same browser (whose token then no longer matches, so that log-in fails with a 403).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url


class SessionEndedMiddleware:
    """An htmx request sent to the log-in page is not: a refresh (GET) gets 204 and leaves the
    page as it is; an action (POST and the like) gets 401 and takes the whole page to the
    log-in page through htmx's ``HX-Redirect``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.login_path = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code != 302:
            return response
        if self.login_path is None:
            self.login_path = resolve_url(settings.LOGIN_URL)
        target = response.get("Location", "")
        if not target.split("?", 1)[0].endswith(self.login_path):
            return response
        if request.method == "GET":
            return HttpResponse(status=204)
        ended = HttpResponse(status=401)
        ended["HX-Redirect"] = target
        return ended
