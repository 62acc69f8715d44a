"""Media paths of an edit: file URLs to local paths, and paths from another machine mapped here.

Edits move between machines and operating systems: an FCP7 XML made on Windows names
`file:///D:/media/a.mov` (read here as `/D:/media/a.mov`), an EDL `D:\\media\\a.mov`. A mapping
`D:\\media=/mnt/media` rewrites every spelling of that prefix.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from dataclasses import dataclass

from sparkvsr.errors import InvalidInputError

_DRIVE = re.compile(r"^/?([A-Za-z]):(/|$)")


def path_from_url(url: str) -> str:
    """A local path from an OTIO target URL (`file://` URLs or plain paths)."""
    if url.startswith("file:"):
        parsed = urllib.parse.urlparse(url)
        if parsed.netloc and parsed.netloc != "localhost":  # file://server/share: a UNC path
            return f"//{parsed.netloc}{urllib.parse.unquote(parsed.path)}"
        return urllib.request.url2pathname(parsed.path)
    return url


def _comparable(path: str) -> tuple[str, bool]:
    """(path with forward slashes, no trailing slash, drive as `d:`; whether it is a Windows
    path, compared without regard to case)."""
    path = path_from_url(path).replace("\\", "/")
    drive = _DRIVE.match(path)
    if drive:
        path = f"{drive.group(1).lower()}:/{path[drive.end() :]}"
    windows = bool(drive) or path.startswith("//")
    return (path.rstrip("/") or "/"), windows


@dataclass(frozen=True)
class PathMapping:
    """Media under `source` (as an edit from another machine names it) is under `target` here."""

    source: str
    target: str

    def __post_init__(self) -> None:
        if not self.source.strip() or not self.target.strip():
            raise InvalidInputError(
                f"a path mapping needs both sides (FROM=TO), got {self.source!r}={self.target!r}"
            )

    @classmethod
    def parse(cls, text: str) -> PathMapping:
        """From `FROM=TO`, for example `D:\\media=/mnt/media`."""
        source, sep, target = text.partition("=")
        if not sep:
            raise InvalidInputError(
                f"expected FROM=TO (for example D:\\media=/mnt/media), got {text!r}"
            )
        return cls(source.strip(), target.strip())

    def apply(self, path: str) -> str | None:
        """`path` moved under `target`, or None when it is not under `source`."""
        prefix, windows = _comparable(self.source)
        candidate, _ = _comparable(path)
        fold = (lambda text: text.lower()) if windows else (lambda text: text)
        if fold(candidate) == fold(prefix):
            rest = ""
        elif fold(candidate).startswith(fold(prefix.rstrip("/")) + "/"):
            rest = candidate[len(prefix.rstrip("/")) + 1 :]
        else:
            return None
        target = path_from_url(self.target)
        separator = "\\" if "\\" in target and "/" not in target else "/"
        if not rest:
            return target
        return target.rstrip("/\\") + separator + rest.replace("/", separator)


def map_path(path: str, mappings: tuple[PathMapping, ...]) -> str:
    """The local path of an edit's media path or URL: the first mapping that applies, else the
    path as the edit names it."""
    for mapping in mappings:
        mapped = mapping.apply(path)
        if mapped is not None:
            return mapped
    return path_from_url(path)
