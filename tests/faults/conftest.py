"""The fault tests' private Redis, for every module here (it is defined with its first users)."""

from tests.faults.test_faults import private_redis  # noqa: F401 - a fixture
