"""Delivery promises: the shop's shipping methods, their prices and the delivery dates they promise.

- ``models``: ``ShippingMethod`` (edited in the admin) and ``ShippingHoliday`` (days nothing ships or
  arrives);
- ``estimates``: the pure date arithmetic (cut-off time, processing and transit days, weekends and
  holidays), tested on its own;
- ``selectors``: the methods offered to a cart with their price and window (``shipping_options``),
  the one a cart uses (``shipping_option_for``), and for logistics the date promised to an order
  (``promised_delivery``);
- ``services``: a shopper choosing a method for their cart, staff saving a method.

The price of the chosen method is the pricing pipeline's shipping (``orders.pricing.price_lines``),
so a free-shipping promotion takes it off exactly as before.
"""
