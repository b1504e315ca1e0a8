"""The counter's sync to the centre and the province: status line, sync screen, notices."""
