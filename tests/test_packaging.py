# rename-namespace: skip-file (the user project below has its own fixtures, schemas and contract_tests)
"""The wheel owns one import name, ``sms_rent_mock``: a project with its own ``fixtures``, ``schemas`` and
``contract_tests`` packages keeps them, and our plugin, in-process mock and ``check`` still work there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import server

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("mock_server", "schemas", "fixtures", "contract_tests")
GENERIC = ("fixtures", "schemas", "contract_tests", "mock_server")


def _tracked(*paths: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", *paths], cwd=REPO, capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the tracked tree (no stale build/ leaks in)."""
    source = tmp_path_factory.mktemp("source")
    for rel in _tracked():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, source / rel)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True)
    (built,) = dist.glob("sms_rent_mock-*.whl")
    return built


@pytest.fixture(scope="module")
def env(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only our wheel installed; its dependencies come from this interpreter's
    site-packages through a .pth line (appended after the venv's own, so the wheel's copy wins)."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "zz_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    return home


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project whose own packages carry our folders' generic names."""
    root = tmp_path_factory.mktemp("project")
    for name in GENERIC:
        (root / name).mkdir()
        (root / name / "__init__.py").write_text(f'OWNER = "project"\nNAME = "{name}"\n')
    (root / "tests").mkdir()
    (root / "tests" / "test_mine.py").write_text(textwrap.dedent('''
        import contract_tests
        import fixtures
        import mock_server
        import schemas
        import sys

        import sms_rent_mock
        from sms_rent_mock.contract_tests import Session
        from sms_rent_mock.mock_server import create_app
        from sms_rent_mock.mock_server.client import MockControl


        def test_own_packages_are_the_projects():
            assert {m.OWNER for m in (contract_tests, fixtures, mock_server, schemas)} == {"project"}


        def test_ours_come_from_the_wheel():
            assert sms_rent_mock.__file__.startswith(sys.prefix)


        def test_plugin_loaded(pytestconfig):
            assert pytestconfig.pluginmanager.has_plugin("rental_contract")


        def test_in_process_mock():
            app = create_app({"DB": ":memory:", "CLOCK": "frozen"})
            MockControl.in_process(app).put_account("k", balance=5)
            reply = app.test_client().get("/api/getBalance.php?apikey=k").get_json()
            assert float(reply["balance"]) == 5


        def test_plugin_fixture(contract_session):
            assert isinstance(contract_session, Session)
            assert contract_session.target.call("onlinesim", "getBalance", api_key="k").status == 200
    '''))
    return root


def test_wheel_has_only_our_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"sms_rent_mock", wheel.name.split("-py")[0] + ".dist-info"}
    assert "rental_contract = sms_rent_mock.contract_tests.plugin" in \
        zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()


def test_wheel_ships_every_tracked_file(wheel: Path) -> None:
    """A data file of a kind pyproject's package-data does not list would be missing here."""
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [p for p in _tracked(*FOLDERS) if f"sms_rent_mock/{p}" not in names]
    assert missing == []


def test_project_with_generic_packages(env: Path, project: Path) -> None:
    run = subprocess.run([str(env / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--contract-target", "mock", "--contract-provider", "onlinesim"],
                         cwd=project, capture_output=True, text=True, timeout=300,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def test_check_against_a_served_mock(env: Path, project: Path) -> None:
    port = server.free_port()
    cli = str(env / "bin" / "sms-rent-mock")
    proc = subprocess.Popen([cli, "serve", "--port", str(port), "--db", str(project / "mock.sqlite3")],
                            cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_ready(url, proc)
        run = subprocess.run([cli, "check", "--target", url, "--examples", "2", "--steps", "5"],
                             cwd=project, capture_output=True, text=True, timeout=300)
    finally:
        server.kill(proc)
    assert run.returncode == 0, run.stdout + run.stderr
