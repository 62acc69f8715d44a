"""Deadline Cloud job bundles (OpenJD `jobtemplate-2023-09`): an optional keyframe step, an
upscale step whose tasks are ranges of engine windows (or clips of an edit), and an assemble
step; data moves between them only as outputs of a step the reader depends on."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sparkvsr.atomic import write_atomically
from sparkvsr.errors import InvalidInputError, NotFoundError

SPECIFICATION = "jobtemplate-2023-09"

BundleKind = Literal["file", "timeline"]

# Runs `python -m sparkvsr ARGS` with the interpreter the job environment installed (its
# `openjd_env` line), else the one the task was started with: a step's command cannot name an
# environment variable, an action's arguments can only be passed on.
_LAUNCH = (
    "import os, subprocess, sys; sys.exit(subprocess.call("
    "[os.environ.get('SPARKVSR_PYTHON', sys.executable), '-m', 'sparkvsr', *sys.argv[1:]]))"
)

# A per-session virtual environment with the bundle's wheel: a worker needs only Python.
# Printing `openjd_env: NAME=VALUE` from an environment's onEnter action sets the variable for
# the session's later actions (openjd-specifications wiki/How-Jobs-Are-Run.md, "Stdout/Stderr
# Messages").
_INSTALL = """\
import os, subprocess, sys, venv
wheel, session = sys.argv[1:3]
folder = os.path.join(session, "sparkvsr-venv")
venv.create(folder, with_pip=True)
python = os.path.join(folder, "Scripts" if os.name == "nt" else "bin", "python")
subprocess.check_call([python, "-m", "pip", "install", "--quiet", wheel])
print(f"openjd_env: SPARKVSR_PYTHON={python}", flush=True)
"""


@dataclass(frozen=True)
class BundleSpec:
    """What a bundle runs: one `sparkvsr` command split into tasks."""

    kind: BundleKind
    """A video file (tasks are ranges of windows) or an edit (tasks are clips)."""
    command: tuple[str, ...]
    """The `sparkvsr` arguments of the same job run in one process (`upscale IN -o OUT ...` or
    `timeline upscale EDIT -o DIR ...`), every path absolute; input and output are replaced by
    job parameters."""
    source: str
    """The video or edit (absolute)."""
    output: str
    """The movie, sequence pattern or folder written (absolute)."""
    work_dir: str
    """Where the keyframe and upscale steps leave restored keyframes and finished windows
    (absolute); outside the output's folder, so downloading the deliverables leaves them."""
    tasks: str
    """The upscale step's task values as an OpenJD integer range expression: first windows
    (`0-40:4`) or clip numbers (`0,2,3`)."""
    windows_per_task: int = 1
    """Windows from each task's first window (file jobs)."""
    restores_keyframes: bool = False
    """Whether a keyframe step restores keyframes (a provider is set) before the upscale step."""
    gpu_memory_mib: int = 0
    """GPU memory an upscale task needs (0 = no GPU needed)."""
    python: str = "python3"
    """The Python on the workers that runs `-m sparkvsr` (the writer's own by default)."""
    wheel: str | None = None
    """The project's wheel, installed by a job environment into each session (absolute)."""
    inputs: tuple[str, ...] = ()
    """Files the tasks read besides the source (clips' media, stills), attached to the job."""
    input_dirs: tuple[str, ...] = ()
    """Folders the tasks read (keyframe folders), attached with their files."""
    outputs: tuple[str, ...] = field(default=())
    """Further folders the tasks write (an edit written elsewhere)."""
    name: str = "SparkVSR"


def _path_parameter(name: str, object_type: str, flow: str, description: str) -> dict:
    # Deadline's submitter attaches IN paths (FILE: the file, DIRECTORY: its files) and uploads
    # what tasks write under OUT paths (FILE: its folder) (aws-deadline/deadline-cloud
    # src/deadline/client/job_bundle/parameters.py, apply_job_parameters). No default: OpenJD
    # allows only relative default paths; parameter_values.yaml holds them.
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
        _path_parameter("WorkDir", "DIRECTORY", "OUT", "Restored keyframes and finished windows."),
        {
            "name": "Python",
            "type": "STRING",
            "default": spec.python,
            "description": "The Python that runs sparkvsr on the workers (or installs the wheel).",
        },
    ]
    template = {
        "specificationVersion": SPECIFICATION,
        "name": spec.name,
        "parameterDefinitions": parameters,
        "steps": _steps(spec),
    }
    if spec.wheel:
        parameters.append(
            _path_parameter("Wheel", "FILE", "IN", "The sparkvsr wheel installed per session.")
        )
        template["jobEnvironments"] = [_install_environment()]
    return template


def _steps(spec: BundleSpec) -> list[dict]:
    job = _job_arguments(spec)
    # An edit's keyframe and assemble steps are told which clips have an upscale task: one of
    # them that cannot be done (its media missing on that worker, say) fails the step, while
    # clips with no task are only skipped.
    clips = ["--clips", spec.tasks] if spec.kind == "timeline" else []
    steps = []
    if spec.restores_keyframes:
        steps.append({"name": "Keyframes", "script": _script(["restore-keyframes", *clips], job)})
    if spec.kind == "timeline":
        task, flag = {"name": "Clip", "type": "INT", "range": spec.tasks}, ["--clip"]
    else:
        task = {"name": "Window", "type": "INT", "range": spec.tasks}
        flag = ["--windows-per-task", str(spec.windows_per_task), "--first-window"]
    upscale = {
        "name": "Upscale",
        "parameterSpace": {"taskParameterDefinitions": [task]},
        "script": _script(["run-windows", *flag, f"{{{{Task.Param.{task['name']}}}}}"], job),
    }
    if spec.restores_keyframes:
        upscale["dependencies"] = [{"dependsOn": "Keyframes"}]
    if spec.gpu_memory_mib:
        # Amount names of the 2023-09 schema; GPU memory is in MiB (openjd-model
        # v2023_09/_model.py's standard amount capabilities).
        upscale["hostRequirements"] = {
            "amounts": [
                {"name": "amount.worker.gpu", "min": 1},
                {"name": "amount.worker.gpu.memory", "min": spec.gpu_memory_mib},
            ]
        }
    assemble = {
        "name": "Assemble",
        "dependencies": [{"dependsOn": "Upscale"}],
        "script": _script(["assemble", *clips], job),
    }
    return [*steps, upscale, assemble]


def _install_environment() -> dict:
    return {
        "name": "SparkVSR",
        "script": {
            "actions": {
                "onEnter": {
                    "command": "{{Param.Python}}",
                    "args": [
                        "{{Env.File.Install}}",
                        "{{Param.Wheel}}",
                        "{{Session.WorkingDirectory}}",
                    ],
                }
            },
            "embeddedFiles": [
                {"name": "Install", "type": "TEXT", "filename": "install.py", "data": _INSTALL}
            ],
        },
    }


def _job_arguments(spec: BundleSpec) -> list[str]:
    """The command with its input and output replaced by the job's PATH parameters, so that
    OpenJD maps them."""
    for argument in spec.command:
        if "{{" in argument:
            raise InvalidInputError(f"an argument may not hold '{{{{' in a job bundle: {argument}")
    replaced = {spec.source: "{{Param.Input}}", spec.output: "{{Param.Output}}"}
    return [replaced.get(argument, argument) for argument in spec.command]


def _script(task: Sequence[str], job: Sequence[str]) -> dict:
    # OpenJD writes the session's path mapping rules to this file; tasks map every path of the
    # command, an edit and its markers with them.
    farm = ["farm", *task, "--work-dir", "{{Param.WorkDir}}"]
    farm += ["--path-mapping-rules", "{{Session.PathMappingRulesFile}}"]
    arguments = ["-c", _LAUNCH, *farm, "--", *job]
    return {"actions": {"onRun": {"command": "{{Param.Python}}", "args": arguments}}}


def parameter_values(spec: BundleSpec) -> dict[str, str]:
    """The job parameters of the bundle as submitted (the studio's paths)."""
    values = {"Input": spec.source, "Output": spec.output, "WorkDir": spec.work_dir}
    if spec.wheel:
        values["Wheel"] = spec.wheel
    return values


def openjd_job(template: dict, values: dict[str, str], folder: Path):
    """The job OpenJD's own model makes of the template and parameter values (decoded and
    validated): an invalid bundle is never written.

    Raises:
        InvalidInputError: what OpenJD objects to.
    """
    try:
        from openjd.model import (
            DecodeValidationError,
            create_job,
            decode_job_template,
            preprocess_job_parameters,
        )
    except ImportError:
        raise NotFoundError(
            "writing a farm bundle needs openjd-model: pip install 'sparkvsr[farm]'"
        ) from None
    try:
        decoded = decode_job_template(template=template)
        parameters = preprocess_job_parameters(
            job_template=decoded,
            job_parameter_values=values,
            job_template_dir=folder,
            current_working_dir=folder,
        )
        return create_job(job_template=decoded, job_parameter_values=parameters)
    except DecodeValidationError as error:
        raise InvalidInputError(f"OpenJD rejects the job template: {error}") from None
    except ValueError as error:  # preprocess_job_parameters: the parameter values
        raise InvalidInputError(f"OpenJD rejects the job's parameters: {error}") from None


def write_bundle(spec: BundleSpec, folder: str) -> Path:
    """Validates the template, then writes `template.yaml`, `parameter_values.yaml` and
    `asset_references.yaml` (and the wheel) into `folder` (created); returns the template's
    path."""
    bundle = Path(folder).absolute()  # OpenJD takes only an absolute template folder
    template = job_template(spec)
    openjd_job(template, parameter_values(spec), bundle)
    bundle.mkdir(parents=True, exist_ok=True)
    if spec.wheel:
        # The bundle carries its wheel: the job attaches the copy, wherever the bundle goes.
        carried = bundle / os.path.basename(spec.wheel)
        if carried.resolve() != Path(spec.wheel).resolve():
            shutil.copy2(spec.wheel, carried)
        spec = replace(spec, wheel=str(carried.absolute()))
    values = parameter_values(spec)
    documents = {
        "template.yaml": template,
        "parameter_values.yaml": {
            "parameterValues": [{"name": name, "value": value} for name, value in values.items()]
        },
        "asset_references.yaml": _asset_references(spec),
    }
    for name, document in documents.items():
        # JSON is YAML 1.2: the bundle's .yaml files need no YAML library to write.
        write_atomically(bundle / name, json.dumps(document, indent=2) + "\n")
    return bundle / "template.yaml"


def _asset_references(spec: BundleSpec) -> dict:
    # The layout Deadline's submitter reads (aws-deadline/deadline-cloud
    # src/deadline/client/job_bundle/submission.py, AssetReferences.from_dict).
    output_dir = spec.output if spec.kind == "timeline" else os.path.dirname(spec.output)
    return {
        "assetReferences": {
            "inputs": {
                "filenames": sorted({spec.source, *spec.inputs}),
                "directories": sorted(set(spec.input_dirs)),
            },
            "outputs": {"directories": sorted({output_dir, spec.work_dir, *spec.outputs})},
            "referencedPaths": [],
        }
    }


def openjd_run_arguments(spec: BundleSpec, template: Path, openjd: str = "openjd") -> list[str]:
    """`openjd run` arguments that run the whole bundle on this machine."""
    arguments = [openjd, "run", str(template), "--step", "Assemble", "--run-dependencies"]
    for name, value in parameter_values(spec).items():
        arguments += ["-p", f"{name}={value}"]
    return arguments
