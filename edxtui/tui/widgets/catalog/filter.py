"""The `/` filter over the catalog tree's loaded nodes: a flat list of matches.

A Tree cannot hide nodes, so the filter shows its own view: every loaded node whose label
contains the query (case-insensitive), with where it sits ("Catalog › Course") beside it.
Enter jumps to the node in the full tree.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from edxtui.tui.widgets.catalog.nodes import NodeInfo

#: matches shown at most (the count says how many there are)
MAX_MATCHES = 200
#: node kinds that are not API objects and never match
SKIP = {"loading", "more", "error", "info", "root", "bucket", "search", "detail"}


def breadcrumb(node: TreeNode[NodeInfo]) -> str:
    parts = []
    parent = node.parent
    while parent is not None and not parent.is_root:
        parts.append(parent.label.plain if isinstance(parent.label, Text) else str(parent.label))
        parent = parent.parent
    return " › ".join(reversed(parts))


def find_matches(nodes: Iterable[TreeNode[NodeInfo]], query: str) -> list[TreeNode[NodeInfo]]:
    needle = query.casefold().strip()
    if not needle:
        return []
    found = []
    for node in nodes:
        if node.data is None or node.data.kind in SKIP:
            continue
        label = node.label.plain if isinstance(node.label, Text) else str(node.label)
        if needle in label.casefold():
            found.append(node)
    return found


class FilterResults(OptionList):
    """The matches; highlighting one inspects it, enter jumps to it in the tree."""

    class Picked(Message):
        def __init__(self, node: TreeNode[NodeInfo], jump: bool) -> None:
            super().__init__()
            self.node = node
            self.jump = jump

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.matches: list[TreeNode[NodeInfo]] = []
        self.answers = ""  # the filter text these matches answer (typing may be a word ahead)

    def show_matches(self, matches: list[TreeNode[NodeInfo]], query: str) -> None:
        self.answers = query
        self.matches = matches[:MAX_MATCHES]
        options: list[Option] = []
        for index, node in enumerate(self.matches):
            label = node.label.copy() if isinstance(node.label, Text) else Text(str(node.label))
            crumb = breadcrumb(node)
            if crumb:
                label.append(f"   in {crumb}", style="dim")
            options.append(Option(label, id=str(index)))
        self.clear_options()
        self.add_options(options)
        if len(matches) > MAX_MATCHES:
            self.add_option(
                Option(
                    Text(
                        f"… {len(matches) - MAX_MATCHES:,} more matches: narrow the filter",
                        style="dim",
                    ),
                    disabled=True,
                )
            )
        if not matches:
            self.add_option(Option(Text("no matches", style="dim italic"), disabled=True))
        # the count on the list's top border (a str title would be markup: this one is ours)
        self.border_title = f"{len(matches):,} match{'es' if len(matches) != 1 else ''}"
        if self.matches:
            self.highlighted = 0

    def _node(self, option: Option) -> TreeNode[NodeInfo] | None:
        if option.id is None:
            return None
        return self.matches[int(option.id)]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        node = self._node(event.option)
        if node is not None:
            self.post_message(self.Picked(node, jump=False))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        node = self._node(event.option)
        if node is not None:
            self.post_message(self.Picked(node, jump=True))
