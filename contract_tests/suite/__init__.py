"""Ready-made contract tests: ``pytest --pyargs sms_rent_mock.contract_tests`` (options: ``pytest --help``, group contract)."""
