"""``pytest --docs``: run pytest on a tiny project in a subprocess and read the Markdown."""

import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.process

SAMPLE = os.path.join(os.path.dirname(__file__), "samples", "docs_project")


@pytest.fixture
def project(tmp_path):
    # NOTE: the sample's files are stored under names the outer pytest does not
    # collect; they get their real names in the copy.
    for folder, _, files in os.walk(SAMPLE):
        target = tmp_path / os.path.relpath(folder, SAMPLE)
        target.mkdir(exist_ok=True)
        for name in files:
            if name.endswith(".pyc"):
                continue
            real = "conftest.py" if name == "conftest_sample.py" else name.replace("sample_test_", "test_")
            shutil.copy(os.path.join(folder, name), target / real)
    return tmp_path


def run_pytest(cwd, *args):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_docs_option_writes_index_markdown(project):
    result = run_pytest(project, "--docs")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (project / "docs" / "api" / "index.md").read_text()
    assert "## Table of Content" in text
    assert ". [/apis/tickers/<int:product_code>](#producttickers)" in text
    assert "[**`GET`**](#get-apistickersintproduct_code)" in text
    assert "## product.tickers" in text
    assert "**URL Parameters**: `product_code`" in text
    assert "#### `GET` `/apis/tickers/<int:product_code>`" in text
    assert "**Success Response Example**" in text
    assert "> **_URL_**: `/apis/tickers/123`" in text
    assert "> **_Response_**: `200 OK`" in text
    assert '"instock": 2' in text
    assert "**Error Response Example**" in text and "`404 Not Found`" in text
    assert "#### `DELETE`" in text
    assert "## orders" in text and "**Authorization Required**: YES" in text
    assert '"item": "apple"' in text


def test_docs_for_a_test_directory_are_named_after_it(project):
    result = run_pytest(project, "account", "--docs")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (project / "docs" / "api" / "account.md").read_text()
    assert "## orders" in text and "product.tickers" not in text
    assert not (project / "docs" / "api" / "index.md").exists()


def test_no_docs_without_the_option_or_when_tests_fail(project):
    assert run_pytest(project).returncode == 0
    assert not (project / "docs").exists()
    (project / "test_broken.py").write_text("def test_broken():\n    assert False\n")
    assert run_pytest(project, "--docs").returncode == 1
    assert not (project / "docs").exists()
