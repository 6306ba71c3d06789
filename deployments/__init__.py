"""When and where flows run: serve entry point, work pools, schedules."""
