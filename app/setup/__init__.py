"""The first-run wizard (Qt): the role of this PC, the centre, counters and groups, devices, the province."""
