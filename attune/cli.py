"""``python bot.py [run|sync|check]``: the operator's entry point.

Every problem that stops start-up is one line on stderr naming what is wrong and where, with exit
code 2 — never a traceback wall. SIGTERM and SIGINT shut down cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord

from attune import __version__
from attune.bot import AttuneBot, use_endpoints
from attune.config import Settings, load_settings
from attune.content import load_content
from attune.db import POSTGRESQL_DIALECT, Database, database_problem, discover_migrations, is_postgresql
from attune.errors import ContentError, DatabaseError, StartupError
from attune.moving import migrate_to
from attune.pacing import RequestPacer
from attune.postgres import redact

log = logging.getLogger("attune")
EXIT_OK, EXIT_PROBLEM = 0, 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bot.py",
        description=f"Attune {__version__}: a bot for mindfulness communities.",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    target = sync.add_mutually_exclusive_group()
    target.add_argument("--guild", type=int, help="sync to this guild only (instant)")
    target.add_argument(
        "--global",
        dest="global_",
        action="store_true",
        help="sync globally even if ATTUNE_DEV_GUILD is set",
    )
    sub.add_parser("check", help="validate configuration, content files and the database")
    move = sub.add_parser(
        "migrate-to", help="copy the SQLite database into an empty PostgreSQL one (postgresql://…)"
    )
    move.add_argument(
        "url", help="the PostgreSQL database to fill, e.g. postgresql://attune@localhost/attune"
    )
    args = parser.parse_args(argv)
    args.command = args.command or "run"
    return args


def configure_logging(level: str, *, discord_debug: bool = False) -> None:
    """Attune's own loggers at ``level``; discord.py's never below INFO.

    At DEBUG discord.py logs request and gateway bodies: members' notes, reflections, journal
    pages. Only ``ATTUNE_LOG_DISCORD_DEBUG=1`` (``discord_debug``) lets them through.
    """
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if discord_debug:
        logging.getLogger("discord").setLevel(logging.DEBUG)
        log.warning("ATTUNE_LOG_DISCORD_DEBUG is on: the log will contain members' private text")
    else:
        logging.getLogger("discord").setLevel(logging.INFO if level == "DEBUG" else logging.WARNING)
    if level != "DEBUG":
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, discord_debug=settings.log_discord_debug)
        if args.command == "check":
            return check(settings)
        if args.command == "migrate-to":
            return asyncio.run(move_to(settings, args.url))
        token = settings.require_token()
        content = load_content(settings.content_dir)
        use_endpoints(settings)
        if args.command == "sync":
            guild = None if args.global_ else (args.guild or settings.dev_guild)
            return asyncio.run(sync_commands(settings, token, content, guild))
        return asyncio.run(run_bot(settings, token, content))
    except StartupError as error:
        print(f"attune: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:  # pragma: no cover - a second Ctrl-C during shutdown
        return EXIT_OK


def _login_problem(error: BaseException, settings: Settings) -> StartupError | None:
    where = settings.api_base_url or "discord.com"
    if isinstance(error, discord.LoginFailure):
        return StartupError(
            f"Discord rejected DISCORD_TOKEN ({where}): check the token in .env "
            "(Developer Portal → your application → Bot → Reset Token)."
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):  # pragma: no cover - we ask for none
        return StartupError("Discord refused the requested intents.")
    if isinstance(error, aiohttp.ClientConnectorError | discord.GatewayNotFound):
        return StartupError(f"cannot reach Discord at {where}: {error}")
    if isinstance(error, StartupError):
        return error
    if isinstance(error, sqlite3.Error) and not is_postgresql(settings.database):
        return database_problem(Path(settings.database), error)  # e.g. a table found corrupt
    return None


async def _open_database(settings: Settings) -> Database:
    db = await Database.open(settings.database)
    try:
        await db.migrate()
    except BaseException:
        await db.close(announce=False)
        raise
    return db


async def run_bot(settings: Settings, token: str, content: object) -> int:
    db = await _open_database(settings)
    pacer = RequestPacer.share(settings.cluster.clusters)
    bot = AttuneBot(settings, content, db=db, pacer=pacer)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(bot.start(token), name="attune-bot")
    stopper = asyncio.create_task(stop.wait(), name="attune-stop")
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not runner.done():
            log.info("shutting down")
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        else:
            if not runner.cancelled() and isinstance(runner.exception(), sqlite3.Error):
                await bot.close_resources(clean=False)  # a corrupt table: write nothing more into it
            await bot.close()
    error = runner.exception() if not runner.cancelled() else None
    if error is not None:
        problem = _login_problem(error, settings)
        if problem is not None:
            raise problem
        raise error
    log.info("stopped cleanly")
    return EXIT_OK


async def sync_commands(settings: Settings, token: str, content: object, guild_id: int | None) -> int:
    db = await _open_database(settings)
    bot = AttuneBot(settings, content, db=db, start_scheduler=False)  # type: ignore[arg-type]
    try:
        try:
            await bot.login(token)
        except Exception as error:
            problem = _login_problem(error, settings)
            if problem is not None:
                raise problem from None
            raise
        if guild_id is not None:
            guild = discord.Object(guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            print(f"Synced {len(synced)} commands to guild {guild_id} (available now).")
        else:
            synced = await bot.tree.sync()
            print(f"Synced {len(synced)} commands globally (Discord may take up to an hour to show them).")
    finally:
        await bot.close()
    return EXIT_OK


async def move_to(settings: Settings, url: str) -> int:
    """``migrate-to``: copy ATTUNE_DATABASE (SQLite) into the empty PostgreSQL database at ``url``."""
    if is_postgresql(settings.database):
        raise DatabaseError("ATTUNE_DATABASE is already PostgreSQL; migrate-to copies from an SQLite file")
    if not is_postgresql(url):
        raise DatabaseError(f"{url!r} is not a postgresql:// URL")
    source = Path(settings.database)
    if not await asyncio.to_thread(source.exists):
        raise DatabaseError(f"{source}: no such SQLite database to copy")
    copied = await migrate_to(source, url)
    print(
        f"Copied {copied.total} rows in {len(copied.rows)} tables (schema {copied.version}) from {source}"
        f" to {redact(url)}; row counts verified. Set ATTUNE_DATABASE to that URL to run on PostgreSQL."
    )
    return EXIT_OK


def check(settings: Settings) -> int:
    """Report every problem at once: settings, content files, database."""
    problems: list[str] = []
    notes: list[str] = []
    if settings.token:
        notes.append("DISCORD_TOKEN is set")
    else:
        problems.append("DISCORD_TOKEN is not set: put your bot token in .env or the environment")
    notes.append(f"shards: {settings.cluster.describe()}")
    try:
        load_content(settings.content_dir)
        notes.append(f"content in {settings.content_dir} is valid")
    except ContentError as error:
        problems.extend(error.problems)
    try:
        if is_postgresql(settings.database):
            notes.append(asyncio.run(_check_postgresql(str(settings.database))))
        else:
            notes.append(_check_database(Path(settings.database)))
    except DatabaseError as error:
        problems.append(str(error))
    for note in notes:
        print(f"ok       {note}")
    for problem in problems:
        print(f"problem  {problem}")
    print("all good" if not problems else f"{len(problems)} problem(s) found")
    return EXIT_PROBLEM if problems else EXIT_OK


async def _check_postgresql(url: str) -> str:
    """Connect (writing nothing) and read the schema version: not newer than this code."""
    db = await Database.open(url)  # refuses a newer schema
    try:
        version = await db.user_version()
    finally:
        await db.close(announce=False)
    newest = discover_migrations(dialect=POSTGRESQL_DIALECT)[-1].version
    pending = newest - version
    state = "up to date" if not pending else f"{pending} migration(s) will be applied on start"
    return f"database {db.path} is PostgreSQL, reachable (schema {version}, {state})"


def _check_database(path: Path) -> str:
    """Inspect the database read-only: it must be SQLite, intact, and not newer than this code."""
    newest = discover_migrations()[-1].version
    if not path.exists():
        folder = path.parent if str(path.parent) else Path()
        existing = next((p for p in (folder, *folder.parents) if p.exists()), Path())
        if not _writable(existing):
            raise DatabaseError(f"{path}: cannot be created: {existing} is not writable")
        return f"database {path} does not exist yet; it will be created on first run"
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise DatabaseError(f"{path}: {error}") from None
    if verdict != "ok":
        raise DatabaseError(f"{path}: integrity check failed: {verdict}")
    if version > newest:
        raise DatabaseError(
            f"{path}: written by a newer version of Attune (schema {version}; this version knows "
            f"up to {newest})"
        )
    pending = newest - version
    state = "up to date" if not pending else f"{pending} migration(s) will be applied on start"
    return f"database {path} is SQLite, readable (schema {version}, {state})"


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)
