"""Ready-made contract tests: ``pytest --pyargs contract_tests`` (options: ``pytest --help``, group contract)."""
