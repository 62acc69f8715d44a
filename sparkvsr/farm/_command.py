"""The paths of a recorded `sparkvsr` command, found from its parser's own option definitions
(an option whose argparse type marks a path): made absolute where a bundle is written, mapped
through the session's rules where a task runs it."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PathOption:
    """An option whose value is a path."""

    kind: str
    """What the path is: "input" (read, attached to a job), "output" or "tool"."""
    frame_pair: bool = False
    """The value is `FRAME=PATH`."""


def path_options(
    parser: argparse.ArgumentParser, kinds: Mapping[Callable, str], pairs: tuple[Callable, ...]
) -> dict[str, PathOption]:
    """Every option string of `parser` whose type is one of `kinds` (type -> kind), those typed
    by `pairs` holding `FRAME=PATH`."""
    found = {}
    for action in parser._actions:
        if action.type in kinds:
            option = PathOption(kinds[action.type], action.type in pairs)
            found.update(dict.fromkeys(action.option_strings, option))
    return found


PathChange = Callable[[PathOption, str], str]
"""The new value of a path (given its option and the path)."""


def change_paths(
    arguments: list[str], options: Mapping[str, PathOption], change: PathChange
) -> list[str]:
    """`arguments` with the path of every path option changed (`--opt PATH`, `--opt=PATH`)."""
    changed, pending = [], None
    for argument in arguments:
        name, equals, value = argument.partition("=")
        if pending is not None:
            changed.append(_changed(pending, argument, change))
            pending = None
        elif equals and name in options:
            changed.append(f"{name}={_changed(options[name], value, change)}")
        else:
            changed.append(argument)
            pending = options.get(argument) if argument.startswith("-") else None
    return changed


def _changed(option: PathOption, value: str, change: PathChange) -> str:
    if not option.frame_pair:
        return change(option, value)
    frame, equals, path = value.partition("=")
    return f"{frame}={change(option, path)}" if equals else value


def paths_in(
    arguments: list[str], options: Mapping[str, PathOption]
) -> list[tuple[PathOption, str]]:
    """The (option, path) of every path option in `arguments`."""
    found: list[tuple[PathOption, str]] = []

    def note(option: PathOption, path: str) -> str:
        found.append((option, path))
        return path

    change_paths(arguments, options, note)
    return found
