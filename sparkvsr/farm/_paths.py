"""OpenJD path mapping (`pathmapping-1.0` rules) for the media paths an edit holds: job
parameters are mapped by OpenJD itself, the clips' media references by us."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import opentimelineio as otio

from sparkvsr.timeline import path_from_url


def path_mapper(rules_file: str | None) -> Callable[[str], str]:
    """Maps a path by the first rule whose source is that path or a folder above it; no file (or
    no rules) maps nothing."""
    if not rules_file or not os.path.isfile(rules_file):
        return lambda path: path
    with open(rules_file, encoding="utf-8") as file:
        rules = json.load(file).get("path_mapping_rules", [])

    def mapped(path: str) -> str:
        for rule in rules:
            windows = rule.get("source_path_format") == "WINDOWS"
            source = rule["source_path"].rstrip("\\/")
            candidate = path.replace("\\", "/") if windows else path
            source = source.replace("\\", "/") if windows else source
            same = candidate.lower() == source.lower() if windows else candidate == source
            below = candidate.lower() if windows else candidate
            if same or below.startswith((source.lower() if windows else source) + "/"):
                rest = candidate[len(source) :].lstrip("/")
                return (
                    os.path.join(rule["destination_path"], rest)
                    if rest
                    else rule["destination_path"]
                )
        return path

    return mapped


def map_media_paths(timeline: otio.schema.Timeline, mapped: Callable[[str], str]) -> None:
    """Points every clip's external media reference at its mapped path (in place)."""
    for clip in timeline.find_clips():
        reference = clip.media_reference
        if isinstance(reference, otio.schema.ExternalReference) and reference.target_url:
            path = path_from_url(reference.target_url)
            if mapped(path) != path:
                reference.target_url = mapped(path)
