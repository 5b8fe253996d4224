"""sms-rent-mock's one import namespace: ``sms_rent_mock.mock_server``, ``.schemas``, ``.fixtures`` and
``.contract_tests``, so the generic names of the repository's folders never shadow (or are shadowed by)
a user's own packages. The subpackages live in the repository's top-level folders (see ``setup.py``)."""
