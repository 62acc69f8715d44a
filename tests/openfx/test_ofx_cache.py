"""What a frame costs the host when its window was sent before, and Refresh, against a real
server's gateway: a remembered window's frame fetches that frame alone; a changed frame, or a
press of Refresh, sends the window again."""

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
    other = EffectInstance(host, frames)  # remembers nothing: sends the window, runs no job
    other.set(server=proxy.address, window=WINDOW)
    assert np.array_equal(rendered(other, 5), expected_frame(frames, 5, 4, "restore", WINDOW))
    assert proxy.replies[-1].get("cached") and proxy.jobs() == 1
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
