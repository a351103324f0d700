"""The catalog tree: nodes (the resource model), paint (the line cache), tree, filter."""
