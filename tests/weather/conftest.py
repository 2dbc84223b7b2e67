from tests.fakes.fixtures import fake, fresh_breakers  # noqa: F401
