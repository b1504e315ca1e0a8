"""Log files that rotate under the data folder and never hold personal data in clear."""
