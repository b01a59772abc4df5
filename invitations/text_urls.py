from django.urls import path, register_converter

from . import text_views


class LevelConverter:
    regex = "employer|provider"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LevelConverter, "level")

PREFIX = "email-texts/<level:level>/<int:owner_id>/"
TEXT = PREFIX + "<slug:kind>/<slug:language>/"

# Included into the HR namespace by employers/urls.py.
urlpatterns = [
    path(PREFIX, text_views.email_texts, name="email_texts"),
    path(TEXT, text_views.email_text_edit, name="email_text_edit"),
    path(TEXT + "preview/", text_views.email_text_preview, name="email_text_preview"),
    path(TEXT + "test/", text_views.email_text_test, name="email_text_test"),
    path(
        TEXT + "restore/<slug:field_name>/",
        text_views.email_text_restore,
        name="email_text_restore",
    ),
    path("email-texts/employer/<int:owner_id>/sender/", text_views.sender, name="email_sender"),
]
