"""A job bundle run as an AWS Deadline Cloud service-managed fleet with job attachments runs it:
no shared storage, every task in a new session that holds only the job's attached inputs and the
outputs of the steps it depends on, the submitter's folders out of reach, path mapping rules per
session, and only what a task writes under the declared output folders collected.

The tasks themselves run through OpenJD's own session runtime (`openjd run --step S -tp ...
--path-mapping-rules`); this module plays the worker agent and the job attachments around it.
Each rule below names the public source it models."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from farm_jobs import OPENJD, run
from openjd.model import StepParameterSpaceIterator

from sparkvsr.farm import openjd_job


@dataclass
class StepOutputs:
    """Files a step's tasks uploaded, by path relative to the asset root."""

    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


class ServiceManagedFleet:
    """Runs the bundles submitted from `studio` (the submitter's folder, which every path of
    the job lies under) in sessions under `scratch`."""

    def __init__(self, studio: Path, scratch: Path):
        self.studio, self.scratch = studio, scratch
        self.sessions = 0
        self.logs: list[str] = []

    def run(self, bundle: Path) -> dict[str, StepOutputs]:
        """Submits and runs the whole job; returns each step's uploaded outputs.

        Raises:
            AssertionError: a task failed (its log in the message).
        """
        template = json.loads((bundle / "template.yaml").read_text())
        values = _parameter_values(bundle)
        inputs, outputs = self._attachments(bundle, template, values)
        # One asset root per top-level folder; on POSIX all paths share "/", so the root is
        # the common path of every input, output and referenced path (deadline-cloud
        # src/deadline/job_attachments/upload.py, _get_asset_groups).
        self.root = Path(os.path.commonpath([*inputs, *outputs]))
        attached = {str(path.relative_to(self.root)): path.read_bytes() for path in inputs}
        self.outputs = [str(path.relative_to(self.root)) for path in outputs]
        results: dict[str, StepOutputs] = {}
        for step in _steps_in_order(template):
            downloaded = {}
            # A session downloads the outputs of the steps its step depends on over the job's
            # inputs (deadline-cloud src/deadline/job_attachments/asset_sync.py,
            # _aggregate_asset_root_manifests with step_dependencies).
            for dependency in step.get("dependencies", []):
                downloaded.update(results[dependency["dependsOn"]].files)
            results[step["name"]] = StepOutputs()
            for task in _tasks(bundle, template, values, step["name"]):
                uploaded = self._run_task(bundle, step["name"], task, values, attached, downloaded)
                results[step["name"]].files.update(uploaded)
        return results

    def download(self, outputs: StepOutputs) -> None:
        """`deadline job download-output` of a step: its files written back under the studio's
        paths (deadline-cloud src/deadline/job_attachments/download.py,
        get_output_manifests_by_asset_root by step)."""
        for relative, data in outputs.files.items():
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def _attachments(self, bundle: Path, template: dict, values: dict) -> tuple[list, list]:
        """(input files, output folders) as the submitter finds them."""
        assets = json.loads((bundle / "asset_references.yaml").read_text())["assetReferences"]
        files = {Path(path) for path in assets["inputs"]["filenames"]}
        folders = {Path(path) for path in assets["inputs"]["directories"]}
        outputs = {Path(path) for path in assets["outputs"]["directories"]}
        # PATH parameters: IN attaches the file (or the folder's files), OUT declares the folder
        # (a FILE's parent) (deadline-cloud src/deadline/client/job_bundle/parameters.py,
        # apply_job_parameters).
        for parameter in template["parameterDefinitions"]:
            flow = parameter.get("dataFlow", "NONE")
            if parameter["type"] != "PATH" or flow == "NONE":
                continue
            path = Path(values[parameter["name"]])
            file = parameter.get("objectType") == "FILE"
            if "IN" in flow:
                (files if file else folders).add(path)
            if "OUT" in flow:
                outputs.add(path.parent if file else path)
        # Only files are uploaded as inputs: a folder is attached as the files in it
        # (upload.py, _get_asset_groups skips directories among the inputs).
        for folder in folders:
            files |= {path for path in folder.rglob("*") if path.is_file()}
        return sorted(files), sorted(outputs)

    def _run_task(self, bundle, step: str, task: dict, values, attached, downloaded) -> dict:
        self.sessions += 1
        session = self.scratch / f"session-{self.sessions:03d}"
        # The session's copy of each asset root: SESSION/assetroot-<hash of the root>, and a
        # path mapping rule from the root to it (asset_sync.py, generate_dynamic_path_mapping;
        # the rules' format: openjd-specifications wiki/How-Jobs-Are-Run.md, "Path Mapping").
        local = session / f"assetroot-{hashlib.sha256(str(self.root).encode()).hexdigest()[:20]}"
        for relative, data in {**attached, **downloaded}.items():
            (local / relative).parent.mkdir(parents=True, exist_ok=True)
            (local / relative).write_bytes(data)
        synced = {path: path.stat().st_mtime_ns for path in local.rglob("*") if path.is_file()}
        rules = session / "path-mapping.json"
        rule = {"source_path_format": "POSIX", "source_path": str(self.root)}
        rule["destination_path"] = str(local)
        rules.write_text(json.dumps({"version": "pathmapping-1.0", "path_mapping_rules": [rule]}))
        arguments = [OPENJD, "run", str(bundle / "template.yaml"), "--step", step]
        for name, value in task.items():
            arguments += ["-tp", f"{name}={value}"]
        for name, value in values.items():
            arguments += ["-p", f"{name}={value}"]
        arguments += ["--path-mapping-rules", f"file://{rules}"]
        with self._studio_out_of_reach():
            result = run(*arguments)
        self.logs.append(result.stdout)
        assert result.returncode == 0, f"{step} {task} failed:\n{result.stdout[-4000:]}"
        return self._written(local, synced)

    def _written(self, local: Path, synced: dict) -> dict[str, bytes]:
        """Files new or changed since the session's download, under the declared output folders
        only (asset_sync.py, _get_output_files)."""
        written = {}
        for output in self.outputs:
            for path in (local / output).rglob("*"):
                if path.is_file() and synced.get(path) != path.stat().st_mtime_ns:
                    written[str(path.relative_to(local))] = path.read_bytes()
        return written

    def _studio_out_of_reach(self):
        return _MovedAway(self.studio)


class _MovedAway:
    """The submitter's folder renamed while tasks run: nothing may read it."""

    def __init__(self, folder: Path):
        self.folder, self.away = folder, folder.with_name(folder.name + "-out-of-reach")

    def __enter__(self):
        os.rename(self.folder, self.away)

    def __exit__(self, *exc):
        os.rename(self.away, self.folder)


def _parameter_values(bundle: Path) -> dict[str, str]:
    written = json.loads((bundle / "parameter_values.yaml").read_text())["parameterValues"]
    return {entry["name"]: entry["value"] for entry in written}


def _steps_in_order(template: dict) -> list[dict]:
    done, ordered, steps = set(), [], list(template["steps"])
    while steps:
        step = next(s for s in steps if {d["dependsOn"] for d in s.get("dependencies", [])} <= done)
        steps.remove(step)
        ordered.append(step)
        done.add(step["name"])
    return ordered


def _tasks(bundle: Path, template: dict, values: dict, step_name: str) -> list[dict]:
    """The step's tasks as OpenJD's model enumerates its parameter space."""
    job = openjd_job(template, values, bundle)
    step = next(step for step in job.steps if step.name == step_name)
    if step.parameterSpace is None:
        return [{}]
    return [
        {name: parameter.value for name, parameter in task.items()}
        for task in StepParameterSpaceIterator(space=step.parameterSpace)
    ]
