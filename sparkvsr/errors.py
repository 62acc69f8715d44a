"""The one exception hierarchy of SparkVSR; the wire maps each class to one gRPC status code."""

from __future__ import annotations


class SparkVSRError(Exception):
    """Base of every error SparkVSR raises on purpose; its message is meant for the user."""


class InvalidInputError(SparkVSRError):
    """The request or its media is wrong in a way the user can fix (spec, file, keyframe)."""


class OutputError(InvalidInputError):
    """An output cannot be written there (folder, permissions, full disk); the message names it."""


class NotFoundError(SparkVSRError):
    """A named thing (job, file, engine) does not exist."""


class EngineUnavailableError(SparkVSRError):
    """The engine exists but cannot run here (missing weights, packages or device)."""


class ResourceExhaustedError(SparkVSRError):
    """A queue or memory limit is full; retrying later can succeed."""


class JobCancelledError(SparkVSRError):
    """The job was cancelled by its client or by server shutdown."""


class UnauthenticatedError(SparkVSRError):
    """The server requires credentials that were missing or wrong."""


class PermissionDeniedError(SparkVSRError):
    """The caller is known but not allowed this (a web page of another site driving the server)."""


class ServerUnavailableError(SparkVSRError):
    """No server answered at the given address, or it went away."""


class ServiceError(SparkVSRError):
    """An outside service the job depends on (a keyframe restoration API) failed or is down."""


class EngineError(SparkVSRError):
    """An engine failed while processing; a bug or a broken device, not the user's input."""


class DeviceOutOfMemoryError(EngineError):
    """The engine's device ran out of memory for a window; the runner retries with less."""
