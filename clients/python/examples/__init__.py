"""Runnable examples of trainers built on lodestar_client."""
