from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a money-moving request, replayed for a repeated Idempotency-Key."""

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100)  # which operation the key was used for
    fingerprint = models.CharField(max_length=64)  # SHA-256 of scope + canonical parameters
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="core_idempotency_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]
