"""A test OpenFX host: loads a plug-in bundle with ctypes and drives it as the OFX 1.4 standard
says (setHost, fetchSuite, the actions with their in/out argument property sets), serving source
frames from numpy arrays. The one fake of a commercial OFX host in the tests.

It is as strict as the standard, and reports each breach in `errors` (the tests assert none):
typed, read-only property access (ofx_properties.py); source images only within the frames the
effect declared in GetFramesNeeded; every image released within the action that fetched it;
memory from the memory suite, and mutexes, all given back by Unload."""

from __future__ import annotations

import ctypes as C
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ofx_properties import (
    ERR_BAD_HANDLE,
    ERR_BAD_INDEX,
    ERR_MEMORY,
    ERR_UNKNOWN,
    ERR_UNSUPPORTED,
    ERR_VALUE,
    FAILED,
    OK,
    PARAM_VALUE_TYPES,
    REPLY_DEFAULT,
    PropertySet,
    Refused,
    property_suite,
)
from ofx_suites import (
    IMAGE_EFFECT_SUITE,
    MEMORY_SUITE,
    MESSAGE_SUITE_V2,
    MULTITHREAD_SUITE,
    PARAMETER_SUITE,
    PROPERTY_SUITE,
    OfxHostStruct,
    OfxPluginStruct,
    suite_struct,
)

__all__ = ["OK", "FAILED", "REPLY_DEFAULT", "OfxPluginStruct", "OfxTestHost", "PropertySet"]

DEPTHS = {
    np.dtype(np.uint8): "OfxBitDepthByte",
    np.dtype(np.uint16): "OfxBitDepthShort",
    np.dtype(np.float32): "OfxBitDepthFloat",
}

_libc = C.CDLL(None)
_libc.malloc.restype, _libc.malloc.argtypes = C.c_void_p, [C.c_size_t]
_libc.free.argtypes = [C.c_void_p]


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


@dataclass
class ActionCall:
    """An action in progress on one thread: what it fetched, and which source frames it may."""

    name: str
    images: set[int] = field(default_factory=set)
    frames_allowed: dict[str, list[tuple[float, float]]] | None = None


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

    def __init__(self, binary: str, multires: bool = True, read_only_status: int = ERR_VALUE):
        """`read_only_status`: what setting a read-only property returns. The standard marks
        properties read-only without naming a status; kOfxStatErrValue or kOfxStatErrUnknown."""
        self.handles = Handles()
        self.read_only_status = read_only_status
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
        ).lock()  # the host descriptor is read-only to the plug-in (ofxImageEffect.h)
        self.outputs = threading.local()  # the output image of this thread's render
        self.abort_check: Callable[[], bool] = lambda: False
        self.fetched: list[float] = []
        self.actions: list[str] = []  # every action sent, in order
        self.allocations: dict[int, int] = {}  # memory suite: address -> bytes
        self.live_instances: set[int] = set()
        # Per (instance, time): the source frames each clip may be fetched at in a render.
        self.frames_needed: dict[tuple[int, float], dict[str, list[tuple[float, float]]]] = {}
        self._calls = threading.local()
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
            except Refused as refused:
                if refused.misuse:
                    self.errors.append(f"{name}: {refused.misuse}")
                return refused.status
            except LookupError as error:
                return ERR_BAD_INDEX if isinstance(error, IndexError) else ERR_UNKNOWN
            except Exception as error:  # noqa: BLE001 - reported to the test, never swallowed
                self.errors.append(f"{name}: {error!r}")
                return FAILED

        return call

    def action(self, action: str, handle: int | None, in_args=None, out_args=None) -> int:
        if in_args is not None:
            in_args.lock()  # inArgs are read-only ("read only in argument property", the docs)
        ins = self.handles.add(in_args) if in_args is not None else None
        outs = self.handles.add(out_args) if out_args is not None else None
        self.actions.append(action)
        call = ActionCall(action, frames_allowed=self._frames_allowed(action, handle, in_args))
        stack = self._calls.__dict__.setdefault("stack", [])
        stack.append(call)
        try:
            status = self.plugin.mainEntry(action.encode(), handle, ins, outs)
        finally:
            stack.pop()
            for h in (ins, outs):
                if h is not None:
                    self.handles.remove(h)
            self._release_leftovers(call)
        self._track(action, handle, status, in_args, out_args)
        return status

    def _frames_allowed(self, action: str, handle, in_args) -> dict | None:
        """During Render: the ranges GetFramesNeeded declared for its time, else the frame at
        that time (the action's default when not trapped, ofxImageEffect.h)."""
        if action != "OfxImageEffectActionRender":
            return None
        time = in_args.get("OfxPropTime")
        return self.frames_needed.get((handle, time), {"Source": [(time, time)]})

    def _release_leftovers(self, call: ActionCall) -> None:
        """ofxImageEffect.h, clipGetImage: an image handle is valid only for the action that
        fetched it and must be released by clipReleaseImage before that action returns."""
        if call.images:
            self.errors.append(f"{call.name}: {len(call.images)} image(s) not released")
            for handle in list(call.images):
                self._release(handle)

    def _track(self, action: str, handle, status: int, in_args, out_args) -> None:
        if action == "OfxActionCreateInstance" and status == OK:
            self.live_instances.add(handle)
        elif action == "OfxActionDestroyInstance":
            self.live_instances.discard(handle)
        elif action == "OfxImageEffectActionGetFramesNeeded" and status in (OK, REPLY_DEFAULT):
            prefix = "OfxImageClipPropFrameRange_"
            ranges = {
                name[len(prefix) :]: list(zip(values[::2], values[1::2], strict=True))
                for name, values in out_args.values.items()
                if name.startswith(prefix)
            }
            self.frames_needed[(handle, in_args.get("OfxPropTime"))] = ranges

    def unload(self) -> None:
        """Destroys what instances are left, sends Unload, and reports memory-suite blocks and
        mutexes the plug-in still holds (Unload: the plug-in destroys its global data)."""
        for handle in list(self.live_instances):
            self.action("OfxActionDestroyInstance", handle)
        if getattr(self, "loaded", False):
            status = self.action("OfxActionUnload", None)
            if status not in (OK, REPLY_DEFAULT):
                self.errors.append(f"OfxActionUnload returned {status}")
            self.loaded = False
        if self.allocations:
            held = sum(self.allocations.values())
            self.errors.append(f"{len(self.allocations)} memory block(s), {held} bytes, not freed")
        mutexes = self.handles.count(type(threading.RLock()))
        if mutexes:
            self.errors.append(f"{mutexes} mutex(es) not destroyed")

    def _current_call(self) -> ActionCall | None:
        stack = self._calls.__dict__.get("stack")
        return stack[-1] if stack else None

    # -- suites -----------------------------------------------------------------------------

    def _property_impl(self) -> dict:
        return property_suite(lambda h: self.handles.get(h, PropertySet), self.read_only_status)

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
            self._check_frame_needed(clip, time)
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
            OfxImagePropField=b"OfxFieldNone",
        ).lock()  # image properties are all read-only (ofxImageEffect.h)
        self.handles.add(Image(props, array))
        handle = self._handle_of(props)
        call = self._current_call()
        if call is not None:
            call.images.add(handle)
        return handle

    def _check_frame_needed(self, clip: Clip, time: float) -> None:
        """A render fetches source frames only within the ranges the effect gave for its clip in
        GetFramesNeeded (ofxImageEffect.h: the frames needed "to render a single frame"); a host
        that prepared only those has no other to give (kOfxStatFailed)."""
        call = self._current_call()
        if call is None or call.frames_allowed is None:
            return
        ranges = call.frames_allowed.get(clip.name, [])
        if not any(first <= time <= last for first, last in ranges):
            raise Refused(FAILED, f"{clip.name} fetched at {time}, outside frames needed {ranges}")

    def _release(self, handle) -> None:
        props = self.handles.get(handle, PropertySet)
        for call in self._calls.__dict__.get("stack", []):
            call.images.discard(handle)
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
            value_type = PARAM_VALUE_TYPES.get(param.kind)
            for typed in ("OfxParamPropDefault", "OfxParamPropMin", "OfxParamPropMax"):
                if value_type:
                    param.props.types[typed] = value_type
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
            if out[0]:
                self.allocations[out[0]] = size
            return OK if out[0] else ERR_MEMORY

        def free(pointer):
            if self.allocations.pop(pointer or 0, None) is None:
                raise Refused(ERR_BAD_HANDLE, f"memoryFree({pointer}): not from memoryAlloc")
            _libc.free(pointer)

        return {"memoryAlloc": alloc, "memoryFree": free}

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
