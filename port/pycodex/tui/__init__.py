"""The interactive terminal UI (``pycodex`` with no subcommand), on Textual.

It is a front end over the same session core as ``pycodex exec``
(:mod:`pycodex.core.session`): the turn runs in a worker thread, its events reach
the app as messages, approvals block the worker until the user answers. Textual is
imported only when the UI starts, so ``pycodex exec`` and ``pycodex --version`` do not
pay for it.
"""
