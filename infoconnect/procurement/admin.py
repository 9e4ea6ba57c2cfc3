"""The operator's side of companies: the review (verify, suspend with a reason, reinstate) with
its audit trail, the registration of a code that fails its check, and members and roles to
read. Every change goes through the actions; nothing here writes a row itself."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infoconnect.accounts.selectors import get_user_by_username
from infoconnect.core.errors import DomainError
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import companies as actions
from infoconnect.procurement.models import (
    Company,
    CompanyReview,
    Membership,
    Quote,
    QuoteRevision,
    RoleAssignment,
)
from infoconnect.procurement.views.companies import RegisterForm, add_domain_errors

REVIEWS = {
    "verify": actions.verify_company,
    "suspend": actions.suspend_company,
    "reinstate": actions.reinstate_company,
}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CompanyReviewInline(ReadOnlyInline):
    model = CompanyReview
    verbose_name_plural = _("review trail")
    fields = readonly_fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "reason",
    )
    ordering = ("-created_at", "-pk")


class MembershipInline(ReadOnlyInline):
    model = Membership
    fk_name = "company"
    fields = readonly_fields = (
        "user",
        "roles_held",
        "joined_at",
        "invited_by",
        "ended_at",
        "ended_by",
    )
    ordering = ("ended_at", "joined_at", "pk")

    @admin.display(description=_("roles"))
    def roles_held(self, membership: Membership) -> str:
        return roles_display(membership)


def roles_display(membership: Membership) -> str:
    return ", ".join(
        f"{a.get_role_display()} ({a.department.name})" if a.department else a.get_role_display()
        for a in selectors.roles_of(membership)
    )


class WaivedRegistrationForm(RegisterForm):
    """The person's registration form, for someone else and with the operator's reason."""

    registered_by = forms.CharField(
        label=_("First administrator"),
        max_length=31,
        help_text=_("The username of the person who will administer the company."),
    )
    reason = forms.CharField(
        label=_("Reason for accepting the code"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the company's review trail."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uscc"].help_text = _(
            "18 characters of the code's alphabet whose check character is wrong."
        )


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "legal_name",
        "uscc",
        "status",
        "uscc_check_waived",
        "registered_by",
        "created_at",
        "verified_at",
    )
    list_filter = ("status", "uscc_check_waived")
    search_fields = ("legal_name", "=uscc")
    list_select_related = ("registered_by",)
    ordering = ("-created_at", "-pk")
    fields = readonly_fields = (
        "legal_name",
        "uscc",
        "uscc_check_waived",
        "status",
        "licence",
        "registered_by",
        "created_at",
        "verified_at",
    )
    inlines = (CompanyReviewInline, MembershipInline)
    actions = ("verify_selected",)
    change_form_template = "admin/procurement/company/change_form.html"

    def get_search_results(self, request, queryset, search_term):
        # A code is searched as stored: upper case, without spaces.
        term = search_term.strip()
        code = actions.normalise_uscc(term)
        queryset, duplicates = super().get_search_results(request, queryset, term)
        if code and code != term:
            queryset |= self.model.objects.filter(uscc=code)
        return queryset, duplicates

    def has_delete_permission(self, request, obj=None) -> bool:
        # A company's review trail and memberships are its history.
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Nothing on the page is edited directly: a whole-row save would write back a status
        # read when the page was opened. The review buttons call the actions.
        return None

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="procurement_company_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        company = self.get_object(request, object_id)
        if company is None:
            raise Http404
        if not self.has_change_permission(request, company):
            raise PermissionDenied
        review = REVIEWS.get(request.POST.get("verb", ""))
        if review is not None:
            try:
                review(
                    operator=request.user,
                    company_id=company.pk,
                    reason=request.POST.get("review_reason", ""),
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                company.refresh_from_db(fields=["status"])
                self.message_user(
                    request,
                    _("%(company)s is now %(status)s.")
                    % {"company": company, "status": company.get_status_display()},
                    messages.SUCCESS,
                )
        return redirect(reverse("admin:procurement_company_change", args=[company.pk]))

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """Registering a company here is the operator's waiver of the check character."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WaivedRegistrationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                person = get_user_by_username(username=data["registered_by"].strip())
            except DomainError as error:
                form.add_error("registered_by", error.message)
            else:
                try:
                    company = actions.register_company_waiving_check(
                        operator=request.user,
                        legal_name=data["legal_name"],
                        uscc=data["uscc"],
                        reason=data["reason"],
                        registered_by=person,
                    )
                except DomainError as error:
                    add_domain_errors(form, error)
                else:
                    self.message_user(
                        request,
                        _("%(company)s registered with its check character waived.")
                        % {"company": company},
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:procurement_company_change", args=[company.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Register a company whose code fails its check"),
            "form": form,
        }
        return TemplateResponse(
            request,
            "admin/procurement/company/waive_check.html",
            context,
            status=422 if form.errors else 200,
        )

    @admin.action(description=_("Verify the selected companies"))
    def verify_selected(self, request, queryset) -> None:
        done = 0
        for company in queryset.order_by("pk"):
            try:
                actions.verify_company(operator=request.user, company_id=company.pk)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{company}: {error.message}", messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d company verified.", "%(n)d companies verified.", done)
                % {"n": done},
                messages.SUCCESS,
            )


class RoleAssignmentInline(ReadOnlyInline):
    model = RoleAssignment
    fields = readonly_fields = ("role", "department", "granted_by", "granted_at")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "roles_held", "joined_at", "ended_at")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "company__legal_name", "=company__uscc")
    list_select_related = ("user", "company")
    fields = readonly_fields = (
        "company",
        "user",
        "invited_by",
        "joined_at",
        "ended_at",
        "ended_by",
    )
    inlines = (RoleAssignmentInline,)

    @admin.display(description=_("roles"))
    def roles_held(self, membership: Membership) -> str:
        return roles_display(membership)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuoteRevisionInline(ReadOnlyInline):
    model = QuoteRevision
    fields = ("number", "kind", "author", "total", "valid_until", "note", "created_at")
    readonly_fields = fields


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Quotes to read (a dispute about what was agreed): every revision, nothing to change."""

    list_display = ("reference", "company", "merchant", "state", "revision", "valid_until")
    list_filter = ("state",)
    search_fields = ("company__legal_name", "merchant__username", "title")
    readonly_fields = (
        "company", "merchant", "requester", "conversation", "state", "title", "wanted_by",
        "revision", "valid_until", "currency", "created_at", "updated_at", "accepted_at",
        "closed_at",
    )  # fmt: skip
    inlines = (QuoteRevisionInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
