from commerce.catalog import menu


def navigation(request):
    """Top-level categories for the shop's navigation bar (lazy: only read when rendered, from the cached menu)."""
    if request.path.startswith(("/admin/", "/api/")):
        return {}
    return {"nav_categories": menu.root_categories}
