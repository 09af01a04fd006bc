"""Model backends behind one Protocol: ``mechanical``, ``llm`` and ``replay``."""
