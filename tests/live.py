"""A mock served over real HTTP on a free loopback port, in a background thread of the test process."""

from __future__ import annotations

from sms_rent_mock.contract_tests.target import serve_in_thread as serving

__all__ = ["serving"]
