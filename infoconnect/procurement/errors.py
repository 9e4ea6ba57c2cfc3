from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class ProcurementError(ErrorCode):
    COMPANY_NOT_FOUND = ("company_not_found", 404, _("That company does not exist."))
    INVALID_USCC = (
        "invalid_uscc",
        422,
        _("Enter a valid 18-character unified social credit code."),
    )
    USCC_TAKEN = (
        "uscc_taken",
        409,
        _("A company with this unified social credit code is already registered."),
    )
    COMPANY_INVALID_STATE = (
        "company_invalid_state",
        409,
        _("The company's review does not allow that now."),
    )
    COMPANY_NOT_VERIFIED = (
        "company_not_verified",
        403,
        _("The company must be verified by the platform first."),
    )
    NOT_A_MEMBER = ("not_a_member", 404, _("You are not a member of that company."))
    ROLE_REQUIRED = ("role_required", 403, _("Your role in this company does not allow that."))
    MEMBER_NOT_FOUND = ("member_not_found", 404, _("That person is not a member."))
    ALREADY_A_MEMBER = ("already_a_member", 409, _("That person is already a member."))
    LAST_ADMIN = (
        "last_admin",
        409,
        _("A company keeps at least one administrator; name another one first."),
    )
    DEPARTMENT_NOT_FOUND = ("department_not_found", 404, _("That department does not exist."))
    DEPARTMENT_NAME_TAKEN = (
        "department_name_taken",
        409,
        _("A department with this name already exists there."),
    )
    DEPARTMENT_NOT_EMPTY = (
        "department_not_empty",
        409,
        _("Move or delete what is under this department first."),
    )
    ADDRESS_NOT_FOUND = ("ship_to_not_found", 404, _("That ship-to address does not exist."))
