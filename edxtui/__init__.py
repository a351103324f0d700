"""edxtui: a terminal explorer for the edX Course Catalog API."""

__version__ = "0.1.0"
