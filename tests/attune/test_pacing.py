"""The request pacer: a burst goes out at once, then requests are spaced under Discord's limit."""

from __future__ import annotations

import asyncio

import pytest

from attune.pacing import RequestPacer, pace


async def test_requests_after_the_burst_are_spaced_at_the_rate() -> None:
    pacer = RequestPacer(rate=40, burst=5)
    loop = asyncio.get_running_loop()
    began = loop.time()
    sent: list[float] = []

    async def request() -> None:
        await pacer.wait()
        sent.append(loop.time() - began)

    await asyncio.gather(*(request() for _ in range(25)))
    assert sum(1 for at in sent if at < 0.01) == 5  # the burst
    # 25 requests: 5 at once, then 20 more at 40/s -> about half a second in all.
    assert 0.45 <= max(sent) < 0.7
    # No one-second window ever holds more than rate + burst.
    for start in sent:
        assert sum(1 for at in sent if start <= at < start + 1) <= 45


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
