"""The contract-test kit: check a server (our mock or the real provider) against the schemas and a
stateful model, and check a client against the mock.

Surfaces: the pytest plugin ``rental_contract`` with the ready-made suite (``pytest --pyargs
sms_rent_mock.contract_tests``), ``sms-rent-mock check``, and the names below for use in your own tests. Imports
here stay light: the plugin loads with every pytest run.
"""

from __future__ import annotations

from .checks import Violation, conform
from .session import Budget, Session
from .target import Reply, Target, in_process_mock, probe_control

__all__ = ["Budget", "Reply", "Session", "Target", "Violation", "conform", "in_process_mock", "probe_control"]
