"""Company purchasing pages, one module per area; ``urls.py`` mounts them."""
