"""The test host's side of an effect's life: Load, Describe, DescribeInContext, CreateInstance,
GetClipPreferences, GetRegionOfDefinition, GetFramesNeeded, Render, DestroyInstance."""

from __future__ import annotations

import numpy as np
from ofx_host import OK, REPLY_DEFAULT, Clip, Effect, OfxTestHost, Param, PropertySet

FILTER = b"OfxImageEffectContextFilter"


class EffectInstance:
    """One instance of the plug-in's effect in the filter context, on a source clip."""

    def __init__(
        self,
        host: OfxTestHost,
        frames: np.ndarray,
        first_frame: int = 0,
        project_size: tuple[int, int] | None = None,
    ):
        self.host = host
        self.descriptor = describe(host)
        height, width = frames.shape[1:3]
        project = project_size or (width, height)
        self.effect = Effect(
            PropertySet(
                OfxImageEffectPropContext=FILTER,
                OfxPropInstanceData=0,
                OfxImageEffectPropProjectSize=[float(v) for v in project],
            ).lock(writable={"OfxPropInstanceData"})  # the rest is the host's (read-only)
        )
        last = first_frame + len(frames) - 1
        for name, clip in self.descriptor.clips.items():
            props = PropertySet(**{k: v for k, v in clip.props.values.items()})
            props.values.update(
                OfxImageEffectPropFrameRange=[float(first_frame), float(last)],
                OfxImageEffectPropRegionOfDefinition=[0.0, 0.0, float(width), float(height)],
                OfxImageEffectPropPixelDepth=[b"OfxBitDepthByte"],
                OfxImageClipPropConnected=[1],
                OfxImageEffectPropComponents=[b"OfxImageComponentRGBA"],
            )
            props.lock()  # clip instance properties are read-only to the plug-in
            instance_clip = Clip(name, props, frames if name == "Source" else None, first_frame)
            instance_clip.handle = host.handles.add(instance_clip)
            self.effect.clips[name] = instance_clip
        for name, param in self.descriptor.params.items():
            default = param.props.get("OfxParamPropDefault")
            self.effect.params[name] = Param(param.kind, param.props, default)
            self.effect.params[name].handle = host.handles.add(self.effect.params[name])
        self.handle = host.handles.add(self.effect)
        assert host.action("OfxActionCreateInstance", self.handle) == OK
        self.clip_preferences = PropertySet()
        status = host.action(
            "OfxImageEffectActionGetClipPreferences",
            self.handle,
            PropertySet(),
            self.clip_preferences,
        )
        assert status in (OK, REPLY_DEFAULT)

    def set(self, **values) -> None:
        """Sets parameters by name: ints for choices and integers, str for strings."""
        for name, value in values.items():
            self.effect.params[name].value = value.encode() if isinstance(value, str) else value

    def region_of_definition(self, time: float) -> tuple[int, ...]:
        out = PropertySet(OfxImageEffectPropRegionOfDefinition=[0.0] * 4)
        status = self.host.action(
            "OfxImageEffectActionGetRegionOfDefinition",
            self.handle,
            PropertySet(OfxPropTime=time, OfxImageEffectPropRenderScale=[1.0, 1.0]),
            out,
        )
        values = out.values["OfxImageEffectPropRegionOfDefinition"]
        if status == REPLY_DEFAULT:  # the filter context's default: the source's region
            values = self.effect.clips["Source"].props.values[
                "OfxImageEffectPropRegionOfDefinition"
            ]
        assert status in (OK, REPLY_DEFAULT)
        return tuple(int(round(v)) for v in values)

    def frames_needed(self, time: float) -> list[float]:
        out = PropertySet(OfxImageClipPropFrameRange_Source=[time, time])
        status = self.host.action(
            "OfxImageEffectActionGetFramesNeeded", self.handle, PropertySet(OfxPropTime=time), out
        )
        assert status in (OK, REPLY_DEFAULT)
        return out.values["OfxImageClipPropFrameRange_Source"]

    def render(
        self, time: float, interactive: bool = True, render_scale: float = 1.0
    ) -> tuple[int, np.ndarray]:
        """Renders one frame as a host does, a sequence of one frame: IsIdentity, then
        BeginSequenceRender, Render and EndSequenceRender (ofxImageEffect.h: Render is called
        only between the two), for its viewer (`interactive`) or a final render; returns the
        status and the output, top-down. At a `render_scale` other than 1 the source clip's
        frames must be the host's scaled ones (the caller makes them)."""
        scale = [float(render_scale)] * 2
        x1, y1, x2, y2 = self.region_of_definition(time)
        self.frames_needed(time)
        source = self.effect.clips["Source"].frames
        image = np.zeros((y2 - y1, x2 - x1, 4), source.dtype)
        window = [x1, y1, x2, y2]
        identity = self.is_identity(time, window, scale)
        if identity is not None:  # the host renders the named clip's frame instead
            clip, at = identity
            frames = self.effect.clips[clip]
            return OK, frames.frames[int(round(at)) - frames.first_frame].copy()
        self.sequence("OfxImageEffectActionBeginSequenceRender", time, interactive, scale)
        self.host.outputs.image, self.host.outputs.bounds = image, (x1, y1, x2, y2)
        in_args = PropertySet(
            OfxPropTime=float(time),
            # ofxImageEffect.h: kOfxImageFieldNone is "OfxFieldNone".
            OfxImageEffectPropFieldToRender=b"OfxFieldNone",
            OfxImageEffectPropRenderWindow=window,
            OfxImageEffectPropRenderScale=scale,
            OfxImageEffectPropSequentialRenderStatus=0,
            OfxImageEffectPropInteractiveRenderStatus=int(interactive),
        )
        status = self.host.action("OfxImageEffectActionRender", self.handle, in_args)
        self.sequence("OfxImageEffectActionEndSequenceRender", time, interactive, scale)
        return status, image[::-1].copy()

    def is_identity(
        self, time: float, window: list[int], scale: list[float] | None = None
    ) -> tuple[str, float] | None:
        """IsIdentity: the clip and time whose frame is the output, or None (render it)."""
        out = PropertySet(OfxPropName=b"", OfxPropTime=float(time))
        in_args = PropertySet(
            OfxPropTime=float(time),
            OfxImageEffectPropFieldToRender=b"OfxFieldNone",
            OfxImageEffectPropRenderWindow=window,
            OfxImageEffectPropRenderScale=scale or [1.0, 1.0],
        )
        status = self.host.action("OfxImageEffectActionIsIdentity", self.handle, in_args, out)
        assert status in (OK, REPLY_DEFAULT)
        return (out.get("OfxPropName").decode(), out.get("OfxPropTime")) if status == OK else None

    def sequence(
        self, action: str, time: float, interactive: bool = True, scale: list[float] | None = None
    ) -> None:
        """Begin or EndSequenceRender around the render of the frame at `time`."""
        in_args = PropertySet(
            OfxImageEffectPropFrameRange=[float(time), float(time)],
            OfxImageEffectPropFrameStep=1.0,
            OfxPropIsInteractive=int(interactive),
            OfxImageEffectPropRenderScale=scale or [1.0, 1.0],
            OfxImageEffectPropSequentialRenderStatus=0,
            OfxImageEffectPropInteractiveRenderStatus=int(interactive),
        )
        assert self.host.action(action, self.handle, in_args) in (OK, REPLY_DEFAULT)

    def press(self, button: str) -> int:
        """A user's press of a push button: InstanceChanged naming it."""
        in_args = PropertySet(
            OfxPropType=b"OfxTypeParameter",
            OfxPropName=button.encode(),
            OfxPropChangeReason=b"OfxChangeUserEdited",
            OfxPropTime=0.0,
            OfxImageEffectPropRenderScale=[1.0, 1.0],
        )
        return self.host.action("OfxActionInstanceChanged", self.handle, in_args)

    def message(self) -> tuple[str, str] | None:
        return self.host.persistent.get(self.handle)

    def destroy(self) -> None:
        assert self.host.action("OfxActionDestroyInstance", self.handle) == OK


def describe(host: OfxTestHost) -> Effect:
    """Load (once per host), Describe and DescribeInContext(filter) on a fresh descriptor."""
    if not getattr(host, "loaded", False):
        assert host.action("OfxActionLoad", None) == OK
        host.loaded = True
    descriptor = Effect(PropertySet())
    handle = host.handles.add(descriptor)
    assert host.action("OfxActionDescribe", handle) == OK
    status = host.action(
        "OfxImageEffectActionDescribeInContext",
        handle,
        PropertySet(OfxImageEffectPropContext=FILTER),
    )
    assert status == OK
    return descriptor
