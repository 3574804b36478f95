"""Schedules: the two forms and `off`, refused text naming job and value, and the slot
arithmetic every worker must agree on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossdock.domain.schedules import (
    EPOCH,
    OFF,
    InvalidSchedule,
    Schedule,
    daily,
    every,
    parse_schedule,
    parse_schedules,
)

AT = datetime(2026, 11, 28, 14, 37, 12, tzinfo=UTC)
JOBS = ("plan", "po_acknowledgement")


@pytest.mark.parametrize(
    ("text", "period", "offset", "canonical"),
    [
        ("every 15m", timedelta(minutes=15), timedelta(0), "every 15m"),
        ("every 1h", timedelta(hours=1), timedelta(0), "every 1h"),
        ("  Every 2 D ", timedelta(days=2), timedelta(0), "every 2d"),
        ("daily@02:00", timedelta(days=1), timedelta(hours=2), "daily@02:00"),
        ("daily @ 7:05", timedelta(days=1), timedelta(hours=7, minutes=5), "daily@07:05"),
    ],
)
def test_reads_every_and_daily(text, period, offset, canonical):
    schedule = parse_schedule(text)
    assert (schedule.period, schedule.offset, schedule.text) == (period, offset, canonical)


def test_off_never_has_a_slot():
    assert parse_schedule(" OFF ") == OFF
    assert OFF.off
    assert OFF.latest_slot(AT) is None
    assert OFF.next_slot(AT) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hourly", "expected `every <n><m|h|d>`"),
        ("every 1w", "expected `every <n><m|h|d>`"),
        ("every 0h", "the count is between 1 and 10,000"),
        ("every 10001d", "the count is between 1 and 10,000"),
        ("daily@24:00", "hour 24 is not between 00 and 23"),
        ("daily@02:60", "minute 60 is not between 00 and 59"),
        ("daily@2", "expected `every <n><m|h|d>`"),
        ("", "expected `every <n><m|h|d>`"),
    ],
)
def test_a_bad_schedule_names_the_job_the_text_and_why(text, reason):
    with pytest.raises(InvalidSchedule) as refused:
        parse_schedule(text, job="plan")
    assert refused.value.job == "plan"
    assert refused.value.text.strip() == text.strip()
    assert reason in refused.value.reason
    assert str(refused.value).startswith(f"schedule plan={text.strip()!r}: ")


def test_reads_the_setting_job_by_job():
    parsed = parse_schedules("plan=daily@03:30; po_acknowledgement = every 30m,", known=JOBS)
    assert {job: s.text for job, s in parsed.items()} == {
        "plan": "daily@03:30",
        "po_acknowledgement": "every 30m",
    }
    assert parse_schedules("  ", known=JOBS) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("replan=every 1h",
         "schedule replan='every 1h': unknown job (known: plan, po_acknowledgement)"),
        ("plan daily@02:00", "schedule 'plan daily@02:00': expected job=schedule"),
        ("plan=off,plan=every 1h", "schedule plan='every 1h': the job is named twice"),
        ("plan=daily@25:00", "schedule plan='daily@25:00': hour 25 is not between 00 and 23"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_refused_with_the_entry(text, message):
    with pytest.raises(
        InvalidSchedule, match="^" + message.replace("(", r"\(").replace(")", r"\)")
    ):
        parse_schedules(text, known=JOBS)


def test_hourly_slots_start_on_the_hour_and_daily_slots_at_their_time():
    hourly, nightly = every(1, "h"), daily(2, 0)
    assert hourly.latest_slot(AT) == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert hourly.next_slot(AT) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert nightly.latest_slot(AT) == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert nightly.next_slot(AT) == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    one_am = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert nightly.latest_slot(one_am) == datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    on_the_dot = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert nightly.latest_slot(on_the_dot) == on_the_dot  # a slot starts at its time


def test_slots_are_the_same_in_any_time_zone_and_odd_periods_align_on_the_epoch():
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    assert daily(2, 0).latest_slot(paris) == daily(2, 0).latest_slot(AT)
    ninety = every(90, "m")
    assert ninety.latest_slot(AT) == datetime(2026, 11, 28, 13, 30, tzinfo=UTC)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="time zone aware"):
        every(1, "h").latest_slot(datetime(2026, 11, 28, 14, 0))  # noqa: DTZ001


schedules = st.one_of(
    st.builds(every, st.integers(1, 10_000), st.sampled_from(["m", "h", "d"])),
    st.builds(daily, st.integers(0, 23), st.integers(0, 59)),
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(schedules, moments)
def test_now_falls_in_its_latest_slot(schedule: Schedule, now: datetime):
    latest, following = schedule.latest_slot(now), schedule.next_slot(now)
    assert latest is not None
    assert following is not None
    assert schedule.period is not None
    assert latest <= now < following == latest + schedule.period
    assert (latest - EPOCH - schedule.offset) % schedule.period == timedelta(0)


@given(schedules, moments, moments)
def test_slots_never_go_back_in_time(schedule: Schedule, one: datetime, other: datetime):
    early, late = sorted((one, other))
    assert schedule.latest_slot(early) <= schedule.latest_slot(late)  # type: ignore[operator]


@given(schedules)
def test_the_canonical_text_reads_back_the_same(schedule: Schedule):
    assert parse_schedule(schedule.text) == schedule


@given(st.integers(0, 23), st.integers(0, 59), moments)
def test_a_daily_slot_is_at_its_time_of_day(hour: int, minute: int, now: datetime):
    slot = daily(hour, minute).latest_slot(now)
    assert slot is not None
    assert (slot.hour, slot.minute, slot.second, slot.microsecond) == (hour, minute, 0, 0)
    assert timedelta(0) <= now - slot < timedelta(days=1)
