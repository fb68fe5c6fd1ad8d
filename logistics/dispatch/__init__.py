"""The dispatch console's commands and reads: a dispatcher edits a centre's planned day by hand.

- ``services``: ``stop_move``, ``stop_remove``, ``stop_lock``, ``stops_lock``, ``failed_reschedule``;
- ``reoptimise``: ``day_reoptimise`` (the planner around the locked stops, routes rewritten in place);
- ``selectors``: ``console_day`` (the map's and the route list's figures), ``failed_queue``;
- ``arrange``: what the edits share (plan-mode figures, version checks, rewriting stops in place).

The back office page is ``logistics/admin/console.py``; only dispatchers (``accounts.dispatch_routes``) use it.
"""
