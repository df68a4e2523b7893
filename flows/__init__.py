"""Veerkracht: load, check, plan and publish the campaign's messages."""
