"""This PC's configuration: config.toml under the platform's data folder, read and validated (Vietnamese errors)."""
