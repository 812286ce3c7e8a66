"""Opening a saved file in the desktop's own program (a .docx in the word processor), on request."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.errors import AssistantError


class NoOpener(AssistantError):
    title = "Cannot open the file here"


OPENER_WAIT = 3.0  # seconds to wait for an opener that fails at once (no program for .docx)


def open_in_desktop(path: Path) -> None:
    """Hand `path` to the platform opener (os.startfile, `open`, `xdg-open`); blocks briefly (call
    it from a worker) to report an opener that fails at once."""
    if not path.is_file():
        raise NoOpener(f"{path} is not there any more")
    if sys.platform.startswith("win"):
        os.startfile(path)  # type: ignore[attr-defined]
        return
    opener = shutil.which("open" if sys.platform == "darwin" else "xdg-open")
    if opener is None:
        raise NoOpener(f"no desktop opener ({'open' if sys.platform == 'darwin' else 'xdg-open'}) on "
                       f"this system; the letter is at {path}")
    process = subprocess.Popen([opener, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        code = process.wait(OPENER_WAIT)
    except subprocess.TimeoutExpired:
        return  # still running: the program opened it and has not returned yet
    if code != 0:
        raise NoOpener(f"{Path(opener).name} could not open {path.name} (no program for it?); "
                       f"the letter is at {path}")
