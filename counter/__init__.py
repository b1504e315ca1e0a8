"""The counter app: a clerk signs in at a counter and calls, serves, transfers and pauses (`python -m counter`)."""
