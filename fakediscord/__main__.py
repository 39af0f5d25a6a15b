"""Run the fake standalone, from the repository root: ``python -m fakediscord --port 0``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import FakeDiscord


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeDiscord(
        token=args.token,
        host=args.host,
        port=args.port,
        rate_limits=args.rate_limits,
        interaction_response_window=None if args.no_response_window else 3.0,
    )
    await fake.start()
    for name in args.guild or ["Test Guild"]:
        guild = fake.add_guild(name, channels=["general", {"name": "Voice", "type": "voice"}])
        member = fake.add_member(guild.id, "tester")
        print(f"guild {name!r}: id={guild.id} channels={guild.channels} member tester={member}")
    print(f"DISCORD_API_BASE_URL={fake.api_base_url}")
    print(f"DISCORD_GATEWAY_URL={fake.gateway_url}")
    print(f"token={fake.token} bot_user_id={fake.bot_user_id}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loopback fake Discord (REST + Gateway v10)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default="fake-token")
    parser.add_argument("--guild", action="append", help="guild name (repeatable)")
    parser.add_argument("--rate-limits", action="store_true", help="Discord-like 429s")
    parser.add_argument(
        "--no-response-window",
        action="store_true",
        help="accept interaction callbacks later than Discord's 3 s",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
