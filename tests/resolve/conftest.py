"""A Resolve project on the test double, with real media, and the installed script to run."""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from edits import media
from fake_resolve import Bmd, Project, Quirks, Resolve, Timeline

from sparkvsr.cli import main as sparkvsr_main


@dataclass
class Edit:
    """A project whose timeline holds clips of real movies."""

    resolve: Resolve
    project: Project
    timeline: Timeline
    rate: Fraction
    folder: Path

    @property
    def media_pool(self):
        return self.project.GetMediaPool()

    def import_movie(self, name: str, frames: int, start_timecode: str, seed: int = 0, rate=None):
        """A movie at `rate` (default: the timeline's) imported into the Media Pool."""
        path = media(
            self.folder, name, frames, rate or self.rate, start_timecode=start_timecode, seed=seed
        )
        (item,) = self.media_pool.ImportMedia([str(path)])
        return item

    def cut(self, media_item, track: int, record_offset: int, first: int, count: int):
        """Puts media frames [first, first + count) on a track, `record_offset` frames into the
        timeline, through AppendToTimeline as an editor's script would (knowing how this
        Resolve counts endFrame)."""
        inclusive = self.project.quirks.end_frame_inclusive
        (item,) = self.media_pool.AppendToTimeline(
            [
                {
                    "mediaPoolItem": media_item,
                    "startFrame": first,
                    "endFrame": first + count - inclusive,
                    "trackIndex": track,
                    "recordFrame": self.timeline.GetStartFrame() + record_offset,
                    "mediaType": 1,
                }
            ]
        )
        return item

    def snapshot(self) -> str:
        """Everything a run could change, to check that a failed run changed nothing."""
        timeline = self.timeline
        tracks = [
            (
                timeline.GetTrackName("video", i),
                [(x.GetStart(), x.GetDuration()) for x in timeline.items(i)],
            )
            for i in range(1, timeline.GetTrackCount("video") + 1)
        ]
        bins = [
            (f.GetName(), [c.GetName() for c in f.GetClipList()])
            for f in self.media_pool.GetRootFolder().GetSubFolderList()
        ]
        return json.dumps([tracks, bins, sorted(timeline.GetMarkers())])


@pytest.fixture
def make_edit(tmp_path):
    def make(
        rate=Fraction(24000, 1001),
        studio=True,
        version=(19, 1, 3, 7, ""),
        drop_frame=False,
        quirks: Quirks | None = None,
    ) -> Edit:
        quirks = quirks or Quirks()
        project = Project("Feature", quirks)
        start = "01:00:00;00" if drop_frame else "01:00:00:00"
        timeline = Timeline("Cut 3", rate, version, start, drop_frame, quirks)
        project.SetCurrentTimeline(timeline)
        resolve = Resolve(project, studio=studio, version=version)
        return Edit(resolve, project, timeline, rate, tmp_path)

    return make


@pytest.fixture
def resolve_home(tmp_path, monkeypatch):
    """A temporary home with the script installed (as `sparkvsr resolve install` does) and the
    settings file in it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SPARKVSR_RESOLVE_SETTINGS", str(home / "resolve.json"))
    assert sparkvsr_main(["resolve", "install", "--os", "linux"]) == 0
    return home


@pytest.fixture
def write_settings(resolve_home):
    def write(**values) -> Path:
        path = resolve_home / "resolve.json"
        saved = json.loads(path.read_text())
        saved.update(values)
        path.write_text(json.dumps(saved))
        return path

    return write


@pytest.fixture
def run_script(resolve_home):
    """Runs the installed script as Resolve runs a Workspace > Scripts entry: with `resolve`
    and `bmd` in its globals."""
    script = (
        resolve_home
        / ".local/share/DaVinciResolve/Fusion/Scripts/Edit/SparkVSR/Upscale with SparkVSR.py"
    )

    def run(edit: Edit, user=None) -> None:
        bmd = Bmd(edit.resolve, user)
        runpy.run_path(str(script), init_globals={"resolve": edit.resolve, "bmd": bmd})

    return run
