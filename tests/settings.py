"""The test run uses the real settings module with DEBUG off, as production does.

Only what a test machine cannot provide is defaulted here; everything else (DATABASE_URL,
REDIS_URL, ...) comes from the environment, so the integration leg runs the same suite on
PostgreSQL and Redis.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 48)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("SITE_URL", "https://portal.example.test")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("DEBUG", "false")
# Uploaded logos go to a throw-away folder, never into the checkout.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="essportal-media-"))

# The HR list's tab counts are cached only where a test asks for it: a test's transaction never
# commits, so the services' "counts changed" after commit would never reach the cache.
os.environ.setdefault("ACCESS_COUNTS_CACHE_SECONDS", "0")
# The same for the employee's pages kept in the cache (employees/portal/page_cache.py).
os.environ.setdefault("PORTAL_PAGE_CACHE_SECONDS", "0")

from essportal.settings import *  # noqa: E402,F403

# The manifest storage needs `collectstatic`; tests render templates without it.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
