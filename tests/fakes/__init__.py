"""Local fake provider servers (127.0.0.1) for tests: see server.py."""

from tests.fakes.server import FakeProvider, FakeRequest

__all__ = ["FakeProvider", "FakeRequest"]
