import grpc
import numpy as np
import pytest

from sparkvsr import wire
from sparkvsr.errors import (
    InvalidInputError,
    JobCancelledError,
    ResourceExhaustedError,
    SparkVSRError,
)
from sparkvsr.specs import FrameLayout, JobSpec


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


def test_spec_round_trips_including_explicit_zero_overlap():
    spec = JobSpec(
        49,
        FrameLayout(480, 270, 3, 16, "bottom_up"),
        scale=4,
        engine="flow",
        keyframe_indices=(0, 24),
        chunk_length=8,
        chunk_overlap=0,
    )
    assert wire.spec_from_proto(wire.spec_to_proto(spec), "flow") == spec
    default = JobSpec(3, FrameLayout(8, 8))
    assert wire.spec_from_proto(wire.spec_to_proto(default), "flow").chunk_overlap is None


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
