"""The JSON body viewer (JsonView in view.py); docs/json-view.md maps the modules."""
