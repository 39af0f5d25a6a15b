"""The request pacer: a burst goes out at once, then requests are spaced under Discord's limit."""

from __future__ import annotations

import pytest

from attune import pacing
from attune.pacing import RequestPacer, pace


class VirtualLoop:
    """The two things the pacer reads from asyncio, on a clock that moves only when it sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def get_running_loop(self) -> VirtualLoop:
        return self

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay


@pytest.fixture
def virtual(monkeypatch: pytest.MonkeyPatch) -> VirtualLoop:
    loop = VirtualLoop()
    monkeypatch.setattr(pacing, "asyncio", loop)
    return loop


async def test_requests_after_the_burst_are_spaced_at_the_rate(virtual: VirtualLoop) -> None:
    pacer = RequestPacer(rate=40, burst=5)
    sent: list[float] = []
    for _ in range(25):
        await pacer.wait()
        sent.append(virtual.now)
    # 25 requests: 5 at once (the burst), then 20 more at 40/s -> the last at exactly half a second.
    assert sent == pytest.approx([0.0] * 5 + [k / 40 for k in range(1, 21)])
    # No one-second window ever holds more than rate + burst.
    for start in sent:
        assert sum(1 for at in sent if start <= at < start + 1) <= 45
    # After a quiet second the burst is available again.
    virtual.now += 1.0
    quiet = virtual.now
    for _ in range(5):
        await pacer.wait()
    assert virtual.now == pytest.approx(quiet)
    await pacer.wait()
    assert virtual.now == pytest.approx(quiet + 1 / 40)


def test_rate_and_burst_must_stay_under_discords_limit() -> None:
    with pytest.raises(ValueError, match="50"):
        RequestPacer(rate=48, burst=5)


async def test_pace_wraps_the_http_client_once() -> None:
    calls: list[str] = []

    class FakeHTTP:
        async def request(self, route: str, **kwargs: object) -> str:
            calls.append(route)
            return "ok"

    http = FakeHTTP()
    pacer = RequestPacer()
    pace(http, pacer)  # type: ignore[arg-type]
    pace(http, pacer)  # type: ignore[arg-type]
    assert await http.request("route") == "ok"
    assert calls == ["route"]
    assert getattr(http.request, "__attune_paced__", False)
