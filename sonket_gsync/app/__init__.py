"""The application layer: the campaign service, jobs, the writer lease, the schedule, channels, queries and user-facing labels."""
