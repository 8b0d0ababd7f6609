"""Library code and user docs describe behaviour in their own words.

The project was written from internal reference texts numbered 000, 001 and 004;
a reader of a docstring or of the README has never seen them, so "seed 004" or
"the seed's form" tells them nothing.  Cite the documented feature name instead
(``documented under "Getting Parameters"``) or nothing.  Tests may still name the
reference snippet they reproduce, so ``tests/`` is not scanned.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: "seed 004", "Seed 001/004", "seeds 000": a numbered reference text.
NUMBERED = re.compile(r"\bseeds?\s*0{2}[014]\b", re.I)
#: "the seed's conftest", "the seeds' examples", "the seeds write": the texts as such.
POSSESSIVE = re.compile(r"\bseed's\b|\bseeds'(?=\s)|\bthe seeds?\b(?!\s*(?:value|of|for|=))", re.I)
#: a path into the reference folder.
FOLDER = re.compile(r"\bseeds/0{2}[014]")
PATTERNS = (NUMBERED, POSSESSIVE, FOLDER)


def scanned_files() -> list[Path]:
    """Library modules, the README and every file of docs/, examples/ and benchmarks/."""
    files = [ROOT / "README.md"]
    for package in ("skitai", "atila"):
        files.extend(sorted((ROOT / package).rglob("*.py")))
    files.extend(sorted((ROOT / "docs").rglob("*.md")))
    for folder in ("examples", "benchmarks"):
        files.extend(path for path in sorted((ROOT / folder).rglob("*")) if path.is_file())
    return [path for path in files if "__pycache__" not in path.parts]


def citations(text: str) -> list[tuple[int, str]]:
    """(line number, line) for every line that cites a reference text."""
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if any(pattern.search(line) for pattern in PATTERNS)
    ]


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file (an image in a static folder)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    "line",
    [
        '"""A URL for a route (seed 004 ``was.ab``)."""',
        "# Seed 001/004: an ``<int:...>`` placeholder also accepts these words",
        "the way seeds 000 describe it",
        "``pytest`` is exported because the seed's conftest uses it",
        "(common in the seeds' examples)",
        "The Atila handler is written as the seeds write handlers",
        "see shared/seeds/001_c316a34789e2b6ce.txt",
    ],
)
def test_a_citation_is_found(line: str) -> None:
    assert citations(f"first line\n{line}\n") == [(2, line)]


@pytest.mark.parametrize(
    "line",
    [
        "random.seed(0)",
        "rng = random.Random(seed)",
        'the seed value for the shuffle is 42  # documented under "Getting Parameters"',
        "Older launch scripts end after skitai.mount",
    ],
)
def test_ordinary_text_is_not_a_citation(line: str) -> None:
    assert citations(line) == []


def test_the_scan_covers_library_and_docs() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in scanned_files()}
    assert "README.md" in names
    assert "atila/app.py" in names
    assert "skitai/mounts/table.py" in names
    assert any(name.startswith("docs/") for name in names)
    assert any(name.startswith("examples/") for name in names)


def test_no_library_module_or_user_doc_cites_a_seed() -> None:
    found = []
    for path in scanned_files():
        text = read_text(path)
        if text is None:
            continue
        for number, line in citations(text):
            found.append(f"{path.relative_to(ROOT)}:{number}: {line}")
    assert not found, (
        "describe the behaviour in your own words or cite the documented feature name "
        "(no 'seed 000/001/004'):\n" + "\n".join(found)
    )
