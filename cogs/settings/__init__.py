"""Guild settings, ``/privacy`` and ``/about``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attune.bot import AttuneBot


async def setup(bot: AttuneBot) -> None:
    from cogs.settings.cog import SettingsCog
    from cogs.settings.privacy import DeleteCancel, DeleteConfirm, PrivacyCog

    await bot.add_cog(SettingsCog(bot))
    await bot.add_cog(PrivacyCog(bot))
    bot.add_dynamic_items(DeleteConfirm, DeleteCancel)
