"""The recommendations pages, one module per concern: ``reviews`` (the product page's reviews
section, writing and editing a review, votes and flags, my reviews) and ``questions`` (the product
page's questions and official content sections, asking, answering and voting, the manufacturer's
page, my questions)."""
