"""A model's own field rules as the platform's validation error."""

from django.core.exceptions import ValidationError
from django.db import models

from infoconnect.core.errors import CommonError, DomainError


def full_clean(instance: models.Model, *, exclude: list[str]) -> None:
    """The model's field rules (lengths, choices, validators), as a 422 naming every field that
    fails; uniqueness is the database's to say, race-safe."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        fields = {name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
        name, messages = next(iter(fields.items()))
        raise DomainError(CommonError.VALIDATION, f"{name}: {messages[0]}", fields=fields) from None
