"""The learning tests' helpers are useful here too."""
from tests.learning.conftest import client_on, in_tenant  # noqa: F401
