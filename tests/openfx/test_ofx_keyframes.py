"""Keyframes against a real server's gateway: stills from a folder (named by host frame) and
stills the server's provider restores; each rendered frame equals the library's result for its
window with the same keyframes, and differs from the result without them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import in_depth
from expected import expected_frame
from ofx_host import OK
from ofx_instance import EffectInstance

from sparkvsr.keyframes import UserStills
from sparkvsr.keyframes._local import RealESRGAN

WINDOW = 4
FOLDER, PROVIDER = 1, 2  # the Keyframes choice's options


def render_checked(effect, frames, time, keyframes) -> None:
    status, frame = effect.render(time)
    assert status == OK
    assert effect.message() is None, effect.message()
    assert np.array_equal(frame, expected_frame(frames, time, 4, "restore", WINDOW, 0, keyframes))
    assert not np.array_equal(frame, expected_frame(frames, time, 4, "restore", WINDOW))


@pytest.mark.slow
@pytest.mark.parametrize("depth", ["8", "float"])  # float: display-referred stills in [0, 1]
def test_stills_from_a_folder_guide_their_windows(host, host_frames, gateway_url, tmp_path, depth):
    # Host frames 1 and 6 as their own stills (the sharp original of the reduced frame); frame 6
    # is named with leading zeros and upper-case extension, as exports often are.
    names = {1: "shot_1.png", 6: "SHOT_0006.PNG"}
    for time, name in names.items():
        cv2.imwrite(str(tmp_path / name), cv2.cvtColor(host_frames[time], cv2.COLOR_RGBA2BGRA))
    (tmp_path / "notes_2.txt").write_text("not a still")
    paths = {time: str(tmp_path / name) for time, name in names.items()}

    def stills(start, reduced, target):
        inside = {t - start: p for t, p in paths.items() if start <= t < start + len(reduced)}
        return {o: UserStills(inside).provide(o, reduced[o], target) for o in inside}

    frames = in_depth(host_frames, depth)
    effect = EffectInstance(host, frames)
    effect.set(server=gateway_url.removeprefix("http://"), window=WINDOW, keyframes=FOLDER)
    effect.set(keyframeFolder=str(tmp_path))
    for time in (2, 6):  # windows [0, 3] (still at offset 1) and [4, 7] (still at offset 2)
        render_checked(effect, frames, time, stills)
    effect.destroy()


@pytest.mark.slow
def test_the_servers_provider_restores_each_windows_first_frame(host, host_frames, gateway_url):
    frames = np.ascontiguousarray(host_frames[:, :, ::-1])  # mirrored: windows no test ran

    def restored(start, reduced, target):
        return {0: RealESRGAN().provide(0, reduced[0], target)}

    effect = EffectInstance(host, frames)
    effect.set(server=gateway_url.removeprefix("http://"), window=WINDOW, keyframes=PROVIDER)
    effect.set(provider="local")
    render_checked(effect, frames, 4, restored)  # window [4, 7], restored at offset 0
    effect.destroy()
