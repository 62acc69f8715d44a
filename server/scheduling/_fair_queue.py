"""Jobs waiting for a worker, taken round-robin across their owners so that one client's many
jobs wait behind each other instead of in front of everybody else's."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Generic, TypeVar

Item = TypeVar("Item")


class FairQueue(Generic[Item]):
    """A blocking queue with one FIFO per owner; `get` serves the owners in turn."""

    def __init__(self):
        self._by_owner: OrderedDict[str, deque[Item]] = OrderedDict()
        self._stops = 0
        self._changed = threading.Condition()

    def put(self, item: Item, owner: str = "") -> None:
        with self._changed:
            self._by_owner.setdefault(owner, deque()).append(item)
            self._changed.notify()

    def stop(self, workers: int) -> None:
        """Makes `workers` calls of `get` return None once the queue holds nothing more."""
        with self._changed:
            self._stops += workers
            self._changed.notify_all()

    def get(self, timeout_s: float | None = None) -> Item | None:
        """The next owner's oldest item, waiting for one (TimeoutError after `timeout_s`);
        None after `stop`."""
        with self._changed:
            while not self._by_owner:
                if self._stops:
                    self._stops -= 1
                    return None
                if not self._changed.wait(timeout_s) and not self._by_owner:
                    raise TimeoutError
            owner, items = self._by_owner.popitem(last=False)
            item = items.popleft()
            if items:  # the owner goes to the back of the line
                self._by_owner[owner] = items
            return item

    def __len__(self) -> int:
        with self._changed:
            return sum(len(items) for items in self._by_owner.values())
