"""The cluster: JobMaster, deployment of subtasks, execution targets (local, flink)."""
