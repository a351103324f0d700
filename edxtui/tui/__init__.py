"""The Textual explorer. `app.run_app()` is the CLI's entry point."""
