"""Qt glue shared by the kiosk, the counter and the hall display."""
