"""Timers: one per (timestamp, key, namespace), fired in timestamp order with their key set."""

from __future__ import annotations

from kolk._runtime.state.key_context import KeyContext
from kolk._runtime.time.timer_service import InternalTimer, InternalTimerService


class Recorder:
    def __init__(self, ctx: KeyContext) -> None:
        self.ctx = ctx
        self.fired: list[tuple[str, int, object, object]] = []

    def on_event_time(self, timer: InternalTimer) -> None:
        self.fired.append(("event", timer.timestamp, timer.key, self.ctx.key))

    def on_processing_time(self, timer: InternalTimer) -> None:
        self.fired.append(("proc", timer.timestamp, timer.key, self.ctx.key))


def make() -> tuple[KeyContext, Recorder, InternalTimerService, list[int]]:
    ctx = KeyContext()
    recorder = Recorder(ctx)
    scheduled: list[int] = []
    service = InternalTimerService(ctx, recorder, lambda: 0, scheduled.append)
    return ctx, recorder, service, scheduled


def test_event_timers_fire_in_timestamp_order_once_with_their_key() -> None:
    ctx, recorder, service, _ = make()
    for key, kg, ts in (("a", 1, 300), ("b", 2, 100), ("a", 1, 300), ("b", 2, 200)):
        ctx.set_current_key(key, kg)
        service.register_event_time_timer(None, ts)
    assert service.num_event_time_timers() == 3  # the duplicate is one timer
    service.advance_watermark(199)
    assert recorder.fired == [("event", 100, "b", "b")]
    service.advance_watermark(300)
    assert recorder.fired[1:] == [("event", 200, "b", "b"), ("event", 300, "a", "a")]
    assert ctx.key_group == -1  # the keyed context is left afterwards
    assert service.current_watermark == 300


def test_deleted_timers_do_not_fire_and_can_be_registered_again() -> None:
    ctx, recorder, service, _ = make()
    ctx.set_current_key("a", 1)
    service.register_event_time_timer(None, 10)
    service.delete_event_time_timer(None, 10)
    service.advance_watermark(50)
    assert recorder.fired == []
    ctx.set_current_key("a", 1)
    service.register_event_time_timer(None, 60)
    service.delete_event_time_timer(None, 60)
    service.register_event_time_timer(None, 60)
    service.advance_watermark(60)
    assert recorder.fired == [("event", 60, "a", "a")]


def test_processing_timers_ask_to_be_scheduled_and_fire_when_due() -> None:
    ctx, recorder, service, scheduled = make()
    ctx.set_current_key("k", 0)
    service.register_processing_time_timer(None, 500)
    service.register_processing_time_timer(None, 300)
    service.register_processing_time_timer(None, 900)
    assert scheduled == [500, 300]  # each new earliest timer asks for a wake-up
    service.on_processing_time(600)
    assert [f[1] for f in recorder.fired] == [300, 500]
    assert scheduled[-1] == 900  # the next one is scheduled again
