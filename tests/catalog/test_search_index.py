"""The search index the catalog keeps itself: what is indexed, how it is folded, and how the catalog
commands keep it up to date."""

import pytest
from django.core.management import call_command

from commerce.catalog import services
from commerce.catalog.models import SearchDocument, SearchField, SearchTerm
from commerce.catalog.search import vocabulary
from commerce.catalog.search.index import document_terms, search_index_rebuild
from commerce.catalog.search.text import code_term, fold, query_chunks, text_terms
from commerce.money import Money
from tests.factories import ManufacturerFactory, ProductFactory, category, events

pytestmark = pytest.mark.django_db


def terms_of(product) -> dict[str, int]:
    return dict(SearchTerm.objects.filter(product=product).values_list("term", "field"))


# --- folding (no database) ------------------------------------------------------------------------
def test_fold_removes_case_accents_and_ligatures():
    assert fold("Crème FRAÎCHE") == "creme fraiche"
    assert fold("Œuf Straße ﬁne") == "oeuf strasse fine"
    assert text_terms("Crème fraîche 200 ml by Œufs & Co") == {"creme", "fraiche", "200", "ml", "oeufs", "co"}


def test_a_hyphenated_chunk_is_indexed_as_its_parts_and_their_join():
    assert text_terms("USB-C cable") == {"usb", "c", "usbc", "cable"}
    assert code_term("DAI-0001") == "dai0001"
    assert query_chunks("  USB-C  %  _ \\ * cable ") == [["usb", "c"], ["cable"]]


def test_document_terms_keep_the_best_field_of_each_term():
    found = document_terms(code="CH-1", name="Goat cheese", manufacturer="Cheese & Co", categories=["Dairy"],
                           description="A cheese from the Alps")
    assert found == {
        "ch1": SearchField.CODE, "goat": SearchField.NAME, "cheese": SearchField.NAME, "co": SearchField.MANUFACTURER,
        "dairy": SearchField.CATEGORY, "alps": SearchField.DESCRIPTION,  # "a", "from", "the": stop words
    }


# --- kept by the catalog commands -----------------------------------------------------------------
def test_product_create_indexes_the_product_with_its_category_path_and_maker():
    dairy = category("Dairy", parent=category("Groceries"))
    maker = services.manufacturer_create(name="Ferme du Pilat")
    product = services.product_create(code="DAI-7", name="Crème fraîche", category=dairy, manufacturer=maker,
                                      price=Money.of("1.69", "EUR"), description="Thick and fresh.")

    assert terms_of(product) == {
        "dai7": SearchField.CODE, "creme": SearchField.NAME, "fraiche": SearchField.NAME,
        "ferme": SearchField.MANUFACTURER, "pilat": SearchField.MANUFACTURER,  # "du": a stop word
        "dairy": SearchField.CATEGORY, "groceries": SearchField.CATEGORY,
        "thick": SearchField.DESCRIPTION, "fresh": SearchField.DESCRIPTION,
    }
    assert SearchDocument.objects.get(product=product).sort_name == "creme fraiche"
    assert SearchTerm.objects.get(product=product, term="creme").weight == 100


def test_product_update_reindexes_and_deactivating_removes_from_the_index():
    product = ProductFactory(name="Goat cheese")

    services.product_update(product=product, data={"name": "Sheep cheese"})
    assert {"sheep", "cheese"} <= set(terms_of(product)) and "goat" not in terms_of(product)

    services.product_update(product=product, data={"is_active": False})
    assert terms_of(product) == {} and not SearchDocument.objects.filter(product=product).exists()

    services.product_update(product=product, data={"is_active": True})
    assert "sheep" in terms_of(product)


def test_renaming_a_manufacturer_or_a_category_and_moving_a_category_reindex_their_products():
    root, other = category("Groceries"), category("Larder")
    dairy = category("Dairy", parent=root)
    maker = ManufacturerFactory(name="Alpine Farms")
    product = ProductFactory(name="Milk", category=dairy, manufacturer=maker)

    services.manufacturer_update(manufacturer=maker, data={"name": "Nordic Farms"})
    services.category_update(category=dairy, data={"name": "Crèmerie"})
    services.category_move(category=dairy, parent=other)

    terms = terms_of(product)
    assert terms["nordic"] == SearchField.MANUFACTURER and "alpine" not in terms
    assert terms["cremerie"] == SearchField.CATEGORY and terms["larder"] == SearchField.CATEGORY
    assert "groceries" not in terms and "dairy" not in terms


def test_an_index_change_invalidates_the_cached_vocabulary():
    ProductFactory(name="Goat cheese")
    assert vocabulary.current().knows("goat")

    product = ProductFactory(name="Zebra cake")

    assert vocabulary.current().knows("zebra")
    services.product_update(product=product, data={"is_active": False})
    assert not vocabulary.current().knows("zebra")


def test_a_warm_vocabulary_costs_no_query(django_assert_num_queries):
    ProductFactory(name="Goat cheese")
    vocabulary.current()

    with django_assert_num_queries(0):
        assert vocabulary.current().frequency["cheese"] == 1


def test_rebuild_builds_the_same_index_and_records_it(capsys):
    first = ProductFactory(name="Goat cheese", description="From the Alps")
    ProductFactory(name="Retired", is_active=False)
    before = sorted(SearchTerm.objects.values_list("product_id", "term", "field", "weight"))
    SearchTerm.objects.filter(product=first).delete()  # an index gone stale (a bulk import, say)

    call_command("search_index_rebuild")

    assert sorted(SearchTerm.objects.values_list("product_id", "term", "field", "weight")) == before
    assert "search index rebuilt: 1 products" in capsys.readouterr().out
    assert events("catalog.search_index.rebuilt")[-1].payload == {"products": 1, "terms": len(before)}
    assert search_index_rebuild() == 1
