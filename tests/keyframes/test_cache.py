import numpy as np

from sparkvsr.keyframes import CachedProvider, KeyframeProvider, UserStills
from sparkvsr.specs import FrameLayout

TARGET = FrameLayout(64, 48)


class Counting(KeyframeProvider):
    name = "counting"

    def __init__(self, setting="a"):
        self.calls, self.setting = 0, setting

    def cache_key(self):
        return f"counting:{self.setting}"

    def provide(self, index, source, target):
        self.calls += 1
        return np.full(target.shape, source.mean(), np.uint8)


def frames():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (12, 16, 3), dtype=np.uint8) for _ in range(3)]


def test_rerunning_restores_only_the_changed_keyframe(tmp_path):
    sources = frames()
    first = CachedProvider(Counting(), tmp_path)
    results = [first.provide(i, f, TARGET) for i, f in enumerate(sources)]
    assert (first.hits, first.misses) == (0, 3)
    sources[1] = sources[1] // 2  # the editor changed one frame
    again = CachedProvider(Counting(), tmp_path)
    rerun = [again.provide(i, f, TARGET) for i, f in enumerate(sources)]
    assert (again.hits, again.misses, again.provider.calls) == (2, 1, 1)
    np.testing.assert_array_equal(rerun[0], results[0])


def test_different_settings_or_target_do_not_share_entries(tmp_path):
    source = frames()[0]
    CachedProvider(Counting("a"), tmp_path).provide(0, source, TARGET)
    other = CachedProvider(Counting("b"), tmp_path)
    other.provide(0, source, TARGET)
    other.provide(0, source, FrameLayout(32, 24))
    assert other.misses == 2


def test_user_stills_are_never_cached(tmp_path):
    assert CachedProvider(UserStills({}), tmp_path).key(frames()[0], TARGET) is None


class Racing(KeyframeProvider):
    """Restores a grey of its own; while it works, `meanwhile` (another process sharing the
    cache folder) restores the same frame and stores its result first."""

    name = "racing"

    def __init__(self, grey, meanwhile=None):
        self.grey, self.meanwhile = grey, meanwhile

    def cache_key(self):
        return "racing"

    def provide(self, index, source, target):
        if self.meanwhile:
            self.meanwhile()
        return np.full(target.shape, self.grey, np.uint8)


def test_the_first_restoration_stored_wins_for_everyone_sharing_the_folder(tmp_path):
    source = frames()[0]
    other = CachedProvider(Racing(200), tmp_path)
    late = CachedProvider(Racing(50, lambda: other.provide(0, source, TARGET)), tmp_path)
    assert late.provide(0, source, TARGET).min() == 200  # the other's, stored first
    assert CachedProvider(Racing(99), tmp_path).provide(0, source, TARGET).max() == 200
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [
        f"{late.key(source, TARGET)}.npy"
    ]
