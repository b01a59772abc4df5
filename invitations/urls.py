from django.urls import path

from invitations.activation import link, views

app_name = "invitations"

urlpatterns = [
    path("invite/<str:token>/", link.open_link, name="open"),
    # Why a link does not work, at an address without the token (open redirects here).
    path("invitation/", link.link_state, name="link_state"),
    # R8-R10: birth date, then username and password, then signed in.
    path("activate/", views.birth_date, name="activate"),
    path("activate/account/", views.choose_credentials, name="activate_account"),
]
