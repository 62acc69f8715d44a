"""Property sets as the OpenFX standard types them, and the property suite over them: every
property has one type (ofxProperty.h: int, double, string or pointer, each with its own get and
set functions), the host's own properties and an action's inArgs are read-only to the plug-in,
and a wrong-typed or read-only access is refused with a status (and reported to the test)."""

from __future__ import annotations

import ctypes as C
from collections.abc import Iterable

# ofxCore.h status codes.
OK, FAILED, ERR_UNKNOWN, ERR_UNSUPPORTED = 0, 1, 3, 5
ERR_MEMORY, ERR_BAD_HANDLE, ERR_BAD_INDEX, ERR_VALUE = 8, 9, 10, 11
REPLY_DEFAULT = 14

INT, DOUBLE, STRING, POINTER = "int", "double", "string", "pointer"

# Each property's type, as the "Type -" line of its definition in the standard's headers gives it
# (ofxCore.h, ofxImageEffect.h, ofxParam.h). Properties outside this table take the type of the
# first value set (the standard has no untyped properties).
PROPERTY_TYPES = {
    "OfxPropTime": DOUBLE,
    "OfxPropName": STRING,
    "OfxPropLabel": STRING,
    "OfxPropType": STRING,
    "OfxPropInstanceData": POINTER,
    "OfxPropIsInteractive": INT,
    "OfxPropChangeReason": STRING,
    "OfxImageEffectPropContext": STRING,
    "OfxImageEffectPropSupportedContexts": STRING,
    "OfxImageEffectPropSupportedPixelDepths": STRING,
    "OfxImageEffectPropSupportedComponents": STRING,
    "OfxImageEffectPropSupportsMultiResolution": INT,
    "OfxImageEffectPropSupportsTiles": INT,
    "OfxImageEffectPropTemporalClipAccess": INT,
    "OfxImageEffectPluginRenderThreadSafety": STRING,
    "OfxImageEffectPluginPropHostFrameThreading": INT,
    "OfxImageEffectPluginPropGrouping": STRING,
    "OfxImageEffectPluginPropFieldRenderTwiceAlways": INT,
    "OfxImageClipPropFieldExtraction": STRING,
    "OfxImageClipPropFieldOrder": STRING,
    "OfxImageClipPropConnected": INT,
    "OfxImageEffectHostPropIsBackground": INT,
    "OfxImageEffectPropRenderScale": DOUBLE,
    "OfxImageEffectPropRenderWindow": INT,
    "OfxImageEffectPropFieldToRender": STRING,
    "OfxImageEffectPropSequentialRenderStatus": INT,
    "OfxImageEffectPropInteractiveRenderStatus": INT,
    "OfxImageEffectPropFrameRange": DOUBLE,
    "OfxImageEffectPropFrameStep": DOUBLE,
    "OfxImageEffectPropFrameRate": DOUBLE,
    "OfxImageEffectPropRegionOfDefinition": DOUBLE,
    "OfxImageEffectPropProjectSize": DOUBLE,
    "OfxImageEffectPropPixelDepth": STRING,
    "OfxImageEffectPropComponents": STRING,
    "OfxImageEffectPropPreMultiplication": STRING,
    "OfxImageEffectFrameVarying": INT,
    "OfxImageClipPropContinuousSamples": INT,
    "OfxImagePropData": POINTER,
    "OfxImagePropBounds": INT,
    "OfxImagePropRegionOfDefinition": INT,
    "OfxImagePropRowBytes": INT,
    "OfxImagePropPixelAspectRatio": DOUBLE,
    "OfxImagePropField": STRING,
    "OfxParamPropHint": STRING,
    "OfxParamPropChoiceOption": STRING,
    "OfxParamPropAnimates": INT,
    "OfxParamPropStringMode": STRING,
    "OfxParamPropEvaluateOnChange": INT,
    "OfxParamPropScriptName": STRING,
}
# The type of a parameter's value properties (Default, Min, Max) by parameter type (ofxParam.h).
PARAM_VALUE_TYPES = {
    "OfxParamTypeInteger": INT,
    "OfxParamTypeChoice": INT,
    "OfxParamTypeBoolean": INT,
    "OfxParamTypeDouble": DOUBLE,
    "OfxParamTypeString": STRING,
}
# Out-arguments named "<prefix><clip name>" (GetClipPreferences, GetFramesNeeded, ofxImageEffect.h).
PREFIX_TYPES = {
    "OfxImageClipPropComponents_": STRING,
    "OfxImageClipPropDepth_": STRING,
    "OfxImageClipPropPAR_": DOUBLE,
    "OfxImageClipPropFrameRange_": DOUBLE,
}


class Refused(Exception):
    """A suite call the host refuses with `status`; `misuse` names a plug-in bug to report."""

    def __init__(self, status: int, misuse: str | None = None):
        super().__init__(misuse or status)
        self.status, self.misuse = status, misuse


class PropertySet:
    """Named, typed, multi-dimensional values, as the standard's property sets hold them.

    `writable`: the names the plug-in may set (None: all, as on descriptors and out-arguments).
    `closed`: setting a name the set does not hold fails (kOfxStatErrUnknown), as on instances."""

    def __init__(self, **values):
        self.values: dict[str, list] = {
            k: list(v) if isinstance(v, list | tuple) else [v] for k, v in values.items()
        }
        self.types: dict[str, str] = {}
        self.writable: frozenset[str] | None = None
        self.closed = False
        self._buffers: dict[tuple[str, int], C.Array] = {}

    def lock(self, writable: Iterable[str] = (), closed: bool = True) -> PropertySet:
        """Makes the set read-only to the plug-in but for `writable`; returns it."""
        self.writable, self.closed = frozenset(writable), closed
        return self

    def get(self, name: str, default=None):
        values = self.values.get(name)
        return values[0] if values else default

    def type_of(self, name: str) -> str | None:
        declared = self.types.get(name) or PROPERTY_TYPES.get(name)
        prefixed = [t for prefix, t in PREFIX_TYPES.items() if name.startswith(prefix)]
        if declared or prefixed:
            return declared or prefixed[0]
        first = next((v for v in self.values.get(name, []) if v is not None), None)
        return {bytes: STRING, float: DOUBLE, int: INT}.get(type(first))

    def check(self, name: str, kind: str, writing: bool, read_only_status: int) -> None:
        """Raises Refused for an access the standard does not allow."""
        if name not in self.values and (not writing or self.closed):
            raise Refused(ERR_UNKNOWN)  # no such property here: a plug-in may probe for one
        known = self.type_of(name)
        if known is not None and known != kind:
            # ofxProperty.h: each type has its own accessors; the property of the requested type
            # does not exist (kOfxStatErrUnknown, the status for an unknown property).
            raise Refused(ERR_UNKNOWN, f"{name} is {known}, accessed as {kind}")
        if writing and self.writable is not None and name not in self.writable:
            # The standard marks these "read only" but names no status for writing one; a switch
            # of the host chooses (kOfxStatErrValue by default).
            raise Refused(read_only_status, f"{name} is read-only")

    def string_pointer(self, name: str, index: int) -> int:
        key = (name, index)
        if key not in self._buffers or self._buffers[key].value != self.values[name][index]:
            self._buffers[key] = C.create_string_buffer(self.values[name][index])
        return C.addressof(self._buffers[key])


def property_suite(props_of, read_only_status: int) -> dict:
    """The property suite's functions over the sets `props_of(handle)` returns."""

    def put(h, name, index, value, kind):
        props, name = props_of(h), name.decode()
        props.check(name, kind, True, read_only_status)
        if index < 0:
            raise IndexError(index)
        values = props.values.setdefault(name, [])
        values.extend([None] * (index + 1 - len(values)))
        values[index] = value
        props.types.setdefault(name, kind)

    def put_n(h, name, count, array, kind, convert=lambda v: v):
        props, name = props_of(h), name.decode()
        props.check(name, kind, True, read_only_status)
        props.values[name] = [convert(array[i]) for i in range(count)]
        props.types.setdefault(name, kind)

    def take(h, name, index, kind):
        props, name = props_of(h), name.decode()
        props.check(name, kind, False, read_only_status)
        if index < 0:
            raise IndexError(index)
        return props.values[name][index]  # IndexError -> bad index

    def take_string(h, name, index, out):
        take(h, name, index, STRING)
        out[0] = props_of(h).string_pointer(name.decode(), index)

    def take_n(h, name, count, out, kind):
        for i in range(count):
            out[i] = take(h, name, i, kind)

    def dimension(h, name, out):
        props = props_of(h)
        if name.decode() not in props.values:
            raise Refused(ERR_UNKNOWN)
        out[0] = len(props.values[name.decode()])

    def one(kind, convert=lambda v: v):
        return lambda h, n, i, v: put(h, n, i, convert(v), kind)

    def many(kind, convert=lambda v: v):
        return lambda h, n, c, a: put_n(h, n, c, a, kind, convert)

    def get_one(kind, convert=lambda v: v):
        return lambda h, n, i, out: out.__setitem__(0, convert(take(h, n, i, kind)))

    return {
        "propSetPointer": one(POINTER, lambda v: v or 0),
        "propSetString": one(STRING),
        "propSetDouble": one(DOUBLE),
        "propSetInt": one(INT),
        "propSetPointerN": many(POINTER, lambda v: v or 0),
        "propSetStringN": many(STRING),
        "propSetDoubleN": many(DOUBLE),
        "propSetIntN": many(INT),
        "propGetPointer": get_one(POINTER, lambda v: v or None),
        "propGetString": take_string,
        "propGetDouble": get_one(DOUBLE),
        "propGetInt": get_one(INT),
        "propGetPointerN": lambda h, n, c, out: take_n(h, n, c, out, POINTER),
        "propGetDoubleN": lambda h, n, c, out: take_n(h, n, c, out, DOUBLE),
        "propGetIntN": lambda h, n, c, out: take_n(h, n, c, out, INT),
        "propGetDimension": dimension,
    }
