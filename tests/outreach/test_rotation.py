"""The rotation over weeks and months, proved on random rosters and histories (hypothesis).

A small simulator keeps the history in memory and asks the pure policy (`choose`) for each day, the way
`assign_day` does with the database; the rules of the README's "How contacts are chosen" are then checked
on what it chose.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.outreach.assignment import Caller, Candidate, RotationPolicy, choose, priority

START = date(2026, 1, 1)
REGION_OF_DISTRICT = {1: 1, 2: 1, 3: 2, 4: 2}


@dataclass(frozen=True)
class President:
    """A booth president of the simulated roster."""

    president_id: int
    district_id: int
    focus: bool = False
    weak: bool = False


@dataclass
class History:
    """Every call given so far: (day, caller, president)."""

    calls: list[tuple[date, int, int]] = field(default_factory=list)

    def last_called(self, president_id: int) -> date | None:
        """The latest day this president was given to anyone."""
        return max((day for day, _, p in self.calls if p == president_id), default=None)

    def callers_since(self, president_id: int, since: date) -> frozenset[int]:
        """Who was given this president on or after `since`."""
        return frozenset(c for day, c, p in self.calls if p == president_id and day >= since)

    def count(self, president_id: int) -> int:
        """How often this president has been given to someone."""
        return sum(1 for _, _, p in self.calls if p == president_id)


def candidates(roster: list[President], history: History, day: date, policy: RotationPolicy) -> list[Candidate]:
    """The roster as the policy sees it on `day`."""
    since = day - timedelta(days=policy.repeat_gap_days)
    return [Candidate(p.president_id, p.president_id, p.district_id, REGION_OF_DISTRICT[p.district_id], p.focus,
                      p.weak, history.last_called(p.president_id), policy.weight(focus=p.focus, weak=p.weak),
                      history.callers_since(p.president_id, since) if policy.repeat_gap_days else frozenset(),
                      history.count(p.president_id))
            for p in roster]


def in_scope(caller: Caller, candidate: Candidate) -> bool:
    """Whether the caller may be given this booth president."""
    return caller.district_ids is None or candidate.district_id in caller.district_ids


def simulate_day(callers: list[Caller], roster: list[President], history: History, day: date,
                 policy: RotationPolicy) -> list[tuple[int, int, Candidate]]:
    """One day of the rotation, checked against the daily rules, then added to the history."""
    pool = candidates(roster, history, day, policy)
    chosen = choose(callers, pool, day)
    by_caller = {c.office_bearer_id: c for c in callers}
    given = [candidate.president_id for _, _, candidate in chosen]
    assert len(given) == len(set(given)), "a booth president was given twice on one day"
    slots = Counter((person, slot) for person, slot, _ in chosen)
    assert all(n == 1 for n in slots.values()), "a slot was filled twice"
    for person, slot, candidate in chosen:
        caller = by_caller[person]
        assert slot in caller.free_slots
        assert in_scope(caller, candidate), "a caller was given a booth outside their scope"
        if candidate.president_id not in caller.call_backs:
            assert person not in candidate.recent_callers, "the same pair again within the repeat gap"
            better = [c for c in pool if in_scope(caller, c) and person not in c.recent_callers
                      and priority(c, day) < priority(candidate, day) and c.president_id not in given]
            assert not better, "a more urgent booth president in scope was passed over"
    history.calls.extend((day, person, candidate.president_id) for person, _, candidate in chosen)
    return chosen


scopes = st.one_of(st.none(), st.sampled_from([frozenset({1, 2}), frozenset({3, 4})]),
                   st.sets(st.integers(1, 4), min_size=1, max_size=2).map(frozenset))
rosters = st.lists(st.tuples(st.integers(1, 4), st.booleans(), st.booleans()), min_size=1, max_size=40).map(
    lambda rows: [President(i + 1, d, f, w) for i, (d, f, w) in enumerate(rows)])
policies = st.builds(RotationPolicy, contacts_per_day=st.integers(1, 3), weak_weight=st.sampled_from([1.0, 2.0, 3.5]),
                     focus_weight=st.sampled_from([1.0, 1.5, 2.0]), repeat_gap_days=st.integers(0, 10))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster=rosters, caller_scopes=st.lists(scopes, min_size=1, max_size=6), policy=policies,
       days=st.integers(1, 25), data=st.data())
def test_every_day_respects_scope_uniqueness_repeat_gap_and_urgency(roster: list[President],
                                                                     caller_scopes: list[frozenset[int] | None],
                                                                     policy: RotationPolicy, days: int,
                                                                     data: st.DataObject) -> None:
    history = History()
    slots = tuple(range(1, policy.contacts_per_day + 1))
    for offset in range(days):
        day = START + timedelta(days=offset)
        on_duty = data.draw(st.sets(st.integers(0, len(caller_scopes) - 1)), label="not paused today")
        callers = [Caller(100 + i, scope, slots) for i, scope in enumerate(caller_scopes) if i in on_duty]
        simulate_day(callers, roster, history, day, policy)
        if data.draw(st.booleans(), label="roster changes tonight"):
            roster = [p for p in roster if data.draw(st.booleans(), label="stays")] + [
                President(1000 + offset * 10 + k, data.draw(st.integers(1, 4)), data.draw(st.booleans()),
                          data.draw(st.booleans())) for k in range(data.draw(st.integers(0, 3)))]


@settings(max_examples=60, deadline=None)
@given(roster=rosters, callers=st.integers(1, 6), contacts=st.integers(1, 3), days=st.integers(1, 40),
       data=st.data())
def test_with_equal_weights_everyone_is_called_once_before_anyone_twice(roster: list[President], callers: int,
                                                                         contacts: int, days: int,
                                                                         data: st.DataObject) -> None:
    policy = RotationPolicy(contacts_per_day=contacts, weak_weight=1.0, focus_weight=1.0, repeat_gap_days=0)
    history = History()
    for offset in range(days):
        on_duty = data.draw(st.sets(st.integers(0, callers - 1), min_size=1), label="not paused today")
        simulate_day([Caller(100 + i, None, tuple(range(1, contacts + 1))) for i in on_duty],
                     roster, history, START + timedelta(days=offset), policy)
        counts = [history.count(p.president_id) for p in roster]
        assert max(counts) - min(counts) <= 1, "someone was called twice while another waited for a first call"


@settings(max_examples=40, deadline=None)
@given(roster=rosters, caller_scopes=st.lists(scopes, min_size=1, max_size=6), policy=policies,
       days=st.integers(1, 30))
def test_nobody_is_called_a_second_time_while_someone_in_scope_was_never_called(
        roster: list[President], caller_scopes: list[frozenset[int] | None], policy: RotationPolicy,
        days: int) -> None:
    history = History()
    slots = tuple(range(1, policy.contacts_per_day + 1))
    callers = [Caller(100 + i, scope, slots) for i, scope in enumerate(caller_scopes)]
    for offset in range(days):
        day = START + timedelta(days=offset)
        never_called = {p.president_id for p in roster if history.last_called(p.president_id) is None}
        chosen = simulate_day(callers, roster, history, day, policy)
        given_today = {candidate.president_id for _, _, candidate in chosen}
        for person, _, candidate in chosen:
            if candidate.last_called is not None and person not in candidate.recent_callers:
                caller = next(c for c in callers if c.office_bearer_id == person)
                waiting = [p for p in roster if p.president_id in never_called - given_today
                           and (caller.district_ids is None or p.district_id in caller.district_ids)]
                assert not waiting


def test_weak_and_focus_booths_come_round_as_often_as_their_weight_and_nobody_starves() -> None:
    roster = ([President(i, 1) for i in range(1, 41)] + [President(i, 1, weak=True) for i in range(41, 61)]
              + [President(i, 1, focus=True, weak=True) for i in range(61, 71)])
    policy = RotationPolicy(contacts_per_day=2, weak_weight=2.0, focus_weight=2.0, repeat_gap_days=0)
    callers = [Caller(100 + i, None, (1, 2)) for i in range(3)]
    history = History()
    days = 400
    for offset in range(days):
        simulate_day(callers, roster, history, START + timedelta(days=offset), policy)

    def calls_per_booth(ids: range) -> float:
        return sum(history.count(i) for i in ids) / len(ids)

    ordinary, weak, focus_weak = calls_per_booth(range(1, 41)), calls_per_booth(range(41, 61)), \
        calls_per_booth(range(61, 71))
    assert 1.8 <= weak / ordinary <= 2.2
    assert 3.6 <= focus_weak / ordinary <= 4.4
    cycle_days = sum(policy.weight(focus=p.focus, weak=p.weak) for p in roster) / (len(callers) * 2)
    for president in roster:
        days_called = sorted(day for day, _, p in history.calls if p == president.president_id)
        gaps = [(b - a).days for a, b in itertools.pairwise(days_called)]
        assert max(gaps) <= math.ceil(1.25 * cycle_days), f"booth president {president.president_id} waited too long"


def test_a_call_back_goes_to_the_same_caller_even_within_the_repeat_gap() -> None:
    policy = RotationPolicy(repeat_gap_days=30)
    roster = [President(i, 1) for i in range(1, 11)]
    history = History()
    simulate_day([Caller(100, None, (1, 2)), Caller(101, None, (1, 2))], roster, history, START, policy)
    asked_again = next(p for day, c, p in history.calls if c == 100)

    chosen = simulate_day([Caller(100, None, (1, 2), call_backs=(asked_again,)), Caller(101, None, (1, 2))],
                          roster, history, START + timedelta(days=1), policy)

    assert (100, 1, asked_again) in {(person, slot, c.president_id) for person, slot, c in chosen}
