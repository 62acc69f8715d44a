"""What a frame costs the host when its window was sent before, and Refresh, against a real
server's gateway: a frame of a window the instance remembers, or the server holds, fetches that
frame alone; a changed frame, or a press of Refresh, sends the window again."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from expected import expected_frame
from gateway_proxy import RecordingProxy
from ofx_host import OK
from ofx_instance import EffectInstance

from sparkvsr.keyframes import UserStills

WINDOW = 4
FOLDER = 1  # the Keyframes choice's "Folder of stills"


@pytest.fixture
def proxy(gateway_url):
    proxy = RecordingProxy(gateway_url)
    yield proxy
    proxy.close()


def rendered(effect, time) -> np.ndarray:
    status, frame = effect.render(time)
    assert status == OK and effect.message() is None, effect.message()
    return frame


@pytest.mark.slow
def test_a_remembered_windows_frames_cost_one_source_fetch_each(host, host_frames, proxy):
    frames = np.ascontiguousarray(host_frames[:, ::-1, ::-1])  # windows no other test ran
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=WINDOW)
    rendered(effect, 4)
    assert sorted(host.fetched) == [4, 5, 6, 7]  # the window once, the current frame not twice
    host.fetched.clear()
    for time in (5, 6, 7, 4, 6):
        assert np.array_equal(
            rendered(effect, time), expected_frame(frames, time, 4, "restore", WINDOW)
        )
    assert host.fetched == [5, 6, 7, 4, 6]
    assert len(proxy.replies) == 1  # the server was not asked again
    # A fresh instance remembers nothing; the server finds the window by the frame alone.
    host.fetched.clear()
    other = EffectInstance(host, frames)
    other.set(server=proxy.address, window=WINDOW)
    for time in (5, 6):
        assert np.array_equal(
            rendered(other, time), expected_frame(frames, time, 4, "restore", WINDOW)
        )
    assert host.fetched == [5, 6]
    assert len(proxy.replies) == 1 and all(p.get("outputPath") for p in proxy.probes[-2:])
    other.destroy()
    effect.destroy()


@pytest.mark.slow
def test_a_changed_frame_sends_its_window_again(host, host_frames, proxy):
    frames = np.ascontiguousarray(host_frames[:, :, ::-1])
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=WINDOW)
    rendered(effect, 1)
    frames[1, :8] = 255 - frames[1, :8]  # an edit upstream of the effect (a grade, a paint)
    assert np.array_equal(rendered(effect, 1), expected_frame(frames, 1, 4, "restore", WINDOW))
    assert len(proxy.replies) == 2 and proxy.jobs() == 2
    effect.destroy()


@pytest.mark.slow
def test_a_final_render_sees_a_change_to_another_frame_of_its_window(host, host_frames, proxy):
    """The viewer's shortcuts know a frame by its own content: a delivery must not."""
    frames = np.ascontiguousarray(host_frames[::-1, :, ::-1])
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=WINDOW)
    rendered(effect, 1)
    frames[2, :8] = 255 - frames[2, :8]  # a paint stroke on a neighbouring frame
    host.fetched.clear()
    status, frame = effect.render(1, interactive=False)
    assert status == OK and sorted(host.fetched) == [0, 1, 2, 3]
    assert np.array_equal(frame, expected_frame(frames, 1, 4, "restore", WINDOW))
    effect.destroy()


def write_still(path, image) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA))


@pytest.mark.slow
def test_refresh_sees_a_keyframe_still_edited_in_place(host, host_frames, proxy, tmp_path):
    frames = np.ascontiguousarray(host_frames[:, ::-1])
    still = tmp_path / "shot_1.png"
    write_still(still, frames[1])
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=WINDOW, keyframes=FOLDER)
    effect.set(keyframeFolder=str(tmp_path))
    before = rendered(effect, 2)
    write_still(still, np.ascontiguousarray(frames[1][:, ::-1]))  # the same file, new content
    assert np.array_equal(rendered(effect, 2), before)  # unseen: neither frames nor settings moved
    assert effect.press("refresh") == OK
    assert effect.effect.params["refreshCount"].value == 1  # the host sees a parameter change

    def stills(start, reduced, target):
        return {1: UserStills({1: str(still)}).provide(1, reduced[1], target)}

    after = rendered(effect, 2)
    assert np.array_equal(after, expected_frame(frames, 2, 4, "restore", WINDOW, 0, stills))
    assert not np.array_equal(after, before)
    assert proxy.jobs() == 2
    assert effect.press("refresh") == OK  # nothing changed: the server still runs it again
    assert np.array_equal(rendered(effect, 2), after)
    assert proxy.jobs() == 3 and not proxy.replies[-1].get("cached")
    effect.destroy()


@pytest.mark.slow
def test_abort_mid_window_stops_before_the_window_is_sent(host, host_frames, proxy):
    frames = np.ascontiguousarray(host_frames[::-1])  # played backwards: windows no test ran
    effect = EffectInstance(host, frames)
    effect.set(server=proxy.address, window=8)
    host.abort_check = lambda: len(host.fetched) >= 4  # the window's 4th frame read, then abort
    status, _ = effect.render(6)
    assert status == OK and effect.message() is None  # discarded, not reported
    assert len(proxy.probes) == 1 and not proxy.probes[0].get("outputPath")  # the probe missed
    assert proxy.replies == []  # and the window was never sent
    assert 4 <= len(host.fetched) <= 5  # the current frame, then the window up to the abort
    effect.destroy()
