import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def username_key(username: str) -> str:
    """The username as sign-in, the lockout and every uniqueness check compare it: outer spaces
    dropped, NFKC-normalised and case-folded. "Anna", "ANNA" and full-width "ａｎｎａ" are one
    account. The comparison happens here rather than in the database, whose case rules differ
    (PostgreSQL's UPPER() makes a dotless "ı" an "I", SQLite folds ASCII only)."""
    folded = unicodedata.normalize("NFKC", username.strip()).casefold()
    # Case folding can leave a string that is no longer normalised (Unicode's NFKC_Casefold).
    return unicodedata.normalize("NFKC", folded)


class CaseInsensitiveUserManager(UserManager):
    def by_username(self, username: str) -> models.QuerySet:
        """The account this username reaches, however it is spelled (at most one)."""
        return self.filter(username_key=username_key(username))

    def get_by_natural_key(self, username):
        return self.by_username(username).get()


class User(AbstractUser):
    """One login for HR staff and employees alike.

    Usernames are unique regardless of case, enforced by the database, so that "Jan" and "jan"
    can never be two accounts; `username_key` extends that to every spelling sign-in accepts.
    New usernames are ASCII only; accounts named before that keep their name and still sign in.
    """

    # Django's own field with its own texts, with the ASCII validator instead of the Unicode one.
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        validators=[ASCIIUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    # Kept by save(); text, because folding can make a name longer than the 150 it may have.
    username_key = models.TextField(unique=True, editable=False)

    objects = CaseInsensitiveUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)


class Heartbeat(models.Model):
    """When a background process last showed it was at work, for the operator's status.

    One row per process kind, overwritten each time: beat when it queues a scheduled task, the
    worker when it finishes the outbox sweep. Kept in the database, like the outbox it watches,
    so that a Redis restart does not make a healthy worker look dead.
    """

    name = models.CharField(max_length=20, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
