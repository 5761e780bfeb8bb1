"""Fixtures for sandbox tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.helpers import Client


@pytest.fixture
def client(sb) -> Iterator[Client]:
    """A stdlib HTTP client for ``sb``."""
    c = Client(sb.url)
    yield c
    c.close()
