"""The recommendations pages, one module per concern: ``reviews`` (the product page's reviews
section, writing and editing a review, votes and flags, my reviews); questions and the
review-request page in their own modules."""
