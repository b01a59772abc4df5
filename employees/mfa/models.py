"""Recovery codes as a django-otp device of our own.

django-otp's StaticDevice keeps its tokens in plain text; a database dump would then hand out a
way past the second factor. Here each code is stored as its SHA-256: the codes are random (50
bits each), so a fast hash cannot be reversed by guessing, and it lets a code be found with one
indexed lookup (a salted password hash would need one costly check per stored code). Being a
django-otp Device, a used code verifies the session the way any other device does
(django_otp.login, OTPMiddleware, throttling)."""

import hashlib
import secrets

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

# Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L): 32**10 = 2**50.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def recovery_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def recovery_code_normalise(code: str) -> str:
    """What the person types: spaces and dashes (we show codes as 'ABCDE-FGHJK') and case do
    not matter."""
    return "".join(ch for ch in str(code).upper() if ch not in " -\t")


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(recovery_code_normalise(code).encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One per person: holds their current set of recovery codes."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self):
        return 1

    @property
    def codes_left(self) -> int:
        return self.codes.count()

    def verify_token(self, token):
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        # Used once: the row is deleted in the same transaction that accepts it; a second
        # request with the same code finds nothing.
        with transaction.atomic():
            deleted, _ = self.codes.filter(code_hash=recovery_code_hash(token)).delete()
            if deleted:
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
                return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self):
        return f"recovery code {self.pk}"  # never the code: only its hash exists
