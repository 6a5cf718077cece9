"""`check_...` helpers that give feedback on the exercises, one module per chapter (chNN)."""
