"""Farm bundles run by the OpenJD CLI write the frames `sparkvsr upscale` writes; retried tasks
redo only their missing windows; bad media is named."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from farm_jobs import OPENJD, SPARKVSR, hr_still, needs_openjd, openjd_run, run, same_frames
from helpers import RestorationService, numbered_frames, png_data_uri

from sparkvsr.cli import main
from sparkvsr.engines import engine_entry
from sparkvsr.errors import InvalidInputError
from sparkvsr.farm import (
    BundleSpec,
    SessionPaths,
    WindowStore,
    clip_work,
    job_template,
    map_media_paths,
    openjd_job,
    run_clip_windows,
)
from sparkvsr.keyframes import ProviderSettings
from sparkvsr.settings import FileJob, JobSettings
from sparkvsr.specs import FrameRange
from sparkvsr.timeline import read_timeline, write_timeline
from sparkvsr.upscale_file import keyframe_indices
from sparkvsr.window_plan import window_groups


def bundle(tmp_path, source, output, *options) -> dict:
    folder = tmp_path / "bundle"
    arguments = ["farm", "bundle", str(source), "-o", str(output), "--bundle-dir", str(folder)]
    assert main([*arguments, *options]) == 0
    return json.loads((folder / "template.yaml").read_text())


def values(tmp_path, source, output, work) -> dict:
    return {"Input": source, "Output": output, "WorkDir": work}


def test_tasks_are_whole_chains_of_windows(tmp_path, shot):
    path, keys = shot
    template = bundle(tmp_path, path, tmp_path / "out.mov", "--windows-per-task", "2", *keys)
    upscale, assemble = template["steps"]
    (work,) = upscale["parameterSpace"]["taskParameterDefinitions"]
    # Flow windows of 4 frames, each independent of the others: a task from every second one.
    assert work == {"name": "Window", "type": "INT", "range": "0-6:2"}
    assert assemble["dependencies"] == [{"dependsOn": "Upscale"}]
    assert "hostRequirements" not in upscale  # flow runs on any CPU
    paths = {p["name"]: p for p in template["parameterDefinitions"] if p["type"] == "PATH"}
    assert paths["Input"]["dataFlow"] == "IN" and paths["Output"]["dataFlow"] == "OUT"
    assert paths["WorkDir"]["dataFlow"] == "OUT"
    written = json.loads((tmp_path / "bundle" / "parameter_values.yaml").read_text())
    assert {"name": "Input", "value": str(path)} in written["parameterValues"]
    assets = json.loads((tmp_path / "bundle" / "asset_references.yaml").read_text())
    stills = [key.split("=", 1)[1] for key in keys[1::2]]
    assert assets["assetReferences"]["inputs"]["filenames"] == sorted([str(path), *stills])


@needs_openjd
def test_openjd_check_accepts_the_bundles(tmp_path, shot, cut):
    path, keys = shot
    template = bundle(tmp_path, path, tmp_path / "out.mov", "--engine", "sparkvsr", *keys)
    assert template["steps"][0]["hostRequirements"]["amounts"] == [
        {"name": "amount.worker.gpu", "min": 1},
        {"name": "amount.worker.gpu.memory", "min": 24 * 1024},
    ]
    checked = run(OPENJD, "check", str(tmp_path / "bundle" / "template.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    bundle(tmp_path, cut, tmp_path / "out")
    checked = run(OPENJD, "check", str(tmp_path / "bundle" / "template.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.slow
@needs_openjd
def test_the_printed_command_runs_the_bundle_as_upscale_would(tmp_path, shot, capsys):
    path, keys = shot
    local, farmed, work = tmp_path / "local.mov", tmp_path / "farmed.mov", tmp_path / "work"
    assert main(["upscale", str(path), "-o", str(local), "--no-progress", *keys]) == 0
    capsys.readouterr()
    bundle(tmp_path, path, farmed, "--work-dir", str(work), "--windows-per-task", "3", *keys)
    (printed,) = [
        line.removeprefix("without a farm: ")
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("without a farm: ")
    ]

    # As printed, from a shell with no virtual environment active (no sparkvsr, no openjd).
    bare = {**os.environ, "PATH": "/usr/bin:/bin"}
    bare.pop("VIRTUAL_ENV", None)
    result = run(*shlex.split(printed), env=bare, cwd=tmp_path)

    assert result.returncode == 0, result.stdout[-3000:]
    assert same_frames(local, farmed)
    assert len(list(work.glob("*/window_*.npz"))) == 8


@pytest.mark.slow
@needs_openjd
def test_an_openjd_run_of_an_edit_writes_what_timeline_upscale_writes(tmp_path, cut):
    local, farmed = tmp_path / "local", tmp_path / "farmed"
    assert main(["timeline", "upscale", str(cut), "-o", str(local), "--no-progress"]) == 0
    template = bundle(tmp_path, cut, farmed)
    assert template["steps"][0]["parameterSpace"]["taskParameterDefinitions"][0]["range"] == "0,1,2"

    result = openjd_run(tmp_path / "bundle", values(tmp_path, cut, farmed, tmp_path / "work"))

    assert result.returncode == 0, result.stdout[-3000:]
    movies = sorted(p.name for p in local.glob("*.mov"))
    assert len(movies) == 3 and movies == sorted(p.name for p in farmed.glob("*.mov"))
    for name in movies:
        assert same_frames(local / name, farmed / name), name
        ours, theirs = (
            json.loads((folder / name).with_suffix(".sparkvsr.json").read_text())
            for folder in (farmed, local)
        )
        assert ours["keyframes"] == theirs["keyframes"] and ours["clip"] == theirs["clip"]
    edited = read_timeline(str(farmed / "cut.sparkvsr.otio"))
    assert [track.name for track in edited.tracks] == ["V1", "V1 SparkVSR x4"]


def _task(tmp_path, path, keys, windows: str) -> list[str]:
    command = ["upscale", str(path), "-o", str(tmp_path / "out.mov"), *keys]
    work = ["--work-dir", str(tmp_path / "work"), "--windows", windows]
    return [SPARKVSR, "farm", "run-windows", *work, "--", *command]


@pytest.mark.slow
def test_a_killed_task_redoes_only_its_missing_windows(tmp_path, shot):
    path, keys = shot
    keys = keys + ["--chunk-length", "2"]  # windows 0-5 (frames 0-11): one chain, one task
    task = subprocess.Popen(_task(tmp_path, path, keys, "0,1,2,3,4,5"))
    store = None
    deadline = time.monotonic() + 60
    while task.poll() is None and time.monotonic() < deadline:
        found = list((tmp_path / "work").glob("*/window_000000.npz"))
        if found:
            store = WindowStore(found[0].parent)
            task.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    task.wait()
    assert store is not None and task.returncode == -signal.SIGKILL
    done = {p.name: p.stat().st_mtime_ns for p in store.folder.glob("window_*.npz")}
    assert 0 < len(done) < 6 and not list(store.folder.glob(".partial-*"))

    retried = run(*_task(tmp_path, path, keys, "0,1,2,3,4,5"))

    assert retried.returncode == 0, retried.stderr
    ran = retried.stdout.strip()
    for name, mtime in done.items():
        assert os.stat(store.folder / name).st_mtime_ns == mtime  # never recomputed
        assert f"{int(name[7:13])}," not in ran.replace("]", ",")
    # What the retry left equals an uninterrupted run of the same windows.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    again = run(*_task(fresh, path, keys, "0,1,2,3,4,5"))
    assert again.returncode == 0, again.stderr
    other = WindowStore(next((fresh / "work").glob("*")))
    for index in range(6):
        mine, theirs = store.load(index), other.load(index)
        assert mine.keys() == theirs.keys()
        assert all((mine[k] == theirs[k]).all() for k in mine)


def test_a_missing_video_is_named(tmp_path, capsys):
    gone = tmp_path / "gone.mov"
    code = main(["farm", "bundle", str(gone), "--bundle-dir", str(tmp_path / "b"), "-o", "x.mov"])
    assert code == 2
    assert capsys.readouterr().err.strip() == f"sparkvsr: error: input not found: {gone}"
    assert not (tmp_path / "b").exists()


def test_a_clip_whose_media_is_missing_gets_no_task_and_the_bundle_says_why(tmp_path, cut, caplog):
    (tmp_path / "B002.mov").unlink()
    template = bundle(tmp_path, cut, tmp_path / "out")
    (upscale_work,) = template["steps"][0]["parameterSpace"]["taskParameterDefinitions"]
    # The plan skips the clip whose media is missing: clips 0 and 2 (of 0..2) get a task.
    assert upscale_work["range"] == "0,2"
    assert f"media not found: {tmp_path / 'B002.mov'}" in caplog.text


def test_windows_of_a_group_must_bring_what_they_continue(tmp_path, shot):
    path, keys = shot
    # SparkVSR windows without a keyframe continue the one before (flow's never do).
    chunking = JobSettings(engine="sparkvsr", chunk_length=8, chunk_overlap=2)
    job = FileJob(str(path), str(tmp_path / "o.mov"), chunking, keyframe_frames=(0,))
    work = clip_work(job, "w")
    assert window_groups(work.plan, 1)[0] == (0, 1, 2, 3, 4)  # keyframe 0 only: one chain
    options = ["--engine", "sparkvsr", "--chunk-length", "8", "--chunk-overlap", "2"]
    command = ["upscale", str(path), "-o", str(tmp_path / "o.mov"), *keys[:2], *options]
    task = [
        "farm",
        "run-windows",
        "--work-dir",
        str(tmp_path / "w"),
        "--windows",
        "1",
        "--",
        *command,
    ]
    assert main(task) == 2  # window 1 continues window 0, which is neither stored nor asked for


def test_keyframe_every_chunk_makes_every_window_a_task(tmp_path, shot):
    path, keys = shot
    # SparkVSR windows of 8 frames sharing 2 (five of them), keyframe 0 only: each window
    # continues the one before, so without the flag they are one chain, one task.
    chained = [*keys[:2], "--engine", "sparkvsr", "--chunk-length", "8", "--chunk-overlap", "2"]
    template = bundle(tmp_path, path, tmp_path / "o.mov", "--windows-per-task", "1", *chained)
    (work,) = template["steps"][0]["parameterSpace"]["taskParameterDefinitions"]
    assert work["range"] == "0"
    every = [*chained, "--keyframe-every-chunk", "--provider", "local"]
    template = bundle(tmp_path, path, tmp_path / "o.mov", "--windows-per-task", "1", *every)
    keyframes, upscale, _ = template["steps"]
    assert keyframes["name"] == "Keyframes"  # restored once, before any window runs
    assert upscale["dependencies"] == [{"dependsOn": "Keyframes"}]
    (work,) = upscale["parameterSpace"]["taskParameterDefinitions"]
    assert work["range"] == "0-4:1"  # windows of their own


def test_path_mapping_rules_move_an_edits_media(tmp_path, cut):
    rules = tmp_path / "rules.json"
    rule = {"source_path_format": "POSIX", "source_path": str(tmp_path), "destination_path": "/mnt"}
    rules.write_text(json.dumps({"version": "pathmapping-1.0", "path_mapping_rules": [rule]}))
    paths = SessionPaths.read(str(rules))
    mapped = paths.mapped
    assert mapped(str(tmp_path / "A001.mov")) == "/mnt/A001.mov"
    assert mapped("/elsewhere/A001.mov") == "/elsewhere/A001.mov"
    assert paths.unmapped("/mnt/A001.mov") == str(tmp_path / "A001.mov")
    timeline = read_timeline(str(cut))
    map_media_paths(timeline, mapped)
    urls = {clip.media_reference.target_url for clip in timeline.find_clips()}
    assert urls == {"/mnt/A001.mov", "/mnt/B002.mov"}


def test_keyframe_every_chunk_adds_a_keyframe_where_a_window_would_continue(shot):
    path, _ = shot
    settings = JobSettings(engine="sparkvsr", chunk_length=8, chunk_overlap=2)
    job = FileJob(str(path), "o.mov", settings, keyframe_frames=(0,), keyframe_every_chunk=True)
    rules = engine_entry("sparkvsr").info
    # SparkVSR windows without a keyframe continue the one before: one in the middle of each.
    assert keyframe_indices(job, FrameRange(0, 32), rules) == [0, 9, 15, 21, 27]
    plain = FileJob(str(path), "o.mov", settings, keyframe_frames=(0,))
    assert keyframe_indices(plain, FrameRange(0, 32), rules) == [0]
    # Flow windows never continue another: nothing to add.
    assert keyframe_indices(job, FrameRange(0, 32), engine_entry("flow").info) == [0]


def test_tasks_on_other_machines_share_each_restored_keyframe(tmp_path, shot, monkeypatch):
    path, _ = shot
    service = RestorationService()
    # A service that answers differently each time, as a generative one does.
    service.replies = [
        (200, {"image": png_data_uri(np.full((128, 192, 3), grey, np.uint8))}, 0)
        for grey in (40, 80, 120)
    ]
    config = tmp_path / "api.json"
    config.write_text(json.dumps({"url": service.url}))
    settings = JobSettings(provider=ProviderSettings("api", api_config=str(config)))
    job = FileJob(str(path), str(tmp_path / "o.mov"), settings, keyframe_frames=(0,))
    work = clip_work(job, str(tmp_path / "work"))
    try:
        for machine, windows in (("a", [0]), ("b", [7])):  # flow windows, both reach frame 0
            monkeypatch.setenv("SPARKVSR_CACHE_DIR", str(tmp_path / machine))  # its own cache
            assert run_clip_windows(work, windows) == windows
    finally:
        service.close()
    assert len(service.requests) == 1  # restored once; the second task used that image
    assert len(list((work.store.folder / "keyframes").rglob("*.npy"))) == 1


def test_an_edited_keyframe_still_gives_the_clip_other_windows(tmp_path, shot):
    path, keys = shot
    still = keys[1].split("=", 1)[1]  # keyframe 0's still
    job = FileJob(str(path), str(tmp_path / "o.mov"), keyframe_stills=((0, still),))
    folder = clip_work(job, "w").store.folder
    assert clip_work(job, "w").store.folder == folder  # the same job: the same windows
    hr_still(Path(still), numbered_frames(32, (48, 32))[5])  # the artist repaints it
    assert clip_work(job, "w").store.folder != folder  # its windows are not reused


def _run_clip(tmp_path, cut, number: int) -> int:
    command = ["timeline", "upscale", str(cut), "-o", str(tmp_path / "out"), "--no-progress"]
    work = ["--work-dir", str(tmp_path / "work"), "--clip", str(number)]
    return main(["farm", "run-windows", *work, "--", *command])


def test_a_worker_missing_an_earlier_clips_media_fails_that_clips_task_only(tmp_path, cut, capsys):
    template = bundle(tmp_path, cut, tmp_path / "out")
    (clips,) = template["steps"][0]["parameterSpace"]["taskParameterDefinitions"]
    assert clips == {"name": "Clip", "type": "INT", "range": "0,1,2"}
    (tmp_path / "B002.mov").unlink()  # clip 1's media, on this worker

    assert _run_clip(tmp_path, cut, 2) == 0  # clip 2 is still clip 2 (c, of A001)
    assert [p.name[:5] for p in (tmp_path / "work").iterdir()] == ["A001_"]
    capsys.readouterr()
    assert _run_clip(tmp_path, cut, 1) == 2
    out, err = capsys.readouterr()
    assert f"V1 clip 2 (b): media not found: {tmp_path / 'B002.mov'}" in err
    assert "openjd_fail: V1 clip 2 (b): media not found" in out
    assert len(list((tmp_path / "work").iterdir())) == 1  # nothing else ran


def test_a_clip_whose_keyframe_nobody_can_supply_is_skipped_not_failed(tmp_path, cut, caplog):
    edit = read_timeline(str(cut))
    (clip_a,) = [clip for clip in edit.find_clips() if clip.name == "a"]
    clip_a.markers[0].comment = ""  # clip a's keyframe loses its still; no --provider
    write_timeline(edit, str(cut))
    template = bundle(tmp_path, cut, tmp_path / "out")
    (clips,) = template["steps"][0]["parameterSpace"]["taskParameterDefinitions"]
    assert clips["range"] == "1,2"
    assert "V1 clip 1 (a): no task: keyframe 8 has no still" in caplog.text


def test_every_path_option_of_the_parsers_is_made_absolute(tmp_path, shot, cut, monkeypatch):
    from sparkvsr.cli._farm import _path_options

    monkeypatch.chdir(tmp_path)
    path, keys = shot
    (tmp_path / "stills").mkdir()
    for head, source, output in ((["upscale"], path, "o.mov"), (["timeline", "upscale"], cut, "o")):
        known = _path_options(head)
        named = {"--keyframe", "--keyframe-dir", "--api-config", "--pisa-python"}
        named |= {"--pisa-script", "--cache-dir", "--tls-ca", "--tls-cert", "--tls-key"}
        named = (
            (named | {"--otio-out"}) - {"--keyframe", "--keyframe-dir"}
            if head[0] == "timeline"
            else named
        )
        assert named <= set(known), named - set(known)
        options = []
        for name, option in known.items():
            if name.startswith("--"):
                value = "stills" if name == "--keyframe-dir" else "hr_0000.png"
                options += [name, f"0={value}" if option.frame_pair else value]
        bundle(tmp_path, source, tmp_path / output, *options)
        template = json.loads((tmp_path / "bundle" / "template.yaml").read_text())
        arguments = template["steps"][-1]["script"]["actions"]["onRun"]["args"]
        for name in (name for name in known if name.startswith("--")):
            assert name in arguments, name  # every path option given reaches the tasks...
            value = arguments[arguments.index(name) + 1].split("=")[-1]
            assert os.path.isabs(value), (name, value)  # ...made absolute


def test_a_200000_frame_take_makes_a_valid_template_of_few_tasks(tmp_path, shot, monkeypatch):
    import sparkvsr.upscale_file as upscale_file

    path, keys = shot
    probe = upscale_file.probe_video
    monkeypatch.setattr(
        upscale_file, "probe_video", lambda name: replace(probe(name), frame_count=200_000)
    )
    template = bundle(tmp_path, path, tmp_path / "long.mov", *keys)
    (windows,) = template["steps"][0]["parameterSpace"]["taskParameterDefinitions"]
    assert windows["type"] == "INT" and windows["range"] == "0-49950:50"  # 50000 windows
    if shutil.which(OPENJD):
        checked = run(OPENJD, "check", str(tmp_path / "bundle" / "template.yaml"))
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_wheel_is_carried_and_installed_per_session_by_a_job_environment(tmp_path, shot):
    path, keys = shot
    wheel = tmp_path / "sparkvsr-1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    template = bundle(
        tmp_path, path, tmp_path / "o.mov", "--wheel", str(wheel), "--python", "python3", *keys
    )
    (environment,) = template["jobEnvironments"]
    on_enter = environment["script"]["actions"]["onEnter"]
    assert on_enter["command"] == "{{Param.Python}}"
    assert on_enter["args"] == [
        "{{Env.File.Install}}",
        "{{Param.Wheel}}",
        "{{Session.WorkingDirectory}}",
    ]
    assert "openjd_env: SPARKVSR_PYTHON=" in environment["script"]["embeddedFiles"][0]["data"]
    assert (tmp_path / "bundle" / wheel.name).read_bytes() == b"a wheel"
    wheel_parameter = [p for p in template["parameterDefinitions"] if p["name"] == "Wheel"]
    assert wheel_parameter[0]["dataFlow"] == "IN"  # attached to the job like any input
    written = json.loads((tmp_path / "bundle" / "parameter_values.yaml").read_text())
    carried = str(tmp_path / "bundle" / wheel.name)
    assert {"name": "Wheel", "value": carried} in written["parameterValues"]
    if shutil.which(OPENJD):
        checked = run(OPENJD, "check", str(tmp_path / "bundle" / "template.yaml"))
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_invalid_template_is_refused_before_anything_is_written(tmp_path, shot, capsys):
    path, keys = shot
    # The job is named after the video; OpenJD allows job names of up to 128 characters.
    long = path.rename(path.with_name("a" * 130 + ".mov"))
    output = ["-o", str(tmp_path / "o.mov"), "--bundle-dir", str(tmp_path / "b")]
    assert main(["farm", "bundle", str(long), *output, *keys]) == 2
    assert "OpenJD rejects the job template" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
@needs_openjd
def test_an_edit_whose_clip_cannot_run_completes_with_that_clip_skipped(tmp_path, cut):
    edit = read_timeline(str(cut))
    (clip_a,) = [clip for clip in edit.find_clips() if clip.name == "a"]
    clip_a.markers[0].comment = ""  # its keyframe has no still, and there is no --provider
    write_timeline(edit, str(cut))
    farmed = tmp_path / "farmed"
    bundle(tmp_path, cut, farmed)

    result = openjd_run(tmp_path / "bundle", values(tmp_path, cut, farmed, tmp_path / "work"))

    assert result.returncode == 0, result.stdout[-3000:]
    assert "skipped: keyframe 8 has no still; give one, or restore it with --provider" in (
        result.stdout
    )
    assert len(list(farmed.glob("*.mov"))) == 2 and (farmed / "cut.sparkvsr.otio").is_file()


def test_an_assembly_missing_a_clip_with_a_task_fails_the_assemble_task(tmp_path, cut, capsys):
    """A clip with a task that cannot be assembled (here: its media missing on the assembling
    worker) fails the job with the reason; only clips that never had a task are skipped."""
    arguments = bundle(tmp_path, cut, tmp_path / "out")["steps"][-1]["script"]["actions"]
    assembling = arguments["onRun"]["args"]
    clips = assembling[assembling.index("--clips") + 1]
    assert clips == "0,1,2"
    for number in (0, 1, 2):
        assert _run_clip(tmp_path, cut, number) == 0
    (tmp_path / "B002.mov").unlink()  # clip 1's media, on the assembling worker
    command = ["timeline", "upscale", str(cut), "-o", str(tmp_path / "out"), "--no-progress"]
    capsys.readouterr()

    work = ["--work-dir", str(tmp_path / "work"), "--clips", clips]
    code = main(["farm", "assemble", *work, "--", *command])

    out, err = capsys.readouterr()
    assert code == 2, out
    assert "V1 clip 2 (b)  0-9     1     skipped: media not found" in out
    assert "openjd_fail: V1 clip 2 (b): not assembled (the table says why)" in out
    assert "V1 clip 2 (b): not assembled" in err


def test_an_edits_windows_without_a_clip_are_refused_in_one_line(tmp_path, cut, capsys):
    command = ["timeline", "upscale", str(cut), "-o", str(tmp_path / "out"), "--no-progress"]
    code = main(["farm", "run-windows", "--work-dir", str(tmp_path / "work"), "--", *command])
    err = capsys.readouterr().err
    assert code == 2 and "give --clip N" in err and "Traceback" not in err


def test_a_relative_bundle_folder_is_written_and_a_missing_wheel_named(
    tmp_path, shot, capsys, monkeypatch
):
    path, keys = shot
    monkeypatch.chdir(tmp_path)
    job = ["farm", "bundle", path.name, "-o", "out/shot_x4.mov", *keys]

    assert main([*job, "--bundle-dir", "bundle"]) == 0
    assert (tmp_path / "bundle" / "template.yaml").is_file()

    assert main([*job, "--bundle-dir", "other", "--wheel", "dist/none.whl"]) == 2
    err = capsys.readouterr().err
    assert f"--wheel not found: {tmp_path / 'dist' / 'none.whl'}" in err
    assert "Traceback" not in err and not (tmp_path / "other").exists()


def test_a_server_address_is_refused_in_one_line(tmp_path, shot, capsys):
    """Farm tasks run the engine on their own workers: a --server would be silently ignored."""
    path, keys = shot
    job = ["farm", "bundle", str(path), "-o", str(tmp_path / "o.mov"), *keys]
    assert main([*job, "--bundle-dir", str(tmp_path / "b"), "--server", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "--server has no place in a farm job" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()


def test_parameters_openjd_refuses_are_one_line_errors(tmp_path, shot):
    template = bundle(tmp_path, shot[0], tmp_path / "o.mov", *shot[1])
    with pytest.raises(InvalidInputError, match="OpenJD rejects the job's parameters: .*absolute"):
        openjd_job(template, {"Input": str(shot[0])}, Path("relative"))


def test_an_edits_keyframe_task_missing_a_clips_media_fails_with_the_reason(tmp_path, cut, capsys):
    out = str(tmp_path / "out")
    spec = BundleSpec(
        "timeline",
        ("timeline", "upscale", str(cut), "-o", out),
        str(cut),
        out,
        str(tmp_path / "work"),
        tasks="0,1,2",
        restores_keyframes=True,
    )
    for step in job_template(spec)["steps"]:
        arguments = step["script"]["actions"]["onRun"]["args"]
        if step["name"] != "Upscale":  # the steps that do every clip with a task
            assert arguments[arguments.index("--clips") + 1] == "0,1,2", step["name"]
    (tmp_path / "B002.mov").unlink()  # clip 1's media, on the worker of the keyframe task
    command = ["timeline", "upscale", str(cut), "-o", out, "--no-progress"]
    task = ["farm", "restore-keyframes", "--work-dir", str(tmp_path / "work")]

    assert main([*task, "--clips", "0,1,2", "--", *command]) == 2
    assert f"V1 clip 2 (b): media not found: {tmp_path / 'B002.mov'}" in capsys.readouterr().err
    assert main([*task, "--", *command]) == 0  # by hand, no list: the clips that can run here
