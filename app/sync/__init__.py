"""Getting every dossier to the centre service and the provincial one-stop system exactly once."""
