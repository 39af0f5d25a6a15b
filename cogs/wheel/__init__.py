"""The Wheel of Awareness: ``/wheel`` practice, prompts, schedule and journal; the guide for sits."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot


async def setup(bot: AttuneBot) -> None:
    """Add the cog, its restart-proof buttons, and the ``wheel.prompt`` schedule kind."""
    from cogs.wheel.cog import WheelCog
    from cogs.wheel.views import (
        WHEEL_HANDLER,
        JournalPageButton,
        PracticeButton,
        PracticeReflectButton,
        PromptReflectButton,
    )

    cog = WheelCog(bot)
    await bot.add_cog(cog)
    bot.handlers.register(WHEEL_HANDLER, cog, owner=cog)
    bot.add_dynamic_items(PracticeButton, PracticeReflectButton, PromptReflectButton, JournalPageButton)
    cog.service.prompts.register()
