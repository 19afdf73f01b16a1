"""The in-flight windows of one key under a merging assigner (Flink's ``MergingWindowSet``).

Session windows grow by merging, but their contents must not move on every merge. So each
in-flight window (the one the trigger and the user see) maps to a *state window*: the
namespace its contents are stored under. When windows merge, the result takes the state
window of one of them and the others' contents are merged into it; the new element's own
window never had state, so merging a window into itself moves nothing.

Which merged window lends its state window is the first of the merged set in iteration order,
as in PyFlink (``fn_execution/datastream/window/merging_window_set.py``), whose ``TimeWindow``
hash kolk's shares: a merged session lists its elements in PyFlink's order.

Life cycle: the window operator loads a key's mapping (a dict kept in keyed state) per
element or timer, changes it through this class, and stores it back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from kolk.datastream.window import MergingWindowAssigner

__all__ = ["MergeFunction", "MergingWindowSet"]

#: ``merge(merge_result, merged_windows, state_window_result, merged_state_windows)``: called
#: for each merge, before the result is used; moves triggers, timers and contents.
MergeFunction = Callable[[Any, Collection[Any], Any, list[Any]], None]


class _CollectMerges(MergingWindowAssigner.MergeCallback[Any]):
    """Records the merges an assigner decides: result window -> windows merged into it."""

    def __init__(self) -> None:
        self.merges: dict[Any, Any] = {}

    def merge(self, to_be_merged: Iterable[Any], merge_result: Any) -> None:
        # Kept as given (a set, for TimeWindow.merge_windows) so iteration order is PyFlink's.
        members = to_be_merged if isinstance(to_be_merged, (set, list)) else list(to_be_merged)
        self.merges[merge_result] = members


class MergingWindowSet:
    """One key's in-flight windows, each mapped to its state window.

    Args:
        assigner: the merging assigner deciding which windows merge.
        mapping: the key's in-flight window -> state window dict; changed in place.
    """

    __slots__ = ("_assigner", "mapping")

    def __init__(self, assigner: MergingWindowAssigner[Any, Any], mapping: dict[Any, Any]) -> None:
        self._assigner = assigner
        self.mapping = mapping

    def get_state_window(self, window: Any) -> Any:
        """The state window of an in-flight window, or None if it is not in flight."""
        return self.mapping.get(window)

    def retire_window(self, window: Any) -> None:
        """Removes an in-flight window (purged, cleaned up, or late).

        Raises:
            KeyError: the window is not in flight.
        """
        if window not in self.mapping:
            raise KeyError(f"Window {window} is not in in-flight window set.")
        del self.mapping[window]

    def add_window(self, new_window: Any, merge_function: MergeFunction) -> Any:
        """Adds a new element's window, merging it with in-flight windows as the assigner
        decides; returns the in-flight window the element belongs to now.

        ``merge_function`` runs for every merge that changes state, while the mapping
        already holds the result window.
        """
        mapping = self.mapping
        collect = _CollectMerges()
        self._assigner.merge_windows([*mapping, new_window], collect)

        result_window = new_window
        merged_new_window = False
        for merge_result, merged_windows in collect.merges.items():
            if new_window in merged_windows:
                merged_new_window = True
                merged_windows.remove(new_window)
                result_window = merge_result
            # The first merged window lends its state window to the result.
            merged_state_window = mapping[next(iter(merged_windows))]
            merged_state_windows = [
                mapping.pop(window) for window in merged_windows if window in mapping
            ]
            mapping[merge_result] = merged_state_window
            merged_state_windows.remove(merged_state_window)
            # A window merged into itself alone (the new window inside an in-flight one)
            # changes nothing.
            if merge_result not in merged_windows or len(merged_windows) != 1:
                merge_function(
                    merge_result, merged_windows, merged_state_window, merged_state_windows
                )
        if not collect.merges or (result_window == new_window and not merged_new_window):
            mapping[result_window] = result_window
        return result_window
