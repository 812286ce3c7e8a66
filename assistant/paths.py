"""Where things live: the user's data and config folders, and the files shipped with the program.

Bundled folders (`templates/appeals`, `worklists`, `sample_db`) sit at the top of a source
checkout and inside the package (`assistant/_bundled/`) in a wheel; both are found from this
file's absolute location, never from the working directory.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

APP_NAME = "ar-assistant"
DB_ENV = "AR_ASSISTANT_DB"
CONFIG_ENV = "AR_ASSISTANT_CONFIG"
USER_ENV = "AR_ASSISTANT_USER"

# A string, and pathlib imported where a Path is made: `explain` reads a data file and
# never needs pathlib (a few milliseconds of every cold start).
_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))


def bundled(name: str) -> Path:
    """A folder shipped with the program: `templates`, `worklists` or `sample_db`."""
    from pathlib import Path

    inside = Path(_PACKAGE_DIR, "_bundled", name)
    if inside.is_dir():
        return inside
    return Path(_PACKAGE_DIR).parent / name


def package_data_file(name: str) -> str:
    """The path of a data file of the package itself, as text (no pathlib needed)."""
    return os.path.join(_PACKAGE_DIR, "data", name)


def package_data(name: str) -> Path:
    """A data file of the package itself (code tables, playbook, stylesheets)."""
    from pathlib import Path

    return Path(package_data_file(name))


def _xdg(variable: str, default: str) -> Path:
    """What platformdirs answers on Linux (the XDG base directories), without importing it:
    every command that opens the database resolves these folders."""
    from pathlib import Path

    base = os.environ.get(variable, "").strip() or os.path.expanduser(default)
    return Path(base) / APP_NAME


def _user_data_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_DATA_HOME", "~/.local/share")
    from pathlib import Path

    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _user_config_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg("XDG_CONFIG_HOME", "~/.config")
    from pathlib import Path

    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    from pathlib import Path

    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return _user_data_dir() / "ar.db"


def config_dir() -> Path:
    from pathlib import Path

    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return _user_config_dir()


def current_user() -> str:
    """Who is recorded in the audit trail."""
    env = os.environ.get(USER_ENV)
    if env:
        return env
    try:
        import getpass

        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only (0700); PHI lives in it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(PermissionError):
        path.chmod(0o700)
    return path


@dataclass(frozen=True)
class Locations:
    """Every path the program reads or writes, resolved once at start-up."""

    db: Path
    config: Path

    @property
    def data_dir(self) -> Path:
        return self.db.parent

    @property
    def letters_dir(self) -> Path:
        return self.data_dir / "letters"

    @property
    def sample_sources_dir(self) -> Path:
        """Where the sample generator writes the files it then imports."""
        return self.data_dir / "sample-sources"

    @property
    def templates_dirs(self) -> list[Path]:
        """Practice templates first, so they override the shipped ones by name."""
        return [self.config / "templates" / "appeals", bundled("templates") / "appeals"]

    @property
    def worklists_dirs(self) -> list[Path]:
        """Shipped definitions first; the user's folder extends and overrides them."""
        return [bundled("worklists"), self.config / "worklists"]

    @property
    def playbook_files(self) -> list[Path]:
        return [package_data("playbook.toml"), self.config / "playbook.toml"]

    @property
    def letterhead(self) -> Path:
        return self.config / "letterhead.docx"

    @classmethod
    def resolve(cls, db: Path | None = None) -> Locations:
        return cls(db=(db or default_db_path()).expanduser().resolve(), config=config_dir())
