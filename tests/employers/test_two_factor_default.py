"""Which employees must sign in in two steps is kept on the employer (its own choice, or else its
provider's default), so that the signed-in user of every portal request is loaded without the
provider (essportal/backends.py)."""

import pytest

from employers.models import Employer
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def fresh(employer) -> Employer:
    return Employer.objects.get(pk=employer.pk)


def test_an_employer_without_a_choice_follows_its_providers_default(employer):
    provider = employer.provider
    provider.employees_require_two_factor = True
    provider.save()
    assert fresh(employer).employees_need_two_factor is True
    provider.employees_require_two_factor = False
    provider.save(update_fields=["employees_require_two_factor"])
    assert fresh(employer).employees_need_two_factor is False


def test_an_employers_own_choice_wins_over_the_providers_default(employer):
    employer.require_two_factor = False
    employer.save(update_fields=["require_two_factor"])
    employer.provider.employees_require_two_factor = True
    employer.provider.save()
    assert fresh(employer).employees_need_two_factor is False
    employer.require_two_factor = None
    employer.save(update_fields=["require_two_factor"])
    assert fresh(employer).employees_need_two_factor is True


def test_a_new_employer_starts_with_its_providers_default(employer):
    employer.provider.employees_require_two_factor = True
    employer.provider.save()
    sister = EmployerFactory(provider=employer.provider)
    assert fresh(sister).employees_need_two_factor is True
