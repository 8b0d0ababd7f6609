# seed 000 "Unit Testing"; the example's location may come from DUMBSEEK_PATH
import os
import sys

sys.path.insert(
    0, os.environ.get("DUMBSEEK_PATH", os.path.join(os.path.dirname(__file__), "../../../examples/dumbseek"))
)
from dumbseek import analyzer
from dumbseek.index import db, indexer, searcher


def test_analyze():
    assert analyzer.analyze("Detective Holmes") == ["detective", "holmes"]


def test_index():
    assert indexer.index("Detective Holmes") == 0
    assert db.DOCUMENTS[0] == "Detective Holmes"
    assert db.INVERTED_INDEX["detective"] == {0}
    assert indexer.index("Detective Monk") == 1
    assert db.INVERTED_INDEX["monk"] == {1}
    assert searcher.search("detective holmes") == ["Detective Holmes"]
