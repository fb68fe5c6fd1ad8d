from commerce.catalog.models import Category


def navigation(request):
    """Top-level categories for the shop's navigation bar (lazy: only queried when rendered)."""
    if request.path.startswith(("/admin/", "/api/")):
        return {}
    return {"nav_categories": Category.objects.get_root_nodes}
