"""Prefect flows and their deployments; thin wrappers over the plain functions below them."""
