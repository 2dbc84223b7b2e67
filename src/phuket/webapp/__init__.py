"""The web client: serves the built single-page app (web/dist) at `/`."""
