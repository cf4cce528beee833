"""`samvad demo`: the README's first command works on a fresh machine and tells the whole day's story."""

from __future__ import annotations

import pytest

from bot.runtime.demo import run_demo


@pytest.mark.parametrize("language", ["hi", "en"])
async def test_the_demo_plays_a_whole_day_and_prints_the_secretarys_summary(
        language: str, capsys: pytest.CaptureFixture[str]) -> None:
    await run_demo(language)

    printed = capsys.readouterr()
    assert printed.err == ""
    heading = {"hi": "संगठन महामंत्री का सारांश", "en": "The organisation secretary's summary"}[language]
    assert heading in printed.out
    assert "बूथ संवाद — " in printed.out  # the summary as the secretary received it (Hindi by default)
    assert "✅ The report of your call to" in printed.out  # the English-speaking caller's report
    assert printed.out.count("🔔") >= 1  # evening reminders were sent
