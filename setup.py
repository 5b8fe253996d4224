# rename-namespace: skip-file (the folder names below are paths, not imports)
"""Maps the repository's top-level folders into the one installed namespace ``sms_rent_mock``.

Metadata, entry points and the shipped data files are in ``pyproject.toml``; only the package list
is computed here, so a new subpackage in any folder is shipped without being listed by hand.
"""

from setuptools import find_packages, setup

ROOT = "sms_rent_mock"
FOLDERS = ("mock_server", "schemas", "fixtures", "contract_tests")

packages = [ROOT]
package_dir = {ROOT: f"src/{ROOT}"}
for folder in FOLDERS:
    package_dir[f"{ROOT}.{folder}"] = folder
    packages += [f"{ROOT}.{folder}", *(f"{ROOT}.{folder}.{sub}" for sub in find_packages(folder))]

setup(packages=packages, package_dir=package_dir)
