"""Deadline Cloud job bundles (OpenJD `jobtemplate-2023-09`): an upscale step whose tasks are
groups of engine windows (or whole clips of an edit) and an assemble step that depends on it."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sparkvsr.errors import InvalidInputError

SPECIFICATION = "jobtemplate-2023-09"

BundleKind = Literal["file", "timeline"]


@dataclass(frozen=True)
class BundleSpec:
    """What a bundle runs: one `sparkvsr` command split into tasks."""

    kind: BundleKind
    """A video file (tasks are groups of windows) or an edit (tasks are clips)."""
    command: tuple[str, ...]
    """The `sparkvsr` arguments of the same job run in one process (`upscale IN -o OUT ...` or
    `timeline upscale EDIT -o DIR ...`); input and output are replaced by job parameters."""
    source: str
    """The video or edit (absolute)."""
    output: str
    """The movie, sequence pattern or folder written (absolute)."""
    work_dir: str
    """The shared folder where tasks leave finished windows (absolute)."""
    tasks: tuple[str, ...]
    """One value per upscale task: window indices `0,1,2`, or a clip number."""
    gpu: bool
    """Whether the upscale step needs a GPU host."""
    executable: str = "sparkvsr"
    """How workers start sparkvsr (a name on their PATH, or a path)."""
    name: str = "SparkVSR"


def _path_parameter(name: str, object_type: str, flow: str, description: str) -> dict:
    # No default: OpenJD allows only relative default paths; parameter_values.yaml holds them.
    return {
        "name": name,
        "type": "PATH",
        "objectType": object_type,
        "dataFlow": flow,
        "description": description,
    }


def job_template(spec: BundleSpec) -> dict:
    """The OpenJD job template of `spec`."""
    output_type = "DIRECTORY" if spec.kind == "timeline" else "FILE"
    parameters = [
        _path_parameter("Input", "FILE", "IN", "The video or edit to upscale."),
        _path_parameter("Output", output_type, "OUT", "Where the upscaled media is written."),
        _path_parameter("WorkDir", "DIRECTORY", "INOUT", "Shared folder for finished windows."),
        {
            "name": "SparkVSR",
            "type": "STRING",
            "default": spec.executable,
            "description": "The sparkvsr command on the workers.",
        },
    ]
    job = _job_arguments(spec)
    task_flag = "--clip" if spec.kind == "timeline" else "--windows"
    upscale = {
        "name": "Upscale",
        "parameterSpace": {
            "taskParameterDefinitions": [
                {"name": "Work", "type": "STRING", "range": list(spec.tasks)}
            ]
        },
        "script": _script(
            ["farm", "run-windows", task_flag, "{{Task.Param.Work}}", *_work(), "--", *job]
        ),
    }
    if spec.gpu:
        upscale["hostRequirements"] = {"amounts": [{"name": "amount.worker.gpu", "min": 1}]}
    assemble = {
        "name": "Assemble",
        "dependencies": [{"dependsOn": "Upscale"}],
        "script": _script(["farm", "assemble", *_work(), "--", *job]),
    }
    return {
        "specificationVersion": SPECIFICATION,
        "name": spec.name,
        "parameterDefinitions": parameters,
        "steps": [upscale, assemble],
    }


def _work() -> list[str]:
    return ["--work", "{{Param.WorkDir}}", "--path-mapping-rules", _RULES]


# OpenJD writes the session's path mapping rules to this file; the tasks apply them to the media
# paths an edit holds, which no job parameter carries.
_RULES = "{{Session.PathMappingRulesFile}}"


def _job_arguments(spec: BundleSpec) -> list[str]:
    """The command with its input and output replaced by the job's PATH parameters, so that
    OpenJD maps them."""
    for argument in spec.command:
        if "{{" in argument:
            raise InvalidInputError(f"an argument may not hold '{{{{' in a job bundle: {argument}")
    replaced = {spec.source: "{{Param.Input}}", spec.output: "{{Param.Output}}"}
    return [replaced.get(argument, argument) for argument in spec.command]


def _script(arguments: Sequence[str]) -> dict:
    return {"actions": {"onRun": {"command": "{{Param.SparkVSR}}", "args": list(arguments)}}}


def write_bundle(spec: BundleSpec, folder: str) -> Path:
    """Writes `template.yaml`, `parameter_values.yaml` and `asset_references.yaml` into
    `folder` (created); returns the template's path."""
    bundle = Path(folder)
    bundle.mkdir(parents=True, exist_ok=True)
    values = {"Input": spec.source, "Output": spec.output, "WorkDir": spec.work_dir}
    output_dir = spec.output if spec.kind == "timeline" else os.path.dirname(spec.output)
    assets = {
        "assetReferences": {
            "inputs": {"filenames": [spec.source], "directories": []},
            "outputs": {"directories": sorted({output_dir, spec.work_dir})},
            "referencedPaths": [],
        }
    }
    documents = {
        "template.yaml": job_template(spec),
        "parameter_values.yaml": {
            "parameterValues": [{"name": name, "value": value} for name, value in values.items()]
        },
        "asset_references.yaml": assets,
    }
    for name, document in documents.items():
        # JSON is YAML 1.2: the bundle's .yaml files need no YAML library to write.
        text = json.dumps(document, indent=2)
        (bundle / name).write_text(text + "\n", encoding="utf-8")
    return bundle / "template.yaml"


def openjd_run_arguments(spec: BundleSpec, template: Path) -> list[str]:
    """`openjd run` arguments that run the whole bundle on this machine."""
    values = {"Input": spec.source, "Output": spec.output, "WorkDir": spec.work_dir}
    arguments = ["openjd", "run", str(template), "--step", "Assemble", "--run-dependencies"]
    for name, value in values.items():
        arguments += ["-p", f"{name}={value}"]
    return arguments
