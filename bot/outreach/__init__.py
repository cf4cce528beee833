"""Outreach: who calls whom each day, the morning message and its delivery, call reports, people."""
