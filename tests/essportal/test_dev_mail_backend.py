import io
from email import message_from_bytes

from django.core.mail import EmailMessage, EmailMultiAlternatives

from essportal.mail.dev_backend import EmailBackend
from tests.essportal.test_production import PRODUCTION, run_manage


def _backend(tmp_path):
    stream = io.StringIO()
    return EmailBackend(file_path=str(tmp_path / "mail"), stream=stream), stream


def test_each_mail_is_one_line_with_recipient_subject_and_first_link(tmp_path):
    backend, stream = _backend(tmp_path)
    messages = [
        EmailMessage(
            "Your access",
            "Open this link:\n\nhttps://portal.example.test/invite/abc/\n\nor this https://x.test/",
            to=["anna@example.nl"],
        ),
        EmailMessage("Second", "No link here", to=["piet@example.nl"]),
    ]
    assert backend.send_messages(messages) == 2
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "anna@example.nl" in lines[0]
    assert "Your access" in lines[0]
    assert "https://portal.example.test/invite/abc/" in lines[0]
    assert "https://x.test/" not in lines[0]
    assert "piet@example.nl" in lines[1] and "http" not in lines[1].split("(")[0]


def test_the_whole_message_is_written_as_an_eml_file(tmp_path):
    backend, stream = _backend(tmp_path)
    message = EmailMultiAlternatives("Hallo", "Tekst", to=["anna@example.nl"])
    html = '<p><a href="https://portal.example.test/r/">go</a></p>'
    message.attach_alternative(html, "text/html")
    backend.send_messages([message])
    (written,) = (tmp_path / "mail").glob("*.eml")
    parsed = message_from_bytes(written.read_bytes())
    assert parsed["To"] == "anna@example.nl"
    assert parsed["Subject"] == "Hallo"
    assert str(written) in stream.getvalue()
    # With no link in the text, the HTML part's link is the one shown.
    assert "https://portal.example.test/r/" in stream.getvalue()


def test_a_subject_with_line_breaks_still_prints_as_one_line(tmp_path):
    backend, stream = _backend(tmp_path)
    message = EmailMessage("x", "body", to=["a@example.nl"])
    message.subject = "two\nlines"  # as a buggy caller might set it; the file write then fails
    backend.fail_silently = True
    backend.send_messages([message])
    assert "\n" not in stream.getvalue().rstrip("\n")


def test_it_is_the_default_backend_of_a_debug_checkout_and_not_of_production():
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    debug = run_manage("shell", "-c", show, DEBUG="true")
    assert debug.stdout.split()[-1] == "essportal.mail.dev_backend.EmailBackend", debug.stderr
    production = run_manage("shell", "-c", show, **PRODUCTION)
    assert production.stdout.split()[-1] == "django.core.mail.backends.console.EmailBackend"
