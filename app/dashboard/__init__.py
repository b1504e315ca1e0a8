"""The director's dashboard: the hall live, any period's figures with charts and an export, the director's settings."""
