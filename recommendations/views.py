"""The recommendations pages: the review and question sections of the product page, the account's
reviews and questions, the review-request page."""
