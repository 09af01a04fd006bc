"""``pycodex app-server``: the JSON-RPC v2 interface IDE extensions and SDKs drive.

Messages are the generated protocol types of :mod:`pycodex.app_server.protocol`; turns
run on the same session core as ``pycodex exec`` (:mod:`pycodex.core.session`), observed
through :class:`pycodex.core.observer.TurnObserver` and asking approvals through
:class:`pycodex.core.observer.ApprovalHandler`.
"""
