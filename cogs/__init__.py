"""Attune's capabilities, one package each."""
