"""The help screen (F1 or ?): the keys and what each panel shows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# edxtui: keys

**Everywhere**: `ctrl+p` command palette (every action is there) · `F1` / `?` this help ·
`c` credentials · `h` history · `:` request bar · `q` / `ctrl+q` quit · `tab` next pane ·
the mouse works too.

## Token panel (top)
Status, time left (mm:ss) and a bar of the lifetime left; the token refreshes by itself
before it expires (a failed refresh while the token works is a yellow warning). Unverified
claims: user, scopes, issuer, audience, issued / expires. Its buttons are for the mouse:
`tab` skips them, these keys do the same.

| key | action |
|---|---|
| `t` | copy the token |
| `a` | copy the header line `Authorization: JWT …` |
| `f` | refresh the token now |
| `v` | reveal / hide the token (also in the inspector's headers) |

## Catalog tree (left)
Catalogs → courses → course runs → seats, and the top-level lists the server offers.

| key | action |
|---|---|
| `enter` / `space` / click | expand or collapse; on *load more* or an error: load / retry |
| `/` | filter the loaded nodes: enter jumps to the first match, `↓` walks the matches, `esc` clears |
| `r` | reload the node under the cursor |
| `e` | load the next page of the list under the cursor |
| `:` | request bar: GET any path under the API root (`courses/?q=python&limit=5`); `→` takes the completion, enter runs it under *Requests*, `esc` closes |
| `S` | search on the server: `q=` in Courses / Course runs / Programs, `search/all/` elsewhere |
| `d` | drill down: the course, run, program or catalog's own endpoint, as a `≡ detail` child |
| `M` / `K` | mark a course or run / ask the catalog under the cursor whether it contains it |
| `L` | load all of the list under the cursor (says the requests first; `esc` stops it) |
| `E` | export the catalog under the cursor to jsonl / json / csv (a cancel leaves no file) |

## Inspector (right)
The request and response behind the selected node: method, URL, status, time, size,
headers (Authorization masked) and the body (pretty / raw / tree).

| key | action |
|---|---|
| `i` / `l` | focus the inspector / the tree (in the body's tree view `l` is the body's own) |
| `←` / `→` | on the Body / Headers tabs (`tab` goes there): switch between them (a click too) |
| `z` | zoom: the focused pane fills the screen (`z` or `esc` restores) |
| `<` / `>` | move the split between tree and inspector left / right |
| `y` | copy the body |
| `x` | copy the request as a curl command (with the live token) |
| `s` | save the body to a file (asks before replacing one) |

In the body: `/` search, `n` / `N` next / previous match, `m` pretty / tree / raw,
`Y` copy the value under the cursor, `p` copy its path (`.results[3].key`), `ctrl+y` copy the body;
in the tree view `←` `→` fold and unfold, `E` / `C` expand / collapse all.
jless's keys: `j` / `k` down / up, `g` / `G` first / last line, `h` / `l` fold or go to the
parent / unfold or go to the first child in the tree view (there they win over the
explorer's `h` and `l`). `w` wraps long lines; folded tree rows preview their content. `.` runs a
path query such as `.results[].key`: its matches are highlighted, `n` / `N` step through
them, `P` copies them as JSON lines (one compact JSON value a line).

## History (`h`)
Every request of this session, after the last few hundred of earlier runs (marked *earlier*;
kept in the user data folder, nothing secret). `enter` opens one in the inspector, `r`
re-runs a GET on this session, `home` / `end` first / last row, `esc` goes back.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss(None)", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Markdown(HELP)
