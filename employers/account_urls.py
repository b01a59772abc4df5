from django.urls import path

from . import account_views

urlpatterns = [
    path("employees/<int:employee_id>/account/block/", account_views.block, name="account_block"),
    path(
        "employees/<int:employee_id>/account/unblock/",
        account_views.unblock,
        name="account_unblock",
    ),
    path(
        "employees/<int:employee_id>/account/send-username/",
        account_views.send_username,
        name="account_send_username",
    ),
    path(
        "employers/<int:employer_id>/collective/ess/block/",
        account_views.collective_block,
        name="collective_block",
    ),
    path(
        "employers/<int:employer_id>/collective/ess/unblock/",
        account_views.collective_unblock,
        name="collective_unblock",
    ),
]
