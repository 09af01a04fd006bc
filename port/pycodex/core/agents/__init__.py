"""Sub-agents: threads spawned by a session with the ``multi_agent_v1`` tools.

``control`` runs them (one worker thread each, on the ordinary session core), ``registry``
keeps their count and nicknames, ``roles`` the ``agent_type`` roles, ``status`` their life
cycle, ``source`` who they are, ``ids`` how agent ids are checked.
"""
