"""A test OpenFX host: loads a plug-in bundle with ctypes and drives it as the OFX 1.4 standard
says (setHost, fetchSuite, the actions with their in/out argument property sets), serving source
frames from numpy arrays. The one fake of a commercial OFX host in the tests."""

from __future__ import annotations

import ctypes as C
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

OK, FAILED, ERR_UNKNOWN, ERR_UNSUPPORTED, ERR_BAD_HANDLE, ERR_BAD_INDEX = 0, 1, 3, 5, 9, 10
REPLY_DEFAULT = 14
DEPTHS = {
    np.dtype(np.uint8): "OfxBitDepthByte",
    np.dtype(np.uint16): "OfxBitDepthShort",
    np.dtype(np.float32): "OfxBitDepthFloat",
}

P, S, INT, D = C.c_void_p, C.c_char_p, C.c_int, C.c_double
FN = C.CFUNCTYPE


class OfxHostStruct(C.Structure):
    _fields_ = [("host", P), ("fetchSuite", FN(P, P, S, INT))]


class OfxPluginStruct(C.Structure):
    _fields_ = [
        ("pluginApi", S),
        ("apiVersion", INT),
        ("pluginIdentifier", S),
        ("pluginVersionMajor", C.c_uint),
        ("pluginVersionMinor", C.c_uint),
        ("setHost", FN(None, C.POINTER(OfxHostStruct))),
        ("mainEntry", FN(INT, S, P, P, P)),
    ]


# Suites in the standard's member order; members this host does not serve answer unsupported.
UNSUPPORTED = FN(INT)
PROPERTY_SUITE = [
    ("propSetPointer", FN(INT, P, S, INT, P)),
    ("propSetString", FN(INT, P, S, INT, S)),
    ("propSetDouble", FN(INT, P, S, INT, D)),
    ("propSetInt", FN(INT, P, S, INT, INT)),
    ("propSetPointerN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propSetStringN", FN(INT, P, S, INT, C.POINTER(S))),
    ("propSetDoubleN", FN(INT, P, S, INT, C.POINTER(D))),
    ("propSetIntN", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propGetPointer", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetString", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetDouble", FN(INT, P, S, INT, C.POINTER(D))),
    ("propGetInt", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propGetPointerN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetStringN", FN(INT, P, S, INT, C.POINTER(P))),
    ("propGetDoubleN", FN(INT, P, S, INT, C.POINTER(D))),
    ("propGetIntN", FN(INT, P, S, INT, C.POINTER(INT))),
    ("propReset", FN(INT, P, S)),
    ("propGetDimension", FN(INT, P, S, C.POINTER(INT))),
]
IMAGE_EFFECT_SUITE = [
    ("getPropertySet", FN(INT, P, C.POINTER(P))),
    ("getParamSet", FN(INT, P, C.POINTER(P))),
    ("clipDefine", FN(INT, P, S, C.POINTER(P))),
    ("clipGetHandle", FN(INT, P, S, C.POINTER(P), C.POINTER(P))),
    ("clipGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("clipGetImage", FN(INT, P, D, P, C.POINTER(P))),
    ("clipReleaseImage", FN(INT, P)),
    ("clipGetRegionOfDefinition", FN(INT, P, D, C.POINTER(D))),
    ("abort", FN(INT, P)),
    ("imageMemoryAlloc", UNSUPPORTED),
    ("imageMemoryFree", UNSUPPORTED),
    ("imageMemoryLock", UNSUPPORTED),
    ("imageMemoryUnlock", UNSUPPORTED),
]
# paramGetValue/AtTime are variadic; on x86-64 System V a pointer after the fixed arguments
# arrives where a fixed pointer argument would, so they are served with fixed signatures.
PARAMETER_SUITE = [
    ("paramDefine", FN(INT, P, S, S, C.POINTER(P))),
    ("paramGetHandle", FN(INT, P, S, C.POINTER(P), C.POINTER(P))),
    ("paramSetGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("paramGetPropertySet", FN(INT, P, C.POINTER(P))),
    ("paramGetValue", FN(INT, P, P)),
    ("paramGetValueAtTime", FN(INT, P, D, P)),
] + [
    (name, UNSUPPORTED)
    for name in (
        "paramGetDerivative",
        "paramGetIntegral",
        "paramSetValue",
        "paramSetValueAtTime",
        "paramGetNumKeys",
        "paramGetKeyTime",
        "paramGetKeyIndex",
        "paramDeleteKey",
        "paramDeleteAllKeys",
        "paramCopy",
        "paramEditBegin",
        "paramEditEnd",
    )
]
# paramSetValue (variadic too) serves integer parameters: the effect's Refresh count.
_AT = [name for name, _ in PARAMETER_SUITE].index("paramSetValue")
PARAMETER_SUITE[_AT] = ("paramSetValue", FN(INT, P, INT))
MEMORY_SUITE = [("memoryAlloc", FN(INT, P, C.c_size_t, C.POINTER(P))), ("memoryFree", FN(INT, P))]
MULTITHREAD_SUITE = [
    ("multiThread", UNSUPPORTED),
    ("multiThreadNumCPUs", FN(INT, C.POINTER(C.c_uint))),
    ("multiThreadIndex", FN(INT, C.POINTER(C.c_uint))),
    ("multiThreadIsSpawnedThread", FN(INT)),
    ("mutexCreate", FN(INT, C.POINTER(P), INT)),
    ("mutexDestroy", FN(INT, P)),
    ("mutexLock", FN(INT, P)),
    ("mutexUnLock", FN(INT, P)),
    ("mutexTryLock", FN(INT, P)),
]
MESSAGE_SUITE_V2 = [
    ("message", FN(INT, P, S, S, S, S)),
    ("setPersistentMessage", FN(INT, P, S, S, S, S)),
    ("clearPersistentMessage", FN(INT, P)),
]


def suite_struct(name: str, members: list) -> type[C.Structure]:
    return type(name, (C.Structure,), {"_fields_": members})


_libc = C.CDLL(None)
_libc.malloc.restype, _libc.malloc.argtypes = P, [C.c_size_t]
_libc.free.argtypes = [P]


class PropertySet:
    """Named, typed, multi-dimensional values, as the standard's property sets hold them."""

    def __init__(self, **values):
        self.values: dict[str, list] = {
            k: list(v) if isinstance(v, list | tuple) else [v] for k, v in values.items()
        }
        self._buffers: dict[tuple[str, int], C.Array] = {}

    def get(self, name: str, default=None):
        values = self.values.get(name)
        return values[0] if values else default

    def string_pointer(self, name: str, index: int) -> int:
        key = (name, index)
        if key not in self._buffers or self._buffers[key].value != self.values[name][index]:
            self._buffers[key] = C.create_string_buffer(self.values[name][index])
        return C.addressof(self._buffers[key])


@dataclass
class Param:
    kind: str
    props: PropertySet
    value: object = None
    buffer: C.Array | None = None


@dataclass
class Clip:
    name: str
    props: PropertySet
    frames: np.ndarray | None = None  # (T, H, W, 4) top-down, for the source clip
    first_frame: int = 0


@dataclass
class Effect:
    props: PropertySet
    params: dict[str, Param] = field(default_factory=dict)
    param_set: PropertySet = field(default_factory=PropertySet)
    clips: dict[str, Clip] = field(default_factory=dict)


@dataclass
class Image:
    props: PropertySet
    array: np.ndarray  # bottom-up, as the host lends it


class Handles:
    """Opaque handles for Python objects (never 0)."""

    def __init__(self):
        self._objects: dict[int, object] = {}
        self._ids = itertools.count(0x1000, 16)
        self._lock = threading.Lock()

    def add(self, obj) -> int:
        with self._lock:
            handle = next(self._ids)
            self._objects[handle] = obj
            return handle

    def get(self, handle, kind: type):
        obj = self._objects.get(handle or 0)
        if not isinstance(obj, kind):
            raise LookupError(f"bad {kind.__name__} handle {handle}")
        return obj

    def remove(self, handle) -> None:
        with self._lock:
            self._objects.pop(handle, None)

    def count(self, kind: type) -> int:
        return sum(isinstance(o, kind) for o in list(self._objects.values()))


class OfxTestHost:
    """Serves the property, image effect, parameter, memory, multithread and message suites."""

    def __init__(self, binary: str, multires: bool = True):
        self.handles = Handles()
        self.errors: list[str] = []  # exceptions inside callbacks (a host bug or a plug-in misuse)
        self.messages: list[tuple[str, str]] = []
        self.persistent: dict[int, tuple[str, str] | None] = {}
        self.props = PropertySet(
            OfxPropName=b"org.sparkvsr.testhost",
            OfxPropLabel=b"SparkVSR test host",
            OfxImageEffectPropSupportsMultiResolution=int(multires),
            OfxImageEffectPropSupportsTiles=1,
            OfxImageEffectPropTemporalClipAccess=1,
            OfxImageEffectPropSupportedContexts=[b"OfxImageEffectContextFilter"],
            OfxImageEffectPropSupportedPixelDepths=[d.encode() for d in DEPTHS.values()],
            OfxImageEffectPropSupportedComponents=[b"OfxImageComponentRGBA"],
        )
        self.outputs = threading.local()  # the output image of this thread's render
        self.abort_check: Callable[[], bool] = lambda: False
        self.fetched: list[float] = []
        self._suites = {
            ("OfxPropertySuite", 1): self._build(PROPERTY_SUITE, self._property_impl()),
            ("OfxImageEffectSuite", 1): self._build(IMAGE_EFFECT_SUITE, self._effect_impl()),
            ("OfxParameterSuite", 1): self._build(PARAMETER_SUITE, self._param_impl()),
            ("OfxMemorySuite", 1): self._build(MEMORY_SUITE, self._memory_impl()),
            ("OfxMultiThreadSuite", 1): self._build(MULTITHREAD_SUITE, self._thread_impl()),
            ("OfxMessageSuite", 2): self._build(MESSAGE_SUITE_V2, self._message_impl()),
        }
        self._fetch = OfxHostStruct._fields_[1][1](self._fetch_suite)
        self.host = OfxHostStruct(self.handles.add(self.props), self._fetch)
        self.lib = C.CDLL(binary)
        self.lib.OfxGetPlugin.restype = C.POINTER(OfxPluginStruct)
        self.plugin = self.lib.OfxGetPlugin(0).contents
        self.plugin.setHost(C.byref(self.host))

    # -- plumbing ---------------------------------------------------------------------------

    def _fetch_suite(self, host, name, version):
        suite = self._suites.get((name.decode(), version))
        return C.addressof(suite) if suite is not None else None

    def _build(self, members: list, impl: dict) -> C.Structure:
        struct = suite_struct("Suite", members)()
        for name, proto in members:
            function = impl.get(name, lambda *args: ERR_UNSUPPORTED)
            setattr(struct, name, proto(self._guarded(name, function)))
        struct._keep = [getattr(struct, n) for n, _ in members]
        return struct

    def _guarded(self, name: str, function):
        def call(*args):
            try:
                result = function(*args)
                return OK if result is None else result
            except LookupError as error:
                return ERR_BAD_INDEX if isinstance(error, IndexError) else ERR_UNKNOWN
            except Exception as error:  # noqa: BLE001 - reported to the test, never swallowed
                self.errors.append(f"{name}: {error!r}")
                return FAILED

        return call

    def action(self, action: str, handle: int | None, in_args=None, out_args=None) -> int:
        ins = self.handles.add(in_args) if in_args is not None else None
        outs = self.handles.add(out_args) if out_args is not None else None
        try:
            return self.plugin.mainEntry(action.encode(), handle, ins, outs)
        finally:
            for h in (ins, outs):
                if h is not None:
                    self.handles.remove(h)

    # -- suites -----------------------------------------------------------------------------

    def _property_impl(self) -> dict:
        def props(h) -> PropertySet:
            return self.handles.get(h, PropertySet)

        def put(h, name, index, value):
            values = props(h).values.setdefault(name.decode(), [])
            values.extend([None] * (index + 1 - len(values)))
            values[index] = value

        def put_n(h, name, count, array, convert=lambda v: v):
            props(h).values[name.decode()] = [convert(array[i]) for i in range(count)]

        def take(h, name, index):
            values = props(h).values[name.decode()]  # KeyError -> unknown property
            return values[index]  # IndexError -> bad index

        def take_string(h, name, index, out):
            take(h, name, index)
            out[0] = props(h).string_pointer(name.decode(), index)

        def take_n(h, name, count, out):
            for i in range(count):
                out[i] = take(h, name, i)

        def dimension(h, name, out):
            out[0] = len(props(h).values.get(name.decode(), []))

        return {
            "propSetPointer": lambda h, n, i, v: put(h, n, i, v or 0),
            "propSetString": lambda h, n, i, v: put(h, n, i, v),
            "propSetDouble": put,
            "propSetInt": put,
            "propSetPointerN": lambda h, n, c, a: put_n(h, n, c, a, lambda v: v or 0),
            "propSetStringN": put_n,
            "propSetDoubleN": put_n,
            "propSetIntN": put_n,
            "propGetPointer": lambda h, n, i, out: out.__setitem__(0, take(h, n, i) or None),
            "propGetString": take_string,
            "propGetDouble": lambda h, n, i, out: out.__setitem__(0, take(h, n, i)),
            "propGetInt": lambda h, n, i, out: out.__setitem__(0, take(h, n, i)),
            "propGetDoubleN": take_n,
            "propGetIntN": take_n,
            "propGetDimension": dimension,
        }

    def _effect_impl(self) -> dict:
        def effect(h) -> Effect:
            return self.handles.get(h, Effect)

        def define_clip(h, name, out):
            clip = Clip(name.decode(), PropertySet(OfxPropName=name))
            effect(h).clips[clip.name] = clip
            out[0] = self.handles.add(clip.props)
            clip.handle = self.handles.add(clip)

        def clip_handle(h, name, out, props_out):
            clip = effect(h).clips[name.decode()]
            out[0] = clip.handle
            if props_out:
                props_out[0] = self._handle_of(clip.props)

        def clip_props(h, out):
            out[0] = self._handle_of(self.handles.get(h, Clip).props)

        def rod(h, time, out):
            clip = self.handles.get(h, Clip)
            values = clip.props.values["OfxImageEffectPropRegionOfDefinition"]
            for i in range(4):
                out[i] = values[i]

        return {
            "getPropertySet": lambda h, out: out.__setitem__(0, self._handle_of(effect(h).props)),
            "getParamSet": lambda h, out: out.__setitem__(0, self._handle_of(effect(h).param_set)),
            "clipDefine": define_clip,
            "clipGetHandle": clip_handle,
            "clipGetPropertySet": clip_props,
            "clipGetImage": lambda h, t, region, out: out.__setitem__(0, self._image(h, t)),
            "clipReleaseImage": self._release,
            "clipGetRegionOfDefinition": rod,
            "abort": lambda h: int(bool(self.abort_check())),
        }

    def _handle_of(self, obj) -> int:
        handle = getattr(obj, "_handle", None)
        if handle is None:
            handle = obj._handle = self.handles.add(obj)
        return handle

    def _image(self, clip_handle, time: float) -> int:
        clip = self.handles.get(clip_handle, Clip)
        if clip.frames is None:  # the output clip: this thread's render target
            array = self.outputs.image
            x1, y1, x2, y2 = self.outputs.bounds
        else:
            index = int(round(time)) - clip.first_frame
            if not 0 <= index < len(clip.frames):
                raise IndexError(f"no source frame at {time}")
            self.fetched.append(time)
            array = np.ascontiguousarray(clip.frames[index][::-1])
            x1, y1, x2, y2 = 0, 0, array.shape[1], array.shape[0]
        props = PropertySet(
            OfxImagePropData=array.ctypes.data,
            OfxImagePropBounds=[x1, y1, x2, y2],
            OfxImagePropRegionOfDefinition=[x1, y1, x2, y2],
            OfxImagePropRowBytes=array.strides[0],
            OfxImagePropPixelAspectRatio=1.0,
            OfxImageEffectPropPixelDepth=DEPTHS[array.dtype].encode(),
            OfxImageEffectPropComponents=b"OfxImageComponentRGBA",
        )
        return self.handles.add(Image(props, array)) and self._handle_of(props)

    def _release(self, handle) -> None:
        props = self.handles.get(handle, PropertySet)
        for h, obj in list(self.handles._objects.items()):
            if isinstance(obj, Image) and obj.props is props:
                self.handles.remove(h)
        self.handles.remove(handle)

    def open_images(self) -> int:
        return self.handles.count(Image)

    def _param_impl(self) -> dict:
        def define(set_handle, kind, name, out):
            owner = self._owner(set_handle)
            param = Param(kind.decode(), PropertySet(OfxPropName=name))
            owner.params[name.decode()] = param
            param.handle = self.handles.add(param)
            out[0] = self._handle_of(param.props)

        def get_handle(set_handle, name, out, props_out):
            owner = self._owner(set_handle)
            param = owner.params[name.decode()]
            out[0] = param.handle
            if props_out:
                props_out[0] = self._handle_of(param.props)

        strings_lock = threading.Lock()

        def value(handle, time, pointer=None):
            if pointer is None:  # paramGetValue: (handle, pointer)
                time, pointer = None, time
            param = self.handles.get(handle, Param)
            if param.kind == "OfxParamTypeString":
                # The host owns value strings (the standard); one another thread still reads
                # must not be freed under it, so a buffer lives as long as its value.
                with strings_lock:
                    if param.buffer is None or param.buffer.value != param.value:
                        param.buffer = C.create_string_buffer(param.value)
                    address = C.addressof(param.buffer)
                C.cast(pointer, C.POINTER(C.c_void_p))[0] = address
            else:
                C.cast(pointer, C.POINTER(C.c_int))[0] = param.value

        return {
            "paramDefine": define,
            "paramGetHandle": get_handle,
            "paramSetGetPropertySet": lambda h, out: out.__setitem__(0, h),
            "paramGetPropertySet": lambda h, out: out.__setitem__(
                0, self._handle_of(self.handles.get(h, Param).props)
            ),
            "paramGetValue": value,
            "paramGetValueAtTime": value,
            "paramSetValue": lambda h, v: setattr(self.handles.get(h, Param), "value", v),
        }

    def _owner(self, set_handle) -> Effect:
        """The effect (descriptor or instance) whose parameter set this is."""
        param_set = self.handles.get(set_handle, PropertySet)
        effects = [o for o in list(self.handles._objects.values()) if isinstance(o, Effect)]
        return next(e for e in effects if e.param_set is param_set)

    def _memory_impl(self) -> dict:
        def alloc(handle, size, out):
            out[0] = _libc.malloc(size)
            return OK if out[0] else 8  # kOfxStatErrMemory

        return {"memoryAlloc": alloc, "memoryFree": lambda pointer: _libc.free(pointer)}

    def _thread_impl(self) -> dict:
        def create(out, count):
            lock = threading.RLock()
            for _ in range(count):
                lock.acquire()
            out[0] = self.handles.add(lock)

        def lock_of(h):
            return self.handles.get(h, type(threading.RLock()))

        return {
            "multiThreadNumCPUs": lambda out: out.__setitem__(0, 1),
            "multiThreadIndex": lambda out: out.__setitem__(0, 0),
            "multiThreadIsSpawnedThread": lambda: 0,
            "mutexCreate": create,
            "mutexDestroy": self.handles.remove,
            "mutexLock": lambda h: lock_of(h).acquire() and OK,
            "mutexUnLock": lambda h: lock_of(h).release(),
            "mutexTryLock": lambda h: OK if lock_of(h).acquire(blocking=False) else FAILED,
        }

    def _message_impl(self) -> dict:
        def text(fmt: bytes, arg: bytes) -> str:
            return (arg if fmt == b"%s" else fmt).decode()

        def message(h, kind, ident, fmt, arg):
            self.messages.append((kind.decode(), text(fmt, arg)))

        def persistent(h, kind, ident, fmt, arg):
            self.persistent[h] = (kind.decode(), text(fmt, arg))
            message(h, kind, ident, fmt, arg)

        return {
            "message": message,
            "setPersistentMessage": persistent,
            "clearPersistentMessage": lambda h: self.persistent.__setitem__(h, None),
        }
