"""Helpers several test directories share: the fault-injecting TCP relay, the service in-process for `QueueClient`."""
