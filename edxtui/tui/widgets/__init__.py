"""The app's widgets: token panel, inspector, history table; catalog/ and body/ folders."""
