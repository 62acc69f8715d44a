"""Edits on the Resolve test double that several Resolve tests start from, and a dialog user."""

from fractions import Fraction


def two_clips(make_edit, rate=Fraction(25), b_rate=None, **options):
    """V1: A (media frames 20..59 of a movie at the timeline's rate, record offsets 10..49) and
    right after it B (24 media frames from frame 5 of a movie at `b_rate`); In and Out around
    both. Returns (edit, A, B)."""
    edit = make_edit(rate=rate, **options)
    a = edit.cut(edit.import_movie("A001", 80, "10:00:00:00"), 1, 10, 20, 40)
    b_media = edit.import_movie("B002", 60, "00:00:00:00", seed=1, rate=b_rate)
    b = edit.cut(b_media, 1, 50, 5, 24)
    edit.timeline.SetMarkInOut(0, 120)
    return edit, a, b


def add_timeline_marker(edit, record_frame: int, name="SparkVSR", note="", data=""):
    """A green timeline marker over an absolute record frame (they count from the start)."""
    frame = record_frame - edit.timeline.GetStartFrame()
    assert edit.timeline.AddMarker(frame, "Green", name, note, 1, data)


def dialog_user(seen, during=None, **choices):
    """Reads the clip list, makes `choices` (widget: text), clicks Upscale, runs `during` while
    the job runs, waits for it, reads the status, closes."""

    def user(window):
        items = window.GetItems()
        seen["clips"] = items["Clips"].PlainText
        for widget, value in choices.items():
            items[widget].CurrentText = value
        window.click("OK")
        if during:
            during()
        while items["Cancel"].Text != "Close":
            yield
        seen["status"] = items["Status"].Text
        window.click("Cancel")
        yield

    return user
