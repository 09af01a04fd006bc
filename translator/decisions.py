"""What the loop decided about an upstream item: ported, pending (why) or declined (which rule).

Nothing is skipped silently. Built-in rules decline what has nothing to port (test code,
changes without semantic effect, containers whose members are items themselves); the rules
of ``[[translate.decline]]`` decline what the port deliberately does not follow. Everything
else is ported or pending with a reason code an engineer (and ``ferry ledger backlog``) can
act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from translator.changeset import ChangedItem
from translator.config import DeclineRule
from translator.module_map import glob_regex

PendingCode = Literal["unmapped-crate", "new-module", "not-ported", "needs-llm"]
PENDING_CODES: tuple[str, ...] = ("unmapped-crate", "new-module", "not-ported", "needs-llm")

#: built-in rules (rule id -> reason), applied before the configured ones
TEST_CODE = DeclineRule(
    rule="test-code",
    reason="test code: the port's tests are written against the Python port, not translated",
    items=["*"],
)
NO_SEMANTIC_CHANGE = DeclineRule(
    rule="no-semantic-change",
    reason="only formatting, plain comments or the position changed",
    items=["*"],
)
CONTAINER = DeclineRule(
    rule="container",
    reason="impl/mod/macro items are covered by their members",
    items=["*"],
)
NEVER_PORTED = DeclineRule(
    rule="removed-unported",
    reason="removed upstream; the port never had a counterpart",
    items=["*"],
)
_NO_SEMANTIC_KINDS = {"format-only", "position-only"}
_CONTAINER_KINDS = {"macro_rules", "mod", "impl"}


def builtin_decline(item: ChangedItem) -> DeclineRule | None:
    """The built-in rule that declines ``item`` (None when there is something to port)."""
    if item.is_test or item.item_kind == "test_fn" or item.change_kind == "test-only":
        return TEST_CODE
    if item.status == "shifted" or item.change_kind in _NO_SEMANTIC_KINDS:
        return NO_SEMANTIC_CHANGE
    if item.item_kind in _CONTAINER_KINDS:
        return CONTAINER
    return None


def _item_regex(glob: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")) + r"\Z")


@dataclass(frozen=True)
class DeclineRules:
    """The configured rules, compiled; the first matching rule wins."""

    rules: tuple[DeclineRule, ...] = ()

    @classmethod
    def of(cls, rules: Iterable[DeclineRule]) -> DeclineRules:
        return cls(tuple(rules))

    @cached_property
    def _compiled(
        self,
    ) -> list[tuple[DeclineRule, list[re.Pattern[str]], list[re.Pattern[str]]]]:
        return [
            (r, [glob_regex(g) for g in r.files], [_item_regex(g) for g in r.items])
            for r in self.rules
        ]

    def match(self, file: str, qualified_path: str) -> DeclineRule | None:
        for rule, files, items in self._compiled:
            if any(f.match(file) for f in files) or any(i.match(qualified_path) for i in items):
                return rule
        return None


def crate_of(qualified_path: str) -> str:
    return qualified_path.split("::", 1)[0]
