"""The app's widgets: token panel, catalog tree, filter, inspector, history table, JSON view."""
