"""What every page's header needs: unread counts for the signed-in person."""

from django.http import HttpRequest

_header_providers: list = []


def register_header_provider(provider) -> None:
    """Apps add a callable(request) -> dict of header values (e.g. unread counts).

    The key ``header_links`` is a list of {"url", "id", "label", "badge", "badge_url"} dicts
    that are appended to the navigation; ``header_templates`` is a list of template names
    included after them (a small form, e.g. whom the person is acting for);
    ``product_extra_templates`` lists forms product pages include; every other key
    is merged into the context.
    """
    if provider not in _header_providers:
        _header_providers.append(provider)


def header(request: HttpRequest) -> dict:
    context: dict = {"header_links": [], "header_templates": [], "product_extra_templates": []}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    for provider in _header_providers:
        values = dict(provider(request))
        context["header_links"].extend(values.pop("header_links", []))
        context["header_templates"].extend(values.pop("header_templates", []))
        # Several apps add forms to product pages (a requisition, a quote).
        context["product_extra_templates"].extend(values.pop("product_extra_templates", []))
        context.update(values)
    return context
