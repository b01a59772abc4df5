from django.urls import path

from . import link_views

app_name = "invitations"

urlpatterns = [
    path("invite/<str:token>/", link_views.open_link, name="open"),
]
