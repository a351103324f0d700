"""The request budget in one short line: the token panel's border subtitle.

Real deployments throttle per user per hour (course-discovery: `user: 200/hour`), so the
explorer shows what this session spent in the last hour (`RequestBudget.last_hour`), and the
server's verdict once it throttles: while a long `Retry-After` holds, the CLI's own line
("throttled: the server allows more requests at 14:32 (in 47 min)"); after it, when the
last throttle came. The API root follows, so a narrow terminal cuts that, not the budget.
No widgets here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text

from edxtui.api.errors import throttled_error, until_text

if TYPE_CHECKING:
    from edxtui.api.budget import RequestBudget


def throttle_note(budget: RequestBudget, now: float) -> Text | None:
    """While the server's long wait holds, the short form for the panel's status line
    (`⏸ throttled until 14:32 (in 47 min)`); else None."""
    throttle, until = budget.last_throttle, budget.wait_ends(now)
    if throttle is None or until is None:
        return None
    where = " (the token endpoint)" if throttle.token else ""
    return Text(f"⏸ throttled{where} until {until_text(until, now)}", style="bold yellow")


def budget_line(budget: RequestBudget, now: float, place: Text | None = None) -> Text:
    """E.g. `12 requests in the last hour · http://…/api/catalog/v1/`."""
    throttle, until = budget.last_throttle, budget.wait_ends(now)
    if throttle is not None and until is not None:
        said = throttled_error(until, now, status=throttle.status, token=throttle.token)
        line = Text(said.message, style="bold yellow")
    else:
        sent = budget.last_hour
        line = Text(f"{sent:,} request{'' if sent == 1 else 's'} in the last hour")
        if throttle is not None:
            at = time.strftime("%H:%M", time.localtime(throttle.at))
            line.append(f" · throttled at {at} ({throttle.status})", style="yellow")
    if place is not None and place.plain:
        line.append(" · ", style="dim")
        line.append_text(place)
    return line
