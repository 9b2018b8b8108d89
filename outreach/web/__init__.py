"""The edge to the web: fetching the feeds of the people you follow, politely and safely."""
