"""Fusion's UIManager as the Resolve test double offers it to scripts (see fake_resolve.py).

UIDispatcher, AddWindow, widgets, On.<ID>.<Event> handlers and Timer; RunLoop runs a test's
`user` generator: each `yield` lets timers fire.
"""

from __future__ import annotations

import time


class _Handlers:
    """`On.<ID>.<Event> = handler`, as UIManager windows and dispatchers take them."""

    def __init__(self):
        object.__setattr__(self, "_by_id", {})

    def __getattr__(self, widget_id):
        return self._by_id.setdefault(widget_id, _EventSlots())


class _EventSlots:
    def __init__(self):
        object.__setattr__(self, "handlers", {})

    def __setattr__(self, event, handler):
        self.handlers[event] = handler

    def __getattr__(self, event):
        return self.handlers.get(event)


class Widget:
    def __init__(self, kind: str, props=None, children=None):
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "props", dict(props or {}))
        object.__setattr__(self, "children", list(children or []))
        object.__setattr__(self, "items", [])

    def __getattr__(self, name):
        try:
            return self.props[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        if name == "CurrentText" and value not in self.items:
            raise AssertionError(f"{value!r} is not one of {self.items}")
        self.props[name] = value

    def AddItems(self, items):
        self.items.extend(items)
        if "CurrentText" not in self.props and items:
            self.props["CurrentText"] = items[0]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class UIManager:
    def __init__(self):
        self.timers: list[Widget] = []

    def _layout(kind):
        def make(self, first=None, second=None):
            props, children = (first, second) if isinstance(first, dict) else ({}, first)
            return Widget(kind, props, children)

        return make

    VGroup = _layout("VGroup")
    HGroup = _layout("HGroup")

    def _widget(kind):
        def make(self, props=None):
            return Widget(kind, props)

        return make

    Label = _widget("Label")
    TextEdit = _widget("TextEdit")
    ComboBox = _widget("ComboBox")
    LineEdit = _widget("LineEdit")
    CheckBox = _widget("CheckBox")
    Button = _widget("Button")
    HGap = _widget("HGap")

    def Timer(self, props):
        timer = Widget("Timer", {"Interval": 0, **props})
        object.__setattr__(timer, "running", False)
        object.__setattr__(timer, "Start", lambda: object.__setattr__(timer, "running", True))
        object.__setattr__(timer, "Stop", lambda: object.__setattr__(timer, "running", False))
        self.timers.append(timer)
        return timer


class Window:
    def __init__(self, props, layout: Widget):
        self.props = props
        self.layout = layout
        self.On = _Handlers()
        self.shown = False

    def GetItems(self):
        return {w.props["ID"]: w for w in self.layout.walk() if "ID" in w.props}

    def Find(self, widget_id):
        return self.GetItems().get(widget_id)

    def Show(self):
        self.shown = True

    def Hide(self):
        self.shown = False

    # Test-side actions
    def click(self, widget_id):
        widget = self.Find(widget_id)
        assert widget.props.get("Enabled", True), f"{widget_id} is disabled"
        handler = getattr(self.On, widget_id).Clicked
        handler({"who": widget_id})

    def close(self):
        getattr(self.On, self.props["ID"]).Close({"who": self.props["ID"]})


class UIDispatcher:
    def __init__(self, ui: UIManager, user):
        self.ui = ui
        self.user = user
        self.On = _Handlers()
        self.window: Window | None = None
        self._running = False

    def AddWindow(self, props, layout):
        self.window = Window(props, layout)
        return self.window

    def RunLoop(self):
        assert self.user is not None, "the script opened a dialog but the test drives none"
        self._running = True
        steps = self.user(self.window)
        while self._running:
            try:
                next(steps)
            except StopIteration:
                raise AssertionError("the user is done but the dialog is still open") from None
            for timer in self.ui.timers:
                if timer.running:
                    getattr(self.On, timer.props["ID"]).Timeout({"who": timer.props["ID"]})
            time.sleep(0.02)

    def ExitLoop(self):
        self._running = False
