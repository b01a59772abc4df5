from django.contrib.auth import views as auth_views
from django.urls import path

from invitations.hr_urls import urlpatterns as invitation_urlpatterns
from invitations.text_urls import urlpatterns as text_urlpatterns

from . import views
from .account_urls import urlpatterns as account_urlpatterns
from .leave_urls import urlpatterns as leave_urlpatterns

app_name = "hr"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="hr:login"), name="logout"),
    path("", views.home, name="home"),
    path("switch/", views.switch_employer, name="switch_employer"),
    path("employers/<int:employer_id>/employees/", views.employee_list, name="employee_list"),
    path("employers/<int:employer_id>/employees/new/", views.employee_new, name="employee_new"),
    path("employers/<int:employer_id>/audit/", views.audit_log, name="audit_log"),
    path("employees/<int:employee_id>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:employee_id>/edit/", views.employee_edit, name="employee_edit"),
    *invitation_urlpatterns,
    *account_urlpatterns,
    *leave_urlpatterns,
    *text_urlpatterns,
]
