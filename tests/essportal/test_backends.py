"""The sign-in backend: a session's user comes with their employee record in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essportal.backends import PortalModelBackend
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_signed_in_employee_is_loaded_with_their_employer_in_one_query_without_the_provider():
    employee = EmployeeFactory(user=UserFactory())
    with CaptureQueriesContext(connection) as queries:
        user = PortalModelBackend().get_user(employee.user.pk)
        # What a portal request needs of the employer, the two-step rule included.
        assert user.employee.employer.name == employee.employer.name
        assert user.employee.employer.employees_need_two_factor is False
    assert len(queries) == 1
    assert "employers_provider" not in queries[0]["sql"]


def test_hr_staff_without_an_employee_record_are_loaded_too(django_assert_num_queries):
    staff = UserFactory()
    with django_assert_num_queries(1):
        user = PortalModelBackend().get_user(staff.pk)
        assert getattr(user, "employee", None) is None


def test_a_blocked_account_is_not_loaded_from_its_session():
    employee = EmployeeFactory(user=UserFactory(is_active=False))
    assert PortalModelBackend().get_user(employee.user.pk) is None


def test_a_deleted_account_is_not_loaded_from_its_session():
    assert PortalModelBackend().get_user(987654) is None
