"""The READMEs show the PBX configuration the tests run, word for word, so the two cannot drift."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXCERPT = re.compile(r"<!-- shipped: (?P<path>[^ ]+) -->\n```\n(?P<text>.*?)\n```", re.S)
READMES = ["README.md", "pbx_bridge/README.md", "call_telephony_bridge/README.md"]


def excerpts():
    for readme in READMES:
        for match in EXCERPT.finditer((ROOT / readme).read_text()):
            yield pytest.param(match["path"], match["text"], id=f"{readme}:{match['text'].splitlines()[0][:40]}")


def test_the_readmes_quote_the_shipped_dialplan():
    assert len(list(excerpts())) >= 5


@pytest.mark.parametrize(("path", "text"), excerpts())
def test_each_quoted_excerpt_is_in_the_shipped_file(path, text):
    assert text in (ROOT / path).read_text(), f"the README's excerpt of {path} is not what the file says"


def test_no_readme_offers_another_dialplan():
    for readme in READMES:
        quoted = {m.start() for m in EXCERPT.finditer((ROOT / readme).read_text())}
        for match in re.finditer(r"```\n(.*?)\n```", (ROOT / readme).read_text(), re.S):
            if "Stasis(" in match[1] or "exten =>" in match[1]:
                assert any(match.start() - start < 80 and match.start() >= start for start in quoted), \
                    f"{readme} shows a dialplan that is not quoted from setup/asterisk/"
