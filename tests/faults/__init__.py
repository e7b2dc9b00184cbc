"""Fault tests: the portal with its parts failing (mail server down, worker killed, disk full,
bad input). Each shows what the user meets and that nothing is lost."""
