from django.utils.translation import gettext_lazy as _

from infoconnect.core.errors import ErrorCode


class AccountsError(ErrorCode):
    ACCOUNT_NOT_FOUND = ("account_not_found", 404, _("That account does not exist."))
    USERNAME_INVALID = (
        "username_invalid",
        422,
        _("Use 3 to 30 letters, digits or underscores."),
    )
    USERNAME_TAKEN = ("username_taken", 422, _("That username is taken."))
    PASSWORD_INVALID = ("password_invalid", 422, _("Choose a stronger password."))
    PASSWORD_INCORRECT = ("password_incorrect", 422, _("Your current password is not correct."))
    PROFILE_INVALID = ("profile_invalid", 422, _("Check the highlighted profile fields."))
    AVATAR_NOT_IMAGE = (
        "avatar_not_image",
        422,
        _("Upload a JPEG, PNG, WebP or GIF image."),
    )
    AVATAR_TOO_LARGE = ("avatar_too_large", 422, _("The image must be at most 5 MB."))
    AVATAR_TOO_MANY_PIXELS = (
        "avatar_too_many_pixels",
        422,
        _("The image must be at most 4096 × 4096 pixels."),
    )
    MERCHANT_APPLICATION_INVALID = (
        "merchant_application_invalid",
        422,
        _("Check the highlighted application fields."),
    )
    MERCHANT_APPLICATION_PENDING = (
        "merchant_application_pending",
        409,
        _("Your merchant application is already under review."),
    )
    MERCHANT_ALREADY_VERIFIED = (
        "merchant_already_verified",
        409,
        _("Your account is already a verified merchant."),
    )
    MERCHANT_NOT_VERIFIED = (
        "merchant_not_verified",
        403,
        _(
            "Your merchant application is under review: selling, merchant money, follower "
            "tags and your shop page open once an operator has verified it."
        ),
    )
    MERCHANT_PROFILE_NOT_FOUND = (
        "merchant_profile_not_found",
        404,
        _("That merchant application does not exist."),
    )
    NOT_OPERATOR = ("not_operator", 403, _("Only an operator can review merchant applications."))
    TOKEN_NAME_INVALID = (
        "token_name_invalid",
        422,
        _("Give the token a name of 1 to 60 characters."),
    )
    TOKEN_LIMIT_REACHED = (
        "token_limit_reached",
        422,
        _("You have 20 active tokens; revoke one before creating another."),
    )
    TOKEN_NOT_FOUND = ("token_not_found", 404, _("That access token does not exist."))
    APP_NAME_INVALID = (
        "app_name_invalid",
        422,
        _("Give the app a name of 1 to 255 characters."),
    )
    APP_REDIRECT_URI_INVALID = (
        "app_redirect_uri_invalid",
        422,
        _(
            "Give one to ten redirect URIs, each an absolute URI without a fragment, or "
            "urn:ietf:wg:oauth:2.0:oob."
        ),
    )
    APP_SCOPE_INVALID = (
        "app_scope_invalid",
        422,
        _("Ask only for scopes InfoConnect knows, such as read, write, follow or push."),
    )
    APP_WEBSITE_INVALID = (
        "app_website_invalid",
        422,
        _("The website must be an http or https address."),
    )
    APP_AUTHORIZATION_NOT_FOUND = (
        "app_authorization_not_found",
        404,
        _("You have not authorized that app."),
    )
    OUTSIDE_SCOPES = (
        "outside_authorized_scopes",
        403,
        _("This action is outside the authorized scopes"),
    )
    USER_TOKEN_REQUIRED = (
        "user_token_required",
        422,
        _("This method requires an authenticated user"),
    )
    APP_TOKEN_REQUIRED = (
        "app_token_required",
        401,
        _("Send an access token an OAuth app was given."),
    )
