"""README.md stays true: every environment variable the settings read is in its table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_PATTERNS = (
    r'os\.environ\.get\(\s*"([A-Z0-9_]+)"',
    r'env_(?:required|bool|list)\(\s*"([A-Z0-9_]+)"',
)


def _variables_read(path: Path) -> set[str]:
    text = path.read_text()
    return {name for pattern in READ_PATTERNS for name in re.findall(pattern, text)}


def test_every_setting_from_the_environment_is_documented():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, re.M))
    read = _variables_read(ROOT / "coalition" / "settings.py") | _variables_read(
        ROOT / "coalition" / "devdb.py"
    )
    assert read - documented == set(), "add these to the README's table of variables"
    assert documented - read - {"CELERY_BEAT", "TEST_DATABASE_NAME"} == set(), "stale rows"
