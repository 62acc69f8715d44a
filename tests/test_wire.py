import dataclasses

import grpc
import numpy as np
import pytest

from sparkvsr import wire
from sparkvsr.engines import FLOW_ENGINE_INFO, SPARKVSR_ENGINE_INFO, DeviceInfo, EngineInfo
from sparkvsr.errors import (
    InvalidInputError,
    JobCancelledError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.info import EngineStatus, ServerInfo
from sparkvsr.specs import FrameLayout, JobSpec, JobState, JobStatus


@pytest.mark.parametrize("row_order", ["top_down", "bottom_up"])
def test_a_large_16_bit_frame_splits_under_the_limit_and_reassembles(row_order):
    image = np.random.default_rng(0).integers(0, 65536, (300, 200, 4), dtype=np.uint16)
    limit = 64 * 1024
    parts = list(wire.frame_to_parts(7, image, limit, row_order))
    assert len(parts) == -(-image.nbytes // (limit - wire.PART_HEADER_BYTES))
    assert all(p.ByteSize() <= limit for p in parts)
    assembler = wire.FrameAssembler("frame")
    results = [assembler.add(p) for p in parts]
    assert results[:-1] == [None] * (len(parts) - 1)
    index, rebuilt = results[-1]
    assert index == 7
    np.testing.assert_array_equal(rebuilt, image)
    if row_order == "bottom_up":
        assert parts[0].data[:8] == image[-1].tobytes()[:8]


def test_parts_out_of_order_are_rejected():
    parts = list(wire.frame_to_parts(0, np.zeros((64, 64, 3), np.uint8), 4096))
    assembler = wire.FrameAssembler("source frame")
    assembler.add(parts[0])
    with pytest.raises(InvalidInputError, match="source frame 0: parts out of order"):
        assembler.add(parts[2])


ENGINES = {"flow": FLOW_ENGINE_INFO, "sparkvsr": SPARKVSR_ENGINE_INFO}


def _differs_from_default_in_every_field(value, defaults):
    return all(
        getattr(value, field.name) != getattr(defaults, field.name)
        for field in dataclasses.fields(value)
    )


def test_every_spec_field_survives_the_round_trip():
    spec = JobSpec(
        49,
        FrameLayout(480, 270, 1, 16, "bottom_up", "float"),
        scale=2,
        engine="sparkvsr",
        keyframe_indices=(0, 24),
        chunk_length=8,
        chunk_overlap=0,
    )
    # The check below is only as good as the sample: every field must differ from its default.
    assert _differs_from_default_in_every_field(spec, JobSpec(1, FrameLayout(1, 1)))
    assert _differs_from_default_in_every_field(spec.source_layout, FrameLayout(1, 1))
    assert wire.spec_from_proto(wire.spec_to_proto(spec), "flow", ENGINES) == spec


def test_wire_zeros_select_the_servers_engine_and_that_engines_scale():
    message = wire.spec_to_proto(JobSpec(3, FrameLayout(8, 8)))
    message.ClearField("engine")
    message.scale = 0
    engines = {"flow": dataclasses.replace(FLOW_ENGINE_INFO, default_scale=2)}
    spec = wire.spec_from_proto(message, "flow", engines)
    assert (spec.engine, spec.scale, spec.chunk_overlap) == ("flow", 2, None)


def test_every_engine_info_field_survives_the_round_trip():
    info = EngineInfo(
        name="x",
        description="d",
        scales=(2, 3),
        min_keyframe_gap=5,
        chunk_length=9,
        chunk_overlap=2,
        keyframe_reach=7,
        default_scale=3,
    )
    status = EngineStatus(info, "no weights")
    server = ServerInfo("1", "x", (status,), (DeviceInfo("cpu", "c", 1),), 65536, 3, 2, {"a": "b"})
    assert wire.server_info_from_proto(wire.server_info_to_proto(server)) == server


@pytest.mark.parametrize(
    "error, code",
    [
        (InvalidInputError("x"), grpc.StatusCode.INVALID_ARGUMENT),
        (ResourceExhaustedError("x"), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (JobCancelledError("x"), grpc.StatusCode.CANCELLED),
    ],
)
def test_every_error_maps_to_a_status_and_back(error, code):
    assert wire.status_for(error) == code
    back = wire.error_for(code, "details")
    assert type(back) is type(error) and str(back) == "details"


def test_the_table_covers_every_error_class():
    import sparkvsr.errors as errors

    classes = {
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, SparkVSRError) and c is not SparkVSRError
    }
    assert classes == set(wire.STATUS_BY_ERROR)


def test_every_job_status_field_survives_the_round_trip():
    status = JobStatus("j", JobState.FAILED, 3, 9, "why", True, "/o.mov", "/o.json", "writing")
    assert _differs_from_default_in_every_field(status, JobStatus("", JobState.QUEUED, 0, 0))
    assert wire.job_status_from_proto(wire.job_status_to_proto(status)) == status
