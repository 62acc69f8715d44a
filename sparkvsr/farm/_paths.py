"""OpenJD path mapping (`pathmapping-1.0` rules) inside farm tasks: the studio's paths that a
command, an edit or a marker names are mapped to where the session has them, and what a task
writes back is made to name the studio's paths again."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import opentimelineio as otio

from sparkvsr.atomic import write_atomically
from sparkvsr.timeline import PathMapping, path_from_url


@dataclass(frozen=True)
class SessionPaths:
    """The session's path mapping rules, both ways."""

    rules: tuple[PathMapping, ...] = ()
    """Studio path -> session path, longest source first."""

    @classmethod
    def read(cls, rules_file: str | None) -> SessionPaths:
        """The rules OpenJD wrote for the session; no file, or no rules, maps nothing.

        OpenJD applies the rules "in order of decreasing length of the source path", the first
        that matches wins (openjd-specifications wiki/How-Jobs-Are-Run.md, "Path Mapping");
        the file holds {"version": "pathmapping-1.0", "path_mapping_rules": [{"source_path_format",
        "source_path", "destination_path"}]} (same page)."""
        if not rules_file or not os.path.isfile(rules_file):
            return cls()
        with open(rules_file, encoding="utf-8") as file:
            rules = json.load(file).get("path_mapping_rules", [])
        mappings = [PathMapping(rule["source_path"], rule["destination_path"]) for rule in rules]
        mappings.sort(key=lambda mapping: len(mapping.source), reverse=True)
        return cls(tuple(mappings))

    def mapped(self, path: str) -> str:
        """Where the session has the studio's `path` (itself when no rule applies)."""
        return _first(self.rules, path)

    def unmapped(self, path: str) -> str:
        """The studio's name of a session path (itself when no rule applies)."""
        inverse = sorted(
            (PathMapping(rule.target, rule.source) for rule in self.rules),
            key=lambda mapping: len(mapping.source),
            reverse=True,
        )
        return _first(tuple(inverse), path)

    def then(self, user: tuple[PathMapping, ...]) -> tuple[PathMapping, ...]:
        """An edit's own mappings (`--map-path`: its machine -> the studio's) carried on into the
        session, followed by the session's rules: a path takes one mapping, so each is composed."""
        carried = tuple(
            PathMapping(mapping.source, self.mapped(mapping.target)) for mapping in user
        )
        return carried + self.rules


def _first(rules: tuple[PathMapping, ...], path: str) -> str:
    for rule in rules:
        moved = rule.apply(path)
        if moved is not None:
            return moved
    return path


def map_media_paths(timeline: otio.schema.Timeline, mapped: Callable[[str], str]) -> None:
    """Points every clip's external media reference at its mapped path (in place)."""
    for clip in timeline.find_clips():
        for reference in clip.media_references().values():
            if isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
                path = path_from_url(reference.target_url)
                if mapped(path) != path:
                    reference.target_url = mapped(path)


def studio_paths_in_record(path: str, paths: SessionPaths) -> None:
    """Rewrites a JSON record (a sidecar) so every path in it names the studio's location."""
    with open(path, encoding="utf-8") as file:
        record = json.load(file)
    write_atomically(path, json.dumps(_unmapped(record, paths), indent=2) + "\n")


def _unmapped(value, paths: SessionPaths):
    if isinstance(value, str):
        return paths.unmapped(value) if os.path.isabs(value) else value
    if isinstance(value, dict):
        return {key: _unmapped(item, paths) for key, item in value.items()}
    if isinstance(value, list):
        return [_unmapped(item, paths) for item in value]
    return value
