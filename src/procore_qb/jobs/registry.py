"""The tasks and schedules a queue knows, with the checks both adapters apply alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from procore_qb.jobs.arguments import check_args, check_lock, check_name
from procore_qb.jobs.errors import JobsConfigurationError, UnknownTask
from procore_qb.jobs.port import TaskFunction
from procore_qb.jobs.retry import Backoff
from procore_qb.jobs.schedule import Schedule

__all__ = ["TaskRegistry", "TaskSpec"]


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A registered task with its retry policy."""

    fn: TaskFunction
    max_attempts: int
    backoff: Backoff


class TaskRegistry:
    """Tasks by name and schedules by name; defaults come from the queue."""

    def __init__(self, *, max_attempts: int, backoff: Backoff) -> None:
        self._max_attempts = max_attempts
        self._backoff = backoff
        self.tasks: dict[str, TaskSpec] = {}
        self.schedules: dict[str, Schedule] = {}

    def add_task(
        self,
        name: str,
        fn: TaskFunction,
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
    ) -> TaskSpec:
        check_name("task", name)
        if name in self.tasks:
            raise JobsConfigurationError(f"a task named {name!r} is already registered")
        if max_attempts is not None and max_attempts < 1:
            raise JobsConfigurationError(f"max_attempts of task {name!r} must be at least 1")
        spec = TaskSpec(
            fn=fn, max_attempts=max_attempts or self._max_attempts, backoff=backoff or self._backoff
        )
        self.tasks[name] = spec
        return spec

    def add_schedule(
        self,
        name: str,
        task: str,
        *,
        every: timedelta,
        args: Mapping[str, Any] | None,
        lock: str | None,
    ) -> Schedule:
        check_name("schedule", name)
        self.task(task)
        schedule = Schedule(
            name=name, task=task, every=every, args=check_args(task, args), lock=check_lock(lock)
        )
        self.schedules[name] = schedule
        return schedule

    def task(self, name: str) -> TaskSpec:
        """The task called ``name``; :class:`UnknownTask` lists the registered ones."""
        try:
            return self.tasks[name]
        except KeyError:
            raise UnknownTask(name, list(self.tasks)) from None
