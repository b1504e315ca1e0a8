"""The counter's digitisation screen: scanners and cameras to one PDF per dossier component."""
