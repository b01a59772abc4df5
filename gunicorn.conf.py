"""gunicorn settings for the web container. Access logs go through the same redaction as the
application's logs, so an invitation token in a request path is never written down, and gunicorn's
lines (its own and the access log) have the same format and timestamps as Django's and Celery's."""

import os

from gunicorn.glogging import Logger

from essportal.logging import logging_config, redact

if os.environ.get("DEBUG", "").strip().lower() not in ("0", "false", "no", "off"):
    # Debug pages show settings and data to anyone: never behind the production server.
    raise SystemExit("gunicorn serves ESS Portal only with DEBUG=false set explicitly.")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# gunicorn 27's control socket sits at ~/.gunicorn/gunicorn.ctl, one path for every gunicorn of
# the same user (two sites on one host would take each other's); nothing here uses it.
control_socket_disable = True
accesslog = "-"
# The query string is left out: it may hold form data. Paths are redacted below.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The request head, bounded before Django sees it (the body is bounded by the application's
# RequestBodyLimitMiddleware, gunicorn has no limit for it). The longest address here, a search
# in HR's list with its filters, stays far below 4094 bytes (gunicorn's default, answered 414);
# a browser sends about 20 headers and proxies add some (more than 50 are refused); the largest
# header is the Cookie one, which other sites on the same domain may fill.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "50"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f"):
            if key in atoms:
                atoms[key] = redact(str(atoms[key]))
        return atoms


logger_class = RedactingLogger
# The settings' LOG_FORMAT and LOG_LEVEL, read here because the master logs before Django loads.
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "plain"),
    level=os.environ.get("LOG_LEVEL", "INFO"),
)
