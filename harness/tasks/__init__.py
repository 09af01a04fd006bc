"""Terminal-Bench tasks as published: TB1 (``task.yaml``) and Harbor (``task.toml``)."""

from harness.tasks.loader import load_task, load_tasks, load_tasks_lenient
from harness.tasks.model import Task, TaskFormat

__all__ = ["Task", "TaskFormat", "load_task", "load_tasks", "load_tasks_lenient"]
