"""Destructive actions ask first (issue 16): revoking an invitation and blocking an account name
the person and the consequence before anything happens, on a page of their own (no script)."""

import pytest
from django.urls import reverse

from invitations.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "question", "consequence"),
    [
        ("invitation_revoke", "Revoke the invitation of Anna Bakker?", "stops working at once"),
        ("account_block", "Block the account of Anna Bakker?", "signed out everywhere"),
    ],
)
def test_the_question_names_the_person_and_the_consequence_and_changes_nothing(
    manager_client, employee, grant, name, question, consequence
):
    invitation = grant(employee)
    url = reverse(f"hr:{name}", args=[employee.pk])
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert question in page and consequence in page
    assert 'class="button danger"' in page and 'method="post"' in page
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_panel_leads_to_the_question_styled_as_dangerous(manager_client, employee, grant):
    grant(employee)
    page = manager_client.get(reverse("hr:employee_detail", args=[employee.pk])).content.decode()
    url = reverse("hr:invitation_revoke", args=[employee.pk])
    assert f'<a class="button danger" href="{url}">' in page


def test_confirming_revokes(manager_client, employee, grant):
    grant(employee)
    manager_client.post(reverse("hr:invitation_revoke", args=[employee.pk]))
    assert Invitation.objects.get(employee=employee).status == "revoked"


def test_a_viewer_gets_no_question_and_another_employers_employee_is_404(
    viewer_client, manager_client, employee, other_employee
):
    employee.user = UserFactory()
    employee.save()
    assert viewer_client.get(reverse("hr:account_block", args=[employee.pk])).status_code == 403
    foreign = reverse("hr:account_block", args=[other_employee.pk])
    assert manager_client.get(foreign).status_code == 404
