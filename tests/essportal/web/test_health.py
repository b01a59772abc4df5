"""Health for load balancers: live answers without touching anything, ready needs the database
only; a broker outage must not take the web nodes out of rotation."""

import socket
from unittest import mock

import pytest

from essportal.celery import app


@pytest.fixture
def broker_down(settings):
    """Tasks go through a broker, and nothing listens where it should be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    before = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        yield
    finally:
        app.conf.broker_url = before


@pytest.mark.parametrize("path", ["/healthz/ready", "/healthz/live", "/healthz"])
def test_the_web_stays_healthy_when_only_the_broker_is_down(client, db, broker_down, path):
    response = client.get(path)
    assert response.status_code == 200


def test_ready_and_its_old_address_check_the_database(client, db):
    for path in ("/healthz/ready", "/healthz"):
        response = client.get(path)
        assert response.status_code == 200 and response.json() == {"database": "ok"}
        assert "no-cache" in response["Cache-Control"]


def test_ready_is_503_when_the_database_is_down(client, db):
    with mock.patch("essportal.web.health._database_ok", return_value=False):
        for path in ("/healthz/ready", "/healthz"):
            response = client.get(path)
            assert response.status_code == 503 and response.json() == {"database": "down"}


def test_live_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with (
        mock.patch("essportal.web.health._database_ok", return_value=False),
        django_assert_num_queries(0),
    ):
        response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_a_load_balancer_probing_over_plain_http_is_not_redirected(db, client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200


def test_the_operator_status_stays_behind_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.OPERATIONS_TOKEN = "x" * 40
    assert client.get("/healthz/operations").status_code == 301
