"""Select and act (issue 16) in a real browser: HR ticks employees on the list, previews, confirms
and follows the progress; axe-core finds nothing, in Dutch and English, at 1280 and 390 px."""

import pytest
from django.core import mail

from employers.models import StaffMembership
from invitations.models import GrantBatch, Invitation
from tests.browser.conftest import axe_violations
from tests.browser.test_journeys import hr_sign_in
from tests.factories import EmployeeFactory, EmployerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world():
    employer = EmployerFactory(name="Bakkerij Jansen B.V.")
    hr = MembershipFactory(employer=employer, role=StaffMembership.Role.MANAGER).user
    ticked = [EmployeeFactory(employer=employer, last_name=f"Aalbers{i}") for i in range(3)]
    # More than a page of others (the list shows 25): "all N matching" is offered.
    for i in range(25):
        EmployeeFactory(employer=employer, last_name=f"Zwart{i:02}")
    EmployeeFactory(employer=employer, last_name="Bakker", user=UserFactory())
    return {"employer": employer, "hr": hr, "ticked": ticked}


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_hr_grants_access_to_three_ticked_employees_and_follows_the_progress(
    new_page, world, language
):
    hr = new_page(language)
    hr.set_viewport_size(DESKTOP)
    hr_sign_in(hr, world["hr"])
    assert not axe_violations(hr)
    for person in world["ticked"]:
        hr.check(f"#pick-{person.pk}")
    employer = world["employer"]
    hr.click(f"button[formaction$='/employers/{employer.pk}/selection/grant/']")
    hr.wait_for_selector("#selection-act[data-count='3']")
    assert not axe_violations(hr)
    hr.click("#selection-act form button[type=submit]")
    hr.wait_for_selector("progress[value='100']")
    assert hr.inner_text("#batch-invited") == "3"
    assert not axe_violations(hr)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in world["ticked"])
    batch = GrantBatch.objects.get()
    assert batch.selected and batch.status == "done"
    assert set(Invitation.objects.values_list("employee_id", flat=True)) == {
        p.pk for p in world["ticked"]
    }


def test_select_all_on_this_page_ticks_every_row_and_all_matching_takes_every_page(new_page, world):
    hr = new_page("en")
    hr_sign_in(hr, world["hr"])
    hr.check("#select-page")
    rows = hr.locator("input[name=employee]")
    assert rows.count() == 25
    assert all(rows.nth(i).is_checked() for i in range(rows.count()))
    hr.uncheck("#pick-" + str(world["ticked"][0].pk))
    assert hr.evaluate("document.getElementById('select-page').indeterminate")
    hr.check("#select-all")
    employer = world["employer"]
    hr.click(f"button[formaction$='/employers/{employer.pk}/selection/block/']")
    # Everyone on every page: the one with an account is blocked, the 28 others have none.
    hr.wait_for_selector("#selection-act[data-count='1']")
    assert hr.locator("details[data-outcome='no_account'][data-count='28']").count() == 1
    assert hr.locator("#selection-act button.danger").count() == 1
    assert not axe_violations(hr)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_list_and_the_preview_fit_a_phone(new_page, world, language):
    hr = new_page(language)
    hr.set_viewport_size(PHONE)
    hr_sign_in(hr, world["hr"])
    assert no_sideways_scroll(hr) <= PHONE["width"]
    assert not axe_violations(hr)
    hr.check(f"#pick-{world['ticked'][0].pk}")
    hr.click("button[formaction$='/selection/revoke/']")
    hr.wait_for_selector("#selection-act")
    assert no_sideways_scroll(hr) <= PHONE["width"]
    assert not axe_violations(hr)
